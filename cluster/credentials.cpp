// gRPC credentials and channel settings for cluster links (see credentials.hpp).
#include "cluster/credentials.hpp"

#include "cluster/coordinator_targets.hpp"

#include <fstream>
#include <sstream>

#include "base/strings.hpp"

namespace cluster {

absl::StatusOr<std::string> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(base::cat("cannot read ", path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> channel_credentials(
    const TlsOptions& tls) {
  if (!tls.enabled()) return grpc::InsecureChannelCredentials();
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return absl::InvalidArgumentError(
        "TLS: a client certificate needs both --tls_cert and --tls_key");
  }
  grpc::SslCredentialsOptions options;
  if (!tls.ca_file.empty()) {
    auto ca = read_file(tls.ca_file);
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
  }
  if (!tls.cert_file.empty()) {
    auto cert = read_file(tls.cert_file);
    if (!cert.ok()) return cert.status();
    auto key = read_file(tls.key_file);
    if (!key.ok()) return key.status();
    options.pem_cert_chain = *cert;
    options.pem_private_key = *key;
  }
  return grpc::SslCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> server_credentials(const TlsOptions& tls) {
  if (!tls.enabled()) return grpc::InsecureServerCredentials();
  if (tls.cert_file.empty() || tls.key_file.empty()) {
    return absl::InvalidArgumentError("TLS: the server needs both --tls_cert and --tls_key");
  }
  auto cert = read_file(tls.cert_file);
  if (!cert.ok()) return cert.status();
  auto key = read_file(tls.key_file);
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions options(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  options.pem_key_cert_pairs.push_back({*key, *cert});
  if (!tls.ca_file.empty()) {
    auto ca = read_file(tls.ca_file);
    if (!ca.ok()) return ca.status();
    options.pem_root_certs = *ca;
    options.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(options);
}

ReconnectSchedule reconnect_schedule(ReconnectProfile profile) {
  using std::chrono::milliseconds;
  if (profile == ReconnectProfile::Agent) return {milliseconds(100), milliseconds(400)};
  return {milliseconds(250), milliseconds(3000)};
}

grpc::ChannelArguments channel_arguments(const TlsOptions& tls, ReconnectProfile profile) {
  const ReconnectSchedule schedule = reconnect_schedule(profile);
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  // gRPC's channel backoff: initial x1.6 per attempt up to max, +-20 % jitter (the multiplier
  // is gRPC's fixed 1.6).
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, static_cast<int>(schedule.initial.count()));
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, static_cast<int>(schedule.initial.count()));
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, static_cast<int>(schedule.max.count()));
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 5000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 3000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 0);
  args.SetInt(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  if (!tls.server_name.empty()) args.SetSslTargetNameOverride(tls.server_name);
  // Clients: round robin over the replicas that are up, UNAVAILABLE retried on another one.
  if (profile == ReconnectProfile::Client) args.SetServiceConfigJSON(client_service_config());
  return args;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> make_channel(std::string_view target,
                                                            const TlsOptions& tls,
                                                            ReconnectProfile profile) {
  if (target.empty()) return absl::InvalidArgumentError("coordinator address is empty");
  auto creds = channel_credentials(tls);
  if (!creds.ok()) return creds.status();
  return grpc::CreateCustomChannel(std::string(target), *creds, channel_arguments(tls, profile));
}

absl::Status to_absl(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      base::av(status.error_message()));
}

}  // namespace cluster
