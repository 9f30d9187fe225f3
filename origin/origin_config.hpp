// OriginConfig: the validated settings of rtsp-origin, built from its flags and, with --config,
// from a file listing several streams. Every bad value is one line naming the flag ("--size: bad
// size '1x1' ...") or the file position ("origin.conf:7:3: stream 'cam2': size: ..."), printed
// before anything starts.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "base/log.hpp"
#include "origin/origin_flags.hpp"
#include "origin/stream_settings.hpp"

namespace origin {

struct OriginConfig {
  std::vector<StreamSettings> streams;  // one per stream; encoder name may still be "auto"
  std::string publish;
  std::string encoder = "auto";  // --encoder as given
  base::LogLevel log_level = base::LogLevel::Info;

  // Validates every field. A file source must exist (checked here, before anything starts).
  static absl::StatusOr<OriginConfig> from_flags(const OriginFlags& flags);
  // One line describing the settings of one stream, for the start-up log.
  static std::string summary(const StreamSettings& stream);
};

}  // namespace origin
