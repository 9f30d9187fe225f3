// PatternSource: the built-in test pattern as a Source. On a steady-clock schedule it renders a
// frame and encodes it once; when the loop runs late by more than a frame it skips ahead instead
// of bursting (skipped slots are counted).
#pragma once

#include <atomic>
#include <memory>

#include "origin/source.hpp"

namespace origin {

absl::StatusOr<std::unique_ptr<Source>> open_pattern_source(const StreamSettings& settings,
                                                            const std::atomic<bool>& stop);

}  // namespace origin
