// OriginConfig: the validated settings of rtsp-origin, built from its flags and, with --config,
// from a file listing several streams. Every bad value is one line naming the flag ("--size: bad
// size '1x1' ...") or the file position ("origin.conf:7:3: stream 'cam2': size: ..."), printed
// before anything starts.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/log.hpp"
#include "origin/stream_settings.hpp"

namespace origin {

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

struct OriginConfig {
  std::vector<StreamSettings> streams;  // one per stream; encoder name may still be "auto"
  std::string publish;
  std::string encoder = "auto";  // --encoder as given
  base::LogLevel log_level = base::LogLevel::Info;

  // Validates every field. A file source must exist (checked here, before anything starts).
  static absl::StatusOr<OriginConfig> from_flags(const OriginFlags& flags);
  // One line describing the settings of one stream, for the start-up log.
  static std::string summary(const StreamSettings& stream);
};

// The settings of one stream from flag values; errors start "--<flag>: ".
absl::StatusOr<StreamSettings> stream_from_flags(const OriginFlags& flags);

// x264 preset names, fastest first.
inline constexpr const char* kX264Presets[] = {"ultrafast", "superfast", "veryfast", "faster",
                                               "fast",      "medium",    "slow",     "slower",
                                               "veryslow",  "placebo"};

}  // namespace origin
