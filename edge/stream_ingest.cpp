// Ingest-thread state of one stream: sequence checks, RTP timeline, packetize once.
#include "edge/stream_ingest.hpp"

#include <algorithm>

#include "base/log.hpp"
#include "media/h264.hpp"
#include "relay/frame_subscriber.hpp"

namespace edge {
namespace {

constexpr int64_t kMaxRebaseGap90k = 10LL * 60 * 90000;  // an outage longer than 10 min counts as 10 min

std::vector<uint8_t> to_vector(std::span<const uint8_t> s) { return {s.begin(), s.end()}; }

}  // namespace

StreamIngest::StreamIngest(std::string stream, uint32_t ssrc, uint16_t initial_sequence,
                           uint32_t initial_rtp_timestamp)
    : stream_(std::move(stream)),
      packetizer_(media::RtpH264Packetizer::Config{.ssrc = ssrc, .initial_sequence = initial_sequence}),
      initial_rtp_timestamp_(initial_rtp_timestamp) {}

bool StreamIngest::accept_sequence(const media::Frame& frame) {
  if (epoch_ == frame.origin_epoch && last_sequence_ && frame.sequence <= *last_sequence_) {
    ++stats_.duplicates;  // a catch-up answer overlapping frames already forwarded
    return false;
  }
  if (epoch_ != frame.origin_epoch) {
    if (epoch_) {
      ++stats_.epoch_changes;
      LOG_INFO("edge", "stream ", stream_, ": origin restarted (epoch ", *epoch_, " -> ",
               frame.origin_epoch, "); continuing the RTP timeline");
    }
    epoch_ = frame.origin_epoch;
    last_sequence_.reset();
    waiting_for_keyframe_ = true;
  }
  if (last_sequence_ && frame.sequence != *last_sequence_ + 1) {
    ++stats_.gaps;
    if (frame.sequence > *last_sequence_) stats_.lost_frames += frame.sequence - *last_sequence_ - 1;
    waiting_for_keyframe_ = true;
  }
  last_sequence_ = frame.sequence;
  if (waiting_for_keyframe_ && !frame.keyframe) {
    ++stats_.dropped_frames;
    return false;
  }
  waiting_for_keyframe_ = false;
  return true;
}

uint32_t StreamIngest::rtp_timestamp_for(const media::Frame& frame) {
  if (!last_rtp_timestamp_) {
    rtp_offset_ = static_cast<int64_t>(initial_rtp_timestamp_) - frame.pts_90k;
  } else {
    const uint32_t candidate = static_cast<uint32_t>(frame.pts_90k + rtp_offset_);
    const int32_t step = static_cast<int32_t>(candidate - *last_rtp_timestamp_);
    if (step <= 0 || step > kMaxRebaseGap90k) {
      // The origin's timeline jumped (restart, source change): continue ours from the last
      // timestamp plus the wall-clock time that passed (RFC 3550 5.1: monotonic timestamps).
      int64_t elapsed = 3000;
      if (last_capture_time_us_ && frame.capture_time_us > *last_capture_time_us_) {
        elapsed = (frame.capture_time_us - *last_capture_time_us_) * 9 / 100;
      }
      elapsed = std::clamp<int64_t>(elapsed, 1, kMaxRebaseGap90k);
      rtp_offset_ = static_cast<int64_t>(*last_rtp_timestamp_) + elapsed - frame.pts_90k;
    }
  }
  const uint32_t ts = static_cast<uint32_t>(frame.pts_90k + rtp_offset_);
  last_rtp_timestamp_ = ts;
  last_capture_time_us_ = frame.capture_time_us;
  return ts;
}

void StreamIngest::on_frame(const media::Frame& frame, std::vector<StreamEvent>& out) {
  ++stats_.frames;
  if (frame.track != 0 || frame.codec != media::Codec::H264) return;  // video H.264 only for now
  if (!accept_sequence(frame)) return;
  if (frame.keyframe) update_description_from_keyframe(frame, out);
  if (!description_) return;  // no parameter sets yet: nothing a reader could decode
  const uint32_t ts = rtp_timestamp_for(frame);
  auto packetized = std::make_shared<media::PacketizedFrame>(
      packetizer_.packetize(frame.payload, ts, frame.keyframe));
  packetized->capture_time_us = frame.capture_time_us;
  packetized->received_monotonic_us = frame.received_monotonic_us;
  packetized->origin_sequence = frame.sequence;
  out.push_back(StreamEvent{.kind = StreamEvent::Kind::Frame, .stream = stream_,
                            .frame = std::move(packetized)});
}

void StreamIngest::update_description_from_keyframe(const media::Frame& frame,
                                                    std::vector<StreamEvent>& out) {
  TrackDescription track = description_ ? description_->tracks.at(0) : TrackDescription{};
  for (auto nal : media::h264::split_annex_b(frame.payload)) {
    const auto type = static_cast<media::h264::NalType>(media::h264::nal_type(nal));
    if (type == media::h264::NalType::Sps) track.sps = to_vector(nal);
    if (type == media::h264::NalType::Pps) track.pps = to_vector(nal);
  }
  if (track.sps.empty() || track.pps.empty()) return;
  if (auto sps = media::h264::parse_sps(track.sps); sps.ok()) {
    track.width = sps->width;
    track.height = sps->height;
  }
  publish_description(std::move(track), out);
}

void StreamIngest::on_info(const rs::media::StreamInfo& info, std::vector<StreamEvent>& out) {
  if (info.state() == rs::media::STREAM_STATE_DOWN) {
    out.push_back(StreamEvent{.kind = StreamEvent::Kind::Down, .stream = stream_});
  }
  if (info.tracks_size() == 0 || !description_) return;  // parameter sets come with a keyframe
  const auto& wire = info.tracks(0);
  TrackDescription track = description_->tracks.at(0);
  track.fps = wire.fps();
  track.bitrate_bps = wire.bitrate_bps();
  publish_description(std::move(track), out);
}

void StreamIngest::publish_description(TrackDescription track, std::vector<StreamEvent>& out) {
  track.track = 0;
  track.codec = media::Codec::H264;
  track.ssrc = packetizer_.ssrc();
  if (description_ && description_->tracks.at(0) == track) return;
  auto next = std::make_shared<StreamDescription>();
  next->stream = stream_;
  next->version = description_ ? description_->version + 1 : 1;
  next->tracks.push_back(std::move(track));
  description_ = next;
  out.push_back(StreamEvent{.kind = StreamEvent::Kind::Description, .stream = stream_,
                            .description = std::move(next)});
}

}  // namespace edge
