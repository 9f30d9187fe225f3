// origin::IngestHub (one publisher per stream, takeover, the gate's limits, shutting down) and
// origin::PushQueue / PushSource (a publisher's units as the stream's runner reads them), without
// sockets: publishers are scripted Sources or units pushed by hand. The stall, patience and
// bitrate-window cases wait on the real clock: 0.2 s, 0.1 s and one 3.1 s sleep.
#include "origin/ingest_hub.hpp"

#include <gtest/gtest.h>

#include "origin/push_source.hpp"
#include "test_bytes.hpp"

#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace origin {
namespace {

using test_bytes::Bytes;
using test_bytes::hex;

// H.264 non-IDR slice: no parameter sets for the gate to learn.
const Bytes kSlice = hex("00 00 00 01 41 9a 24 6c 41 ff");
// libx264 SPS (tests/unit/h264_test.cpp) and a PPS, as a keyframe carries them in-band.
const Bytes kSps720 =
    hex("00 00 00 01 67 64 00 1f ac b2 00 a0 0b 76 02 20 00 00 03 00 20 00 00 07 91 e3 06 49");
const Bytes kSps1080 =
    hex("00 00 00 01 67 64 00 28 ac b2 00 f0 04 4f cb 80 88 00 00 03 00 08 00 00 03 01 e4 78 c1 92 "
        "40");
const Bytes kPpsAndIdr = hex("00 00 00 01 68 eb c3 cb 22 c0 00 00 00 01 65 88 84 00 ff");

SourceUnit unit(uint32_t track, Bytes data, int64_t pts = 0) {
  SourceUnit u;
  u.track = track;
  u.data = std::make_shared<std::vector<uint8_t>>(std::move(data));
  u.pts = u.dts = pts;
  return u;
}

TrackDesc video_track(uint32_t width, uint32_t height) {
  return TrackDesc{.codec = rs::media::CODEC_H264, .width = width, .height = height};
}

// A publisher's session: returns its script, then "publisher left" forever.
class ScriptedSource final : public Source {
 public:
  ScriptedSource(std::vector<TrackDesc> tracks, std::deque<SourceUnit> script,
                 std::shared_ptr<int> destroyed = nullptr)
      : tracks_(std::move(tracks)), script_(std::move(script)), destroyed_(std::move(destroyed)) {}
  ~ScriptedSource() override {
    if (destroyed_) ++*destroyed_;
  }

  absl::StatusOr<SourceUnit> read() override {
    if (script_.empty()) return absl::UnavailableError("publisher left");
    SourceUnit u = std::move(script_.front());
    script_.pop_front();
    return u;
  }
  std::vector<TrackDesc> tracks() const override { return tracks_; }
  std::vector<uint8_t> announced_parameter_sets() const override { return {0, 0, 0, 1, 0x67}; }

 private:
  std::vector<TrackDesc> tracks_;
  std::deque<SourceUnit> script_;
  std::shared_ptr<int> destroyed_;
};

std::unique_ptr<Source> scripted(std::deque<SourceUnit> script = {},
                                 std::vector<TrackDesc> tracks = {video_track(1280, 720)},
                                 std::shared_ptr<int> destroyed = nullptr) {
  return std::make_unique<ScriptedSource>(std::move(tracks), std::move(script),
                                          std::move(destroyed));
}

std::shared_ptr<PublisherLink> link(std::string protocol, std::string address) {
  return std::make_shared<PublisherLink>(
      PublisherInfo{.protocol = std::move(protocol), .address = std::move(address), .since_us = 7});
}

constexpr std::chrono::milliseconds kNoWait{0};

class IngestHubTest : public ::testing::Test {
 protected:
  IngestHub hub;
  std::atomic<bool> stop{false};

