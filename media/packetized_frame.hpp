// PacketizedFrame: the RTP packets of one access unit, made once per stream and shared
// read-only by every reader (TCP, UDP, multicast) on every I/O loop.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace media {

// RFC 2326 10.12: "the stream data is encapsulated [...] an ASCII dollar sign (24 hexadecimal),
// followed by a one-byte channel identifier, followed by the length of the encapsulated binary
// data as a binary, two-byte integer in network byte order."
inline constexpr size_t kInterleavedPrefixBytes = 4;
inline constexpr size_t kInterleavedChannelOffset = 1;

// Each packet is stored behind a 4-byte RTSP interleaved prefix ('$', channel, length16) so that
// a TCP reader whose channel equals `interleaved_channel` gets the whole frame in one iovec. UDP
// readers skip the prefix.
struct PacketizedFrame {
  uint32_t track = 0;
  bool keyframe = false;
  uint32_t rtp_timestamp = 0;
  uint16_t first_sequence = 0;
  uint8_t interleaved_channel = 0;    // channel written in every prefix
  int64_t capture_time_us = 0;        // from the origin's FrameHeader
  int64_t received_monotonic_us = 0;  // edge receive time, for queue-delay metrics
  uint64_t origin_sequence = 0;
  std::vector<uint8_t> bytes;            // [prefix][rtp packet][prefix][rtp packet]...
  std::vector<uint32_t> packet_offsets;  // offset of each prefix in `bytes`

  size_t packet_count() const { return packet_offsets.size(); }
  // The RTP packet i without its prefix.
  std::span<const uint8_t> packet(size_t i) const {
    const size_t begin = packet_offsets[i] + kInterleavedPrefixBytes;
    const size_t end = i + 1 < packet_offsets.size() ? packet_offsets[i + 1] : bytes.size();
    return {bytes.data() + begin, end - begin};
  }
  // Total RTP payload bytes (without prefixes).
  size_t rtp_bytes() const {
    return bytes.size() - kInterleavedPrefixBytes * packet_offsets.size();
  }
};

using PacketizedFramePtr = std::shared_ptr<const PacketizedFrame>;

}  // namespace media
