// gRPC credentials for every cluster link: optional TLS (mTLS when a CA is given to the server)
// and the shared registration token, sent as call metadata.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace cluster {

// Metadata key carrying the registration token on Connect.
inline constexpr char kTokenMetadataKey[] = "rs-token";

// PEM file paths. All empty: plaintext.
//  client: ca_file verifies the server; cert_file + key_file present a client certificate (mTLS).
//  server: cert_file + key_file are required; ca_file makes client certificates mandatory (mTLS).
struct TlsOptions {
  std::string cert_file;
  std::string key_file;
  std::string ca_file;
  std::string server_name;  // client only: expected name in the server certificate (tests)
  bool enabled() const { return !cert_file.empty() || !key_file.empty() || !ca_file.empty(); }
};

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> channel_credentials(
    const TlsOptions& tls);
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> server_credentials(const TlsOptions& tls);

// Channel arguments for links to the coordinator: fast reconnects (our own jittered backoff
// drives retries), keepalive so a frozen peer is noticed, a private subchannel.
// Agents reconnect fast (100 ms up to 400 ms) so placement is rebuilt within a report period
// after a coordinator restart; clients use a slower, wider schedule (ReconnectProfile::Client)
// so that waiting clients reach a restarted coordinator spread out, not all at once.
enum class ReconnectProfile { Agent, Client };

// A channel's reconnect schedule: the first retry `initial` after a failed connect, then x
// `multiplier` per failure up to `max`, each delay +-20 % (gRPC's own jitter). Agent: 100 ms up
// to 400 ms. Client: 250 ms up to 3 s -- a client started while a coordinator restarts connects
// within about half a second of its return, one that waited through an outage at most 3.6 s
// after, and a backlog of waiting clients (all at the 3 s cap by then) arrives spread over ~3 s
// instead of within the first second (bench/coordinator_storm_bench.cpp models both; ADR 011).
struct ReconnectSchedule {
  std::chrono::milliseconds initial;
  std::chrono::milliseconds max;
  double multiplier = 1.6;
};
ReconnectSchedule reconnect_schedule(ReconnectProfile profile);
grpc::ChannelArguments channel_arguments(const TlsOptions& tls,
                                         ReconnectProfile profile = ReconnectProfile::Agent);

// Creates a channel to "host:port" with the credentials and arguments above.
absl::StatusOr<std::shared_ptr<grpc::Channel>> make_channel(
    std::string_view target, const TlsOptions& tls,
    ReconnectProfile profile = ReconnectProfile::Agent);

// Converts a gRPC status into an absl::Status with the same code and message.
absl::Status to_absl(const grpc::Status& status);

// Reads a whole file (PEM); NotFound with the path on failure.
absl::StatusOr<std::string> read_file(const std::string& path);

}  // namespace cluster
