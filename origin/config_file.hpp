// The --config file of rtsp-origin: protobuf text format (proto/origin_config.proto) listing
// several streams. Syntax errors and bad values are reported as "FILE:LINE:COL: ..." (1-based),
// values naming the stream and the field; unknown fields and duplicate stream names are errors.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "origin/origin_flags.hpp"
#include "origin/stream_settings.hpp"

namespace origin {

inline constexpr size_t kMaxConfigBytes = 1 << 20;
inline constexpr size_t kMaxConfigStreams = 256;

// Parses `text` (named `file_name` in errors). Fields left out take `defaults` (the flags).
absl::StatusOr<std::vector<StreamSettings>> parse_config_text(std::string_view text,
                                                              std::string_view file_name,
                                                              const OriginFlags& defaults);

// Reads and parses the file at `path`.
absl::StatusOr<std::vector<StreamSettings>> load_config_file(const std::string& path,
                                                             const OriginFlags& defaults);

}  // namespace origin
