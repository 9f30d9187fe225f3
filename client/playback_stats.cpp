// PlaybackStats (playback_stats.hpp).
#include "client/playback_stats.hpp"

namespace client {
namespace {

constexpr int64_t kWindowUs = 1'000'000;
// The summary keeps at most this many samples per series (about 9 hours at 30 fps).
constexpr size_t kMaxSamples = 1'000'000;

template <typename T>
void prune(std::deque<T>& q, int64_t now_us, auto time_of) {
  while (!q.empty() && time_of(q.front()) <= now_us - kWindowUs) q.pop_front();
}

void keep(std::vector<int64_t>& v, int64_t sample) {
  if (v.size() < kMaxSamples) v.push_back(sample);
}

}  // namespace

PlaybackStats::PlaybackStats(int64_t start_us)
    : start_us_(start_us), shown_(kWindowUs), received_(kWindowUs) {}

void PlaybackStats::on_session_start(const std::string& edge, const std::string& url) {
  std::lock_guard lock(mu_);
  edge_ = edge;
  url_ = url;
  session_playing_ = false;
  state_ = "connecting";
  state_reason_.clear();
  if (offline_since_us_ != 0) offline_since_us_ = 0;  // left the edge while waiting on it
}

void PlaybackStats::on_assign_request() {
  std::lock_guard lock(mu_);
  ++assign_requests_;
}

void PlaybackStats::on_stall() {
  std::lock_guard lock(mu_);
  ++stalls_;
}

void PlaybackStats::on_offline(int64_t now_us, const std::string& reason) {
  std::lock_guard lock(mu_);
  if (offline_since_us_ == 0) {
    offline_since_us_ = now_us;
    ++offline_waits_;
  }
  state_ = "offline";
  state_reason_ = reason;
}

int64_t PlaybackStats::on_back(int64_t now_us) {
  std::lock_guard lock(mu_);
  const int64_t waited = offline_since_us_ == 0 ? 0 : now_us - offline_since_us_;
  offline_total_us_ += waited;
  offline_since_us_ = 0;
  state_ = "playing";
  state_reason_.clear();
  return waited;
}

bool PlaybackStats::offline() {
  std::lock_guard lock(mu_);
  return offline_since_us_ != 0;
}

void PlaybackStats::on_session_playing() {
  std::lock_guard lock(mu_);
  ++playing_sessions_;
  state_ = "playing";
  if (edges_.empty() || edges_.back() != edge_) edges_.push_back(edge_);
}

void PlaybackStats::set_decoder(const std::string& decoder) {
  std::lock_guard lock(mu_);
  decoder_ = decoder;
}

void PlaybackStats::set_video(int width, int height, const std::string& codec) {
  std::lock_guard lock(mu_);
  video_ = {width, height, codec};
}

void PlaybackStats::on_packet(int64_t now_us, size_t bytes,
                              std::optional<int64_t> receive_latency_us) {
  std::lock_guard lock(mu_);
  bytes_ += bytes;
  packet_bytes_.emplace_back(now_us, bytes);
  if (receive_latency_us) {
    received_.add(now_us, *receive_latency_us);
    keep(all_received_, *receive_latency_us);
  }
}

void PlaybackStats::on_frame(int64_t now_us, const FrameTimes& times) {
  std::lock_guard lock(mu_);
  ++frames_;
  if (!first_frame_us_) first_frame_us_ = now_us;
  if (!session_playing_) {
    session_playing_ = true;
    session_first_frame_us_ = now_us;
  }
  if (last_frame_us_ != 0) frame_gaps_.emplace_back(now_us, now_us - last_frame_us_);
  last_frame_us_ = now_us;
  frame_times_.push_back(now_us);
  decode_times_.emplace_back(now_us, times.decode_us);
  keep(all_decode_, times.decode_us);
  if (times.decoded_latency_us) keep(all_decoded_, *times.decoded_latency_us);
  if (times.shown_latency_us) {
    shown_.add(now_us, *times.shown_latency_us);
    keep(all_shown_, *times.shown_latency_us);
    if (now_us - session_first_frame_us_ >= kWindowUs) keep(steady_shown_, *times.shown_latency_us);
  }
}

void PlaybackStats::add_drops(uint64_t n) {
  std::lock_guard lock(mu_);
  drops_ += n;
}

SecondReport PlaybackStats::second(int64_t now_us) {
  std::lock_guard lock(mu_);
  prune(frame_times_, now_us, [](int64_t t) { return t; });
  prune(frame_gaps_, now_us, [](const auto& p) { return p.first; });
  prune(packet_bytes_, now_us, [](const auto& p) { return p.first; });
  prune(decode_times_, now_us, [](const auto& p) { return p.first; });
  SecondReport r;
  r.t_s = static_cast<double>(now_us - start_us_) / 1e6;
  r.fps = static_cast<double>(frame_times_.size());
  size_t bytes = 0;
  for (const auto& p : packet_bytes_) bytes += p.second;
  r.kbps = static_cast<double>(bytes) * 8.0 / 1000.0;
  r.latency = shown_.summary(now_us);
  r.receive = received_.summary(now_us);
  int64_t decode_sum = 0;
  for (const auto& p : decode_times_) decode_sum += p.second;
  if (!decode_times_.empty()) {
    r.decode_ms =
        static_cast<double>(decode_sum) / 1000.0 / static_cast<double>(decode_times_.size());
  }
  r.frames = frames_;
  r.drops = drops_;
  r.reconnects = playing_sessions_ > 0 ? playing_sessions_ - 1 : 0;
  r.edge = edge_;
  r.url = url_;
  r.decoder = decoder_;
  r.state = state_;
  r.state_reason = state_reason_;
  r.assign_requests = assign_requests_;
  r.stalls = stalls_;
  // The longest wait between two decoded frames that ended in this second, or the wait still
  // running: a frozen picture shows up here, not only as a low fps.
  int64_t gap = last_frame_us_ != 0 ? now_us - last_frame_us_ : 0;
  for (const auto& [t, g] : frame_gaps_) gap = std::max(gap, g);
  r.max_frame_gap_ms = static_cast<double>(gap) / 1000.0;
  return r;
}

SummaryReport PlaybackStats::summary(int64_t now_us) {
  std::lock_guard lock(mu_);
  SummaryReport r;
  r.duration_s = static_cast<double>(now_us - start_us_) / 1e6;
  r.frames = frames_;
  r.drops = drops_;
  r.reconnects = playing_sessions_ > 0 ? playing_sessions_ - 1 : 0;
  if (r.duration_s > 0) {
    r.fps = static_cast<double>(frames_) / r.duration_s;
    r.kbps = static_cast<double>(bytes_) * 8.0 / 1000.0 / r.duration_s;
  }
  r.latency = summarize(all_shown_);
  r.steady = summarize(steady_shown_);
  r.receive = summarize(all_received_);
  r.decoded = summarize(all_decoded_);
  r.decode = summarize(all_decode_);
  if (first_frame_us_)
    r.first_frame_ms = static_cast<double>(*first_frame_us_ - start_us_) / 1000.0;
  r.edges = edges_;
  r.decoder = decoder_;
  r.assign_requests = assign_requests_;
  r.offline_waits = offline_waits_;
  const int64_t open_wait = offline_since_us_ == 0 ? 0 : now_us - offline_since_us_;
  r.offline_s = static_cast<double>(offline_total_us_ + open_wait) / 1e6;
  return r;
}

PlaybackStats::Video PlaybackStats::video() {
  std::lock_guard lock(mu_);
  return video_;
}

uint64_t PlaybackStats::frames() {
  std::lock_guard lock(mu_);
  return frames_;
}

}  // namespace client
