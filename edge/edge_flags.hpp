// Command-line flags of rtsp-edge, turned into validated EdgeOptions.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "edge/edge_options.hpp"

namespace edge {

// What --help says before the flags.
inline constexpr std::string_view kUsage =
    "serves the origin's streams to RTSP readers.\n"
    "  rtsp-edge --origin=tcp://127.0.0.1:5556 --rtsp=127.0.0.1:8554\n"
    "Readers play rtsp://HOST:PORT/<stream> over TCP or UDP.";

// Reads the parsed absl flags. Every bad value is an InvalidArgument naming the flag.
absl::StatusOr<EdgeOptions> options_from_flags();

}  // namespace edge
