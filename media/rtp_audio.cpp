// Audio over RTP: AAC-hbr (RFC 3640 3.2, 3.3.6), G.711 (RFC 3551 4.5.14), Opus (RFC 7587 4)
// and the AudioSpecificConfig header fields (ISO/IEC 14496-3 1.6.2.1).
#include "media/rtp_audio.hpp"
#include "media/rtp_packet_writer.hpp"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace media {
namespace {

constexpr size_t kAuHeaderBits = 16;  // AU-size (13) + AU-index or AU-index-delta (3)
constexpr size_t kAuSizeBits = 13;
constexpr size_t kAuHeadersLengthSize = 2;
constexpr size_t kAacHeaderSectionSize = kAuHeadersLengthSize + kAuHeaderBits / 8;

using Bytes = std::span<const uint8_t>;

}  // namespace

namespace aac {

uint8_t AudioSpecificConfig::channels() const {
  // Table 1.19: configurations 1..6 have that many channels, 7 is 7.1 (8 channels).
  if (channel_configuration >= 1 && channel_configuration <= 6) return channel_configuration;
  return channel_configuration == 7 ? 8 : 0;
}

std::optional<uint32_t> sampling_frequency(uint8_t index) {
  static constexpr uint32_t kRates[] = {96000, 88200, 64000, 48000, 44100, 32000, 24000,
                                        22050, 16000, 12000, 11025, 8000,  7350};
  if (index >= std::size(kRates)) return std::nullopt;
  return kRates[index];
}

absl::StatusOr<AudioSpecificConfig> parse_audio_specific_config(std::span<const uint8_t> asc) {
  size_t pos = 0;
  auto bits = [&](size_t n) -> std::optional<uint32_t> {
    if (asc.size() * 8 - pos < n) return std::nullopt;
    uint32_t v = 0;
    for (size_t i = 0; i < n; ++i, ++pos) v = (v << 1) | ((asc[pos / 8] >> (7 - pos % 8)) & 1);
    return v;
  };
  AudioSpecificConfig out;
  // 1.6.2.1 GetAudioObjectType(): "audioObjectType 5 uimsbf; if (audioObjectType == 31)
  // { audioObjectType = 32 + audioObjectTypeExt 6 uimsbf }".
  auto type = bits(5);
  if (!type) return absl::InvalidArgumentError("AudioSpecificConfig truncated");
  if (*type == 31) {
    auto ext = bits(6);
    if (!ext) return absl::InvalidArgumentError("AudioSpecificConfig truncated");
    *type = 32 + *ext;
  }
  auto index = bits(4);
  if (!index) return absl::InvalidArgumentError("AudioSpecificConfig truncated");
  out.object_type = static_cast<uint8_t>(*type);
  out.sampling_frequency_index = static_cast<uint8_t>(*index);
  if (*index == 0xf) {
    // "if (samplingFrequencyIndex == 0xf) { samplingFrequency 24 uimsbf }"
    auto rate = bits(24);
    if (!rate || *rate == 0) return absl::InvalidArgumentError("explicit sampling frequency");
    out.sample_rate = *rate;
  } else if (auto rate = sampling_frequency(out.sampling_frequency_index)) {
    out.sample_rate = *rate;
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("reserved samplingFrequencyIndex ", out.sampling_frequency_index));
  }
  auto channels = bits(4);
  if (!channels) return absl::InvalidArgumentError("AudioSpecificConfig truncated");
  out.channel_configuration = static_cast<uint8_t>(*channels);
  return out;
}

}  // namespace aac

