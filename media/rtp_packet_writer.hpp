// RtpPacketWriter: appends RTP packets, each behind its RTSP interleaved prefix, to a
// PacketizedFrame (docs/adr/004). Shared by every packetizer; the caller appends the payload.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "media/packetized_frame.hpp"
#include "media/rtp.hpp"

namespace media {

inline constexpr size_t kInterleavedPrefixSize = 4;  // '$', channel, 16-bit length
inline constexpr size_t kMinRtpPacketSize = 64;
inline constexpr size_t kMaxRtpPacketSize = 0xffff;  // the interleaved length field is 16 bits

inline size_t clamp_packet_size(size_t size) {
  return std::clamp(size, kMinRtpPacketSize, kMaxRtpPacketSize);
}

struct RtpPacketWriter {
  PacketizedFrame& frame;
  RtpHeader header;
  uint8_t channel;

  // Starts a packet of `payload_size` bytes: prefix, then the RTP header with this sequence
  // number; the sequence advances (uint16_t wraps from 65535 to 0, RFC 3550 5.1).
  void begin(size_t payload_size, bool marker) {
    const size_t packet_size = kRtpHeaderSize + payload_size;
    auto& b = frame.bytes;
    frame.packet_offsets.push_back(static_cast<uint32_t>(b.size()));
    // RFC 2326 10.12: '$', the one-byte channel identifier, the two-byte length.
    b.push_back('$');
    b.push_back(channel);
    b.push_back(static_cast<uint8_t>(packet_size >> 8));
    b.push_back(static_cast<uint8_t>(packet_size));
    header.marker = marker;
    const size_t at = b.size();
    b.resize(at + kRtpHeaderSize);
    header.serialize_to(b.data() + at);
    ++header.sequence;
  }
  void append(std::span<const uint8_t> data) {
    frame.bytes.insert(frame.bytes.end(), data.begin(), data.end());
  }
  void push(uint8_t byte) { frame.bytes.push_back(byte); }
};

}  // namespace media
