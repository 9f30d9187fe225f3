// rtsp-coordinator flags (docs/coordinator.md lists them with their defaults).
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "coordinator/coordinator_server.hpp"

namespace coordinator {

enum class Mode { Serve, Probe, Status };

struct CommandLine {
  Mode mode = Mode::Serve;
  std::string target;  // --probe / --status HOST:PORT
  CoordinatorOptions options;
};

// Reads and validates the flags; InvalidArgument names the flag.
absl::StatusOr<CommandLine> command_line_from_flags();

}  // namespace coordinator
