#include "bench/rtsp_bench/worker.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <utility>

#include "base/clock.hpp"

namespace rtsp_bench {
namespace {

constexpr int64_t kTickUs = 10'000;
constexpr int64_t kBacklogEveryUs = 250'000;
constexpr int kMaxEvents = 512;

}  // namespace

Worker::Worker(const BenchOptions& options, std::vector<Plan> plan, int64_t window_start_mono_us,
               int64_t window_end_mono_us, std::atomic<uint32_t>* next_udp_port,
               const std::atomic<bool>* stop)
    : plan_(std::move(plan)), stop_(stop) {
  ctx_.options = &options;
  ctx_.epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  ctx_.next_udp_port = next_udp_port;
  ctx_.window_start_mono_us = window_start_mono_us;
  ctx_.window_end_mono_us = window_end_mono_us;
  readers_.reserve(plan_.size());
  for (size_t slot = 0; slot < plan_.size(); ++slot) {
    readers_.push_back(std::make_unique<Reader>(slot, plan_[slot].index, plan_[slot].slow));
  }
  // Roughly 30 frames/s for the whole window: avoid regrowth in the hot loop.
  const double seconds = static_cast<double>(window_end_mono_us - window_start_mono_us) / 1e6;
  ctx_.samples.reserve(static_cast<size_t>(static_cast<double>(plan_.size()) * 31 * seconds));
}

Worker::~Worker() {
  if (thread_.joinable()) thread_.join();
  readers_.clear();
  if (ctx_.epoll_fd >= 0) ::close(ctx_.epoll_fd);
}

void Worker::start() {
  thread_ = std::thread([this] { run(); });
}

WorkerResult Worker::finish() {
  if (thread_.joinable()) thread_.join();
  WorkerResult result;
  for (const auto& reader : readers_) result.readers.push_back(reader->result());
  result.samples = std::move(ctx_.samples);
  result.slow_samples = std::move(ctx_.slow_samples);
  return result;
}

void Worker::run() {
  std::vector<epoll_event> events(kMaxEvents);
  size_t next_start = 0;
  int64_t next_tick = 0;
  int64_t next_backlog = 0;
  while (!stop_->load(std::memory_order_relaxed)) {
    int64_t now = base::monotonic_us();
    if (now >= ctx_.window_end_mono_us) break;
    while (next_start < plan_.size() && plan_[next_start].start_mono_us <= now) {
      readers_[next_start]->start(ctx_, now);
      ++next_start;
    }
    if (now >= next_tick) {
      size_t playing = 0;
      for (size_t i = 0; i < next_start; ++i) {
        readers_[i]->on_tick(ctx_, now);
        if (readers_[i]->playing()) ++playing;
      }
      playing_.store(playing, std::memory_order_relaxed);
      next_tick = now + kTickUs;
    }
    if (now >= next_backlog && ctx_.in_window(now)) {
      for (size_t i = 0; i < next_start; ++i) readers_[i]->sample_backlog();
      next_backlog = now + kBacklogEveryUs;
    }
    const int n = ::epoll_wait(ctx_.epoll_fd, events.data(), kMaxEvents, 2);
    for (int i = 0; i < n; ++i) {
      const uint64_t tag = events[static_cast<size_t>(i)].data.u64;
      readers_[tag >> 1]->on_event(ctx_, events[static_cast<size_t>(i)].events, (tag & 1) != 0);
    }
  }
  for (auto& reader : readers_) reader->stop(ctx_);
}

}  // namespace rtsp_bench
