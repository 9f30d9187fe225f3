// The codec-independent packetizer front.
#include "media/rtp_packetizer.hpp"

#include "media/rtp_audio.hpp"
#include "media/rtp_h264.hpp"
#include "media/rtp_h265.hpp"

namespace media {
namespace {

template <typename Packetizer>
class Video final : public RtpPacketizer {
 public:
  explicit Video(typename Packetizer::Config config) : packetizer_(config) {}
  absl::StatusOr<PacketizedFrame> packetize(std::span<const uint8_t> payload, uint32_t ts,
                                            bool keyframe) override {
    return packetizer_.packetize(payload, ts, keyframe);
  }
  uint32_t ssrc() const override { return packetizer_.ssrc(); }

 private:
  Packetizer packetizer_;
};

template <typename Packetizer>
class Audio final : public RtpPacketizer {
 public:
  explicit Audio(typename Packetizer::Config config) : packetizer_(config) {}
  absl::StatusOr<PacketizedFrame> packetize(std::span<const uint8_t> payload, uint32_t ts,
                                            bool /*keyframe*/) override {
    return packetizer_.packetize(payload, ts);
  }
  uint32_t ssrc() const override { return packetizer_.ssrc(); }

 private:
  Packetizer packetizer_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<RtpPacketizer>> RtpPacketizer::create(const RtpPacketizerConfig& c) {
  switch (c.codec) {
    case Codec::H264:
      return std::make_unique<Video<RtpH264Packetizer>>(
          RtpH264Packetizer::Config{.payload_type = c.payload_type,
                                    .ssrc = c.ssrc,
                                    .initial_sequence = c.initial_sequence,
                                    .interleaved_channel = c.interleaved_channel});
    case Codec::H265:
      return std::make_unique<Video<RtpH265Packetizer>>(
          RtpH265Packetizer::Config{.payload_type = c.payload_type,
                                    .ssrc = c.ssrc,
                                    .initial_sequence = c.initial_sequence,
                                    .interleaved_channel = c.interleaved_channel});
    case Codec::Aac:
      return std::make_unique<Audio<RtpAacPacketizer>>(
          RtpAacPacketizer::Config{.payload_type = c.payload_type,
                                   .ssrc = c.ssrc,
                                   .initial_sequence = c.initial_sequence,
                                   .interleaved_channel = c.interleaved_channel});
    case Codec::Opus:
      return std::make_unique<Audio<RtpOpusPacketizer>>(
          RtpOpusPacketizer::Config{.payload_type = c.payload_type,
                                    .ssrc = c.ssrc,
                                    .initial_sequence = c.initial_sequence,
                                    .interleaved_channel = c.interleaved_channel});
    case Codec::Pcmu:
    case Codec::Pcma:
      return std::make_unique<Audio<RtpG711Packetizer>>(RtpG711Packetizer::Config{
          .law = c.codec == Codec::Pcmu ? RtpG711Packetizer::Law::Mu : RtpG711Packetizer::Law::A,
          .ssrc = c.ssrc,
          .initial_sequence = c.initial_sequence,
          .interleaved_channel = c.interleaved_channel});
    case Codec::Unknown:
      break;
  }
  return absl::UnimplementedError("codec not supported over RTP");
}

uint32_t default_clock_rate(Codec codec) {
  switch (codec) {
    case Codec::H264:
    case Codec::H265:
      return 90000;
    case Codec::Pcmu:
    case Codec::Pcma:
      return 8000;
    case Codec::Opus:
      return 48000;
    default:
      return 0;
  }
}

bool is_video(Codec codec) {
  return codec == Codec::H264 || codec == Codec::H265;
}

}  // namespace media
