// RtpPacketWriter: appends RTP packets, each behind its RTSP interleaved prefix, to a
// PacketizedFrame (docs/adr/004). Shared by every packetizer; the caller appends the payload.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "media/packetized_frame.hpp"
#include "media/rtp.hpp"
#include "media/rtp_stream.hpp"

namespace media {

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

// Starts `frame` (timestamp, first sequence, channel, keyframe flag) and a writer whose headers
// carry the stream's payload type and SSRC, `rtp_timestamp`, and sequence numbers from `sequence`.
inline RtpPacketWriter start_frame(PacketizedFrame& frame, const RtpStreamConfig& config,
                                   uint16_t sequence, uint32_t rtp_timestamp, bool keyframe) {
  frame.keyframe = keyframe;
  frame.rtp_timestamp = rtp_timestamp;
  frame.first_sequence = sequence;
  frame.interleaved_channel = config.interleaved_channel;
  RtpPacketWriter w{frame, RtpHeader{}, config.interleaved_channel};
  w.header.payload_type = config.payload_type;
  w.header.ssrc = config.ssrc;
  w.header.sequence = sequence;
  w.header.timestamp = rtp_timestamp;
  return w;
}

}  // namespace media
