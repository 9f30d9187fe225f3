// Wire topics and message decoding (docs/wire.md): versions, foreign topics, stream names.
#include <gtest/gtest.h>

#include "relay/frame_subscriber.hpp"
#include "relay/topic.hpp"

namespace relay {
namespace {

TEST(Topic, RoundTrips) {
  EXPECT_EQ(frame_topic("cam1"), "v1/cam1");
  EXPECT_EQ(info_topic("cam1"), "v1/cam1/info");
  auto frame = parse_topic("v1/cam1");
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->stream, "cam1");
  EXPECT_FALSE(frame->info);
  auto info = parse_topic("v1/cam10/info");
  ASSERT_TRUE(info);
  EXPECT_EQ(info->stream, "cam10");
  EXPECT_TRUE(info->info);
}

TEST(Topic, RejectsForeignTopics) {
  for (std::string_view bad : {"", "v1/", "v2/cam1", "cam1", "v1/a/b", "v1/../x", "v1/cam 1"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(parse_topic(bad));
  }
}

TEST(StreamName, Limits) {
  EXPECT_TRUE(validate_stream_name(std::string(kMaxStreamNameBytes, 'a')).ok());
  EXPECT_FALSE(validate_stream_name(std::string(kMaxStreamNameBytes + 1, 'a')).ok());
  EXPECT_FALSE(validate_stream_name("").ok());
  EXPECT_FALSE(validate_stream_name("..").ok());
  EXPECT_FALSE(validate_stream_name("a/b").ok());
}

std::vector<zmq::message_t> frame_message(const rs::media::FrameHeader& header,
                                          std::string payload) {
  std::vector<zmq::message_t> parts;
  parts.emplace_back(frame_topic(header.stream()));
  parts.emplace_back(header.SerializeAsString());
  parts.emplace_back(payload);
  return parts;
}

rs::media::FrameHeader header_v1() {
  rs::media::FrameHeader h;
  h.set_format_version(rs::media::FORMAT_VERSION_1);
  h.set_stream("cam1");
  h.set_codec(rs::media::CODEC_H264);
  h.set_sequence(42);
  h.set_pts_90k(3000);
  h.set_dts_90k(3000);
  h.set_keyframe(true);
  h.set_capture_time_us(1'700'000'000'000'000);
  h.set_origin_epoch(7);
  return h;
}

TEST(DecodeMessage, FrameRoundTripKeepsPayloadWithoutCopy) {
  // Large enough that ZeroMQ keeps it out of line (small messages are stored inline).
  std::string payload("\x00\x00\x00\x01\x65", 5);
  payload.append(1000, 'x');
  auto parts = frame_message(header_v1(), payload);
  const void* payload_bytes = parts[2].data();
  auto got = decode_message(parts, 123);
  ASSERT_TRUE(got.ok()) << got.status();
  const auto& frame = std::get<media::FramePtr>(*got);
  EXPECT_EQ(frame->stream, "cam1");
  EXPECT_EQ(frame->codec, media::Codec::H264);
  EXPECT_EQ(frame->sequence, 42u);
  EXPECT_EQ(frame->pts_90k, 3000);
  EXPECT_TRUE(frame->keyframe);
  EXPECT_EQ(frame->capture_time_us, 1'700'000'000'000'000);
  EXPECT_EQ(frame->origin_epoch, 7u);
  EXPECT_EQ(frame->received_monotonic_us, 123);
  EXPECT_EQ(frame->payload.size(), payload.size());
  EXPECT_EQ(static_cast<const void*>(frame->payload.data()), payload_bytes);
}

TEST(DecodeMessage, RefusesUnknownMajorVersionWithClearMessage) {
  auto header = header_v1();
  header.set_format_version(2);
  auto parts = frame_message(header, "x");
  auto got = decode_message(parts, 0);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(
      std::string(got.status().message()).find("wire format major version 2 is not supported"),
      std::string::npos)
      << got.status();
}

TEST(DecodeMessage, RejectsMalformed) {
  {
    auto parts = frame_message(header_v1(), "x");
    parts.pop_back();
    EXPECT_FALSE(decode_message(parts, 0).ok()) << "two parts";
  }
  {
    auto parts = frame_message(header_v1(), "x");
    parts[1] = zmq::message_t(std::string("\xff\xff\xff"));
    EXPECT_FALSE(decode_message(parts, 0).ok()) << "garbage header";
  }
  {
    auto header = header_v1();
    header.set_stream("cam2");
    auto parts = frame_message(header, "x");
    parts[0] = zmq::message_t(std::string("v1/cam1"));
    EXPECT_FALSE(decode_message(parts, 0).ok()) << "topic/header mismatch";
  }
  {
    std::vector<zmq::message_t> parts;
    EXPECT_FALSE(decode_message(parts, 0).ok()) << "empty";
  }
}

TEST(DecodeMessage, StreamInfo) {
  rs::media::StreamInfo info;
  info.set_format_version(1);
  info.set_stream("cam1");
  info.set_state(rs::media::STREAM_STATE_DOWN);
  std::vector<zmq::message_t> parts;
  parts.emplace_back(info_topic("cam1"));
  parts.emplace_back(info.SerializeAsString());
  auto got = decode_message(parts, 0);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(std::get<1>(*got)->state(), rs::media::STREAM_STATE_DOWN);
}

}  // namespace
}  // namespace relay
