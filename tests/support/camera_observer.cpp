// Frame recorder for the origin's tests; see camera_observer.hpp.
#include "tests/support/camera_observer.hpp"

#include <zmq.hpp>

#include <algorithm>
#include <iostream>

#include "base/clock.hpp"
#include "media/h264.hpp"
#include "relay/catchup.hpp"

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

void FrameRecorder::record(const relay::Received& message, bool after_catchup) {
  std::lock_guard lock(mu_);
  if (const auto* frame = std::get_if<media::FramePtr>(&message)) {
    const media::Frame& f = **frame;
    // After a catch-up answer, live frames it already covered are recognised by their sequence
    // numbers, as an edge does; otherwise every frame is kept, so that a sequence that goes
    // back fails the tests' continuity checks.
    if (after_catchup) {
      for (auto it = recording_.frames.rbegin(); it != recording_.frames.rend(); ++it) {
        if (it->track != f.track) continue;
        if (f.sequence <= it->sequence) return;
        break;
      }
    }
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
    recording_.infos.push_back(*std::get<std::shared_ptr<const rs::media::StreamInfo>>(message));
  }
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
  // A subscription can still reach the origin after its first frames went out (ZeroMQ's slow
  // joiner): then, like an edge, the recorder asks the origin's catch-up endpoint for the GOP
  // it missed the start of, so that it records what the origin published from the keyframe.
  auto catchup = relay::CatchupClient::create(context, {relay::default_catchup_endpoint(endpoint)});
  if (!subscriber.ok() || !catchup.ok()) {
    error_ =
        std::string(!subscriber.ok() ? subscriber.status().message() : catchup.status().message());
    ready_.store(-1);
    return;
  }
  (*subscriber)->subscribe(stream);
  ready_.store(1);
  constexpr int64_t kCatchupWaitUs = 5'000'000, kCatchupRetryUs = 200'000;
  bool video_seen = false;
  std::vector<relay::Received> held;  // while a catch-up answer is awaited
  int64_t catchup_deadline_us = 0, next_request_us = 0;
  const auto release = [&] {
    for (const auto& message : held) record(message, /*after_catchup=*/true);
    held.clear();
    catchup_deadline_us = 0;
  };
  while (!stop_.load()) {
    const bool waiting = catchup_deadline_us != 0;
    auto got = (*subscriber)->receive(std::chrono::milliseconds(waiting ? 10 : 50));
    const int64_t now = base::monotonic_us();
    if (waiting) {
      if (auto reply = (*catchup)->receive(); reply && reply->found) {
        for (const auto& frame : reply->frames) record(frame, /*after_catchup=*/true);
        release();
      } else if (now >= catchup_deadline_us) {
        release();  // no answer: the tests see the frames as they came
      } else if (now >= next_request_us) {
        (*catchup)->request(stream);
        next_request_us = now + kCatchupRetryUs;
      }
    }
    if (!got) continue;
    if (catchup_deadline_us != 0) {
      held.push_back(std::move(*got));
      continue;
    }
    const auto* frame = std::get_if<media::FramePtr>(&*got);
    if (frame != nullptr && (*frame)->track == 0 && !video_seen) {
      video_seen = true;
      if (!(*frame)->keyframe) {
        std::cerr << "FrameRecorder: the first video frame (sequence " << (*frame)->sequence
                  << ") is not a keyframe; asking the origin for its GOP" << std::endl;
        (*catchup)->request(stream);
        next_request_us = now + kCatchupRetryUs;
        catchup_deadline_us = now + kCatchupWaitUs;
        held.push_back(std::move(*got));
        continue;
      }
    }
    record(*got, /*after_catchup=*/false);
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