  void SetUp() override {
    hub.add_stream("live", /*publishable=*/true);
    hub.add_stream("cam1", /*publishable=*/false);
  }
  // What the stream's runner gets when it asks now.
  std::unique_ptr<Source> take(std::string_view stream = "live") {
    auto got = hub.wait(stream, stop, kNoWait);
    EXPECT_TRUE(got.ok()) << got.status();
    return got.ok() ? *std::move(got) : nullptr;
  }
};

TEST_F(IngestHubTest, OfferToAnUnknownStreamIsNotFound) {
  const absl::Status st = hub.offer("nope", link("rtsp", "10.0.0.1:5000"), scripted());
  EXPECT_EQ(st.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(st.message(), "no stream 'nope' at this origin");
  EXPECT_EQ(hub.check_publishable("nope").code(), absl::StatusCode::kNotFound);
}

TEST_F(IngestHubTest, OfferToAPlayOnlyStreamIsUnimplemented) {
  const absl::Status st = hub.offer("cam1", link("rtsp", "10.0.0.1:5000"), scripted());
  EXPECT_EQ(st.code(), absl::StatusCode::kUnimplemented);
  EXPECT_EQ(st.message(), "stream 'cam1' is play-only (its source is not publish:)");
  EXPECT_TRUE(hub.check_publishable("live").ok());
  EXPECT_FALSE(hub.publisher("cam1").has_value());
}

TEST_F(IngestHubTest, RunnerGetsTheOfferedSessionGated) {
  auto first = link("rtsp", "10.0.0.1:5000");
  ASSERT_TRUE(hub.offer("live", first,
                        scripted({unit(kVideoTrack, kSlice, 3000), unit(kAudioTrack, {1, 2}, 480)}))
                  .ok());
  ASSERT_TRUE(hub.publisher("live").has_value());
  EXPECT_EQ(hub.publisher("live")->address, "10.0.0.1:5000");
  auto source = take();
  ASSERT_NE(source, nullptr);
  ASSERT_NE(source->publisher(), nullptr);
  EXPECT_EQ(source->publisher()->protocol, "rtsp");
  EXPECT_EQ(source->publisher()->since_us, 7);
  EXPECT_EQ(source->tracks(), (std::vector<TrackDesc>{video_track(1280, 720)}));
  EXPECT_EQ(source->announced_parameter_sets(), (std::vector<uint8_t>{0, 0, 0, 1, 0x67}));
  EXPECT_FALSE(source->paced_by_timestamps());
  auto v = source->read();
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->track, kVideoTrack);
  EXPECT_EQ(v->pts, 3000);
  EXPECT_EQ(*v->data, kSlice);
  auto a = source->read();
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->track, kAudioTrack);
  // The publisher's session failing ends the link with its reason.
  auto end = source->read();
  EXPECT_EQ(end.status(), absl::UnavailableError("publisher left"));
  EXPECT_TRUE(first->ended());
  EXPECT_EQ(first->reason(), "publisher left");
}

TEST_F(IngestHubTest, WaitWithNothingOfferedIsUnavailableAfterPatience) {
  const auto start = std::chrono::steady_clock::now();
  auto got = hub.wait("live", stop, std::chrono::milliseconds(100));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(100));
  EXPECT_EQ(got.status(), absl::UnavailableError("waiting for a publisher"));
  EXPECT_EQ(hub.wait("nope", stop, kNoWait).status().code(), absl::StatusCode::kNotFound);
  stop = true;
  EXPECT_EQ(hub.wait("live", stop, std::chrono::milliseconds(100)).status().code(),
            absl::StatusCode::kCancelled);
}

TEST_F(IngestHubTest, WaitReturnsAPublisherOfferedWhileItWaits) {
  std::thread publisher([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_TRUE(hub.offer("live", link("srt", "10.0.0.3:7000"), scripted()).ok());
  });
  auto got = hub.wait("live", stop, std::chrono::seconds(10));
  publisher.join();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)->publisher()->protocol, "srt");
}

TEST_F(IngestHubTest, PublisherOpenerWaitsOnTheHub) {
  ASSERT_TRUE(hub.offer("live", link("rtmp", "10.0.0.2:6000"), scripted()).ok());
  StreamSettings settings;
  settings.stream = "live";
  auto got = publish_opener(hub)(settings, stop);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ((*got)->publisher()->address, "10.0.0.2:6000");
}

