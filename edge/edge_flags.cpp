// rtsp-edge flags (docs/config.md lists them with their defaults).
#include "edge/edge_flags.hpp"

#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "base/strings.hpp"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "base/endpoint.hpp"
#include "base/log.hpp"
#include "relay/catchup.hpp"
#include "relay/curve.hpp"
#include "relay/topic.hpp"
#include "base/strings.hpp"

ABSL_FLAG(std::string, origin, "tcp://127.0.0.1:5556",
          "Origin ZeroMQ PUB endpoint(s) to subscribe to, comma-separated");
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
ABSL_FLAG(std::string, multicast_pool, "239.255.42.0/24", "Multicast group addresses, one per stream");
ABSL_FLAG(int, multicast_port_base, 20000, "Multicast RTP port of the first group; stream i uses base+2i");
ABSL_FLAG(int, multicast_ttl, 16, "Multicast TTL");
ABSL_FLAG(std::string, multicast_interface, "127.0.0.1", "Address of the interface multicast leaves by");
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
  for (absl::string_view e : absl::StrSplit(absl::GetFlag(FLAGS_origin), ',', absl::SkipWhitespace())) {
    if (auto st = base::validate_zmq_endpoint(base::sv(e)); !st.ok()) {
      return absl::InvalidArgumentError(base::cat("--origin: ", st.message()));
    }
    o.origins.emplace_back(e);
  }
  if (o.origins.empty()) return absl::InvalidArgumentError("--origin: at least one endpoint is needed");
  const std::string catchup = absl::GetFlag(FLAGS_catchup);
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
      return absl::InvalidArgumentError(base::cat("--origin_public_key: ", origin_key.status().message()));
    }
    o.origin_public_key = *origin_key;
  }
  auto rtsp = base::parse_host_port(absl::GetFlag(FLAGS_rtsp), /*allow_zero=*/true);
  if (!rtsp.ok()) return absl::InvalidArgumentError(base::cat("--rtsp: ", rtsp.status().message()));
  o.rtsp_host = rtsp->host;
  o.rtsp_port = rtsp->port;
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
  for (absl::string_view name : absl::StrSplit(absl::GetFlag(FLAGS_preload), ',', absl::SkipWhitespace())) {
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
  base::LogLevel level;
  if (!base::parse_log_level(absl::GetFlag(FLAGS_log_level), &level)) {
    return absl::InvalidArgumentError("--log_level must be debug, info, warn or error");
  }
  base::set_log_level(level);
  return o;
}

}  // namespace edge