absl::StatusOr<PacketizedFrame> RtpAacPacketizer::packetize(std::span<const uint8_t> access_unit,
                                                            uint32_t rtp_timestamp) {
  if (access_unit.empty()) return absl::InvalidArgumentError("empty AAC access unit");
  if (access_unit.size() > aac::kMaxAccessUnitBytes) {
    return absl::InvalidArgumentError(absl::StrCat("AAC access unit of ", access_unit.size(),
                                                   " bytes exceeds the 13-bit AU-size"));
  }
  PacketizedFrame frame;
  RtpPacketWriter w = start_frame(frame, config_, next_sequence_, rtp_timestamp, true);
  const size_t max_data = config_.max_packet_size - kRtpHeaderSize - kAacHeaderSectionSize;
  const size_t packets = (access_unit.size() + max_data - 1) / max_data;
  frame.bytes.reserve(access_unit.size() +
                      packets * (kInterleavedPrefixBytes + kRtpHeaderSize + kAacHeaderSectionSize));
  frame.packet_offsets.reserve(packets);
  // RFC 3640 3.2.1: "AU-headers-length is a two octet field that specifies the length in bits
  // of the immediately following AU-headers, excluding the padding bits." One header: 16 bits.
  // The AU header is AU-size (sizeLength=13) and AU-index (indexLength=3) = 0. A fragment
  // carries the AU header of the whole access unit, so AU-size is the full size
  // (RFC 3640 3.2.3, paraphrased).
  const uint8_t header_section[kAacHeaderSectionSize] = {
      0x00, static_cast<uint8_t>(kAuHeaderBits),
      static_cast<uint8_t>(access_unit.size() >> (8 - (16 - kAuSizeBits))),
      static_cast<uint8_t>((access_unit.size() << (16 - kAuSizeBits)) & 0xff)};
  for (size_t offset = 0; offset < access_unit.size();) {
    const size_t size = std::min(max_data, access_unit.size() - offset);
    // RFC 3640 3.1: "The M bit is set to 1 to indicate that the RTP packet payload contains
    // either the final fragment of a fragmented Access Unit or one or more complete Access
    // Units."
    w.begin(kAacHeaderSectionSize + size, offset + size == access_unit.size());
    w.append(header_section);
    w.append(access_unit.subspan(offset, size));
    offset += size;
  }
  next_sequence_ = w.header.sequence;
  return frame;
}

RtpG711Packetizer::RtpG711Packetizer(Law law, RtpStreamConfig config) : RtpStream(config) {
  // RFC 3551 table 4: PCMU is static payload type 0, PCMA 8.
  config_.payload_type = law == Law::Mu ? 0 : 8;
}

PacketizedFrame RtpG711Packetizer::packetize(std::span<const uint8_t> samples,
                                             uint32_t rtp_timestamp, bool talkspurt_start) {
  PacketizedFrame frame;
  RtpPacketWriter w = start_frame(frame, config_, next_sequence_, rtp_timestamp, true);
  const size_t max_data = config_.max_packet_size - kRtpHeaderSize;
  const size_t packets = (samples.size() + max_data - 1) / max_data;
  frame.bytes.reserve(samples.size() + packets * (kInterleavedPrefixBytes + kRtpHeaderSize));
  frame.packet_offsets.reserve(packets);
  for (size_t offset = 0; offset < samples.size();) {
    const size_t size = std::min(max_data, samples.size() - offset);
    // RFC 3551 4.5.14: PCMA and PCMU use 8 bits per sample at 8000 Hz, so the timestamp
    // advances by one per byte.
    w.header.timestamp = rtp_timestamp + static_cast<uint32_t>(offset);
    // RFC 3551 4.1: "the first packet of a talkspurt ... SHOULD be distinguished by setting
    // the marker bit in the RTP data header to one. The marker bit in all other packets is
    // zero. ... Applications without silence suppression MUST set the marker bit to zero."
    w.begin(size, talkspurt_start && offset == 0);
    w.append(samples.subspan(offset, size));
    offset += size;
  }
  next_sequence_ = w.header.sequence;
  return frame;
}

absl::StatusOr<PacketizedFrame> RtpOpusPacketizer::packetize(std::span<const uint8_t> opus_packet,
                                                             uint32_t rtp_timestamp) {
  if (opus_packet.empty()) return absl::InvalidArgumentError("empty Opus packet");
  if (kRtpHeaderSize + opus_packet.size() > config_.max_packet_size) {
    return absl::InvalidArgumentError(
        absl::StrCat("Opus packet of ", opus_packet.size(), " bytes does not fit one RTP packet"));
  }
  PacketizedFrame frame;
  RtpPacketWriter w = start_frame(frame, config_, next_sequence_, rtp_timestamp, true);
  frame.bytes.reserve(kInterleavedPrefixBytes + kRtpHeaderSize + opus_packet.size());
  // RFC 7587 4.2: "only one Opus packet MUST be carried in each RTP packet" (paraphrased);
  // the marker bit marks the first packet after DTX, which we never use.
  w.begin(opus_packet.size(), false);
  w.append(opus_packet);
  next_sequence_ = w.header.sequence;
  return frame;
}

