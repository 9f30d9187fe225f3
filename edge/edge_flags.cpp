// rtsp-edge flags (docs/config.md lists them with their defaults).
#include "edge/edge_flags.hpp"

#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "base/endpoint.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "relay/catchup.hpp"
#include "relay/curve.hpp"
#include "relay/topic.hpp"

ABSL_FLAG(std::string, origin, "",
          "Origin ZeroMQ PUB endpoint(s), comma-separated; default tcp://127.0.0.1:5556, or none "
          "with --coordinator (the coordinator says where the origins are)");
ABSL_FLAG(std::string, coordinator, "", "Coordinator HOST:PORT to register with (gRPC)");
ABSL_FLAG(std::string, name, "", "Node name at the coordinator (default: edge-<rtsp port>)");
ABSL_FLAG(std::string, advertise, "",
          "RTSP base URL readers reach this edge at (default: rtsp://<--rtsp address>)");
ABSL_FLAG(int64_t, capacity_readers, 1000, "Readers this edge accepts (coordinator placement)");
ABSL_FLAG(double, capacity_mbps, 1000, "Mb/s this edge may send (coordinator placement)");
ABSL_FLAG(std::string, zone, "", "Placement zone reported to the coordinator");
ABSL_FLAG(std::string, token, "", "Shared registration token for the coordinator");
ABSL_FLAG(std::string, tls_cert, "", "TLS client certificate for the coordinator link");
ABSL_FLAG(std::string, tls_key, "", "TLS client key for the coordinator link");
ABSL_FLAG(std::string, tls_ca, "", "CA that signed the coordinator's certificate");
ABSL_FLAG(
    absl::Duration, drain_grace, absl::Seconds(30),
    "On SIGTERM with a coordinator: stop taking readers, exit when they are gone or after this");
ABSL_FLAG(std::string, rtsp, "127.0.0.1:8554", "RTSP listen address HOST:PORT (port 0: ephemeral)");
ABSL_FLAG(int, io_threads, 0, "I/O loops serving readers; 0 = one per core");
ABSL_FLAG(absl::Duration, session_timeout, absl::Seconds(60),
          "RTSP session timeout announced in the Session header and enforced");
ABSL_FLAG(absl::Duration, describe_timeout, absl::Seconds(3),
          "How long DESCRIBE waits for a stream's parameter sets and keyframe before 404");
ABSL_FLAG(absl::Duration, latency_budget, absl::Seconds(2),
          "A reader behind by more than this is disconnected; at half of it, it skips to the "
          "next keyframe");
ABSL_FLAG(int64_t, reader_queue_bytes, 4 * 1024 * 1024, "Per-reader output queue limit in bytes");
ABSL_FLAG(int64_t, max_sessions, 10000, "Maximum RTSP sessions; more get 503");
ABSL_FLAG(int64_t, max_readers_per_stream, 10000, "Maximum readers of one stream; more get 503");
ABSL_FLAG(std::string, auth_file, "",
          "Viewer accounts and per-stream read permissions (docs/config.md); streams not listed "
          "stay open");
ABSL_FLAG(std::string, multicast_pool, "239.255.42.0/24",
          "Multicast group addresses, one per stream");
ABSL_FLAG(int, multicast_port_base, 20000,
          "Multicast RTP port of the first group; stream i, track t uses base+4i+2t");
ABSL_FLAG(int, multicast_ttl, 16, "Multicast TTL");
ABSL_FLAG(std::string, multicast_interface, "127.0.0.1",
          "Address of the interface multicast leaves by");
ABSL_FLAG(std::string, preload, "",
          "Streams to subscribe to at start and keep warm, comma-separated ('*' = every stream); "
          "others are subscribed when a reader first asks");
ABSL_FLAG(absl::Duration, idle_timeout, absl::Seconds(30),
          "Unsubscribe from a stream this long after its last reader left");
ABSL_FLAG(std::string, http, "",
          "HOST:PORT for Prometheus /metrics and /healthz (e.g. 127.0.0.1:9101); empty: off");
ABSL_FLAG(std::string, catchup, "auto",
          "Origin catch-up endpoint(s), comma-separated; 'auto' = each --origin's port + 1; "
          "'none' = wait for the next keyframe instead");
ABSL_FLAG(std::string, curve_key, "",
          "This edge's CURVE key file (made with --keygen); enables encryption to the origin");
