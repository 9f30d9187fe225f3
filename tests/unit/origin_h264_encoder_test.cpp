// The origin's libx264 encoder (origin/h264_encoder.hpp) and the capture-time SEI on its output:
// parameter sets before every keyframe, a fixed GOP, and a stream FFmpeg's decoder accepts.
#include "origin/h264_encoder.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

extern "C" {
#include <libavcodec/avcodec.h>
}

#include "media/h264.hpp"
#include "media/sei.hpp"
#include "origin/test_pattern.hpp"

namespace origin {
namespace {

constexpr int kWidth = 320;
constexpr int kHeight = 240;
constexpr int kFrames = 40;
constexpr int kGop = 30;
constexpr int64_t kWallUs = 1'790'000'000'000'000;

std::vector<EncodedUnit> encode_pattern(int frames) {
  auto encoder = H264Encoder::create(
      {.width = kWidth, .height = kHeight, .fps = 30, .bitrate_bps = 500'000, .gop_frames = kGop});
  EXPECT_TRUE(encoder.ok()) << encoder.status();
  if (!encoder.ok()) return {};
  EXPECT_EQ((*encoder)->name(), "libx264");
  TestPattern pattern(kWidth, kHeight);
  std::vector<EncodedUnit> units;
  for (int i = 0; i < frames; ++i) {
    auto got = (*encoder)->encode(pattern.render(i, kWallUs + i * 33'333), i);
    EXPECT_TRUE(got.ok()) << got.status();
    for (auto& unit : *got) units.push_back(std::move(unit));
  }
  auto rest = (*encoder)->flush();
  EXPECT_TRUE(rest.ok()) << rest.status();
  for (auto& unit : *rest) units.push_back(std::move(unit));
  return units;
}

std::vector<uint8_t> nal_types(const std::vector<uint8_t>& au) {
  std::vector<uint8_t> types;
  for (auto nal : media::h264::split_annex_b(au)) types.push_back(media::h264::nal_type(nal));
  return types;
}

// Types before the first VCL NAL unit contain SPS (7) then PPS (8), and the picture is IDR (5).
void expect_idr_with_parameter_sets(const EncodedUnit& unit) {
  EXPECT_TRUE(unit.keyframe);
  const std::vector<uint8_t> types = nal_types(unit.annex_b);
  auto sps = std::find(types.begin(), types.end(), 7);
  auto pps = std::find(types.begin(), types.end(), 8);
  auto vcl = std::find_if(types.begin(), types.end(), media::h264::is_vcl);
  ASSERT_NE(sps, types.end());
  ASSERT_NE(pps, types.end());
  ASSERT_NE(vcl, types.end());
  EXPECT_LT(sps, pps);
  EXPECT_LT(pps, vcl);
  EXPECT_EQ(*vcl, 5);
}

struct DecodeResult {
  int frames = 0;
  int errors = 0;
  int width = 0;
  int height = 0;
};

DecodeResult decode_all(const std::vector<std::vector<uint8_t>>& aus) {
  DecodeResult result;
  const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_H264);
  AVCodecContext* ctx = avcodec_alloc_context3(codec);
  ctx->thread_count = 1;
  EXPECT_EQ(avcodec_open2(ctx, codec, nullptr), 0);
  AVPacket* packet = av_packet_alloc();
  AVFrame* frame = av_frame_alloc();
  auto receive = [&] {
    while (avcodec_receive_frame(ctx, frame) == 0) {
      ++result.frames;
      if (frame->decode_error_flags != 0 || (frame->flags & AV_FRAME_FLAG_CORRUPT)) ++result.errors;
      result.width = frame->width;
      result.height = frame->height;
      av_frame_unref(frame);
    }
  };
  for (const auto& au : aus) {
    std::vector<uint8_t> padded(au);
    padded.resize(au.size() + AV_INPUT_BUFFER_PADDING_SIZE, 0);
    packet->data = padded.data();
    packet->size = static_cast<int>(au.size());
    if (avcodec_send_packet(ctx, packet) < 0) ++result.errors;
    receive();
  }
  avcodec_send_packet(ctx, nullptr);
  receive();
  av_frame_free(&frame);
  av_packet_free(&packet);
  avcodec_free_context(&ctx);
  return result;
}

TEST(H264Encoder, ParameterSetsBeforeEveryKeyframe) {
  const std::vector<EncodedUnit> units = encode_pattern(kFrames);
  ASSERT_EQ(units.size(), static_cast<size_t>(kFrames));
  for (int i = 0; i < kFrames; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(units[i].pts, i);
    EXPECT_EQ(units[i].keyframe, i % kGop == 0);  // fixed GOP, no scene cuts
  }
  {
    SCOPED_TRACE("first unit");
    expect_idr_with_parameter_sets(units[0]);
  }
  {
    SCOPED_TRACE("unit 30");
    expect_idr_with_parameter_sets(units[kGop]);
  }
  // No B-frames: every unit is exactly one picture and decoding order is display order.
  for (const auto& unit : units) {
    const std::vector<uint8_t> types = nal_types(unit.annex_b);
    EXPECT_EQ(std::count_if(types.begin(), types.end(), media::h264::is_vcl), 1);
  }
}

TEST(H264Encoder, OutputDecodesWithoutErrors) {
  std::vector<std::vector<uint8_t>> aus;
  for (auto& unit : encode_pattern(kFrames)) aus.push_back(std::move(unit.annex_b));
  const DecodeResult result = decode_all(aus);
  EXPECT_EQ(result.frames, kFrames);
  EXPECT_EQ(result.errors, 0);
  EXPECT_EQ(result.width, kWidth);
  EXPECT_EQ(result.height, kHeight);
}

TEST(H264Encoder, RejectsWrongImageSize) {
  auto encoder = H264Encoder::create({.width = kWidth, .height = kHeight});
  ASSERT_TRUE(encoder.ok()) << encoder.status();
  cv::Mat wrong(kHeight / 2, kWidth / 2, CV_8UC3, cv::Scalar(0, 0, 0));
  EXPECT_FALSE((*encoder)->encode(wrong, 0).ok());
}

TEST(H264Encoder, RejectsUnknownPreset) {
  auto encoder = H264Encoder::create({.width = kWidth, .height = kHeight, .preset = "quick"});
  EXPECT_FALSE(encoder.ok());
}

TEST(CaptureTimeSei, SurvivesInsertionAndDecoding) {
  std::vector<std::vector<uint8_t>> aus;
  int64_t capture_us = kWallUs;
  for (auto& unit : encode_pattern(kFrames)) {
    const std::vector<uint8_t> sei = media::make_capture_time_sei(capture_us);
    std::vector<uint8_t> au = media::insert_before_first_vcl(unit.annex_b, sei);
    ASSERT_EQ(media::find_capture_time(au), capture_us);
    // The SEI sits after the parameter sets and before the picture.
    const std::vector<uint8_t> types = nal_types(au);
    auto vcl = std::find_if(types.begin(), types.end(), media::h264::is_vcl);
    ASSERT_NE(vcl, types.begin());
    EXPECT_EQ(*(vcl - 1), 6);
    aus.push_back(std::move(au));
    capture_us += 33'333;
  }
  const DecodeResult result = decode_all(aus);
  EXPECT_EQ(result.frames, kFrames);
  EXPECT_EQ(result.errors, 0);
}

}  // namespace
}  // namespace origin