TEST_F(IngestHubTest, SecondPublisherIsRefusedNamingTheFirst) {
  auto first = link("rtsp", "10.0.0.1:5000");
  ASSERT_TRUE(hub.offer("live", first, scripted()).ok());
  auto second = link("rtmp", "10.0.0.2:6000");
  const std::string want =
      "stream 'live' already has a publisher (rtsp from 10.0.0.1:5000); one publisher per stream";
  EXPECT_EQ(hub.offer("live", second, scripted()), absl::AlreadyExistsError(want))
      << "while the runner has not taken the first yet";
  auto source = take();
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(hub.offer("live", second, scripted()), absl::AlreadyExistsError(want))
      << "while the runner reads the first";
  EXPECT_FALSE(first->ended());
  EXPECT_FALSE(second->ended());
  EXPECT_EQ(hub.publisher("live")->address, "10.0.0.1:5000");
}

TEST_F(IngestHubTest, TakeoverReplacesTheRunnersPublisher) {
  hub.add_stream("live", true, PublishRules{.takeover = true});
  auto first = link("rtsp", "10.0.0.1:5000");
  ASSERT_TRUE(hub.offer("live", first, scripted({unit(kVideoTrack, kSlice)})).ok());
  auto old_session = take();
  auto second = link("rtmp", "10.0.0.2:6000");
  ASSERT_TRUE(hub.offer("live", second, scripted({unit(kVideoTrack, kSlice, 90)})).ok());
  EXPECT_TRUE(first->ended());
  EXPECT_EQ(first->reason(), "taken over by rtmp from 10.0.0.2:6000");
  EXPECT_FALSE(second->ended());
  EXPECT_EQ(hub.publisher("live")->protocol, "rtmp");
  // The runner's session with the first ends with the takeover as its reason...
  EXPECT_EQ(old_session->read().status(),
            absl::UnavailableError("taken over by rtmp from 10.0.0.2:6000"));
  old_session.reset();
  EXPECT_EQ(hub.publisher("live")->protocol, "rtmp") << "letting go of the old one keeps the new";
  // ...and its next wait() gets the second.
  auto new_session = take();
  ASSERT_NE(new_session, nullptr);
  EXPECT_EQ(new_session->publisher()->address, "10.0.0.2:6000");
  auto u = new_session->read();
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->pts, 90);
}

TEST_F(IngestHubTest, TakeoverBeforeTheRunnerTookTheFirstDropsIt) {
  hub.add_stream("live", true, PublishRules{.takeover = true});
  auto destroyed = std::make_shared<int>(0);
  auto first = link("rtsp", "10.0.0.1:5000");
  ASSERT_TRUE(hub.offer("live", first, scripted({}, {video_track(1280, 720)}, destroyed)).ok());
  ASSERT_TRUE(hub.offer("live", link("srt", "10.0.0.3:7000"), scripted()).ok());
  EXPECT_EQ(*destroyed, 1) << "the first publisher's session was never read; it is dropped";
  EXPECT_EQ(first->reason(), "taken over by srt from 10.0.0.3:7000");
  auto source = take();
  EXPECT_EQ(source->publisher()->protocol, "srt");
}

TEST_F(IngestHubTest, ReleasingTheSessionEndsTheLinkAndFreesTheStream) {
  auto first = link("rtsp", "10.0.0.1:5000");
  ASSERT_TRUE(hub.offer("live", first, scripted()).ok());
  auto source = take();
  source.reset();
  EXPECT_TRUE(first->ended());
  EXPECT_EQ(first->reason(), "the stream's session ended");
  EXPECT_FALSE(hub.publisher("live").has_value());
  EXPECT_TRUE(hub.offer("live", link("rtmp", "10.0.0.2:6000"), scripted()).ok());
  EXPECT_EQ(hub.publisher("live")->protocol, "rtmp");
}

// The publisher's side goes first (its connection closed): the stream takes a new publisher at
// once, and the runner's old session ends with the publisher's reason.
TEST_F(IngestHubTest, PublisherThatLeftDoesNotBlockTheNextOne) {
  auto first = link("rtsp", "10.0.0.1:5000");
  ASSERT_TRUE(hub.offer("live", first, scripted({unit(kVideoTrack, kSlice)})).ok());
  auto source = take();
  first->end("the connection closed");
  first->end("a later reason is ignored");
  EXPECT_EQ(source->read().status(), absl::UnavailableError("the connection closed"));
  EXPECT_TRUE(hub.offer("live", link("rtmp", "10.0.0.2:6000"), scripted()).ok());
  source.reset();
  EXPECT_EQ(hub.publisher("live")->protocol, "rtmp");
}

