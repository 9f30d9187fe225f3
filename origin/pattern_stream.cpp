// The test-pattern stream loop; see pattern_stream.hpp.
#include "origin/pattern_stream.hpp"

#include <random>
#include <thread>

#include "absl/strings/str_format.h"
#include "base/clock.hpp"
#include "base/log.hpp"
#include "media/h264.hpp"
#include "media/sei.hpp"

namespace origin {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kStopPollInterval = std::chrono::milliseconds(50);
constexpr int64_t kVideoClockRate = 90'000;

// Sleeps until `deadline`, waking regularly to check `stop`. False when stopped.
bool sleep_until_or_stop(Clock::time_point deadline, const std::atomic<bool>& stop) {
  while (!stop.load()) {
    const auto now = Clock::now();
    if (now >= deadline) return true;
    std::this_thread::sleep_until(std::min(deadline, now + kStopPollInterval));
  }
  return false;
}

// Start of schedule slot `n` relative to the stream start: exact integer math, no drift.
Clock::duration slot_offset(int64_t n, int fps) {
  return std::chrono::nanoseconds(n * 1'000'000'000 / fps);
}

int64_t slot_at(Clock::duration elapsed, int fps) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed).count() * fps /
         1'000'000'000;
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

absl::StatusOr<std::unique_ptr<PatternStream>> PatternStream::create(
    const PatternStreamConfig& config, relay::FramePublisher* publisher) {
  auto encoder = H264Encoder::create(config.encoder);
  if (!encoder.ok()) return encoder.status();
  return std::unique_ptr<PatternStream>(
      new PatternStream(config, publisher, std::move(encoder).value()));
}

PatternStream::PatternStream(const PatternStreamConfig& config, relay::FramePublisher* publisher,
                             std::unique_ptr<H264Encoder> encoder)
    : config_(config),
      publisher_(publisher),
      encoder_(std::move(encoder)),
      pattern_(config.encoder.width, config.encoder.height) {}

absl::Status PatternStream::run(const std::atomic<bool>& stop) {
  const int fps = config_.encoder.fps;
  const auto start = Clock::now();
  logged_at_us_ = base::monotonic_us();
  int64_t n = 0;
  while (sleep_until_or_stop(start + slot_offset(n, fps), stop)) {
    const auto late = Clock::now() - (start + slot_offset(n, fps));
    if (late > slot_offset(1, fps)) {
      // Late by more than a frame: skip ahead to the current slot instead of bursting.
      const int64_t due = slot_at(Clock::now() - start, fps);
      stats_.skipped += static_cast<uint64_t>(due - n);
      n = due;
    }
    if (absl::Status status = produce(n); !status.ok()) return status;
    maybe_log_stats();
    ++n;
  }
  auto rest = encoder_->flush();
  if (!rest.ok()) return rest.status();
  for (EncodedUnit& unit : *rest) {
    if (absl::Status status = publish_unit(unit); !status.ok()) return status;
  }
  LOG_INFO("origin", "stopped after ", stats_.frames, " frames (", stats_.skipped, " skipped)");
  return absl::OkStatus();
}

absl::Status PatternStream::produce(int64_t frame_index) {
  const int64_t began_us = base::monotonic_us();
  const int64_t capture_us = base::wall_clock_us();
  const cv::Mat& image = pattern_.render(frame_index, capture_us);
  auto units = encoder_->encode(image, frame_index);
  stats_.encode_us += base::monotonic_us() - began_us;
  if (!units.ok()) return units.status();
  capture_times_.emplace_back(frame_index, capture_us);
  for (EncodedUnit& unit : *units) {
    if (absl::Status status = publish_unit(unit); !status.ok()) return status;
  }
  return maybe_publish_info(false);
}

absl::Status PatternStream::publish_unit(EncodedUnit& unit) {
  int64_t capture_us = base::wall_clock_us();
  while (!capture_times_.empty() && capture_times_.front().first <= unit.pts) {
    if (capture_times_.front().first == unit.pts) capture_us = capture_times_.front().second;
    capture_times_.pop_front();
  }
  const bool info_changed = unit.keyframe && update_track_info(unit);
  auto payload = std::make_shared<std::vector<uint8_t>>(
      media::insert_before_first_vcl(unit.annex_b, media::make_capture_time_sei(capture_us)));
  rs::media::FrameHeader header;
  header.set_format_version(rs::media::FORMAT_VERSION_1);
  header.set_stream(config_.stream);
  header.set_track(0);
  header.set_codec(rs::media::CODEC_H264);
  header.set_sequence(next_sequence_);
  const int64_t ts = unit.pts * kVideoClockRate / config_.encoder.fps;
  header.set_pts_90k(ts);
  header.set_dts_90k(ts);
  header.set_keyframe(unit.keyframe);
  header.set_capture_time_us(capture_us);
  header.set_origin_epoch(config_.origin_epoch);
  // Parameter sets are announced before the keyframe that uses them.
  if (info_changed) {
    if (absl::Status status = maybe_publish_info(true); !status.ok()) return status;
  }
  const std::span<const uint8_t> bytes(*payload);
  if (absl::Status status = publisher_->publish(header, bytes, payload); !status.ok()) {
    return status;
  }
  info_.set_last_sequence(next_sequence_);
  ++next_sequence_;
  ++stats_.frames;
  stats_.bytes += bytes.size();
  return absl::OkStatus();
}

// Takes SPS/PPS from a keyframe; true when the track description changed.
bool PatternStream::update_track_info(const EncodedUnit& unit) {
  std::string sps;
  std::string pps;
  for (std::span<const uint8_t> nal : media::h264::split_annex_b(unit.annex_b)) {
    const auto type = static_cast<media::h264::NalType>(media::h264::nal_type(nal));
    if (type == media::h264::NalType::Sps) sps.assign(nal.begin(), nal.end());
    if (type == media::h264::NalType::Pps) pps.assign(nal.begin(), nal.end());
  }
  if (sps.empty() || pps.empty()) return false;
  if (have_info_ && info_.tracks(0).sps() == sps && info_.tracks(0).pps() == pps) return false;
  const EncoderConfig& e = config_.encoder;
  info_.set_format_version(rs::media::FORMAT_VERSION_1);
  info_.set_stream(config_.stream);
  info_.set_origin_epoch(config_.origin_epoch);
  info_.set_state(rs::media::STREAM_STATE_LIVE);
  info_.set_source_kind("test");
  info_.clear_tracks();
  rs::media::TrackInfo* track = info_.add_tracks();
  track->set_track(0);
  track->set_codec(rs::media::CODEC_H264);
  track->set_clock_rate(kVideoClockRate);
  track->set_sps(std::move(sps));
  track->set_pps(std::move(pps));
  track->set_width(static_cast<uint32_t>(e.width));
  track->set_height(static_cast<uint32_t>(e.height));
  track->set_fps(e.fps);
  track->set_bitrate_bps(static_cast<uint64_t>(e.bitrate_bps));
  track->set_gop_frames(static_cast<uint32_t>(e.gop_frames));
  have_info_ = true;
  return true;
}

absl::Status PatternStream::maybe_publish_info(bool force) {
  const int64_t now_us = base::monotonic_us();
  if (!have_info_ || (!force && now_us < next_info_us_)) return absl::OkStatus();
  next_info_us_ =
      now_us + std::chrono::duration_cast<std::chrono::microseconds>(config_.info_interval).count();
  return publisher_->publish_info(info_);
}

void PatternStream::maybe_log_stats() {
  const int64_t now_us = base::monotonic_us();
  const int64_t elapsed_us = now_us - logged_at_us_;
  if (elapsed_us < std::chrono::microseconds(config_.stats_interval).count()) return;
  const uint64_t frames = stats_.frames - logged_stats_.frames;
  const double seconds = static_cast<double>(elapsed_us) / 1e6;
  const double kbps = static_cast<double>(stats_.bytes - logged_stats_.bytes) * 8 / 1000 / seconds;
  const double encode_ms = frames == 0
                               ? 0.0
                               : static_cast<double>(stats_.encode_us - logged_stats_.encode_us) /
                                     1000 / static_cast<double>(frames);
  LOG_INFO("origin", absl::StrFormat("stats: frames %d fps %.1f kbps %.0f encode ms avg %.2f "
                                     "skipped %d",
                                     stats_.frames, static_cast<double>(frames) / seconds, kbps,
                                     encode_ms, stats_.skipped - logged_stats_.skipped));
  logged_stats_ = stats_;
  logged_at_us_ = now_us;
}

}  // namespace origin
