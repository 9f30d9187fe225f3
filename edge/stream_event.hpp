// What the ingest thread hands to every I/O loop: packetized frames and stream descriptions.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "media/frame.hpp"
#include "media/packetized_frame.hpp"

namespace edge {

struct TrackDescription {
  uint32_t track = 0;
  media::Codec codec = media::Codec::H264;
  uint8_t payload_type = 96;
  uint32_t clock_rate = 90000;
  uint32_t ssrc = 0;
  std::vector<uint8_t> vps;  // H.265
  std::vector<uint8_t> sps;
  std::vector<uint8_t> pps;
  uint32_t channels = 0;              // audio
  std::vector<uint8_t> audio_config;  // AAC AudioSpecificConfig
  uint32_t width = 0;
  uint32_t height = 0;
  double fps = 0;
  uint64_t bitrate_bps = 0;
  friend bool operator==(const TrackDescription&, const TrackDescription&) = default;
};

// Everything DESCRIBE needs. Immutable once published; a change publishes a new one.
struct StreamDescription {
  std::string stream;
  uint64_t version = 0;                  // +1 per change; SDP o= session version
  std::vector<TrackDescription> tracks;  // track 0 video first, then audio
  bool info_seen = false;                // a StreamInfo arrived: the track list is known

  const TrackDescription* track(uint32_t id) const {
    for (const auto& t : tracks) {
      if (t.track == id) return &t;
    }
    return nullptr;
  }
};

using StreamDescriptionPtr = std::shared_ptr<const StreamDescription>;

struct StreamEvent {
  // Idle: the edge unsubscribed (no readers); loops drop the cached GOP.
  enum class Kind { Frame, Description, Down, Idle };
  Kind kind = Kind::Frame;
  std::string stream;
  media::PacketizedFramePtr frame;   // Kind::Frame
  StreamDescriptionPtr description;  // Kind::Description
};

// One ingest step's events, posted as one shared, immutable batch to every I/O loop.
using EventBatch = std::shared_ptr<const std::vector<StreamEvent>>;

}  // namespace edge