TEST_F(IngestHubTest, ShutDownEndsPublishersAndRefusesNewOnes) {
  hub.add_stream("other", true);
  auto reading = link("rtsp", "10.0.0.1:5000");
  ASSERT_TRUE(hub.offer("live", reading, scripted({unit(kVideoTrack, kSlice)})).ok());
  auto source = take();
  auto destroyed = std::make_shared<int>(0);
  auto pending = link("rtmp", "10.0.0.2:6000");
  ASSERT_TRUE(hub.offer("other", pending, scripted({}, {}, destroyed)).ok());
  hub.shut_down();
  EXPECT_EQ(reading->reason(), "the origin is stopping");
  EXPECT_EQ(pending->reason(), "the origin is stopping");
  EXPECT_EQ(*destroyed, 1) << "a session no runner took is dropped";
  EXPECT_EQ(source->read().status(), absl::UnavailableError("the origin is stopping"));
  EXPECT_EQ(hub.offer("live", link("srt", "10.0.0.3:7000"), scripted()),
            absl::CancelledError("the origin is stopping"));
  EXPECT_EQ(hub.wait("other", stop, kNoWait).status().code(), absl::StatusCode::kCancelled);
}

TEST_F(IngestHubTest, PictureLargerThanTheLimitEndsTheSession) {
  hub.add_stream("live", true, PublishRules{.limits = {.max_width = 1280, .max_height = 720}});
  auto first = link("rtsp", "10.0.0.1:5000");
  ASSERT_TRUE(
      hub.offer("live", first, scripted({unit(kVideoTrack, kSlice)}, {video_track(1920, 1080)}))
          .ok());
  auto source = take();
  auto got = source->read();
  EXPECT_EQ(got.status(),
            absl::ResourceExhaustedError("publisher's picture 1920x1080 exceeds the limit 1280x720 "
                                         "(--ingest_max_size)"));
  EXPECT_TRUE(first->ended());
  EXPECT_NE(first->reason().find("--ingest_max_size"), std::string::npos);
  EXPECT_EQ(source->read().status().code(), absl::StatusCode::kUnavailable)
      << "the session stays ended";
}

TEST_F(IngestHubTest, HeightAloneOverTheLimitIsRefused) {
  hub.add_stream("live", true, PublishRules{.limits = {.max_width = 0, .max_height = 720}});
  ASSERT_TRUE(hub.offer("live", link("rtsp", "10.0.0.1:5000"),
                        scripted({unit(kVideoTrack, kSlice)}, {video_track(640, 1080)}))
                  .ok());
  EXPECT_EQ(take()->read().status().code(), absl::StatusCode::kResourceExhausted);
}

TEST_F(IngestHubTest, PictureAtTheLimitPasses) {
  hub.add_stream("live", true, PublishRules{.limits = {.max_width = 1280, .max_height = 720}});
  ASSERT_TRUE(hub.offer("live", link("rtsp", "10.0.0.1:5000"),
                        scripted({unit(kVideoTrack, kSlice)}, {video_track(1280, 720)}))
                  .ok());
  EXPECT_TRUE(take()->read().ok());
}

