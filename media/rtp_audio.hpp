// Audio over RTP: AAC per RFC 3640 (mpeg4-generic, AAC-hbr mode, 3.3.6), G.711 PCMU/PCMA per
// RFC 3551 (4.5.14) and Opus per RFC 7587, plus the AAC AudioSpecificConfig fields that SDP
// needs (ISO/IEC 14496-3 1.6.2.1) and an AAC-hbr depacketizer for tests and fuzzing.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "media/packetized_frame.hpp"
#include "media/rtp.hpp"
#include "media/rtp_stream.hpp"

namespace media {

namespace aac {

// AU-size is 13 bits in AAC-hbr (RFC 3640 3.3.6: "sizeLength=13"), so no AU is larger.
inline constexpr size_t kMaxAccessUnitBytes = (1 << 13) - 1;
// Samples per AAC-LC frame: the RTP timestamp step between access units (RFC 3640 3.2.1.3).
inline constexpr uint32_t kSamplesPerFrame = 1024;

struct AudioSpecificConfig {
  uint8_t object_type = 2;               // audioObjectType: 2 AAC-LC, 5 SBR, 29 PS, ...
  uint8_t sampling_frequency_index = 4;  // 15: explicit frequency
  uint32_t sample_rate = 44100;
  uint8_t channel_configuration = 2;  // 0: in a program_config_element, 7: 7.1 (8 channels)

  // Output channels of channel_configuration 1..7 (table 1.19); 0 for configuration 0 and
  // the reserved values.
  uint8_t channels() const;
  friend bool operator==(const AudioSpecificConfig&, const AudioSpecificConfig&) = default;
};

// Parses the leading fields of an AudioSpecificConfig (the MP4 esds / ffmpeg extradata bytes):
// audioObjectType with its escape, samplingFrequencyIndex with the 24-bit explicit frequency,
// channelConfiguration. Errors on truncated input and reserved frequency indexes 13 and 14.
absl::StatusOr<AudioSpecificConfig> parse_audio_specific_config(std::span<const uint8_t> asc);

// The sampling frequency of samplingFrequencyIndex 0..12 (table 1.18); nullopt otherwise.
std::optional<uint32_t> sampling_frequency(uint8_t index);

}  // namespace aac

// RFC 3640 mpeg4-generic in AAC-hbr mode: one access unit per packet with one AU header
// (AU-size 13 bits, AU-index 3 bits = 0); an access unit larger than the packet is fragmented
// (RFC 3640 3.2.3) over packets with the same timestamp and AU header.
class RtpAacPacketizer : public RtpStream {
 public:
  using RtpStream::RtpStream;

  // Packetizes one raw AAC access unit (no ADTS header) whose first sample has `rtp_timestamp`
  // (sampling-rate clock). The frame is a keyframe (every AU decodes on its own). Errors, with
  // no sequence number used, on an empty AU or one over aac::kMaxAccessUnitBytes.
  absl::StatusOr<PacketizedFrame> packetize(std::span<const uint8_t> access_unit,
                                            uint32_t rtp_timestamp);
};

// G.711 (RFC 3551 4.5.14): one byte per sample at 8000 Hz, static payload type 0 (PCMU) or 8
// (PCMA).
class RtpG711Packetizer : public RtpStream {
 public:
  enum class Law { Mu, A };
  // config.payload_type is ignored: the law's static type is used.
  RtpG711Packetizer(Law law, RtpStreamConfig config);

  // Packetizes `samples` (one byte per sample) starting at `rtp_timestamp`; a block longer than
  // the packet is split, each packet's timestamp advanced by the samples before it. The marker
  // bit is set on the first packet only when `talkspurt_start` (RFC 3551 4.1). Empty input
  // yields no packets. The frame is a keyframe.
  PacketizedFrame packetize(std::span<const uint8_t> samples, uint32_t rtp_timestamp,
                            bool talkspurt_start = false);
};

// Opus (RFC 7587): one Opus packet per RTP packet, 48000 Hz RTP clock, marker bit 0 (no DTX).
class RtpOpusPacketizer : public RtpStream {
 public:
  using RtpStream::RtpStream;

  // One RTP packet carrying `opus_packet`. Errors, with no sequence number used, when it is
  // empty or does not fit max_packet_size (Opus packets cannot be fragmented). A keyframe.
  absl::StatusOr<PacketizedFrame> packetize(std::span<const uint8_t> opus_packet,
                                            uint32_t rtp_timestamp);
};

// Reassembles AAC-hbr access units (RFC 3640 3.3.6), in order: several AUs in one packet
// (AU-index-delta 0), or one AU fragmented over packets with the marker on the last. A gap
// drops a fragmented AU in progress. Interleaving (non-zero AU-index) is rejected.
class RtpAacDepacketizer {
 public:
  struct AccessUnit {
    uint32_t rtp_timestamp = 0;  // packet timestamp + index * aac::kSamplesPerFrame
    std::vector<uint8_t> data;
  };
  struct Stats {
    uint64_t packets = 0;
    uint64_t lost_packets = 0;
    uint64_t dropped_units = 0;  // fragmented AUs discarded
  };

  // Feeds one RTP packet (header included); returns the access units it completes (possibly
  // none). Malformed payloads return an error and drop a fragmented AU in progress.
  absl::StatusOr<std::vector<AccessUnit>> feed(std::span<const uint8_t> packet);

  const Stats& stats() const { return stats_; }

 private:
  absl::StatusOr<std::vector<AccessUnit>> feed_payload(const RtpHeader& header,
                                                       std::span<const uint8_t> payload);
  absl::StatusOr<std::vector<AccessUnit>> continue_fragment(const RtpHeader& header, size_t au_size,
                                                            std::span<const uint8_t> data);
  void drop_fragment();

  Stats stats_;
  std::optional<uint16_t> last_sequence_;
  std::vector<uint8_t> fragment_;
  size_t fragment_size_ = 0;  // AU-size of the fragmented AU; 0 when none is in progress
  uint32_t fragment_timestamp_ = 0;
};

}  // namespace media
