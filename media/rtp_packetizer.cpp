// The codec-independent packetizer front.
#include "media/rtp_packetizer.hpp"

#include <utility>

#include "media/rtp_audio.hpp"
#include "media/rtp_video.hpp"

namespace media {
namespace {

// One codec's packetizer behind the common front. Video packetizers take the keyframe flag;
// every audio frame decodes on its own, so theirs do not (G.711's third argument is the
// talkspurt marker, never set here).
template <typename Packetizer, bool kVideo>
class Adapter final : public RtpPacketizer {
 public:
  template <typename... Args>
  explicit Adapter(Args&&... args) : packetizer_(std::forward<Args>(args)...) {}
  absl::StatusOr<PacketizedFrame> packetize(std::span<const uint8_t> payload, uint32_t ts,
                                            bool keyframe) override {
    if constexpr (kVideo) {
      return packetizer_.packetize(payload, ts, keyframe);
    } else {
      return packetizer_.packetize(payload, ts);
    }
  }
  uint32_t ssrc() const override { return packetizer_.ssrc(); }

 private:
  Packetizer packetizer_;
};

template <typename Packetizer>
using Video = Adapter<Packetizer, true>;
template <typename Packetizer>
using Audio = Adapter<Packetizer, false>;

}  // namespace

absl::StatusOr<std::unique_ptr<RtpPacketizer>> RtpPacketizer::create(const RtpPacketizerConfig& c) {
  switch (c.codec) {
    case Codec::H264:
      return std::make_unique<Video<RtpH264Packetizer>>(c.stream);
    case Codec::H265:
      return std::make_unique<Video<RtpH265Packetizer>>(c.stream);
    case Codec::Aac:
      return std::make_unique<Audio<RtpAacPacketizer>>(c.stream);
    case Codec::Opus:
      return std::make_unique<Audio<RtpOpusPacketizer>>(c.stream);
    case Codec::Pcmu:
      return std::make_unique<Audio<RtpG711Packetizer>>(RtpG711Packetizer::Law::Mu, c.stream);
    case Codec::Pcma:
      return std::make_unique<Audio<RtpG711Packetizer>>(RtpG711Packetizer::Law::A, c.stream);
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