// The SDP or the container may not say the size: the gate reads it from the in-band SPS.
TEST_F(IngestHubTest, PictureSizeFromTheInBandSpsIsLimitedAndReported) {
  hub.add_stream("live", true, PublishRules{.limits = {.max_width = 1280, .max_height = 720}});
  auto first = link("rtsp", "10.0.0.1:5000");
  ASSERT_TRUE(hub.offer("live", first,
                        scripted({unit(kVideoTrack, test_bytes::cat({kSps720, kPpsAndIdr})),
                                  unit(kVideoTrack, kSlice),
                                  unit(kVideoTrack, test_bytes::cat({kSps1080, kPpsAndIdr}))},
                                 {video_track(0, 0)}))
                  .ok());
  auto source = take();
  ASSERT_TRUE(source->read().ok());
  EXPECT_EQ(source->tracks().at(0).width, 1280u);
  EXPECT_EQ(source->tracks().at(0).height, 720u);
  ASSERT_TRUE(source->read().ok());
  auto bigger = source->read();
  EXPECT_EQ(bigger.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(bigger.status().message().find("1920x1080"), std::string_view::npos);
  EXPECT_TRUE(first->ended());
}

// Judged over kBitrateWindow once the session is that old: a keyframe burst at the start passes,
// a window's worth of bytes over the limit does not.
TEST_F(IngestHubTest, BitrateOverTheLimitAcrossTheWindowEndsTheSession) {
  constexpr int64_t kLimitBps = 1'000'000;  // 375,000 bytes per 3 s window
  hub.add_stream("live", true, PublishRules{.limits = {.max_bitrate_bps = kLimitBps}});
  auto first = link("rtmp", "10.0.0.2:6000");
  const auto big = [] { return unit(kAudioTrack, Bytes(1'000'000, 0x55)); };
  ASSERT_TRUE(
      hub.offer("live", first, scripted({big(), unit(kAudioTrack, Bytes(1000, 0x55)), big()}))
          .ok());
  auto source = take();
  ASSERT_TRUE(source->read().ok()) << "8 Mb at once, but the session is younger than the window";
  std::this_thread::sleep_for(kBitrateWindow + std::chrono::milliseconds(100));
  ASSERT_TRUE(source->read().ok()) << "the burst has left the window";
  auto over = source->read();
  EXPECT_EQ(over.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(over.status().message().find("exceeds the limit 1000 kb/s (--ingest_max_bitrate)"),
            std::string_view::npos)
      << over.status();
  EXPECT_TRUE(first->ended());
}

// ---- PushQueue and PushSource ----

class PushSourceTest : public ::testing::Test {
 protected:
  std::shared_ptr<PushQueue> queue = std::make_shared<PushQueue>();
  std::shared_ptr<PublisherLink> publisher = link("rtsp", "10.0.0.1:5000");
  PushSource source{queue,
                    publisher,
                    {video_track(1280, 720)},
                    {0, 0, 0, 1, 0x67},
                    std::chrono::milliseconds(200)};

  // Two video units queued, then `end` ends the session: both are read, then the reason.
  template <typename End>
  void expect_two_units_then(End end, const char* reason) {
    ASSERT_TRUE(queue->push(unit(kVideoTrack, {1}, 0)));
    ASSERT_TRUE(queue->push(unit(kVideoTrack, {2}, 3000)));
    end();
    EXPECT_TRUE(source.read().ok());
    EXPECT_TRUE(source.read().ok());
    EXPECT_EQ(source.read().status(), absl::UnavailableError(reason));
    EXPECT_EQ(source.read().status(), absl::UnavailableError(reason));
  }
};

TEST_F(PushSourceTest, UnitsComeOutInTheOrderPushed) {
  ASSERT_TRUE(queue->push(unit(kVideoTrack, {1}, 0)));
  ASSERT_TRUE(queue->push(unit(kAudioTrack, {2}, 0)));
  ASSERT_TRUE(queue->push(unit(kVideoTrack, {3}, 3000)));
  for (uint8_t want : {1, 2, 3}) {
    auto got = source.read();
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got->data, Bytes{want});
  }
  EXPECT_EQ(source.tracks(), (std::vector<TrackDesc>{video_track(1280, 720)}));
  EXPECT_EQ(source.announced_parameter_sets(), (std::vector<uint8_t>{0, 0, 0, 1, 0x67}));
}

// RTP carries presentation time only; with B-frames it goes back, decode time must not.
TEST_F(PushSourceTest, VideoDecodeTimeNeverGoesBackWithBFrames) {
  for (int64_t pts : {0, 3000, 1000, 2000, 6000})
    ASSERT_TRUE(queue->push(unit(kVideoTrack, {1}, pts)));
  const int64_t want_dts[] = {0, 3000, 3001, 3002, 6000};
  const int64_t want_pts[] = {0, 3000, 1000, 2000, 6000};
  for (size_t i = 0; i < 5; ++i) {
    auto got = source.read();
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->dts, want_dts[i]) << i;
    EXPECT_EQ(got->pts, want_pts[i]) << i;
  }
}

TEST_F(PushSourceTest, AudioTimestampsAreLeftAlone) {
  ASSERT_TRUE(queue->push(unit(kVideoTrack, {1}, 9000)));
  ASSERT_TRUE(queue->push(unit(kAudioTrack, {2}, 100)));
  ASSERT_TRUE(queue->push(unit(kAudioTrack, {3}, 100)));
  ASSERT_TRUE(source.read().ok());
  EXPECT_EQ(source.read()->dts, 100);
  EXPECT_EQ(source.read()->dts, 100);
}

