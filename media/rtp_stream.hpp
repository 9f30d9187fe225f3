// RtpStreamConfig and RtpStream: the RTP header fields, packet size and interleaved channel every
// packetizer (H.264, H.265, AAC, G.711, Opus) is configured with, and the sequence number it
// carries from one frame to the next (RFC 3550 5.1).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "media/packetized_frame.hpp"

namespace media {

inline constexpr size_t kDefaultRtpMaxPacketSize = 1400;  // RTP header + payload, fits 1500 MTU
inline constexpr size_t kMinRtpPacketSize = 64;
inline constexpr size_t kMaxRtpPacketSize = 0xffff;  // the interleaved length field is 16 bits

struct RtpStreamConfig {
  uint8_t payload_type = 96;  // G.711 uses its static type (0 or 8) instead
  uint32_t ssrc = 0;
  uint16_t initial_sequence = 0;
  size_t max_packet_size = kDefaultRtpMaxPacketSize;  // RTP header + payload; clamped to 64..65535
  uint8_t interleaved_channel = 0;  // written before every packet (RFC 2326 10.12)
};

// The state a packetizer keeps between frames. Pure: no I/O; not thread-safe (one owner).
class RtpStream {
 public:
  explicit RtpStream(RtpStreamConfig config)
      : config_(config), next_sequence_(config.initial_sequence) {
    config_.max_packet_size =
        std::clamp(config_.max_packet_size, kMinRtpPacketSize, kMaxRtpPacketSize);
  }

  uint16_t next_sequence() const { return next_sequence_; }
  uint32_t ssrc() const { return config_.ssrc; }
  uint8_t payload_type() const { return config_.payload_type; }

 protected:
  RtpStreamConfig config_;
  uint16_t next_sequence_;
};

// The packetizer of an Annex-B video codec whose payload headers `Format` gives
// (media/nal_packetizer.hpp): RtpH264Packetizer, RtpH265Packetizer.
template <typename Format>
class AnnexBPacketizer : public RtpStream {
 public:
  using RtpStream::RtpStream;

  // Packetizes one Annex-B access unit into RTP packets with one timestamp: consecutive small
  // NAL units are aggregated, a NAL unit that does not fit is fragmented, others go as single
  // NAL unit packets; the NAL units the format cannot carry are dropped. The marker bit is set
  // on the last packet. Sequence numbers continue from the previous call (wrapping at 65535).
  PacketizedFrame packetize(std::span<const uint8_t> annex_b, uint32_t rtp_timestamp,
                            bool keyframe);
};

}  // namespace media
