// edge::StreamIngest: what readers see when the origin drops messages or restarts.
#include "edge/stream_ingest.hpp"

#include <gtest/gtest.h>

#include "media/rtp.hpp"

namespace edge {
namespace {

const std::vector<uint8_t> kSps = {0x67, 0x42, 0xc0, 0x1e, 0xda, 0x02,
                                   0x80, 0xbf, 0xe5, 0x84, 0x40};
const std::vector<uint8_t> kPps = {0x68, 0xce, 0x3c, 0x80};

struct Clip {
  std::vector<std::shared_ptr<std::vector<uint8_t>>> storage;

  media::Frame frame(uint64_t seq, bool key, uint64_t epoch = 1, int64_t pts = -1) {
    auto bytes = std::make_shared<std::vector<uint8_t>>();
    auto add = [&](const std::vector<uint8_t>& nal) {
      bytes->insert(bytes->end(), {0, 0, 0, 1});
      bytes->insert(bytes->end(), nal.begin(), nal.end());
    };
    if (key) {
      add(kSps);
      add(kPps);
      add(std::vector<uint8_t>(3000, 0x65));
    } else {
      add(std::vector<uint8_t>(500, 0x41));
    }
    storage.push_back(bytes);
    media::Frame f;
    f.stream = "cam1";
    f.codec = media::Codec::H264;
    f.sequence = seq;
    f.pts_90k = pts >= 0 ? pts : static_cast<int64_t>(seq) * 3000;
    f.dts_90k = f.pts_90k;
    f.keyframe = key;
    f.capture_time_us = 1'000'000 + static_cast<int64_t>(seq) * 33'333;
    f.origin_epoch = epoch;
    f.payload = *bytes;
    return f;
  }
};

std::vector<media::PacketizedFramePtr> frames_of(const std::vector<StreamEvent>& events) {
  std::vector<media::PacketizedFramePtr> out;
  for (const auto& e : events) {
    if (e.kind == StreamEvent::Kind::Frame) out.push_back(e.frame);
  }
  return out;
}

TEST(StreamIngest, WaitsForFirstKeyframeAndDescribesOnce) {
  Clip clip;
  StreamIngest ingest("cam1", 0x1234, 100, 5000);
  std::vector<StreamEvent> events;
  ingest.on_frame(clip.frame(0, false), events);
  EXPECT_TRUE(events.empty()) << "a delta frame before any keyframe is undecodable";
  ingest.on_frame(clip.frame(1, true), events);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, StreamEvent::Kind::Description);
  EXPECT_EQ(events[0].description->tracks.at(0).sps, kSps);
  EXPECT_EQ(events[0].description->tracks.at(0).pps, kPps);
  EXPECT_EQ(events[0].description->tracks.at(0).ssrc, 0x1234u);
  EXPECT_EQ(events[1].kind, StreamEvent::Kind::Frame);
  EXPECT_EQ(events[1].frame->first_sequence, 100);
  EXPECT_EQ(events[1].frame->rtp_timestamp, 5000u);
  events.clear();
  ingest.on_frame(clip.frame(2, false), events);
  ingest.on_frame(clip.frame(3, true), events);
  EXPECT_EQ(frames_of(events).size(), 2u);
  EXPECT_EQ(events.size(), 2u) << "same parameter sets: no new description";
}

TEST(StreamIngest, GapDropsDependentFramesUntilKeyframe) {
  Clip clip;
  StreamIngest ingest("cam1", 1, 0, 0);
  std::vector<StreamEvent> events;
  ingest.on_frame(clip.frame(0, true), events);
  ingest.on_frame(clip.frame(1, false), events);
  ingest.on_frame(clip.frame(4, false), events);  // 2 and 3 lost
  ingest.on_frame(clip.frame(5, false), events);
  ingest.on_frame(clip.frame(6, true), events);
  ingest.on_frame(clip.frame(7, false), events);
  auto frames = frames_of(events);
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_EQ(frames[0]->origin_sequence, 0u);
  EXPECT_EQ(frames[1]->origin_sequence, 1u);
  EXPECT_EQ(frames[2]->origin_sequence, 6u);
  EXPECT_EQ(frames[3]->origin_sequence, 7u);
  EXPECT_EQ(ingest.stats().gaps, 1u);
  EXPECT_EQ(ingest.stats().lost_frames, 2u);
  EXPECT_EQ(ingest.stats().dropped_frames, 2u);
  // RTP sequence numbers stay continuous for readers: nothing was sent for the dropped frames.
  for (size_t i = 1; i < frames.size(); ++i) {
    EXPECT_EQ(frames[i]->first_sequence,
              static_cast<uint16_t>(frames[i - 1]->first_sequence + frames[i - 1]->packet_count()));
  }
}

TEST(StreamIngest, OriginRestartKeepsRtpTimelineContinuous) {
  Clip clip;
  StreamIngest ingest("cam1", 1, 65530, 4'294'960'000u);  // both counters about to wrap
  std::vector<StreamEvent> events;
  for (uint64_t s = 0; s < 3; ++s) ingest.on_frame(clip.frame(s, s == 0, /*epoch=*/1), events);
  // The restarted origin starts again at sequence 0 and pts 0, 10 s of wall clock later.
  media::Frame restarted = clip.frame(0, true, /*epoch=*/2, /*pts=*/0);
  restarted.capture_time_us = 1'000'000 + 2 * 33'333 + 10'000'000;
  ingest.on_frame(restarted, events);
  ingest.on_frame(clip.frame(1, false, 2, 3000), events);
  auto frames = frames_of(events);
  ASSERT_EQ(frames.size(), 5u);
  for (size_t i = 1; i < frames.size(); ++i) {
    SCOPED_TRACE(i);
    const auto step = static_cast<int32_t>(frames[i]->rtp_timestamp - frames[i - 1]->rtp_timestamp);
    EXPECT_GT(step, 0) << "RTP timestamps never go back";
    EXPECT_EQ(frames[i]->first_sequence,
              static_cast<uint16_t>(frames[i - 1]->first_sequence + frames[i - 1]->packet_count()));
  }
  const auto outage = static_cast<int32_t>(frames[3]->rtp_timestamp - frames[2]->rtp_timestamp);
  EXPECT_EQ(outage, 900'000) << "the jump equals the 10 s of wall clock that passed";
  EXPECT_EQ(ingest.stats().epoch_changes, 1u);
  // Every packet carries the same SSRC throughout.
  for (const auto& f : frames) {
    auto header = media::RtpHeader::parse(f->packet(0));
    ASSERT_TRUE(header.ok());
    EXPECT_EQ(header->ssrc, 1u);
  }
}

TEST(StreamIngest, DownInfoBecomesDownEvent) {
  StreamIngest ingest("cam1", 1, 0, 0);
  rs::media::StreamInfo info;
  info.set_stream("cam1");
  info.set_state(rs::media::STREAM_STATE_DOWN);
  std::vector<StreamEvent> events;
  ingest.on_info(info, events);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, StreamEvent::Kind::Down);
}

}  // namespace
}  // namespace edge
