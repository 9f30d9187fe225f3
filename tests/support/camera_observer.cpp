// Frame recorder for the origin's tests; see camera_observer.hpp.
#include "tests/support/camera_observer.hpp"

#include <zmq.hpp>

#include <algorithm>

#include "base/clock.hpp"
#include "media/h264.hpp"
#include "relay/frame_subscriber.hpp"

namespace rstest {

std::vector<RecordedFrame> Recording::track(uint32_t t) const {
  std::vector<RecordedFrame> out;
  for (const RecordedFrame& f : frames) {
    if (f.track == t) out.push_back(f);
  }
  return out;
}

std::unique_ptr<FrameRecorder> FrameRecorder::start(const std::string& endpoint,
                                                    const std::string& stream, std::string* error) {
  std::unique_ptr<FrameRecorder> recorder(new FrameRecorder());
  FrameRecorder* self = recorder.get();
  recorder->thread_ = std::thread([self, endpoint, stream] { self->run(endpoint, stream); });
  while (recorder->ready_.load() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (recorder->ready_.load() < 0) {
    *error = recorder->error_;
    return nullptr;
  }
  return recorder;
}

FrameRecorder::~FrameRecorder() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

void FrameRecorder::run(std::string endpoint, std::string stream) {
  zmq::context_t context;
  relay::SubscriberOptions options;
  options.endpoints = {endpoint};
  options.queue_frames = 10'000;  // a test observer must not lose frames
  // ... not even the first ones: the origin binds just before it starts publishing (a camera
  // read with our RTSP client sends its first frame tens of milliseconds later), so connect
  // within 10 ms of the bind.
  options.reconnect_interval = std::chrono::milliseconds(10);
  options.reconnect_interval_max = std::chrono::milliseconds(10);
  auto subscriber = relay::FrameSubscriber::create(context, options);
  if (!subscriber.ok()) {
    error_ = std::string(subscriber.status().message());
    ready_.store(-1);
    return;
  }
  (*subscriber)->subscribe(stream);
  ready_.store(1);
  while (!stop_.load()) {
    auto got = (*subscriber)->receive(std::chrono::milliseconds(50));
    if (!got) continue;
    std::lock_guard lock(mu_);
    if (auto* frame = std::get_if<media::FramePtr>(&*got)) {
      const media::Frame& f = **frame;
      recording_.frames.push_back(
          RecordedFrame{.track = f.track,
                        .codec = relay::codec_to_wire(f.codec),
                        .sequence = f.sequence,
                        .pts = f.pts_90k,
                        .dts = f.dts_90k,
                        .keyframe = f.keyframe,
                        .capture_time_us = f.capture_time_us,
                        .received_us = base::monotonic_us(),
                        .payload = std::vector<uint8_t>(f.payload.begin(), f.payload.end())});
    } else {
      recording_.infos.push_back(*std::get<std::shared_ptr<const rs::media::StreamInfo>>(*got));
    }
  }
}

Recording FrameRecorder::snapshot() const {
  std::lock_guard lock(mu_);
  return recording_;
}

bool FrameRecorder::wait_until(const std::function<bool(const Recording&)>& done,
                               std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (done(recording_)) return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

std::vector<std::vector<uint8_t>> published_nals(const std::vector<RecordedFrame>& frames) {
  std::vector<std::vector<uint8_t>> out;
  for (const RecordedFrame& f : frames) {
    for (auto nal : media::h264::split_annex_b(f.payload)) out.emplace_back(nal.begin(), nal.end());
  }
  return out;
}

::testing::AssertionResult contiguous_in_reference(
    const std::vector<std::vector<uint8_t>>& published,
    const std::vector<std::vector<uint8_t>>& reference) {
  if (published.empty()) return ::testing::AssertionFailure() << "nothing published";
  size_t before = 0;
  for (; before < published.size(); ++before) {
    const auto n = std::count(reference.begin(), reference.end(), published[before]);
    if (n == 1) break;
    if (n == 0) {
      return ::testing::AssertionFailure()
             << "published NAL unit " << before << " is not in the reference";
    }
  }
  if (before == published.size()) {
    return ::testing::AssertionFailure() << "no published NAL unit is unique in the reference";
  }
  const size_t start = static_cast<size_t>(
      std::find(reference.begin(), reference.end(), published[before]) - reference.begin());
  if (start < before || start - before + published.size() > reference.size()) {
    return ::testing::AssertionFailure()
           << "published NAL units do not fit the reference at " << start;
  }
  const size_t offset = start - before;
  for (size_t i = 0; i < published.size(); ++i) {
    if (published[i] != reference[offset + i]) {
      return ::testing::AssertionFailure() << "NAL unit " << i << " differs from the reference";
    }
  }
  return ::testing::AssertionSuccess() << published.size() << " NAL units match";
}

}  // namespace rstest
