// Command-line flags of rtsp-origin: the stream flags as typed (OriginFlags, validated into
// OriginConfig by origin_config.hpp) and the process flags (catch-up, coordinator, CURVE keys).
#pragma once

#include <string>
#include <string_view>

#include "cluster/credentials.hpp"

namespace origin {

// What --help says before the flags.
inline constexpr std::string_view kUsage =
    "publishes streams to edges over ZeroMQ, passing camera H.264/H.265 through or encoding "
    "once.\n"
    "  rtsp-origin --source=rtsp://user:pass@camera/stream1 --stream=cam1 "
    "--publish=tcp://127.0.0.1:5556";

// Flag values as typed on the command line (strings, so every error is ours to word).
struct OriginFlags {
  std::string source = "test://pattern";
  std::string stream = "cam1";
  std::string publish = "tcp://127.0.0.1:5556";
  std::string size = "1280x720";
  std::string fps = "30";
  std::string bitrate = "2M";
  std::string gop = "30";
  std::string x264_preset = "ultrafast";
  std::string log_level = "info";
  std::string source_transport = "tcp";
  bool loop = false;
  bool transcode = false;
  std::string encoder = "auto";
  std::string reconnect_initial = "0.5s";
  std::string reconnect_max = "30s";
  std::string config;  // --config=FILE: streams from the file instead of --source/--stream
};

// The process-wide flags that are not about a stream.
struct ProcessFlags {
  std::string catchup = "auto";  // "auto", "none" or an endpoint
  std::string keygen;            // PREFIX: write a CURVE key pair and exit
  std::string coordinator;
  std::string priority;  // "0".."1000"
  std::string name;
  std::string advertise;
  std::string token;
  std::string http;  // "host:port" for /metrics and /healthz; empty = off
  cluster::TlsOptions tls;
  std::string curve_secret_key_file;
  std::string curve_authorized_keys_file;
};

// Publishers pushing into the origin (docs/ingest.md).
struct IngestFlags {
  std::string rtsp;  // host:port; empty: off
  std::string rtmp;
  std::string srt;
  std::string auth_file;
  bool takeover = false;
  std::string max_bitrate = "100M";
  std::string max_size = "3840x2160";
  std::string timeout = "5s";
};

// Read the parsed absl flags.
OriginFlags read_origin_flags();
ProcessFlags read_process_flags();
IngestFlags read_ingest_flags();

}  // namespace origin
