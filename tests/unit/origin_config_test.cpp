// Flag validation of rtsp-origin (origin/origin_config.hpp).
#include "origin/origin_config.hpp"

#include <gtest/gtest.h>

namespace origin {
namespace {

TEST(OriginConfig, DefaultsAreValid) {
  auto config = OriginConfig::from_flags(OriginFlags{});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->stream, "cam1");
  EXPECT_EQ(config->publish, "tcp://127.0.0.1:5556");
  EXPECT_EQ(config->encoder.width, 1280);
  EXPECT_EQ(config->encoder.height, 720);
  EXPECT_EQ(config->encoder.fps, 30);
  EXPECT_EQ(config->encoder.bitrate_bps, 2'000'000);
  EXPECT_EQ(config->encoder.gop_frames, 30);
  EXPECT_EQ(config->encoder.preset, "ultrafast");
  EXPECT_EQ(config->log_level, base::LogLevel::Info);
}

TEST(OriginConfig, UrlParametersOverrideFlags) {
  OriginFlags flags;
  flags.source = "test://pattern?size=1920x1080&gop=60";
  flags.size = "640x360";
  flags.fps = "25";
  flags.gop = "25";
  auto config = OriginConfig::from_flags(flags);
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->encoder.width, 1920);
  EXPECT_EQ(config->encoder.height, 1080);
  EXPECT_EQ(config->encoder.fps, 25);
  EXPECT_EQ(config->encoder.gop_frames, 60);
}

struct BadCase {
  std::string_view name;
  OriginFlags flags;
  std::string_view error_prefix;
};

TEST(OriginConfig, EveryBadFlagNamesTheFlag) {
  const BadCase cases[] = {
      {"source", {.source = "rtsp://cam/1"}, "--source: unsupported source 'rtsp://cam/1'"},
      {"stream", {.stream = "a/b"}, "--stream: "},
      {"publish", {.publish = "nonsense"}, "--publish: bad ZeroMQ endpoint 'nonsense'"},
      {"size", {.size = "1x1"}, "--size: bad size '1x1'"},
      {"fps", {.fps = "abc"}, "--fps: bad frame rate 'abc'"},
      {"bitrate", {.bitrate = "fast"}, "--bitrate: bad bitrate 'fast'"},
      {"gop", {.gop = "0"}, "--gop: bad GOP '0'"},
      {"preset", {.x264_preset = "quick"}, "--x264_preset: unknown x264 preset 'quick'"},
      {"log level", {.log_level = "loud"}, "--log_level: bad log level 'loud'"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto got = OriginConfig::from_flags(c.flags);
    ASSERT_FALSE(got.ok());
    const std::string message(got.status().message());
    EXPECT_TRUE(message.starts_with(c.error_prefix)) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos);
  }
}

}  // namespace
}  // namespace origin
