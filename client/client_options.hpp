// rtsp-client's settings and their validation. The flags live in client_options.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "client/video_decoder.hpp"

namespace client {

// What --help says before the flags.
inline constexpr std::string_view kUsage =
    "plays a stream with a live overlay of latency, FPS and throughput.\n"
    "  rtsp-client --coordinator=HOST:50051 --stream=cam1   ask the coordinator for an edge\n"
    "  rtsp-client rtsp://HOST:8554/cam1                    play any RTSP URL directly\n"
    "  rtsp-client --headless --duration=10s URL            JSON lines instead of a window\n"
    "keys: q quit, o toggle the overlay, s save a PNG screenshot";

struct ClientOptions {
  std::string url;          // direct mode: play this RTSP URL
  std::string coordinator;  // coordinator mode: HOST:PORT
  std::string stream = "cam1";
  std::string zone;
  std::string transport = "tcp";  // tcp, udp or multicast
  bool headless = false;
  bool overlay = true;
  std::chrono::milliseconds duration{0};  // 0 = until quit
  uint64_t max_frames = 0;                // 0 = no limit
  int connect_retries = 5;
  std::chrono::milliseconds stall_timeout{500};
  std::chrono::milliseconds open_timeout{5000};
  std::chrono::milliseconds coordinator_timeout{1000};
  std::chrono::milliseconds backoff_initial{250};
  std::chrono::milliseconds backoff_max{8000};
  HwDecode hwdec = HwDecode::Auto;
  int decoder_threads = 0;
  bool decode = true;      // false: receive and count units only (implies headless)
  std::string screenshot;  // save one PNG here ...
  std::chrono::milliseconds screenshot_after{0};  // ... this long after start
  std::string screenshot_dir = ".";               // `s` key saves here
  std::string tls_ca;                             // coordinator TLS
  std::string tls_cert;
  std::string tls_key;
  std::string tls_server_name;
};

// Reads the flags. `positional_url` is the URL given without a flag ("" when none).
// `display_available` says whether $DISPLAY is set (no display forces headless).
absl::StatusOr<ClientOptions> options_from_flags(const std::string& positional_url,
                                                 bool display_available);

// Checks a complete set of options (used by options_from_flags, and by tests).
absl::Status validate(const ClientOptions& options);

}  // namespace client
