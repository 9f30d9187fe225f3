// rtsp-coordinator flags (coordinator_flags.hpp).
#include "coordinator/coordinator_flags.hpp"

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "base/endpoint.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"

ABSL_FLAG(std::string, listen, "127.0.0.1:50051",
          "gRPC listen address HOST:PORT (port 0: ephemeral)");
ABSL_FLAG(std::string, http, "", "HTTP address for /metrics and /api/cluster, e.g. 127.0.0.1:9090");
ABSL_FLAG(std::string, token, "", "Shared registration token nodes must present (empty: none)");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate: TLS on the gRPC port (client: mTLS cert)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key for --tls_cert");
ABSL_FLAG(std::string, tls_ca, "",
          "PEM CA: server requires client certificates (mTLS); "
          "--probe/--status verify the server with it");
ABSL_FLAG(std::string, tls_server_name, "", "--probe/--status: expected server certificate name");
ABSL_FLAG(absl::Duration, report_interval, absl::Milliseconds(500),
          "Expected node report interval");
ABSL_FLAG(int, suspect_after_missed, 2, "Missed reports after which a node gets no new clients");
ABSL_FLAG(int, missed_reports, 3, "Missed reports after which a node is removed");
ABSL_FLAG(absl::Duration, pending_ttl, absl::Seconds(3),
          "How long an assignment counts as load before a report confirms it");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(10), "New edges ramp up to full share over this");
ABSL_FLAG(absl::Duration, assignment_ttl, absl::Seconds(10), "TTL returned with each assignment");
ABSL_FLAG(bool, require_known_stream, true,
          "Answer NOT_FOUND for streams no origin or edge reports");
ABSL_FLAG(absl::Duration, startup_grace, absl::Seconds(3),
          "After a (re)start, unknown streams get UNAVAILABLE (clients retry) instead of NOT_FOUND "
          "for this long, while nodes re-register");
ABSL_FLAG(std::string, probe, "",
          "Probe mode: grpc.health.v1 Check HOST:PORT, exit 0 when serving");
ABSL_FLAG(std::string, status, "", "Status mode: print the cluster table of HOST:PORT and exit");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warn or error");

namespace coordinator {
namespace {

absl::StatusOr<std::chrono::milliseconds> positive_ms(const char* flag, absl::Duration d) {
  if (d <= absl::ZeroDuration())
    return absl::InvalidArgumentError(base::cat("--", flag, " must be positive"));
  return absl::ToChronoMilliseconds(d);
}

absl::Status registry_from_flags(RegistryConfig& r) {
  for (auto [flag, value, out] :
       {std::tuple{"report_interval", absl::GetFlag(FLAGS_report_interval), &r.report_interval},
        std::tuple{"pending_ttl", absl::GetFlag(FLAGS_pending_ttl), &r.pending_ttl},
        std::tuple{"assignment_ttl", absl::GetFlag(FLAGS_assignment_ttl), &r.assignment_ttl}}) {
    auto v = positive_ms(flag, value);
    if (!v.ok()) return v.status();
    *out = *v;
  }
  r.warmup = absl::ToChronoMilliseconds(absl::GetFlag(FLAGS_warmup));
  r.suspect_after_missed = absl::GetFlag(FLAGS_suspect_after_missed);
  r.remove_after_missed = absl::GetFlag(FLAGS_missed_reports);
  if (r.remove_after_missed < 1 || r.remove_after_missed > 100) {
    return absl::InvalidArgumentError("--missed_reports must be 1-100");
  }
  if (r.suspect_after_missed < 1 || r.suspect_after_missed > r.remove_after_missed) {
    return absl::InvalidArgumentError("--suspect_after_missed must be 1..--missed_reports");
  }
  r.require_known_stream = absl::GetFlag(FLAGS_require_known_stream);
  if (absl::GetFlag(FLAGS_startup_grace) < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--startup_grace must not be negative");
  }
  r.startup_grace = absl::ToChronoMilliseconds(absl::GetFlag(FLAGS_startup_grace));
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<CommandLine> command_line_from_flags() {
  CommandLine c;
  auto& o = c.options;
  o.listen = absl::GetFlag(FLAGS_listen);
  o.http = absl::GetFlag(FLAGS_http);
  o.token = absl::GetFlag(FLAGS_token);
  o.tls = {absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key), absl::GetFlag(FLAGS_tls_ca),
           absl::GetFlag(FLAGS_tls_server_name)};
  const std::string probe = absl::GetFlag(FLAGS_probe);
  const std::string status = absl::GetFlag(FLAGS_status);
  if (!probe.empty() && !status.empty())
    return absl::InvalidArgumentError("--probe and --status exclude each other");
  if (!probe.empty() || !status.empty()) {
    c.mode = probe.empty() ? Mode::Status : Mode::Probe;
    c.target = probe.empty() ? status : probe;
    auto hp = base::parse_host_port(c.target);
    if (!hp.ok())
      return absl::InvalidArgumentError(
          base::cat(probe.empty() ? "--status: " : "--probe: ", hp.status().message()));
  } else {
    if (auto hp = base::parse_host_port(o.listen, true); !hp.ok()) {
      return absl::InvalidArgumentError(base::cat("--listen: ", hp.status().message()));
    }
    if (!o.http.empty()) {
      if (auto hp = base::parse_host_port(o.http, true); !hp.ok()) {
        return absl::InvalidArgumentError(base::cat("--http: ", hp.status().message()));
      }
    }
    if (o.tls.enabled() && (o.tls.cert_file.empty() || o.tls.key_file.empty())) {
      return absl::InvalidArgumentError("--tls_cert and --tls_key are both needed for TLS");
    }
  }
  if (auto st = registry_from_flags(o.registry); !st.ok()) return st;
  if (auto st = base::set_log_level_flag(absl::GetFlag(FLAGS_log_level)); !st.ok()) return st;
  return c;
}

}  // namespace coordinator
