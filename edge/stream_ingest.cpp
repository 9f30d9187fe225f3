// Ingest-thread state of one stream: sequence checks, RTP timelines, packetize once per track.
#include "edge/stream_ingest.hpp"

#include <algorithm>

#include "base/log.hpp"
#include "media/h264.hpp"
#include "media/h265.hpp"
#include "relay/frame_subscriber.hpp"

namespace edge {
namespace {

constexpr int64_t kMaxRebaseGapSeconds = 10 * 60;  // an outage longer than 10 min counts as 10 min
constexpr uint32_t kVideoTrack = 0;

std::vector<uint8_t> to_vector(std::span<const uint8_t> s) {
  return {s.begin(), s.end()};
}

// Parameter sets and size from a keyframe's in-band NAL units.
void read_parameter_sets(const media::Frame& frame, TrackDescription& video) {
  for (auto nal : media::h264::split_annex_b(frame.payload)) {
    if (frame.codec == media::Codec::H264) {
      const auto type = static_cast<media::h264::NalType>(media::h264::nal_type(nal));
      if (type == media::h264::NalType::Sps) video.sps = to_vector(nal);
      if (type == media::h264::NalType::Pps) video.pps = to_vector(nal);
    } else if (nal.size() >= 2) {
      const auto type = static_cast<media::h265::NalType>(media::h265::nal_type(nal));
      if (type == media::h265::NalType::Vps) video.vps = to_vector(nal);
      if (type == media::h265::NalType::Sps) video.sps = to_vector(nal);
      if (type == media::h265::NalType::Pps) video.pps = to_vector(nal);
    }
  }
  if (frame.codec == media::Codec::H264) {
    if (auto sps = media::h264::parse_sps(video.sps); sps.ok()) {
      video.width = sps->width;
      video.height = sps->height;
    }
  } else if (auto sps = media::h265::parse_sps(video.sps); sps.ok()) {
    video.width = sps->width;
    video.height = sps->height;
  }
}

bool audio_supported(media::Codec c) {
  return c == media::Codec::Aac || c == media::Codec::Opus || c == media::Codec::Pcmu ||
         c == media::Codec::Pcma;
}

uint8_t payload_type_for(media::Codec c) {
  switch (c) {
    case media::Codec::Pcmu:
      return 0;
    case media::Codec::Pcma:
      return 8;
    case media::Codec::Aac:
    case media::Codec::Opus:
      return 97;
    default:
      return 96;
  }
}

bool same(const StreamDescription& a, const StreamDescription& b) {
  return a.tracks == b.tracks && a.info_seen == b.info_seen;
}

}  // namespace

StreamIngest::StreamIngest(std::string stream, uint32_t ssrc, uint16_t initial_sequence,
                           uint32_t initial_rtp_timestamp)
    : stream_(std::move(stream)),
      seed_ssrc_(ssrc),
      seed_sequence_(initial_sequence),
      seed_timestamp_(initial_rtp_timestamp) {}

StreamIngest::Track& StreamIngest::track(uint32_t id) {
  auto [it, inserted] = tracks_.try_emplace(id);
  if (inserted) {
    // Each track is its own RTP stream (RFC 3550 8.1): its own SSRC and random starts.
    const uint32_t mix = id * 0x9E3779B9u;
    it->second.ssrc = seed_ssrc_ ^ mix;
    it->second.next_sequence = static_cast<uint16_t>(seed_sequence_ + mix);
    it->second.initial_rtp_timestamp = seed_timestamp_ + mix;
  }
  return it->second;
}

void StreamIngest::reset_position() {
  epoch_.reset();
  waiting_for_keyframe_ = true;
  for (auto& [id, t] : tracks_) {
    t.last_sequence.reset();
    t.last_forwarded.reset();
  }
}

void StreamIngest::on_epoch(const media::Frame& frame) {
  if (epoch_) {
    ++stats_.epoch_changes;
    LOG_INFO("edge", "stream ", stream_, ": origin restarted (epoch ", *epoch_, " -> ",
             frame.origin_epoch, "); continuing the RTP timeline");
  }
  epoch_ = frame.origin_epoch;
  for (auto& [id, t] : tracks_) {
    t.last_sequence.reset();
    t.last_forwarded.reset();
  }
  waiting_for_keyframe_ = true;
}

bool StreamIngest::accept_sequence(Track& t, const media::Frame& frame) {
  if (t.last_forwarded && frame.sequence <= *t.last_forwarded) {
    ++stats_.duplicates;  // a catch-up answer overlapping frames already forwarded
    return false;
  }
  // Older than frames seen (and dropped) before: a catch-up answer filling in; not a gap.
  const bool late_fill = t.last_sequence && frame.sequence <= *t.last_sequence;
  if (t.last_sequence && !late_fill && frame.sequence != *t.last_sequence + 1) {
    ++stats_.gaps;
    stats_.lost_frames += frame.sequence - *t.last_sequence - 1;
    if (frame.track == kVideoTrack) waiting_for_keyframe_ = true;
  }
  if (!late_fill) t.last_sequence = frame.sequence;
  const bool video = frame.track == kVideoTrack;
  if (waiting_for_keyframe_ && !(video && frame.keyframe)) {
    ++stats_.dropped_frames;
    return false;
  }
  if (video) waiting_for_keyframe_ = false;
  t.last_forwarded = frame.sequence;
  return true;
}

uint32_t StreamIngest::rtp_timestamp_for(Track& t, const media::Frame& frame) {
  if (!t.last_rtp_timestamp) {
    t.rtp_offset = static_cast<int64_t>(t.initial_rtp_timestamp) - frame.pts_90k;
  } else {
    const uint32_t candidate = static_cast<uint32_t>(frame.pts_90k + t.rtp_offset);
    const int32_t step = static_cast<int32_t>(candidate - *t.last_rtp_timestamp);
    const int64_t max_gap = kMaxRebaseGapSeconds * t.clock_rate;
    if (step <= 0 || step > max_gap) {
      // The origin's timeline jumped (restart, source change): continue ours from the last
      // timestamp plus the wall-clock time that passed (RFC 3550 5.1: monotonic timestamps).
      int64_t elapsed = t.clock_rate / 30;
      if (t.last_capture_time_us && frame.capture_time_us > *t.last_capture_time_us) {
        elapsed = (frame.capture_time_us - *t.last_capture_time_us) * t.clock_rate / 1'000'000;
      }
      elapsed = std::clamp<int64_t>(elapsed, 1, max_gap);
      t.rtp_offset = static_cast<int64_t>(*t.last_rtp_timestamp) + elapsed - frame.pts_90k;
    }
  }
  const uint32_t ts = static_cast<uint32_t>(frame.pts_90k + t.rtp_offset);
  t.last_rtp_timestamp = ts;
  t.last_capture_time_us = frame.capture_time_us;
  return ts;
}

bool StreamIngest::ensure_packetizer(Track& t, uint32_t id, media::Codec codec) {
  if (t.packetizer && t.codec == codec) return true;
  const TrackDescription* described = description_ ? description_->track(id) : nullptr;
  auto created = media::RtpPacketizer::create(
      {.codec = codec,
       .stream = {.payload_type = described ? described->payload_type : payload_type_for(codec),
                  .ssrc = t.ssrc,
                  .initial_sequence = t.next_sequence,
                  .interleaved_channel = static_cast<uint8_t>(2 * id)}});
  if (!created.ok()) return false;
  t.packetizer = *std::move(created);
  t.codec = codec;
  t.clock_rate =
      described && described->clock_rate ? described->clock_rate : media::default_clock_rate(codec);
  return true;
}

void StreamIngest::on_frame(const media::Frame& frame, std::vector<StreamEvent>& out) {
  ++stats_.frames;
  if (epoch_ != frame.origin_epoch) on_epoch(frame);
  Track& t = track(frame.track);
  if (!accept_sequence(t, frame)) return;
  if (frame.track == kVideoTrack && frame.keyframe) update_from_keyframe(frame, out);
  const TrackDescription* described = description_ ? description_->track(frame.track) : nullptr;
  if (!described || described->codec != frame.codec) return;  // nothing a reader could decode
  if (!ensure_packetizer(t, frame.track, frame.codec)) return;
  const uint32_t ts = rtp_timestamp_for(t, frame);
  auto packetized = t.packetizer->packetize(frame.payload, ts, frame.keyframe);
  if (!packetized.ok()) {
    ++stats_.dropped_frames;
    return;
  }
  t.next_sequence = static_cast<uint16_t>(packetized->first_sequence + packetized->packet_count());
  auto shared = std::make_shared<media::PacketizedFrame>(*std::move(packetized));
  shared->track = frame.track;
  shared->keyframe = frame.track == kVideoTrack && frame.keyframe;
  shared->capture_time_us = frame.capture_time_us;
  shared->received_monotonic_us = frame.received_monotonic_us;
  shared->origin_sequence = frame.sequence;
  out.push_back(
      StreamEvent{.kind = StreamEvent::Kind::Frame, .stream = stream_, .frame = std::move(shared)});
}

void StreamIngest::update_from_keyframe(const media::Frame& frame, std::vector<StreamEvent>& out) {
  StreamDescription next = description_ ? *description_ : StreamDescription{.stream = stream_};
  auto it = std::find_if(next.tracks.begin(), next.tracks.end(),
                         [](const TrackDescription& t) { return t.track == kVideoTrack; });
  if (it == next.tracks.end()) it = next.tracks.insert(next.tracks.begin(), TrackDescription{});
  TrackDescription video = *it;
  if (video.codec != frame.codec && !video.sps.empty()) {
    ++stats_.codec_changes;
    LOG_WARN("edge", "stream ", stream_,
             ": video codec changed; closing its readers so they reconnect");
    video = TrackDescription{.fps = video.fps, .bitrate_bps = video.bitrate_bps};
  }
  video.track = kVideoTrack;
  video.codec = frame.codec;
  video.payload_type = 96;
  video.clock_rate = 90000;
  video.ssrc = track(kVideoTrack).ssrc;
  read_parameter_sets(frame, video);
  if (video.sps.empty() || video.pps.empty()) return;
  *it = std::move(video);
  publish(std::move(next), out);
}

void StreamIngest::on_info(const rs::media::StreamInfo& info, std::vector<StreamEvent>& out) {
  if (info.state() == rs::media::STREAM_STATE_DOWN) {
    out.push_back(StreamEvent{.kind = StreamEvent::Kind::Down, .stream = stream_});
  }
  if (!description_) return;  // parameter sets come with the first keyframe
  StreamDescription next = *description_;
  next.info_seen = true;
  std::vector<TrackDescription> tracks;
  for (const auto& wire : info.tracks()) {
    const media::Codec codec = relay::codec_from_wire(wire.codec());
    if (wire.track() == kVideoTrack) {
      if (const TrackDescription* video = next.track(kVideoTrack)) {
        TrackDescription t = *video;
        t.fps = wire.fps();
        t.bitrate_bps = wire.bitrate_bps();
        tracks.push_back(std::move(t));
      }
    } else if (audio_supported(codec)) {
      tracks.push_back(TrackDescription{
          .track = wire.track(),
          .codec = codec,
          .payload_type = payload_type_for(codec),
          .clock_rate = wire.clock_rate() ? wire.clock_rate() : media::default_clock_rate(codec),
          .ssrc = track(wire.track()).ssrc,
          .channels = wire.channels(),
          .audio_config = {wire.audio_config().begin(), wire.audio_config().end()},
          .bitrate_bps = wire.bitrate_bps()});
    }
  }
  if (tracks.empty() || tracks.front().track != kVideoTrack) return;
  next.tracks = std::move(tracks);
  publish(std::move(next), out);
}

void StreamIngest::publish(StreamDescription next, std::vector<StreamEvent>& out) {
  if (description_ && same(*description_, next)) return;
  next.version = description_ ? description_->version + 1 : 1;
  auto shared = std::make_shared<const StreamDescription>(std::move(next));
  description_ = shared;
  out.push_back(StreamEvent{
      .kind = StreamEvent::Kind::Description, .stream = stream_, .description = shared});
}

}  // namespace edge
