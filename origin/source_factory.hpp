// open_source: the opener for real sources — our RTSP client for cameras, libavformat for
// files, network streams and other cameras, the test pattern, OpenCV for webcams.
#pragma once

#include <atomic>
#include <memory>

#include "absl/status/statusor.h"
#include "origin/source.hpp"

namespace origin {

absl::StatusOr<std::unique_ptr<Source>> open_source(const StreamSettings& settings,
                                                    const std::atomic<bool>& stop);

}  // namespace origin
