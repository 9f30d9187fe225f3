// rtsp-client flags (client_options.hpp).
#include "client/client_options.hpp"

#include "absl/flags/flag.h"
#include "absl/time/time.h"
#include "base/endpoint.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "client/player_session.hpp"

ABSL_FLAG(std::string, coordinator, "",
          "coordinator HOST:PORT: ask it for an edge serving --stream and play that edge");
ABSL_FLAG(std::string, stream, "cam1", "stream to ask the coordinator for");
ABSL_FLAG(std::string, url, "", "RTSP URL to play directly (same as the positional argument)");
ABSL_FLAG(std::string, zone, "", "client zone sent to the coordinator (placement affinity)");
ABSL_FLAG(std::string, transport, "tcp", "RTSP transport: tcp, udp or multicast");
ABSL_FLAG(bool, headless, false,
          "no window: one JSON line a second on stdout and a summary at exit (automatic "
          "when $DISPLAY is unset)");
ABSL_FLAG(bool, overlay, true, "draw the statistics overlay (key o toggles it)");
ABSL_FLAG(absl::Duration, duration, absl::ZeroDuration(), "stop after this long (0: run until q)");
ABSL_FLAG(int64_t, frames, 0, "stop after this many decoded frames (0: no limit)");
ABSL_FLAG(int, connect_retries, 5,
          "attempts to reach the coordinator (or the URL) at start before giving up");
ABSL_FLAG(absl::Duration, stall_timeout, absl::Milliseconds(500),
          "no packet for this long: the edge is considered gone (fail over)");
ABSL_FLAG(absl::Duration, open_timeout, absl::Seconds(5),
          "connect + DESCRIBE/SETUP/PLAY must finish within this");
ABSL_FLAG(absl::Duration, coordinator_timeout, absl::Seconds(1), "per AssignEdge attempt");
ABSL_FLAG(absl::Duration, backoff_initial, absl::Milliseconds(250),
          "first retry delay ceiling (full jitter, doubles per failure)");
ABSL_FLAG(absl::Duration, backoff_max, absl::Seconds(8), "largest retry delay ceiling");
ABSL_FLAG(std::string, hwdec, "auto", "hardware decoding: auto, none, vaapi, vdpau or cuda");
ABSL_FLAG(int, decoder_threads, 0, "decoder slice threads (0: libavcodec's choice)");
ABSL_FLAG(bool, decode, true,
          "decode the video; --decode=false only receives and counts access units (a light "
          "probe or load generator; no window)");
ABSL_FLAG(std::string, screenshot, "", "save one PNG of the displayed frame (with overlay) here");
ABSL_FLAG(absl::Duration, screenshot_after, absl::Seconds(3), "when --screenshot is taken");
ABSL_FLAG(std::string, screenshot_dir, ".", "where the s key saves screenshots");
ABSL_FLAG(std::string, tls_ca, "", "PEM CA that signed the coordinator's certificate (TLS)");
ABSL_FLAG(std::string, tls_cert, "", "client certificate for the coordinator (mTLS)");
ABSL_FLAG(std::string, tls_key, "", "client key for --tls_cert");
ABSL_FLAG(std::string, tls_server_name, "", "expected coordinator certificate name");
ABSL_FLAG(std::string, log_level, "info", "debug, info, warn or error");

