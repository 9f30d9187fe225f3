// TrackDepacketizer: one received track's RTP packets in, complete media units out, for every
// codec the receiver plays: H.264 (RFC 6184) and H.265 (RFC 7798) access units in Annex-B,
// completed on the marker bit so nothing waits for the next frame; AAC-hbr (RFC 3640); G.711 and
// Opus (one frame per packet). RTP timestamps are extended to 64 bits (RFC 3550 A.1 style) so
// that they never wrap for the consumer; an SSRC change (a restarted sender) starts over.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "media/frame.hpp"
#include "media/rtp_audio.hpp"
#include "media/rtp_video.hpp"

namespace receiver {

struct MediaUnit {
  size_t track = 0;  // index into the session's tracks
  media::Codec codec = media::Codec::Unknown;
  uint32_t clock_rate = 90000;
  int64_t timestamp = 0;         // RTP timestamp extended to 64 bits (track clock)
  std::vector<uint8_t> data;     // Annex-B (video) or one raw audio frame
  bool keyframe = false;         // video: IDR (H.264) or IRAP (H.265)
  int64_t received_wall_us = 0;  // arrival of the packet that completed it
};

struct TrackStats {
  uint64_t packets = 0;
  uint64_t units = 0;
  uint64_t errors = 0;  // malformed payloads
  uint64_t ssrc_changes = 0;
  uint64_t dropped_units = 0;  // incomplete units discarded after loss
};

class TrackDepacketizer {
 public:
  // Unimplemented for codecs the receiver cannot depacketize.
  static absl::StatusOr<std::unique_ptr<TrackDepacketizer>> create(size_t track, media::Codec codec,
                                                                   uint32_t clock_rate);

  // Feeds one RTP packet (header included) received at `wall_us`; appends completed units.
  // A malformed packet is counted and returned as an error; the next one is processed normally.
  absl::Status feed(std::span<const uint8_t> packet, int64_t wall_us, std::vector<MediaUnit>& out);

  const TrackStats& stats() const { return stats_; }
  size_t track() const { return track_; }
  media::Codec codec() const { return codec_; }

 private:
  TrackDepacketizer(size_t track, media::Codec codec, uint32_t clock_rate);
  void reset_depacketizers();
  int64_t extend(uint32_t rtp_timestamp);
  void emit(uint32_t rtp_timestamp, std::vector<uint8_t> data, bool keyframe, int64_t wall_us,
            std::vector<MediaUnit>& out);

  size_t track_;
  media::Codec codec_;
  uint32_t clock_rate_;
  std::optional<uint32_t> ssrc_;
  std::optional<int64_t> last_timestamp_;
  std::unique_ptr<media::RtpH264Depacketizer> h264_;
  std::unique_ptr<media::RtpH265Depacketizer> h265_;
  std::unique_ptr<media::RtpAacDepacketizer> aac_;
  uint64_t depacketizer_dropped_ = 0;  // dropped units of depacketizers replaced on SSRC change
  TrackStats stats_;
};

}  // namespace receiver
