// Encoder choice; see encoder_choice.hpp.
#include "origin/encoder_choice.hpp"

#include <algorithm>

extern "C" {
#include <libavutil/log.h>
}

#include "base/log.hpp"
#include "base/strings.hpp"
#include "origin/h264_encoder.hpp"

namespace origin {

bool is_known_encoder(std::string_view name) {
  return std::any_of(std::begin(kKnownEncoders), std::end(kKnownEncoders),
                     [&](const char* known) { return name == known; });
}

absl::Status probe_encoder(std::string_view name) {
  const int saved_level = av_log_get_level();
  av_log_set_level(AV_LOG_QUIET);
  auto encoder = H264Encoder::create(EncoderConfig{.width = 320,
                                                   .height = 240,
                                                   .fps = 30,
                                                   .bitrate_bps = 500'000,
                                                   .gop_frames = 30,
                                                   .encoder = std::string(name)});
  av_log_set_level(saved_level);
  return encoder.status();
}

absl::StatusOr<std::string> choose_encoder(std::string_view requested) {
  if (!is_known_encoder(requested)) {
    return absl::InvalidArgumentError(
        base::cat("unknown encoder '", requested,
                  "' (want auto, libx264, h264_vaapi, h264_nvenc or h264_qsv)"));
  }
  if (requested != kAutoEncoder) {
    if (absl::Status status = probe_encoder(requested); !status.ok()) {
      return absl::UnavailableError(
          base::cat("encoder '", requested, "' is not usable on this machine: ", status.message()));
    }
    return std::string(requested);
  }
  for (const char* hardware : kHardwareEncoders) {
    absl::Status status = probe_encoder(hardware);
    if (status.ok()) {
      LOG_INFO("origin", "--encoder=auto chose ", hardware, " (hardware)");
      return std::string(hardware);
    }
    LOG_INFO("origin", "--encoder=auto: ", hardware, " unavailable: ", base::sv(status.message()));
  }
  LOG_INFO("origin", "--encoder=auto chose ", kEncoderName, " (no hardware encoder opened)");
  return std::string(kEncoderName);
}

}  // namespace origin
