// One stream's settings from the flag values as typed (used for the single-stream command line
// and, field by field, for the streams of a --config file). Errors start "--<flag>: ".
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "origin/origin_flags.hpp"
#include "origin/stream_settings.hpp"

namespace origin {

// The settings of one stream from flag values; errors start "--<flag>: ".
absl::StatusOr<StreamSettings> stream_from_flags(const OriginFlags& flags);

// x264 preset names, fastest first.
inline constexpr const char* kX264Presets[] = {"ultrafast", "superfast", "veryfast", "faster",
                                               "fast",      "medium",    "slow",     "slower",
                                               "veryslow",  "placebo"};

// "--<flag>: <status message>" and "--<flag>: <message>", for errors of flag values.
absl::Status flag_error(absl::string_view flag, const absl::Status& status);
absl::Status flag_error(absl::string_view flag, absl::string_view message);

}  // namespace origin
