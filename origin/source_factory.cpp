// The opener for real sources (source_factory.hpp).
#include "origin/source_factory.hpp"

#include "origin/av_source.hpp"
#include "origin/pattern_source.hpp"
#include "origin/rtsp_camera_source.hpp"
#include "origin/webcam_source.hpp"

namespace origin {

absl::StatusOr<std::unique_ptr<Source>> open_source(const StreamSettings& settings,
                                                    const std::atomic<bool>& stop) {
  switch (settings.source_url.kind) {
    case SourceKind::TestPattern:
      return open_pattern_source(settings, stop);
    case SourceKind::Webcam:
      return WebcamSource::open(settings, stop);
    case SourceKind::Rtsp:
      if (!settings.transcode) {
        // Our own RTSP client: pass-through without the demuxer's one-frame wait (ADR 013).
        auto source = open_rtsp_camera_source(settings, stop);
        if (!absl::IsUnimplemented(source.status())) return source;
      }
      return AvSource::open(settings, stop);  // MJPEG and other cameras, --transcode
    case SourceKind::File:
    case SourceKind::Network:
      return AvSource::open(settings, stop);
    case SourceKind::Publish:
      break;  // the IngestHub opens these (ingest_hub.hpp)
  }
  return absl::InternalError("unknown source kind");
}

}  // namespace origin
