// Flag validation of rtsp-origin (origin/origin_config.hpp).
#include "origin/origin_config.hpp"

#include <gtest/gtest.h>

namespace origin {
namespace {

TEST(OriginConfig, DefaultsAreValid) {
  auto config = OriginConfig::from_flags(OriginFlags{});
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->streams.size(), 1u);
  const StreamSettings& s = config->streams[0];
  EXPECT_EQ(s.stream, "cam1");
  EXPECT_EQ(config->publish, "tcp://127.0.0.1:5556");
  EXPECT_EQ(s.encoder.width, 1280);
  EXPECT_EQ(s.encoder.height, 720);
  EXPECT_EQ(s.encoder.fps, 30);
  EXPECT_EQ(s.encoder.bitrate_bps, 2'000'000);
  EXPECT_EQ(s.encoder.gop_frames, 30);
  EXPECT_EQ(s.encoder.preset, "ultrafast");
  EXPECT_EQ(s.encoder.encoder, "auto");
  EXPECT_EQ(s.transport, RtspTransport::Tcp);
  EXPECT_EQ(s.reconnect_initial, std::chrono::milliseconds(500));
  EXPECT_EQ(s.reconnect_max, std::chrono::milliseconds(30'000));
  EXPECT_FALSE(s.loop);
  EXPECT_FALSE(s.transcode);
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
  const EncoderConfig& e = config->streams.at(0).encoder;
  EXPECT_EQ(e.width, 1920);
  EXPECT_EQ(e.height, 1080);
  EXPECT_EQ(e.fps, 25);
  EXPECT_EQ(e.gop_frames, 60);
}

struct BadCase {
  std::string_view name;
  OriginFlags flags;
  std::string_view error_prefix;
};

TEST(OriginConfig, EveryBadFlagNamesTheFlag) {
  const BadCase cases[] = {
      {"source", {.source = "ftp://cam/1"}, "--source: unsupported source 'ftp://cam/1'"},
      {"missing file", {.source = "/no/such.mp4"}, "--source: file missing: '/no/such.mp4'"},
      {"transport", {.source_transport = "sctp"}, "--source_transport: bad transport 'sctp'"},
      {"encoder", {.encoder = "x265"}, "--encoder: unknown encoder 'x265'"},
      {"reconnect initial", {.reconnect_initial = "1ms"}, "--reconnect_initial: bad delay '1ms'"},
      {"reconnect max below initial",
       {.reconnect_initial = "5s", .reconnect_max = "1s"},
       "--reconnect_max: must not be below --reconnect_initial"},
      {"config missing", {.config = "/no/such.conf"}, "--config: cannot read '/no/such.conf'"},
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
