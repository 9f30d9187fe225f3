// TrackDepacketizer (track_depacketizer.hpp).
#include "receiver/track_depacketizer.hpp"

#include "base/strings.hpp"
#include "media/rtp.hpp"

namespace receiver {

absl::StatusOr<std::unique_ptr<TrackDepacketizer>> TrackDepacketizer::create(size_t track,
                                                                             media::Codec codec,
                                                                             uint32_t clock_rate) {
  switch (codec) {
    case media::Codec::H264:
    case media::Codec::H265:
    case media::Codec::Aac:
    case media::Codec::Pcmu:
    case media::Codec::Pcma:
    case media::Codec::Opus:
      return std::unique_ptr<TrackDepacketizer>(new TrackDepacketizer(track, codec, clock_rate));
    default:
      return absl::UnimplementedError(base::cat("track ", track, ": codec not supported"));
  }
}

TrackDepacketizer::TrackDepacketizer(size_t track, media::Codec codec, uint32_t clock_rate)
    : track_(track), codec_(codec), clock_rate_(clock_rate == 0 ? 90000 : clock_rate) {
  reset_depacketizers();
}

void TrackDepacketizer::reset_depacketizers() {
  if (h264_) depacketizer_dropped_ += h264_->stats().dropped_units;
  if (h265_) depacketizer_dropped_ += h265_->stats().dropped_units;
  if (aac_) depacketizer_dropped_ += aac_->stats().dropped_units;
  h264_.reset();
  h265_.reset();
  aac_.reset();
  if (codec_ == media::Codec::H264) h264_ = std::make_unique<media::RtpH264Depacketizer>();
  if (codec_ == media::Codec::H265) h265_ = std::make_unique<media::RtpH265Depacketizer>();
  if (codec_ == media::Codec::Aac) aac_ = std::make_unique<media::RtpAacDepacketizer>();
}

int64_t TrackDepacketizer::extend(uint32_t rtp_timestamp) {
  if (!last_timestamp_) {
    last_timestamp_ = rtp_timestamp;
  } else {
    // The nearest value with these low 32 bits: a signed 32-bit step either way.
    const auto step = static_cast<int32_t>(rtp_timestamp - static_cast<uint32_t>(*last_timestamp_));
    *last_timestamp_ += step;
  }
  return *last_timestamp_;
}

void TrackDepacketizer::emit(uint32_t rtp_timestamp, std::vector<uint8_t> data, bool keyframe,
                             int64_t wall_us, std::vector<MediaUnit>& out) {
  MediaUnit u;
  u.track = track_;
  u.codec = codec_;
  u.clock_rate = clock_rate_;
  u.timestamp = extend(rtp_timestamp);
  u.data = std::move(data);
  u.keyframe = keyframe;
  u.received_wall_us = wall_us;
  ++stats_.units;
  out.push_back(std::move(u));
}

absl::Status TrackDepacketizer::feed(std::span<const uint8_t> packet, int64_t wall_us,
                                     std::vector<MediaUnit>& out) {
  ++stats_.packets;
  auto header = media::RtpHeader::parse(packet);
  if (!header.ok()) {
    ++stats_.errors;
    return header.status();
  }
  // RFC 3550 8.2: a new SSRC is a new source (a restarted camera): its sequence numbers and
  // timestamps have nothing to do with the old ones.
  if (ssrc_ && *ssrc_ != header->ssrc) {
    ++stats_.ssrc_changes;
    reset_depacketizers();
    last_timestamp_.reset();
  }
  ssrc_ = header->ssrc;
  absl::Status status;
  if (h264_ || h265_) {
    auto unit = h264_ ? h264_->feed(packet) : h265_->feed(packet);
    if (!unit.ok()) {
      status = unit.status();
    } else if (*unit) {
      emit((*unit)->rtp_timestamp, std::move((*unit)->annex_b), (*unit)->keyframe, wall_us, out);
    }
  } else if (aac_) {
    auto units = aac_->feed(packet);
    if (!units.ok()) {
      status = units.status();
    } else {
      for (auto& u : *units) emit(u.rtp_timestamp, std::move(u.data), true, wall_us, out);
    }
  } else {
    // G.711, Opus: the payload is one frame (RFC 3551 4.5, RFC 7587 4.2). A packet with no
    // payload (padding only) carries no samples: an empty frame would read as end of stream to a
    // decoder and cannot be packetized again, so nothing is emitted.
    const auto payload = header->payload(packet);
    if (!payload.empty())
      emit(header->timestamp, {payload.begin(), payload.end()}, true, wall_us, out);
  }
  if (!status.ok()) ++stats_.errors;
  stats_.dropped_units = depacketizer_dropped_ + (h264_   ? h264_->stats().dropped_units
                                                  : h265_ ? h265_->stats().dropped_units
                                                  : aac_  ? aac_->stats().dropped_units
                                                          : 0);
  return status;
}

}  // namespace receiver
