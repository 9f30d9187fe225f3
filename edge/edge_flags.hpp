// Command-line flags of rtsp-edge, turned into validated EdgeOptions.
#pragma once

#include "absl/status/statusor.h"
#include "edge/edge_options.hpp"

namespace edge {

// Reads the parsed absl flags. Every bad value is an InvalidArgument naming the flag.
absl::StatusOr<EdgeOptions> options_from_flags();

}  // namespace edge
