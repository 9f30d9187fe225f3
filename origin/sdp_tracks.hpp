// The tracks of an RTSP session as the origin publishes them: the first H.264/H.265 media becomes
// track 0, the first other one (AAC, Opus, G.711) track 1. Shared by the camera we pull
// (RtspCameraSource) and the publisher that pushes (RtspPushSource).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <tuple>
#include <utility>
#include <vector>

#include "media/sdp.hpp"
#include "origin/source.hpp"
#include "receiver/track_depacketizer.hpp"

namespace origin {

struct SdpTracks {
  std::vector<TrackDesc> tracks;   // track 0 (video), then track 1 (audio) when present
  std::optional<size_t> video;     // the caller's index of the media that is track 0
  std::optional<size_t> audio;     // ... track 1
  std::vector<uint8_t> announced;  // the video's sprop parameter sets, Annex-B
};

// `media`: (the caller's index, the media description) of each usable media, in SDP order.
SdpTracks map_sdp_tracks(const std::vector<std::pair<size_t, const media::SdpMedia*>>& media);

// Width and height from an SPS NAL unit (header included, no start code) of `codec` (H.264 or
// H.265); nullopt when it does not parse.
std::optional<std::pair<uint32_t, uint32_t>> picture_size(media::Codec codec,
                                                          std::span<const uint8_t> sps);

// A depacketized unit as a SourceUnit of `track` (RTP carries one timestamp, presentation:
// pts = dts = the RTP timestamp; capture time = when its last packet arrived).
SourceUnit source_unit_of(receiver::MediaUnit&& unit, uint32_t track);

}  // namespace origin
