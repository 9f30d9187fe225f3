// Source factory; see source.hpp.
#include "origin/source.hpp"

#include "origin/av_source.hpp"
#include "origin/pattern_source.hpp"
#include "origin/webcam_source.hpp"

namespace origin {

absl::StatusOr<std::unique_ptr<Source>> open_source(const StreamSettings& settings,
                                                    const std::atomic<bool>& stop) {
  switch (settings.source_url.kind) {
    case SourceKind::TestPattern:
      return PatternSource::open(settings, stop);
    case SourceKind::Webcam:
      return WebcamSource::open(settings, stop);
    case SourceKind::File:
    case SourceKind::Rtsp:
      return AvSource::open(settings, stop);
  }
  return absl::InternalError("unknown source kind");
}

}  // namespace origin
