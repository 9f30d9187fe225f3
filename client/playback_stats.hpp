// PlaybackStats: counters and sliding windows behind the overlay, the per-second JSON line and
// the exit summary. Times are monotonic microseconds passed in by the caller (fake-clock
// friendly). Thread-safe: the playback thread records, the reporter thread and overlay read.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "client/latency_meter.hpp"
#include "client/stats_json.hpp"

namespace client {

// Latencies measured for one decoded frame (microseconds; nullopt without a capture time).
struct FrameTimes {
  int64_t decode_us = 0;                      // send packet -> frame out
  std::optional<int64_t> decoded_latency_us;  // capture -> decoded
  std::optional<int64_t> shown_latency_us;    // capture -> displayed (headless: decoded)
};

class PlaybackStats {
 public:
  explicit PlaybackStats(int64_t start_us);

  // A playback of `url` on `edge` begins.
  void on_session_start(const std::string& edge, const std::string& url);
  // It decoded its first frame: every playing session after the first counts as a reconnect.
  void on_session_playing();
  void set_decoder(const std::string& decoder);
  void set_video(int width, int height, const std::string& codec);
  void on_packet(int64_t now_us, size_t bytes, std::optional<int64_t> receive_latency_us);
  void on_frame(int64_t now_us, const FrameTimes& times);
  void add_drops(uint64_t n);
  // The client asked the coordinator for an edge.
  void on_assign_request();
  // The stream stalled (no packet for the stall timeout) and the edge was asked why.
  void on_stall();
  // The edge says the source is down: the player waits on it (state "offline").
  void on_offline(int64_t now_us, const std::string& reason);
  // Media flows again after a wait; returns how long the wait lasted (µs).
  int64_t on_back(int64_t now_us);
  bool offline();

  // The last second (window ending at now_us).
  SecondReport second(int64_t now_us);
  // The whole run so far.
  SummaryReport summary(int64_t now_us);

  struct Video {
    int width = 0;
    int height = 0;
    std::string codec;
  };
  Video video();
  uint64_t frames();

 private:
  std::mutex mu_;
  int64_t start_us_;
  std::string edge_;
  std::string url_;
  std::string decoder_;
  Video video_;
  std::vector<std::string> edges_;
  uint64_t playing_sessions_ = 0;
  uint64_t frames_ = 0;
  uint64_t drops_ = 0;
  uint64_t bytes_ = 0;
  std::optional<int64_t> first_frame_us_;
  std::deque<int64_t> frame_times_;                       // last second
  std::deque<std::pair<int64_t, size_t>> packet_bytes_;   // last second
  std::deque<std::pair<int64_t, int64_t>> decode_times_;  // last second
  LatencyMeter shown_;
  LatencyMeter received_;
  std::vector<int64_t> all_shown_;
  std::vector<int64_t> steady_shown_;
  int64_t session_first_frame_us_ = 0;
  bool session_playing_ = false;
  std::string state_ = "connecting";
  std::string state_reason_;
  uint64_t assign_requests_ = 0;
  uint64_t stalls_ = 0;
  int64_t last_frame_us_ = 0;
  std::deque<std::pair<int64_t, int64_t>> frame_gaps_;  // (end, length) in the last second
  uint64_t offline_waits_ = 0;
  int64_t offline_since_us_ = 0;
  int64_t offline_total_us_ = 0;
  std::vector<int64_t> all_received_;
  std::vector<int64_t> all_decoded_;
  std::vector<int64_t> all_decode_;
};

}  // namespace client