void RtpAacDepacketizer::drop_fragment() {
  if (fragment_size_ != 0) ++stats_.dropped_units;
  fragment_.clear();
  fragment_size_ = 0;
}

absl::StatusOr<std::vector<RtpAacDepacketizer::AccessUnit>> RtpAacDepacketizer::feed(
    std::span<const uint8_t> packet) {
  ++stats_.packets;
  auto header = RtpHeader::parse(packet);
  if (!header.ok()) return header.status();
  const auto payload = header->payload(packet);
  if (last_sequence_ && header->sequence != static_cast<uint16_t>(*last_sequence_ + 1)) {
    stats_.lost_packets += static_cast<uint16_t>(header->sequence - *last_sequence_ - 1);
    drop_fragment();
  }
  last_sequence_ = header->sequence;
  auto out = feed_payload(*header, payload);
  if (!out.ok()) drop_fragment();
  return out;
}

absl::StatusOr<std::vector<RtpAacDepacketizer::AccessUnit>> RtpAacDepacketizer::feed_payload(
    const RtpHeader& header, std::span<const uint8_t> payload) {
  if (payload.size() < kAuHeadersLengthSize) return absl::InvalidArgumentError("AAC payload short");
  const size_t header_bits = (size_t{payload[0]} << 8) | payload[1];
  if (header_bits == 0 || header_bits % kAuHeaderBits != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("AU-headers-length ", header_bits, " is not a multiple of 16"));
  }
  const size_t count = header_bits / kAuHeaderBits;
  const size_t header_bytes = header_bits / 8;
  if (payload.size() - kAuHeadersLengthSize < header_bytes) {
    return absl::InvalidArgumentError("AU headers truncated");
  }
  const auto headers = payload.subspan(kAuHeadersLengthSize, header_bytes);
  auto data = payload.subspan(kAuHeadersLengthSize + header_bytes);
  std::vector<size_t> sizes;
  sizes.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    const uint16_t au_header = static_cast<uint16_t>((headers[2 * i] << 8) | headers[2 * i + 1]);
    // RFC 3640 3.2.1.1: a non-zero AU-index or AU-index-delta means interleaving.
    if ((au_header & 0x7) != 0) {
      return absl::UnimplementedError("interleaved AAC (non-zero AU-index) is not supported");
    }
    const size_t size = au_header >> (16 - kAuSizeBits);
    if (size == 0) return absl::InvalidArgumentError("AU-size 0");
    sizes.push_back(size);
  }
  if (fragment_size_ != 0 || (count == 1 && sizes[0] > data.size())) {
    if (count != 1) return absl::InvalidArgumentError("fragment packet with several AU headers");
    return continue_fragment(header, sizes[0], data);
  }
  std::vector<AccessUnit> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    if (sizes[i] > data.size()) return absl::InvalidArgumentError("AU data truncated");
    out.push_back({header.timestamp + static_cast<uint32_t>(i) * aac::kSamplesPerFrame,
                   std::vector<uint8_t>(data.begin(), data.begin() + sizes[i])});
    data = data.subspan(sizes[i]);
  }
  return out;
}

absl::StatusOr<std::vector<RtpAacDepacketizer::AccessUnit>> RtpAacDepacketizer::continue_fragment(
    const RtpHeader& header, size_t au_size, std::span<const uint8_t> data) {
  if (fragment_size_ == 0) {
    fragment_size_ = au_size;
    fragment_timestamp_ = header.timestamp;
  } else if (au_size != fragment_size_ || header.timestamp != fragment_timestamp_) {
    // RFC 3640 3.2.3 (paraphrased): all fragments of an AU have its timestamp and AU-size.
    return absl::InvalidArgumentError("AAC fragment of another access unit");
  }
  if (data.size() > fragment_size_ - fragment_.size()) {
    return absl::InvalidArgumentError("AAC fragments exceed AU-size");
  }
  fragment_.insert(fragment_.end(), data.begin(), data.end());
  const bool complete = fragment_.size() == fragment_size_;
  if (header.marker != complete) {
    return absl::InvalidArgumentError(complete ? "complete AAC fragment without the marker bit"
                                               : "marker bit on an incomplete AAC fragment");
  }
  if (!complete) return std::vector<AccessUnit>{};
  std::vector<AccessUnit> out;
  out.push_back({fragment_timestamp_, std::move(fragment_)});
  fragment_.clear();
  fragment_size_ = 0;
  return out;
}

}  // namespace media
