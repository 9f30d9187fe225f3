// grpc.health.v1 Health/Check through the generic stub: the two messages are tiny, so they are
// encoded by hand rather than generated (grpc's health.proto is not installed by Debian).
#include "cluster/health_probe.hpp"

#include <grpcpp/generic/generic_stub.h>

#include <string>
#include <vector>

#include "base/strings.hpp"

namespace cluster {
namespace {

// HealthCheckRequest { string service = 1; }: tag 0x0a, length, bytes.
std::string encode_request(std::string_view service) {
  std::string out;
  if (service.empty()) return out;
  out.push_back(0x0a);
  size_t n = service.size();
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
  out.append(service);
  return out;
}

// HealthCheckResponse { ServingStatus status = 1; }: tag 0x08 then a varint. Absent = UNKNOWN (0).
int decode_status(const std::string& bytes) {
  if (bytes.size() >= 2 && static_cast<uint8_t>(bytes[0]) == 0x08) {
    return static_cast<uint8_t>(bytes[1]) & 0x7f;
  }
  return 0;
}

std::string to_string(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

}  // namespace

absl::Status probe_health(std::string_view target, const TlsOptions& tls,
                          std::chrono::milliseconds timeout, std::string_view service) {
  auto channel = make_channel(target, tls);
  if (!channel.ok()) return channel.status();
  grpc::GenericStub stub(*channel);
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + timeout);
  context.set_wait_for_ready(true);  // a starting server is worth the wait, up to the deadline
  const std::string request_bytes = encode_request(service);
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::CompletionQueue cq;
  auto call = stub.PrepareUnaryCall(&context, "/grpc.health.v1.Health/Check", request, &cq);
  call->StartCall();
  grpc::ByteBuffer response;
  grpc::Status status;
  call->Finish(&response, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  if (!status.ok()) {
    return absl::UnavailableError(
        base::cat("health check of ", target, " failed: ", status.error_message()));
  }
  const int serving = decode_status(to_string(response));
  if (serving != 1) {
    return absl::UnavailableError(
        base::cat("health check of ", target, ": not serving (status ", serving, ")"));
  }
  return absl::OkStatus();
}

}  // namespace cluster
