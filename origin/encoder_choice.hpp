// Encoder choice for --encoder: "auto" tries the hardware encoders FFmpeg offers (VAAPI, NVENC,
// QSV: the first that opens on this machine wins) and falls back to libx264; a named encoder must
// open here or the origin refuses to start (exit 2, one line).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace origin {

inline constexpr std::string_view kAutoEncoder = "auto";
inline constexpr const char* kHardwareEncoders[] = {"h264_vaapi", "h264_nvenc", "h264_qsv"};
inline constexpr const char* kKnownEncoders[] = {"auto", "libx264", "h264_vaapi", "h264_nvenc",
                                                 "h264_qsv"};

// True for a name in kKnownEncoders.
bool is_known_encoder(std::string_view name);

// Opens `name` once at a small size to see whether it works on this machine (FFmpeg's own log
// output is silenced meanwhile). Start-up only: not thread-safe (it changes the FFmpeg log level).
absl::Status probe_encoder(std::string_view name);

// Resolves "auto" (logging which encoder it chose and why the others were skipped) or checks a
// named encoder. Errors name the encoder and the reason.
absl::StatusOr<std::string> choose_encoder(std::string_view requested);

}  // namespace origin