TEST_F(PushSourceTest, ClosedQueueDrainsThenEndsWithTheReason) {
  expect_two_units_then(
      [&] {
        queue->close("publisher sent TEARDOWN");
        queue->close("a later reason is ignored");
      },
      "publisher sent TEARDOWN");
}

TEST_F(PushSourceTest, EndedLinkEndsTheSessionEvenWithUnitsQueued) {
  ASSERT_TRUE(queue->push(unit(kVideoTrack, {1}, 0)));
  publisher->end("taken over by rtmp from 10.0.0.2:6000");
  EXPECT_EQ(source.read().status(),
            absl::UnavailableError("taken over by rtmp from 10.0.0.2:6000"));
}

TEST_F(PushSourceTest, UnitsSentBeforeThePublisherLeftAreStillRead) {
  expect_two_units_then(
      [&] {
        queue->close("the publisher sent TEARDOWN");
        publisher->end_by_publisher("the publisher sent TEARDOWN");
      },
      "the publisher sent TEARDOWN");
}

TEST_F(PushSourceTest, SilentPublisherStalls) {
  ASSERT_TRUE(queue->push(unit(kVideoTrack, {1}, 0)));
  ASSERT_TRUE(source.read().ok());
  const auto start = std::chrono::steady_clock::now();
  auto got = source.read();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
  EXPECT_EQ(got.status(), absl::DeadlineExceededError("publisher stalled: no media for 200 ms"));
}

TEST_F(PushSourceTest, UnitArrivingWithinTheStallTimeoutIsRead) {
  std::thread producer([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(60));
    EXPECT_TRUE(queue->push(unit(kVideoTrack, {7}, 0)));
  });
  auto got = source.read();
  producer.join();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got->data, Bytes{7});
}

TEST(PushQueue, RefusesUnitsBeyondItsLimits) {
  PushQueue queue;
  for (size_t i = 0; i < kMaxPushQueueUnits; ++i) {
    ASSERT_TRUE(queue.push(unit(kVideoTrack, {1}))) << i;
  }
  EXPECT_FALSE(queue.push(unit(kVideoTrack, {1})));
  auto popped = queue.pop(std::chrono::milliseconds(0));
  ASSERT_TRUE(popped.ok());
  ASSERT_TRUE(popped->has_value());
  EXPECT_TRUE(queue.push(unit(kVideoTrack, {1}))) << "room again after one is read";

  PushQueue bytes;
  EXPECT_TRUE(bytes.push(unit(kVideoTrack, Bytes(kMaxPushQueueBytes - 1))));
  EXPECT_TRUE(bytes.push(unit(kVideoTrack, Bytes(1))));
  EXPECT_FALSE(bytes.push(unit(kVideoTrack, Bytes(1))));
}

TEST(PushQueue, PopWithNothingQueuedIsNotAnError) {
  PushQueue queue;
  auto got = queue.pop(std::chrono::milliseconds(0));
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

// An RTSP publisher end to end, minus the sockets: its PushSource offered to the hub, read by the
// runner through the gate, its connection closing.
TEST(IngestHubWithPushSource, PublisherLeavingEndsTheRunnersSession) {
  IngestHub hub;
  hub.add_stream("live", true);
  auto queue = std::make_shared<PushQueue>();
  auto publisher = link("rtsp", "10.0.0.1:5000");
  ASSERT_TRUE(hub.offer("live", publisher,
                        std::make_unique<PushSource>(
                            queue, publisher, std::vector<TrackDesc>{video_track(1280, 720)},
                            std::vector<uint8_t>{}, std::chrono::milliseconds(5000)))
                  .ok());
  std::atomic<bool> stop{false};
  auto source = hub.wait("live", stop, kNoWait);
  ASSERT_TRUE(source.ok()) << source.status();
  ASSERT_TRUE(queue->push(unit(kVideoTrack, kSlice, 0)));
  auto got = (*source)->read();
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got->data, kSlice);
  queue->close("the connection closed");
  EXPECT_EQ((*source)->read().status(), absl::UnavailableError("the connection closed"));
  EXPECT_EQ(publisher->reason(), "the connection closed");
}

}  // namespace
}  // namespace origin
