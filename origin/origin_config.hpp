// OriginConfig: the validated settings of rtsp-origin, built from its flags. Every bad value is
// an error "--flag: what is wrong", printed as one line before anything starts.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "base/log.hpp"
#include "origin/h264_encoder.hpp"
#include "origin/source_url.hpp"

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
};

struct OriginConfig {
  std::string source;  // the URL as given
  SourceUrl source_url;
  std::string stream;
  std::string publish;
  EncoderConfig encoder;  // size, fps, bitrate, GOP and preset after URL overrides
  base::LogLevel log_level = base::LogLevel::Info;

  // Validates every field; URL query parameters override the matching flags.
  static absl::StatusOr<OriginConfig> from_flags(const OriginFlags& flags);
  // One line describing the settings, for the start-up log.
  std::string summary() const;
};

// x264 preset names, fastest first.
inline constexpr const char* kX264Presets[] = {"ultrafast", "superfast", "veryfast", "faster",
                                               "fast",      "medium",    "slow",     "slower",
                                               "veryslow",  "placebo"};

}  // namespace origin
