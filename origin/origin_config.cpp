// Flag validation for rtsp-origin; see origin_config.hpp.
#include "origin/origin_config.hpp"

#include "absl/strings/str_cat.h"
#include "base/endpoint.hpp"
#include "origin/config_file.hpp"
#include "origin/stream_flags.hpp"

namespace origin {

absl::StatusOr<OriginConfig> OriginConfig::from_flags(const OriginFlags& flags) {
  OriginConfig config;
  if (absl::Status status = base::validate_zmq_endpoint(flags.publish); !status.ok()) {
    return flag_error("publish", status);
  }
  config.publish = flags.publish;
  if (!base::parse_log_level(flags.log_level, &config.log_level)) {
    return absl::InvalidArgumentError(absl::StrCat("--log_level: bad log level '", flags.log_level,
                                                   "' (want debug, info, warn or error)"));
  }
  config.encoder = flags.encoder;
  if (!flags.config.empty()) {
    auto streams = load_config_file(flags.config, flags);
    if (!streams.ok()) return streams.status();
    config.streams = std::move(streams).value();
    return config;
  }
  auto stream = stream_from_flags(flags);
  if (!stream.ok()) return stream.status();
  config.streams.push_back(std::move(stream).value());
  return config;
}

std::string OriginConfig::summary(const StreamSettings& s) {
  const EncoderConfig& e = s.encoder;
  std::string out = absl::StrCat("stream ", s.stream, " source ", redact_source(s.source));
  if (s.always_encodes()) {
    absl::StrAppend(&out, " size ", e.width, "x", e.height, " fps ", e.fps, " bitrate ",
                    e.bitrate_bps, " gop ", e.gop_frames, " encoder ", e.encoder);
  }
  if (s.loop) absl::StrAppend(&out, " loop");
  if (s.transcode) absl::StrAppend(&out, " transcode");
  return out;
}

}  // namespace origin
