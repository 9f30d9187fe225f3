// One stream's session loop with reconnects; see stream_runner.hpp.
#include "origin/stream_runner.hpp"

#include <random>
#include <thread>

#include "absl/strings/str_format.h"
#include "base/clock.hpp"
#include "base/log.hpp"
#include "base/lookup.hpp"
#include "media/h264.hpp"
#include "media/sei.hpp"

namespace origin {
namespace {

constexpr auto kStopPollInterval = std::chrono::milliseconds(50);
constexpr int64_t kInfoIntervalUs = 1'000'000;
constexpr int64_t kStatsIntervalUs = 10'000'000;

constexpr base::Row<rs::media::Codec, std::string_view> kCodecNames[] = {
    {rs::media::CODEC_H264, "H264"}, {rs::media::CODEC_H265, "H265"},
    {rs::media::CODEC_AAC, "AAC"},   {rs::media::CODEC_OPUS, "Opus"},
    {rs::media::CODEC_PCMU, "PCMU"}, {rs::media::CODEC_PCMA, "PCMA"}};

std::string_view codec_name(rs::media::Codec codec) {
  return base::lookup(kCodecNames, codec, "unknown");
}

std::string describe_tracks(const std::vector<TrackDesc>& tracks) {
  std::string out;
  for (const TrackDesc& t : tracks) {
    if (!out.empty()) out += ", ";
    if (t.track == kVideoTrack) {
      out += base::cat("video ", codec_name(t.codec), " ", t.width, "x", t.height);
    } else {
      out += base::cat("audio ", codec_name(t.codec), " ", t.clock_rate, " Hz ", t.channels, " ch");
    }
  }
  return out;
}

std::string seconds(std::chrono::milliseconds d) {
  return absl::StrFormat("%.2f", static_cast<double>(d.count()) / 1000.0);
}

int64_t to_us(int64_t ticks, uint32_t clock_rate) {
  return ticks / clock_rate * 1'000'000 + ticks % clock_rate * 1'000'000 / clock_rate;
}

uint64_t random_seed() {
  std::random_device device;
  return (uint64_t{device()} << 32) ^ device() ^ static_cast<uint64_t>(base::monotonic_us());
}

}  // namespace

uint64_t make_origin_epoch() {
  std::random_device device;
  std::seed_seq seed{device(), device(), static_cast<unsigned>(base::wall_clock_us()),
                     static_cast<unsigned>(base::monotonic_us())};
  std::mt19937_64 rng(seed);
  uint64_t epoch = 0;
  while (epoch == 0) epoch = rng();
  return epoch;
}

StreamRunner::StreamRunner(StreamSettings settings, FrameSink* sink, uint64_t origin_epoch,
                           SourceOpener opener)
    : settings_(std::move(settings)),
      sink_(sink),
      origin_epoch_(origin_epoch),
      opener_(std::move(opener)),
      backoff_({.initial = settings_.reconnect_initial,
                .max = settings_.reconnect_max,
                .min = kMinReconnectDelay},
               random_seed()) {}

void StreamRunner::run(const std::atomic<bool>& stop) {
  const std::string where = redact_source(settings_.source);
  logged_at_us_ = base::monotonic_us();
  int attempt = 0;  // open attempts since the last session that published
  bool first_attempt = true;
  while (!stop.load()) {
    ++attempt;
    if (!std::exchange(first_attempt, false))
      metrics_.reconnects.fetch_add(1, std::memory_order_relaxed);
    auto source = opener_(settings_, stop);
    if (stop.load()) break;
    const bool pushed = settings_.source_url.kind == SourceKind::Publish;
    if (pushed && absl::IsUnavailable(source.status())) {
      // No publisher yet: not a failure; the opener itself waited (IngestHub::wait).
      first_attempt = true;
      wait_down(std::chrono::milliseconds(0), stop, std::string(source.status().message()));
      continue;
    }
    if (!source.ok()) {
      ++stats_.failed_attempts;
      metrics_.failed_attempts.fetch_add(1, std::memory_order_relaxed);
      const auto delay = backoff_.next();
      LOG_WARN("origin", "stream ", settings_.stream, ": attempt ", attempt, " to open ", where,
               " failed: ", base::sv(source.status().message()), "; next attempt in ",
               seconds(delay), " s");
      wait_down(delay, stop, base::cat("cannot open the source: ", source.status().message()));
      continue;
    }
    ++stats_.sessions;
    if (const PublisherInfo* p = (*source)->publisher()) publisher_ = *p;
    LOG_INFO(
        "origin", "stream ", settings_.stream, ": connected to ",
        publisher_ ? base::cat(publisher_->protocol, " publisher ", publisher_->address) : where,
        " (", describe_tracks((*source)->tracks()), ")");
    const absl::Status ended = run_session(**source, stop);
    if (const uint64_t corrupt = (*source)->corrupt_skipped(); corrupt > 0) {
      stats_.corrupt_skipped += corrupt;
      LOG_WARN("origin", "stream ", settings_.stream, ": skipped ", corrupt,
               " corrupt packets in this session");
    }
    source->reset();
    publisher_.reset();
    if (stop.load()) break;
    if (absl::IsOutOfRange(ended)) {
      LOG_INFO("origin", "stream ", settings_.stream, ": ", base::sv(ended.message()),
               "; stream finished (--loop plays a file forever)");
      set_live(false, base::cat("stream finished: ", ended.message()));
      publish_info(true);
      break;
    }
    if (session_published_) {
      backoff_.reset();
      attempt = 0;
    }
    // A publisher comes back by itself: its stream waits for it at once (IngestHub::wait).
    if (pushed) {
      LOG_WARN("origin", "stream ", settings_.stream,
               ": publisher gone: ", base::sv(ended.message()), "; waiting for the next one");
      wait_down(kMinReconnectDelay, stop, base::cat("source lost: ", ended.message()));
      continue;
    }
    const auto delay = backoff_.next();
    LOG_WARN("origin", "stream ", settings_.stream, ": source lost: ", base::sv(ended.message()),
             "; reconnecting in ", seconds(delay), " s");
    wait_down(delay, stop, base::cat("source lost: ", ended.message()));
  }
  LOG_INFO("origin", "stream ", settings_.stream, ": stopped after ", stats_.frames[0],
           " video and ", stats_.frames[1], " audio frames");
}

void StreamRunner::begin_session(const Source& source) {
  std::vector<TrackDesc> tracks = source.tracks();
  const rs::media::Codec codec = tracks.empty() ? rs::media::CODEC_UNSPECIFIED : tracks[0].codec;
  if (!tracks_.empty() && tracks_[0].codec != codec) {
    LOG_WARN("origin", "stream ", settings_.stream,
             ": codec change mid-stream: ", codec_name(tracks_[0].codec), " -> ", codec_name(codec),
             "; publishing a new StreamInfo");
  } else if (!tracks_.empty() &&
             (tracks_[0].width != tracks[0].width || tracks_[0].height != tracks[0].height)) {
    LOG_WARN("origin", "stream ", settings_.stream, ": picture size changed: ", tracks_[0].width,
             "x", tracks_[0].height, " -> ", tracks[0].width, "x", tracks[0].height);
  }
  const VideoCodec video = codec == rs::media::CODEC_H265 ? VideoCodec::H265 : VideoCodec::H264;
  if (!parameter_sets_ || parameter_sets_->codec() != video) parameter_sets_.emplace(video);
  const std::vector<uint8_t> announced = source.announced_parameter_sets();
  if (!announced.empty()) parameter_sets_->scan(announced);
  info_changed_ = tracks != tracks_ || source.publisher() != nullptr;  // a new publisher
  tracks_ = std::move(tracks);
  timeline_.start_segment();
  waiting_for_keyframe_ = true;
  session_published_ = false;
  pace_anchor_us_.reset();
}

absl::Status StreamRunner::run_session(Source& source, const std::atomic<bool>& stop) {
  begin_session(source);
  while (!stop.load()) {
    auto unit = source.read();
    if (!unit.ok()) return unit.status();
    metrics_.units_in.fetch_add(1, std::memory_order_relaxed);
    if (unit->encoded_here) metrics_.encode_time.observe(unit->encode_us);
    if (!admit(*unit, source)) continue;
    if (unit->loop_point) timeline_.start_segment();
    const uint32_t clock = tracks_[unit->track].clock_rate;
    auto time = timeline_.map(unit->track, clock, unit->pts, unit->dts, base::monotonic_us());
    if (!time) {
      ++stats_.out_of_order;
      continue;
    }
    if (source.paced_by_timestamps()) pace(*unit, *time, stop);
    publish(*unit, *time);
    maybe_log_stats(&source);
  }
  return absl::CancelledError("stopped");
}

// Video: drops until the session's first keyframe; puts cached parameter sets in front of a
// keyframe that lacks them. Audio: waits for video to start.
bool StreamRunner::admit(SourceUnit& unit, const Source& source) {
  if (unit.track >= tracks_.size()) return false;
  if (unit.track != kVideoTrack) return !waiting_for_keyframe_;
  const ParameterSetCache::Scan scan = parameter_sets_->scan(*unit.data);
  if (!scan.has_picture && !scan.has_sets) return false;
  if (waiting_for_keyframe_ && !scan.keyframe) {
    ++stats_.waiting_for_keyframe;
    metrics_.dropped_before_keyframe.fetch_add(1, std::memory_order_relaxed);
    return false;
  }
  unit.keyframe = scan.keyframe;
  if (scan.keyframe && !scan.has_sets && parameter_sets_->complete()) {
    unit.data = std::make_shared<std::vector<uint8_t>>(parameter_sets_->prepend_to(*unit.data));
    ++stats_.parameter_sets_added;
  }
  if (scan.changed) {
    LOG_INFO("origin", "stream ", settings_.stream, ": parameter sets changed");
    info_changed_ = true;
  }
  if (waiting_for_keyframe_) {
    waiting_for_keyframe_ = false;
    set_live(true, "");
  }
  const std::vector<TrackDesc> now = source.tracks();
  if (scan.keyframe && now != tracks_) {
    tracks_ = now;
    info_changed_ = true;
  }
  return true;
}

// Files: waits until the unit's place on the published timeline comes round on the wall clock.
void StreamRunner::pace(const SourceUnit& unit, const MappedTime& time,
                        const std::atomic<bool>& stop) {
  const int64_t media_us = to_us(time.dts, tracks_[unit.track].clock_rate);
  if (!pace_anchor_us_) {
    pace_anchor_us_ = base::monotonic_us();
    pace_anchor_media_us_ = media_us;
    return;
  }
  const int64_t due_us = *pace_anchor_us_ + (media_us - pace_anchor_media_us_);
  while (!stop.load()) {
    const int64_t wait_us = due_us - base::monotonic_us();
    if (wait_us <= 0) return;
    std::this_thread::sleep_for(
        std::min(std::chrono::microseconds(wait_us), std::chrono::microseconds(kStopPollInterval)));
  }
}

void StreamRunner::publish(SourceUnit& unit, const MappedTime& time) {
  const bool video = unit.track == kVideoTrack;
  const TrackDesc& desc = tracks_[unit.track];
  if (video && unit.encoded_here && desc.codec == rs::media::CODEC_H264) {
    // Only for frames encoded here: pass-through payloads stay byte-identical (docs/origin.md).
    unit.data = std::make_shared<std::vector<uint8_t>>(media::insert_before_first_vcl(
        *unit.data, media::make_capture_time_sei(unit.capture_time_us)));
  }
  // Parameter sets are announced before the keyframe that uses them.
  publish_info(info_changed_ && (!video || unit.keyframe));
  rs::media::FrameHeader header;
  header.set_format_version(rs::media::FORMAT_VERSION_1);
  header.set_stream(settings_.stream);
  header.set_track(unit.track);
  header.set_codec(desc.codec);
  header.set_sequence(next_sequence_[unit.track]++);
  header.set_pts_90k(time.pts);
  header.set_dts_90k(time.dts);
  header.set_keyframe(!video || unit.keyframe);
  header.set_capture_time_us(unit.capture_time_us);
  header.set_origin_epoch(origin_epoch_);
  stats_.bytes += unit.data->size();
  ++stats_.frames[unit.track];
  metrics_.bytes_published.fetch_add(unit.data->size(), std::memory_order_relaxed);
  metrics_.frames_published.fetch_add(1, std::memory_order_relaxed);
  session_published_ = true;
  sink_->publish(std::move(header), std::move(unit.data));
}

void StreamRunner::set_live(bool live, std::string reason) {
  if (live == live_ && state_since_us_ != 0) {
    if (reason != state_reason_) info_changed_ = true;  // a new reason while still down
    state_reason_ = std::move(reason);
    return;
  }
  live_ = live;
  metrics_.source_up.store(live, std::memory_order_relaxed);
  state_since_us_ = base::wall_clock_us();
  state_reason_ = std::move(reason);
  info_changed_ = true;
}

// Waits out a reconnect delay, publishing StreamInfo state=DOWN (with `reason`) at once and then
// once a second.
void StreamRunner::wait_down(std::chrono::milliseconds delay, const std::atomic<bool>& stop,
                             std::string reason) {
  set_live(false, std::move(reason));
  const int64_t until_us = base::monotonic_us() + std::chrono::microseconds(delay).count();
  while (!stop.load()) {
    publish_info(info_changed_);
    const int64_t left_us = until_us - base::monotonic_us();
    if (left_us <= 0) return;
    std::this_thread::sleep_for(
        std::min(std::chrono::microseconds(left_us), std::chrono::microseconds(kStopPollInterval)));
  }
}

// Publishes StreamInfo when forced or when a second has passed since the last one. Nothing is
// published before the first keyframe: without parameter sets there is nothing to describe.
void StreamRunner::publish_info(bool force) {
  const int64_t now_us = base::monotonic_us();
  if (tracks_.empty() || !parameter_sets_ || !parameter_sets_->complete()) return;
  if (!force && now_us < next_info_us_) return;
  next_info_us_ = now_us + kInfoIntervalUs;
  info_changed_ = false;
  sink_->publish_info(build_info());
}

rs::media::StreamInfo StreamRunner::build_info() const {
  rs::media::StreamInfo info;
  info.set_format_version(rs::media::FORMAT_VERSION_1);
  info.set_stream(settings_.stream);
  info.set_origin_epoch(origin_epoch_);
  info.set_origin_priority(settings_.origin_priority);
  info.set_state(live_ ? rs::media::STREAM_STATE_LIVE : rs::media::STREAM_STATE_DOWN);
  info.set_state_since_us(state_since_us_);
  info.set_state_reason(state_reason_);
  info.set_source_kind(std::string(settings_.source_url.kind_name()));
  if (publisher_) {
    info.set_publisher_protocol(publisher_->protocol);
    info.set_publisher_address(publisher_->address);
    info.set_publisher_since_us(publisher_->since_us);
  }
  if (next_sequence_[kVideoTrack] > 0) info.set_last_sequence(next_sequence_[kVideoTrack] - 1);
  for (const TrackDesc& t : tracks_) {
    rs::media::TrackInfo* track = info.add_tracks();
    track->set_track(t.track);
    track->set_codec(t.codec);
    track->set_clock_rate(t.clock_rate);
    track->set_width(t.width);
    track->set_height(t.height);
    track->set_fps(t.fps);
    track->set_bitrate_bps(t.bitrate_bps);
    track->set_gop_frames(t.gop_frames);
    track->set_channels(t.channels);
    track->set_audio_config(t.audio_config);
    if (t.track != kVideoTrack) continue;
    const ParameterSets& sets = parameter_sets_->sets();
    track->set_sps(sets.sps);
    track->set_pps(sets.pps);
    track->set_vps(sets.vps);
    if (t.codec != rs::media::CODEC_H264) continue;
    const auto* bytes = reinterpret_cast<const uint8_t*>(sets.sps.data());
    if (auto sps = media::h264::parse_sps({bytes, sets.sps.size()}); sps.ok()) {
      track->set_width(sps->width);  // the SPS is the truth after a mid-stream size change
      track->set_height(sps->height);
    }
  }
  return info;
}

void StreamRunner::maybe_log_stats(const Source* source) {
  const int64_t now_us = base::monotonic_us();
  const int64_t elapsed_us = now_us - logged_at_us_;
  if (elapsed_us < kStatsIntervalUs) return;
  const double secs = static_cast<double>(elapsed_us) / 1e6;
  const uint64_t frames = stats_.frames[0] - logged_stats_.frames[0];
  const double kbps = static_cast<double>(stats_.bytes - logged_stats_.bytes) * 8 / 1000 / secs;
  const uint64_t corrupt =
      stats_.corrupt_skipped + (source != nullptr ? source->corrupt_skipped() : 0);
  LOG_INFO("origin",
           absl::StrFormat("stream %s: video frames %d fps %.1f audio frames %d kbps "
                           "%.0f corrupt skipped %d parameter sets added %d",
                           settings_.stream, stats_.frames[0], static_cast<double>(frames) / secs,
                           stats_.frames[1], kbps, corrupt, stats_.parameter_sets_added));
  logged_stats_ = stats_;
  logged_at_us_ = now_us;
}

}  // namespace origin