ABSL_FLAG(std::string, origin_public_key, "",
          "File holding the origin's CURVE public key, which this edge pins");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warn or error");

namespace edge {
namespace {

absl::Status positive(std::string_view flag, absl::Duration d) {
  if (d <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(base::cat("--", flag, " must be positive"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<EdgeOptions> options_from_flags() {
  EdgeOptions o;
  o.coordinator = absl::GetFlag(FLAGS_coordinator);
  std::string origins = absl::GetFlag(FLAGS_origin);
  if (origins.empty() && o.coordinator.empty()) origins = "tcp://127.0.0.1:5556";
  for (absl::string_view e : absl::StrSplit(origins, ',', absl::SkipWhitespace())) {
    if (auto st = base::validate_zmq_endpoint(base::sv(e)); !st.ok()) {
      return absl::InvalidArgumentError(base::cat("--origin: ", st.message()));
    }
    o.origins.emplace_back(e);
  }
  if (o.origins.empty() && o.coordinator.empty()) {
    return absl::InvalidArgumentError(
        "--origin: at least one endpoint is needed (or --coordinator)");
  }
  const std::string catchup = absl::GetFlag(FLAGS_catchup);
  o.catchup_auto = catchup == "auto";
  if (catchup == "auto") {
    for (const auto& origin : o.origins) {
      const std::string derived = relay::default_catchup_endpoint(origin);
      if (!derived.empty()) o.catchup_endpoints.push_back(derived);
    }
  } else if (catchup != "none") {
    for (absl::string_view e : absl::StrSplit(catchup, ',', absl::SkipWhitespace())) {
      if (auto st = base::validate_zmq_endpoint(base::sv(e)); !st.ok()) {
        return absl::InvalidArgumentError(base::cat("--catchup: ", st.message()));
      }
      o.catchup_endpoints.emplace_back(e);
    }
  }
  o.curve_key_file = absl::GetFlag(FLAGS_curve_key);
  const std::string origin_key_file = absl::GetFlag(FLAGS_origin_public_key);
  if (o.curve_key_file.empty() != origin_key_file.empty()) {
    return absl::InvalidArgumentError("--curve_key and --origin_public_key go together");
  }
  if (!o.curve_key_file.empty()) {
    if (auto keys = relay::read_secret_key_file(o.curve_key_file); !keys.ok()) {
      return absl::InvalidArgumentError(base::cat("--curve_key: ", keys.status().message()));
    }
    auto origin_key = relay::read_public_key_file(origin_key_file);
    if (!origin_key.ok()) {
      return absl::InvalidArgumentError(
          base::cat("--origin_public_key: ", origin_key.status().message()));
    }
    o.origin_public_key = *origin_key;
  }
  auto rtsp = base::parse_host_port(absl::GetFlag(FLAGS_rtsp), /*allow_zero=*/true);
  if (!rtsp.ok()) return absl::InvalidArgumentError(base::cat("--rtsp: ", rtsp.status().message()));
  o.rtsp_host = rtsp->host;
  o.rtsp_port = rtsp->port;
  if (!o.coordinator.empty()) {
    if (auto hp = base::parse_host_port(o.coordinator); !hp.ok()) {
      return absl::InvalidArgumentError(base::cat("--coordinator: ", hp.status().message()));
    }
    o.node_name = absl::GetFlag(FLAGS_name);
    o.advertise_url = absl::GetFlag(FLAGS_advertise);
    if (!o.advertise_url.empty() && !std::string_view(o.advertise_url).starts_with("rtsp://")) {
      return absl::InvalidArgumentError("--advertise must be an rtsp:// URL");
    }
    const int64_t readers = absl::GetFlag(FLAGS_capacity_readers);
    if (readers < 1 || readers > 10'000'000)
      return absl::InvalidArgumentError("--capacity_readers must be 1-10000000");
    o.capacity_readers = static_cast<uint32_t>(readers);
    o.capacity_mbps = absl::GetFlag(FLAGS_capacity_mbps);
    if (!(o.capacity_mbps > 0))
      return absl::InvalidArgumentError("--capacity_mbps must be positive");
    o.zone = absl::GetFlag(FLAGS_zone);
    o.token = absl::GetFlag(FLAGS_token);
    o.tls_cert = absl::GetFlag(FLAGS_tls_cert);
    o.tls_key = absl::GetFlag(FLAGS_tls_key);
    o.tls_ca = absl::GetFlag(FLAGS_tls_ca);
    if (auto st = positive("drain_grace", absl::GetFlag(FLAGS_drain_grace)); !st.ok()) return st;
    o.drain_grace = absl::ToChronoMilliseconds(absl::GetFlag(FLAGS_drain_grace));
  }
  const int threads = absl::GetFlag(FLAGS_io_threads);
  if (threads < 0 || threads > 256) return absl::InvalidArgumentError("--io_threads must be 0-256");
  o.io_threads = static_cast<size_t>(threads);
  for (auto [name, value] : {std::pair{"session_timeout", absl::GetFlag(FLAGS_session_timeout)},
                             std::pair{"describe_timeout", absl::GetFlag(FLAGS_describe_timeout)},
                             std::pair{"latency_budget", absl::GetFlag(FLAGS_latency_budget)}}) {
    if (auto st = positive(name, value); !st.ok()) return st;
  }
  o.session_timeout = std::chrono::seconds(
      std::max<int64_t>(1, absl::ToInt64Seconds(absl::GetFlag(FLAGS_session_timeout))));
  o.describe_timeout = absl::ToChronoMilliseconds(absl::GetFlag(FLAGS_describe_timeout));
  o.latency_budget = absl::ToChronoMilliseconds(absl::GetFlag(FLAGS_latency_budget));
  const int64_t queue = absl::GetFlag(FLAGS_reader_queue_bytes);
  if (queue < 64 * 1024) return absl::InvalidArgumentError("--reader_queue_bytes must be >= 65536");
  o.reader_queue_bytes = static_cast<size_t>(queue);
  const int64_t sessions = absl::GetFlag(FLAGS_max_sessions);
  if (sessions < 1) return absl::InvalidArgumentError("--max_sessions must be >= 1");
  o.max_sessions = static_cast<size_t>(sessions);
  const int64_t per_stream = absl::GetFlag(FLAGS_max_readers_per_stream);
  if (per_stream < 1) return absl::InvalidArgumentError("--max_readers_per_stream must be >= 1");
  o.max_readers_per_stream = static_cast<size_t>(per_stream);
  o.auth_file = absl::GetFlag(FLAGS_auth_file);
  for (absl::string_view name :
       absl::StrSplit(absl::GetFlag(FLAGS_preload), ',', absl::SkipWhitespace())) {
    if (name != "*") {
      if (auto st = relay::validate_stream_name(base::sv(name)); !st.ok()) {
        return absl::InvalidArgumentError(base::cat("--preload: ", st.message()));
      }
    }
    o.preload.emplace_back(name);
  }
  if (auto st = positive("idle_timeout", absl::GetFlag(FLAGS_idle_timeout)); !st.ok()) return st;
  o.idle_timeout = absl::ToChronoMilliseconds(absl::GetFlag(FLAGS_idle_timeout));
  if (const std::string http = absl::GetFlag(FLAGS_http); !http.empty()) {
    auto hp = base::parse_host_port(http, /*allow_zero=*/true);
    if (!hp.ok()) return absl::InvalidArgumentError(base::cat("--http: ", hp.status().message()));
    o.http_host = hp->host;
    o.http_port = hp->port;
  }
  o.multicast.pool = absl::GetFlag(FLAGS_multicast_pool);
  const int port_base = absl::GetFlag(FLAGS_multicast_port_base);
  if (port_base < 1024 || port_base > 60000 || port_base % 2 != 0) {
    return absl::InvalidArgumentError("--multicast_port_base must be an even port in 1024-60000");
  }
  o.multicast.port_base = static_cast<uint16_t>(port_base);
  const int ttl = absl::GetFlag(FLAGS_multicast_ttl);
  if (ttl < 1 || ttl > 255) return absl::InvalidArgumentError("--multicast_ttl must be 1-255");
  o.multicast.ttl = static_cast<uint8_t>(ttl);
  o.multicast.interface_address = absl::GetFlag(FLAGS_multicast_interface);
  if (auto st = base::set_log_level_flag(absl::GetFlag(FLAGS_log_level)); !st.ok()) return st;
  return o;
}

}  // namespace edge
