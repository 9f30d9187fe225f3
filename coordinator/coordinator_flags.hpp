// rtsp-coordinator flags (docs/coordinator.md lists them with their defaults).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "coordinator/coordinator_server.hpp"

namespace coordinator {

// What --help says before the flags.
inline constexpr std::string_view kUsage =
    "assigns clients to the least-loaded edge and collects cluster metrics.\n"
    "  rtsp-coordinator --listen=0.0.0.0:50051 --http=127.0.0.1:9090\n"
    "  rtsp-coordinator --status=HOST:50051    print nodes, streams and loads\n"
    "  rtsp-coordinator --probe=HOST:50051     health check, exit 0 when serving";

enum class Mode { Serve, Probe, Status };

struct CommandLine {
  Mode mode = Mode::Serve;
  std::string target;  // --probe / --status HOST:PORT
  CoordinatorOptions options;
};

// Reads and validates the flags; InvalidArgument names the flag.
absl::StatusOr<CommandLine> command_line_from_flags();

}  // namespace coordinator
