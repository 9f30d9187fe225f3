// Flag validation for rtsp-origin; see origin_config.hpp.
#include "origin/origin_config.hpp"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "base/endpoint.hpp"
#include "relay/topic.hpp"

namespace origin {
namespace {

absl::Status flag_error(absl::string_view flag, const absl::Status& status) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", status.message()));
}

absl::Status check_preset(const std::string& preset) {
  auto known = [&](const char* name) { return preset == name; };
  if (std::any_of(std::begin(kX264Presets), std::end(kX264Presets), known)) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown x264 preset '", preset, "' (want one of ",
                                                 absl::StrJoin(kX264Presets, ", "), ")"));
}

// Size, fps, bitrate and GOP from the flags, then overridden by the source URL.
absl::Status fill_encoder(const OriginFlags& flags, OriginConfig& config) {
  EncoderConfig& e = config.encoder;
  auto size = parse_video_size(flags.size);
  if (!size.ok()) return flag_error("size", size.status());
  auto fps = parse_fps(flags.fps);
  if (!fps.ok()) return flag_error("fps", fps.status());
  auto bitrate = parse_bitrate(flags.bitrate);
  if (!bitrate.ok()) return flag_error("bitrate", bitrate.status());
  auto gop = parse_gop(flags.gop);
  if (!gop.ok()) return flag_error("gop", gop.status());
  if (absl::Status status = check_preset(flags.x264_preset); !status.ok()) {
    return flag_error("x264_preset", status);
  }
  const SourceUrl& url = config.source_url;
  const VideoSize final_size = url.size.value_or(*size);
  e.width = final_size.width;
  e.height = final_size.height;
  e.fps = url.fps.value_or(*fps);
  e.bitrate_bps = url.bitrate_bps.value_or(*bitrate);
  e.gop_frames = url.gop_frames.value_or(*gop);
  e.preset = flags.x264_preset;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<OriginConfig> OriginConfig::from_flags(const OriginFlags& flags) {
  OriginConfig config;
  auto url = SourceUrl::parse(flags.source);
  if (!url.ok()) return flag_error("source", url.status());
  config.source = flags.source;
  config.source_url = *url;
  if (absl::Status status = relay::validate_stream_name(flags.stream); !status.ok()) {
    return flag_error("stream", status);
  }
  config.stream = flags.stream;
  if (absl::Status status = base::validate_zmq_endpoint(flags.publish); !status.ok()) {
    return flag_error("publish", status);
  }
  config.publish = flags.publish;
  if (absl::Status status = fill_encoder(flags, config); !status.ok()) return status;
  if (!base::parse_log_level(flags.log_level, &config.log_level)) {
    return absl::InvalidArgumentError(absl::StrCat("--log_level: bad log level '", flags.log_level,
                                                   "' (want debug, info, warn or error)"));
  }
  return config;
}

std::string OriginConfig::summary() const {
  return absl::StrCat("source ", source, " stream ", stream, " publish ", publish, " size ",
                      encoder.width, "x", encoder.height, " fps ", encoder.fps, " bitrate ",
                      encoder.bitrate_bps, " gop ", encoder.gop_frames, " encoder ", kEncoderName,
                      " preset ", encoder.preset);
}

}  // namespace origin