namespace client {
namespace {

std::chrono::milliseconds ms(absl::Duration d) {
  return absl::ToChronoMilliseconds(d);
}

}  // namespace

absl::Status validate(const ClientOptions& o) {
  if (o.url.empty() == o.coordinator.empty()) {
    return absl::InvalidArgumentError(
        "give either an RTSP URL or --coordinator=HOST:PORT --stream=NAME");
  }
  if (!o.url.empty() && !is_rtsp_url(o.url)) {
    return absl::InvalidArgumentError(
        base::cat("\"", o.url, "\" is not an RTSP URL (rtsp://host[:port]/path)"));
  }
  if (!o.coordinator.empty()) {
    auto hp = base::parse_host_port(o.coordinator);
    if (!hp.ok())
      return absl::InvalidArgumentError(base::cat("--coordinator: ", hp.status().message()));
    if (o.stream.empty()) return absl::InvalidArgumentError("--stream must not be empty");
  }
  if (o.transport != "tcp" && o.transport != "udp" && o.transport != "multicast") {
    return absl::InvalidArgumentError("--transport must be tcp, udp or multicast");
  }
  if (o.connect_retries < 1) return absl::InvalidArgumentError("--connect_retries must be >= 1");
  for (auto [name, d] :
       {std::pair{"stall_timeout", o.stall_timeout}, std::pair{"open_timeout", o.open_timeout},
        std::pair{"coordinator_timeout", o.coordinator_timeout},
        std::pair{"backoff_initial", o.backoff_initial}}) {
    if (d.count() <= 0)
      return absl::InvalidArgumentError(base::cat("--", name, " must be positive"));
  }
  if (o.backoff_max < o.backoff_initial) {
    return absl::InvalidArgumentError("--backoff_max must be >= --backoff_initial");
  }
  if (o.duration.count() < 0) return absl::InvalidArgumentError("--duration must not be negative");
  if (!o.decode && !o.screenshot.empty()) {
    return absl::InvalidArgumentError("--screenshot needs decoding (drop --decode=false)");
  }
  if (o.decoder_threads < 0 || o.decoder_threads > 64) {
    return absl::InvalidArgumentError("--decoder_threads must be 0..64");
  }
  return absl::OkStatus();
}

absl::StatusOr<ClientOptions> options_from_flags(const std::string& positional_url,
                                                 bool display_available) {
  ClientOptions o;
  o.url = absl::GetFlag(FLAGS_url);
  if (!positional_url.empty()) {
    if (!o.url.empty()) return absl::InvalidArgumentError("give the URL once");
    o.url = positional_url;
  }
  o.coordinator = absl::GetFlag(FLAGS_coordinator);
  o.stream = absl::GetFlag(FLAGS_stream);
  o.zone = absl::GetFlag(FLAGS_zone);
  o.transport = absl::GetFlag(FLAGS_transport);
  o.headless = absl::GetFlag(FLAGS_headless) || !display_available;
  o.overlay = absl::GetFlag(FLAGS_overlay);
  o.duration = ms(absl::GetFlag(FLAGS_duration));
  const int64_t frames = absl::GetFlag(FLAGS_frames);
  if (frames < 0) return absl::InvalidArgumentError("--frames must not be negative");
  o.max_frames = static_cast<uint64_t>(frames);
  o.connect_retries = absl::GetFlag(FLAGS_connect_retries);
  o.stall_timeout = ms(absl::GetFlag(FLAGS_stall_timeout));
  o.open_timeout = ms(absl::GetFlag(FLAGS_open_timeout));
  o.coordinator_timeout = ms(absl::GetFlag(FLAGS_coordinator_timeout));
  o.backoff_initial = ms(absl::GetFlag(FLAGS_backoff_initial));
  o.backoff_max = ms(absl::GetFlag(FLAGS_backoff_max));
  auto hw = parse_hwdec(absl::GetFlag(FLAGS_hwdec));
  if (!hw.ok()) return hw.status();
  o.hwdec = *hw;
  o.decoder_threads = absl::GetFlag(FLAGS_decoder_threads);
  o.decode = absl::GetFlag(FLAGS_decode);
  if (!o.decode) o.headless = true;
  o.screenshot = absl::GetFlag(FLAGS_screenshot);
  o.screenshot_after = ms(absl::GetFlag(FLAGS_screenshot_after));
  o.screenshot_dir = absl::GetFlag(FLAGS_screenshot_dir);
  o.tls_ca = absl::GetFlag(FLAGS_tls_ca);
  o.tls_cert = absl::GetFlag(FLAGS_tls_cert);
  o.tls_key = absl::GetFlag(FLAGS_tls_key);
  o.tls_server_name = absl::GetFlag(FLAGS_tls_server_name);
  if (auto st = base::set_log_level_flag(absl::GetFlag(FLAGS_log_level)); !st.ok()) return st;
  if (auto st = validate(o); !st.ok()) return st;
  return o;
}

}  // namespace client
