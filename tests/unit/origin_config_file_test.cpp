// --config parsing (origin/config_file.hpp): streams from protobuf text format, flags as defaults,
// and errors with file, line and column.
#include "origin/config_file.hpp"
#include "tests/unit/table_test.hpp"

#include <gtest/gtest.h>

namespace origin {
namespace {

TEST(ConfigFile, ParsesStreamsWithFlagDefaults) {
  OriginFlags defaults;
  defaults.size = "640x360";
  auto got = parse_config_text(R"(
# lobby camera and a looping clip
streams {
  stream: "lobby"
  source: "rtsp://cam.local/ch1"
  source_transport: "udp"
  reconnect_max: "10s"
}
streams { stream: "pattern" source: "test://pattern" size: "320x240" fps: "25" })",
                               "origin.conf", defaults);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 2u);
  EXPECT_EQ((*got)[0].stream, "lobby");
  EXPECT_EQ((*got)[0].source_url.kind, SourceKind::Rtsp);
  EXPECT_EQ((*got)[0].transport, RtspTransport::Udp);
  EXPECT_EQ((*got)[0].reconnect_max, std::chrono::milliseconds(10'000));
  EXPECT_EQ((*got)[0].encoder.width, 640) << "flag default";
  EXPECT_EQ((*got)[1].encoder.width, 320);
  EXPECT_EQ((*got)[1].encoder.fps, 25);
}

TEST(ConfigFile, ErrorsNameFileLineAndColumn) {
  const rstest::Rejection kBad[] = {
      {"syntax", "streams {\n  stream \"a\"\n}", "c.conf:2:10: Expected \":\", found \"\"a\"\"."},
      {"unknown field", "streams {\n  color: 1\n}",
       "c.conf:2:8: Message type \"rs.origin.StreamConfig\" has no field named \"color\"."},
      {"bad value", "streams {\n  stream: \"a\"\n  source: \"test://pattern\"\n  fps: \"0\"\n}",
       "c.conf:4:3: stream 'a': fps: bad frame rate '0' (want an integer in 1..120)"},
      {"bad name", "streams {\n  stream: \"a/b\"\n  source: \"test://pattern\"\n}",
       "c.conf:2:3: stream 'a/b': stream: "},
      {"no name", "streams {\n  source: \"test://pattern\"\n}", "c.conf:1:1: streams[0]: stream: "},
      {"no source", "streams { stream: \"a\" }", "c.conf:1:1: stream 'a': source: required"},
      {"duplicate",
       "streams { stream: \"a\" source: \"test://pattern\" }\n"
       "streams { stream: \"a\" source: \"test://pattern\" }",
       "c.conf:2:11: stream 'a': stream: name used twice"},
      {"no streams", "", "c.conf: no streams (want streams { ... })"},
  };
  rstest::expect_each_rejected(
      kBad,
      [](std::string_view text) {
        return parse_config_text(std::string(text), "c.conf", OriginFlags{});
      },
      rstest::ErrorText::Prefix);
}

}  // namespace
}  // namespace origin
