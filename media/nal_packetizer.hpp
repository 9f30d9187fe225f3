// The packetization loop shared by the NAL-unit payload formats, H.264 (RFC 6184) and H.265
// (RFC 7798): runs of small NAL units go into one aggregation packet (STAP-A, AP; at least two
// units), a NAL unit that fits goes alone as a single NAL unit packet, a bigger one is fragmented
// (FU-A, FU). The marker bit is set on the access unit's last packet. Both formats lay out an
// aggregation packet as a payload header and then each NAL unit behind a 16-bit size (RFC 6184
// 5.7.1, RFC 7798 4.4.2), and a fragment as a payload header, an FU header (S, E, the NAL unit
// type) and a slice of the NAL unit without its own header (RFC 6184 5.8, RFC 7798 4.4.3).
// A Format supplies the headers:
//   static constexpr size_t kNalHeaderSize;  // 1 (H.264) or 2 (H.265); also the payload header's
//   static std::array<uint8_t, kNalHeaderSize> aggregate_header(std::span<const Nal> nals);
//   static std::array<uint8_t, kNalHeaderSize> fragment_header(Nal nal);
//   static uint8_t nal_type(Nal nal);
//   static bool is_dropped(Nal nal);  // left out of the stream by packetize_annex_b
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "media/h264.hpp"
#include "media/packetized_frame.hpp"
#include "media/rtp.hpp"
#include "media/rtp_packet_writer.hpp"

namespace media {

using Nal = std::span<const uint8_t>;

inline constexpr size_t kNalSizeFieldSize = 2;  // before each aggregated NAL unit
inline constexpr uint8_t kFuStartBit = 0x80;
inline constexpr uint8_t kFuEndBit = 0x40;

template <typename Format>
struct NalPayloads {
  static constexpr size_t kFragmentHeaderSize = Format::kNalHeaderSize + 1;  // + FU header
  static constexpr size_t kAggregateOverhead = Format::kNalHeaderSize + kNalSizeFieldSize;

  // How many NAL units starting at `first` fit together in one aggregation packet.
  static size_t aggregate_count(std::span<const Nal> nals, size_t first, size_t max_payload) {
    size_t size = Format::kNalHeaderSize;
    size_t count = 0;
    for (size_t i = first; i < nals.size(); ++i) {
      size += kNalSizeFieldSize + nals[i].size();
      if (size > max_payload) break;
      ++count;
    }
    return count;
  }

  static void write_aggregate(RtpPacketWriter& w, std::span<const Nal> nals, bool marker) {
    size_t payload = Format::kNalHeaderSize;
    for (Nal nal : nals) payload += kNalSizeFieldSize + nal.size();
    w.begin(payload, marker);
    w.append(Format::aggregate_header(nals));
    for (Nal nal : nals) {
      w.push(static_cast<uint8_t>(nal.size() >> 8));
      w.push(static_cast<uint8_t>(nal.size()));
      w.append(nal);
    }
  }

  static void write_fragments(RtpPacketWriter& w, Nal nal, size_t max_payload, bool last_nal) {
    const auto header = Format::fragment_header(nal);
    const uint8_t type = Format::nal_type(nal);
    const size_t max_fragment = max_payload - kFragmentHeaderSize;
    const Nal rest = nal.subspan(Format::kNalHeaderSize);
    for (size_t offset = 0; offset < rest.size();) {
      const size_t size = std::min(max_fragment, rest.size() - offset);
      const bool start = offset == 0;
      const bool end = offset + size == rest.size();
      w.begin(kFragmentHeaderSize + size, end && last_nal);
      w.append(header);
      w.push(static_cast<uint8_t>((start ? kFuStartBit : 0) | (end ? kFuEndBit : 0) | type));
      w.append(rest.subspan(offset, size));
      offset += size;
    }
  }
};

// Packs `nals` (one access unit, in order) into a frame with RTP headers built from `config`
// and `rtp_timestamp`, sequence numbers from `next_sequence` on; `next_sequence` ends one past
// the last packet written.
template <typename Format>
PacketizedFrame packetize_nal_units(const RtpStreamConfig& config, std::span<const Nal> nals,
                                    uint32_t rtp_timestamp, bool keyframe,
                                    uint16_t& next_sequence) {
  PacketizedFrame frame;
  RtpPacketWriter w = start_frame(frame, config, next_sequence, rtp_timestamp, keyframe);
  const size_t max_payload = config.max_packet_size - kRtpHeaderSize;

  using Payloads = NalPayloads<Format>;
  // Reserve for the worst case: every NAL unit fragmented, plus aggregation overhead.
  const size_t per_packet =
      kInterleavedPrefixBytes + kRtpHeaderSize + Payloads::kFragmentHeaderSize;
  const size_t max_fragment = max_payload - Payloads::kFragmentHeaderSize;
  size_t bytes = 0;
  size_t packets = 0;
  for (Nal nal : nals) {
    const size_t fragments = (nal.size() + max_fragment - 1) / max_fragment;
    bytes += nal.size() + Payloads::kAggregateOverhead + per_packet * (fragments + 1);
    packets += fragments + 1;
  }
  frame.bytes.reserve(bytes);
  frame.packet_offsets.reserve(packets);

  for (size_t i = 0; i < nals.size();) {
    const size_t aggregated = Payloads::aggregate_count(nals, i, max_payload);
    if (aggregated >= 2) {
      Payloads::write_aggregate(w, nals.subspan(i, aggregated), i + aggregated == nals.size());
      i += aggregated;
      continue;
    }
    const bool last = i + 1 == nals.size();
    if (nals[i].size() <= max_payload) {
      // A single NAL unit packet carries the NAL unit as is; its header is the payload header.
      w.begin(nals[i].size(), last);
      w.append(nals[i]);
    } else {
      Payloads::write_fragments(w, nals[i], max_payload, last);
    }
    ++i;
  }
  next_sequence = w.header.sequence;
  return frame;
}

// Splits an Annex B access unit into NAL units, leaves out those the format drops
// (Format::is_dropped: access unit delimiters, filler, types RTP cannot carry) and packs the rest
// as packetize_nal_units does.
template <typename Format>
PacketizedFrame packetize_annex_b(const RtpStreamConfig& config, std::span<const uint8_t> annex_b,
                                  uint32_t rtp_timestamp, bool keyframe, uint16_t& next_sequence) {
  std::vector<Nal> nals = h264::split_annex_b(annex_b);
  std::erase_if(nals, Format::is_dropped);
  return packetize_nal_units<Format>(config, nals, rtp_timestamp, keyframe, next_sequence);
}

template <typename Format>
PacketizedFrame AnnexBPacketizer<Format>::packetize(std::span<const uint8_t> annex_b,
                                                    uint32_t rtp_timestamp, bool keyframe) {
  return packetize_annex_b<Format>(config_, annex_b, rtp_timestamp, keyframe, next_sequence_);
}

}  // namespace media
