// The packetization loop shared by the NAL-unit payload formats, H.264 (RFC 6184) and H.265
// (RFC 7798): runs of small NAL units go into one aggregation packet (STAP-A, AP; at least two
// units), a NAL unit that fits goes alone as a single NAL unit packet, a bigger one is fragmented
// (FU-A, FU). The marker bit is set on the access unit's last packet. A Format supplies:
//   static constexpr size_t kAggregateOverhead;  // aggregation header + one length field
//   static constexpr size_t kFragmentHeaderSize;
//   static size_t aggregate_count(std::span<const Nal> nals, size_t first, size_t max_payload);
//   static void write_aggregate(RtpPacketWriter&, std::span<const Nal> nals, bool marker);
//   static void write_fragments(RtpPacketWriter&, Nal nal, size_t max_payload, bool last_nal);
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "media/packetized_frame.hpp"
#include "media/rtp.hpp"
#include "media/rtp_packet_writer.hpp"

namespace media {

using Nal = std::span<const uint8_t>;

// Packs `nals` (one access unit, in order) into `frame` with RTP headers built from `config`
// (payload_type, ssrc, interleaved_channel, max_packet_size) and `rtp_timestamp`, sequence
// numbers from `next_sequence` on; `next_sequence` ends one past the last packet written.
template <typename Format, typename Config>
PacketizedFrame packetize_nal_units(const Config& config, std::span<const Nal> nals,
                                    uint32_t rtp_timestamp, bool keyframe,
                                    uint16_t& next_sequence) {
  PacketizedFrame frame;
  frame.keyframe = keyframe;
  frame.rtp_timestamp = rtp_timestamp;
  frame.first_sequence = next_sequence;
  frame.interleaved_channel = config.interleaved_channel;
  const size_t max_payload = config.max_packet_size - kRtpHeaderSize;

  // Reserve for the worst case: every NAL unit fragmented, plus aggregation overhead.
  const size_t per_packet = kInterleavedPrefixSize + kRtpHeaderSize + Format::kFragmentHeaderSize;
  const size_t max_fragment = max_payload - Format::kFragmentHeaderSize;
  size_t bytes = 0;
  size_t packets = 0;
  for (Nal nal : nals) {
    const size_t fragments = (nal.size() + max_fragment - 1) / max_fragment;
    bytes += nal.size() + Format::kAggregateOverhead + per_packet * (fragments + 1);
    packets += fragments + 1;
  }
  frame.bytes.reserve(bytes);
  frame.packet_offsets.reserve(packets);

  RtpPacketWriter w{frame, RtpHeader{}, config.interleaved_channel};
  w.header.payload_type = config.payload_type;
  w.header.ssrc = config.ssrc;
  w.header.timestamp = rtp_timestamp;
  w.header.sequence = next_sequence;
  for (size_t i = 0; i < nals.size();) {
    const size_t aggregated = Format::aggregate_count(nals, i, max_payload);
    if (aggregated >= 2) {
      Format::write_aggregate(w, nals.subspan(i, aggregated), i + aggregated == nals.size());
      i += aggregated;
      continue;
    }
    const bool last = i + 1 == nals.size();
    if (nals[i].size() <= max_payload) {
      // A single NAL unit packet carries the NAL unit as is; its header is the payload header.
      w.begin(nals[i].size(), last);
      w.append(nals[i]);
    } else {
      Format::write_fragments(w, nals[i], max_payload, last);
    }
    ++i;
  }
  next_sequence = w.header.sequence;
  return frame;
}

}  // namespace media
