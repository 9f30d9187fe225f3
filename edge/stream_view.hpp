// StreamView: one I/O loop's own view of a stream (description, cached GOP for late joiners,
// its readers on this loop, where live delivery is per track). Loop thread only.
#pragma once

#include <cstdint>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "edge/stream_event.hpp"
#include "media/gop_cache.hpp"

namespace edge {

class Connection;

struct StreamView {
  StreamDescriptionPtr description;
  media::GopCache<media::PacketizedFramePtr> gop;  // from the last video keyframe
  std::vector<Connection*> readers;
  struct TrackPosition {
    uint16_t next_sequence = 0;
    uint32_t last_rtp_timestamp = 0;
  };
  absl::flat_hash_map<uint32_t, TrackPosition> positions;  // per track: where live delivery is
  bool down = false;

  // DESCRIBE can answer: parameter sets, the track list (StreamInfo) and a keyframe are here.
  bool ready() const { return description && description->info_seen && gop.complete(); }
};

}  // namespace edge
