// Source URL and flag value parsing of the origin (origin/source_url.hpp).
#include "origin/source_url.hpp"
#include "tests/unit/table_test.hpp"

#include <gtest/gtest.h>

namespace origin {
namespace {

struct GoodCase {
  std::string_view name;
  std::string_view in;
  SourceUrl want;
};

const GoodCase kGood[] = {
    {"plain pattern", "test://pattern", {}},
    {"empty query", "test://pattern?", {}},
    {"all parameters",
     "test://pattern?size=1920x1080&fps=30&bitrate=4M&gop=30",
     {.size = VideoSize{1920, 1080}, .fps = 30, .bitrate_bps = 4'000'000, .gop_frames = 30}},
    {"bitrate in k", "test://pattern?bitrate=2000k", {.bitrate_bps = 2'000'000}},
    {"bitrate plain", "test://pattern?bitrate=2000000", {.bitrate_bps = 2'000'000}},
    {"smallest size and slowest rate",
     "test://pattern?size=16x16&fps=1&gop=1",
     {.size = VideoSize{16, 16}, .fps = 1, .gop_frames = 1}},
    {"largest size, fastest rate, longest gop",
     "test://pattern?size=7680x7680&fps=120&gop=600",
     {.size = VideoSize{7680, 7680}, .fps = 120, .gop_frames = 600}},
};

TEST(SourceUrl, ParsesTestPatternUrls) {
  rstest::expect_each_parses(kGood, [](const auto& c) { return SourceUrl::parse(c.in); });
}

const rstest::Rejection kBad[] = {
    {"empty", "", "empty source"},
    {"unknown scheme", "gopher://cam/1",
     "unsupported source 'gopher://cam/1': unknown scheme 'gopher' (want rtsp://, rtmp://, "
     "srt://, http(s)://, udp://, file://, test://pattern, webcam:N, v4l2:///dev/videoN, publish: "
     "or a "
     "file path)"},
    {"unknown scheme hides the password", "ftp://admin:secret@cam/1",
     "unsupported source 'ftp://admin:***@cam/1': unknown scheme 'ftp' (want rtsp://, rtmp://, "
     "srt://, http(s)://, udp://, file://, test://pattern, webcam:N, v4l2:///dev/videoN, publish: "
     "or a "
     "file path)"},
    {"rtmp without host", "rtmp:///live/key",
     "bad source 'rtmp:///live/key': no host (want scheme://host[:port]/...)"},
    {"srt with a space", "srt://cam:9000?mode=caller latency=20",
     "bad source 'srt://cam:9000?mode=caller latency=20': spaces or control characters in the "
     "URL"},
    {"rtsp without host", "rtsp://",
     "bad source 'rtsp://': no host (want "
     "rtsp://[user:pass@]host[:port]/path)"},
    {"rtsp with only credentials", "rtsp://u:p@/x",
     "bad source 'rtsp://u:***@/x': no host (want rtsp://[user:pass@]host[:port]/path)"},
    {"rtsp port zero", "rtsp://cam:0/x",
     "bad source 'rtsp://cam:0/x': bad port '0' (want 1..65535)"},
    {"rtsp port text", "rtsp://cam:http/x",
     "bad source 'rtsp://cam:http/x': bad port 'http' (want 1..65535)"},
    {"rtsp unterminated ipv6", "rtsp://[::1/x",
     "bad source 'rtsp://[::1/x': unterminated IPv6 address"},
    {"rtsp space", "rtsp://cam/a b", "bad source 'rtsp://cam/a b': spaces or control characters"},
    {"relative file url", "file://a.mp4", "bad source 'file://a.mp4': want file:///absolute/path"},
    {"webcam name", "webcam:front", "bad source 'webcam:front': want webcam:N with N in 0..63"},
    {"webcam too high", "webcam:64", "bad source 'webcam:64': want webcam:N with N in 0..63"},
    {"v4l2 relative", "v4l2://video0", "bad source 'v4l2://video0': want v4l2:///dev/videoN"},
    {"other test source", "test://bars",
     "bad source 'test://bars': the test source is "
     "test://pattern[?size=WxH&fps=N&bitrate=B&gop=N]"},
    {"trailing slash", "test://pattern/",
     "bad source 'test://pattern/': the test source is "
     "test://pattern[?size=WxH&fps=N&bitrate=B&gop=N]"},
    {"odd width", "test://pattern?size=641x360",
     "source 'test://pattern?size=641x360': bad size '641x360' (want WxH, even numbers in "
     "16..7680)"},
    {"too small", "test://pattern?size=14x14",
     "source 'test://pattern?size=14x14': bad size '14x14' (want WxH, even numbers in 16..7680)"},
    {"too large", "test://pattern?size=7682x720",
     "source 'test://pattern?size=7682x720': bad size '7682x720' (want WxH, even numbers in "
     "16..7680)"},
    {"size with spaces", "test://pattern?size= 640x360",
     "source 'test://pattern?size= 640x360': bad size ' 640x360' (want WxH, even numbers in "
     "16..7680)"},
    {"fps zero", "test://pattern?fps=0",
     "source 'test://pattern?fps=0': bad frame rate '0' (want an integer in 1..120)"},
    {"fps fraction", "test://pattern?fps=29.97",
     "source 'test://pattern?fps=29.97': bad frame rate '29.97' (want an integer in 1..120)"},
    {"fps too high", "test://pattern?fps=121",
     "source 'test://pattern?fps=121': bad frame rate '121' (want an integer in 1..120)"},
    {"bitrate unit unknown", "test://pattern?bitrate=2G",
     "source 'test://pattern?bitrate=2G': bad bitrate '2G' (want bits per second in "
     "16000..200000000, e.g. 2000000, 2000k or 2M)"},
    {"bitrate too low", "test://pattern?bitrate=15k",
     "source 'test://pattern?bitrate=15k': bad bitrate '15k' (want bits per second in "
     "16000..200000000, e.g. 2000000, 2000k or 2M)"},
    {"bitrate negative", "test://pattern?bitrate=-2M",
     "source 'test://pattern?bitrate=-2M': bad bitrate '-2M' (want bits per second in "
     "16000..200000000, e.g. 2000000, 2000k or 2M)"},
    {"gop too long", "test://pattern?gop=601",
     "source 'test://pattern?gop=601': bad GOP '601' (want frames in 1..600)"},
    {"unknown parameter", "test://pattern?foo=1",
     "source 'test://pattern?foo=1': unknown parameter 'foo' (known: size, fps, bitrate, gop)"},
    {"parameter without value", "test://pattern?size",
     "source 'test://pattern?size': bad parameter 'size' (want key=value)"},
    {"empty parameter", "test://pattern?fps=30&&gop=30",
     "source 'test://pattern?fps=30&&gop=30': bad parameter '' (want key=value)"},
    {"parameter twice", "test://pattern?fps=30&fps=25",
     "source 'test://pattern?fps=30&fps=25': parameter 'fps' given twice"},
};

TEST(SourceUrl, RejectsBadUrlsWithExactErrors) {
  rstest::expect_each_rejected(
      kBad, [](std::string_view in) { return SourceUrl::parse(in); }, rstest::ErrorText::Whole);
}

struct KindCase {
  std::string_view name;
  std::string_view in;
  SourceKind kind;
  std::string_view location;
  int webcam_index;
};

const KindCase kKinds[] = {
    {"camera", "rtsp://10.0.0.5/stream1", SourceKind::Rtsp, "rtsp://10.0.0.5/stream1", -1},
    {"camera with credentials, port, query", "rtsp://admin:p%40ss@cam.local:8554/ch1?subtype=0",
     SourceKind::Rtsp, "rtsp://admin:p%40ss@cam.local:8554/ch1?subtype=0", -1},
    {"camera ipv6", "rtsp://[fe80::1]:554/live", SourceKind::Rtsp, "rtsp://[fe80::1]:554/live", -1},
    {"file url", "file:///tmp/a.mp4", SourceKind::File, "/tmp/a.mp4", -1},
    {"plain path", "/srv/clips/lobby.mkv", SourceKind::File, "/srv/clips/lobby.mkv", -1},
    {"relative path", "clips/a.ts", SourceKind::File, "clips/a.ts", -1},
    {"webcam index", "webcam:2", SourceKind::Webcam, "", 2},
    {"v4l2 device", "v4l2:///dev/video0", SourceKind::Webcam, "/dev/video0", -1},
    {"rtmp (OBS, encoders)", "rtmp://10.0.0.9/live/key", SourceKind::Network,
     "rtmp://10.0.0.9/live/key", -1},
    {"srt caller", "srt://10.0.0.9:9000?mode=caller&latency=20000", SourceKind::Network,
     "srt://10.0.0.9:9000?mode=caller&latency=20000", -1},
    {"hls playlist", "https://cdn.example/live/index.m3u8", SourceKind::Network,
     "https://cdn.example/live/index.m3u8", -1},
    {"mpeg-ts over udp", "udp://@239.1.1.1:5000", SourceKind::Network, "udp://@239.1.1.1:5000", -1},
};

TEST(SourceUrl, RecognisesEveryKind) {
  for (const auto& c : kKinds) {
    SCOPED_TRACE(c.name);
    auto got = SourceUrl::parse(c.in);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->kind, c.kind);
    EXPECT_EQ(got->location, c.location);
    EXPECT_EQ(got->webcam_index, c.webcam_index);
  }
}

TEST(SourceUrl, NetworkSourcesNameTheirScheme) {
  EXPECT_EQ(SourceUrl::parse("rtmp://h/live/k")->kind_name(), "rtmp");
  EXPECT_EQ(SourceUrl::parse("srt://h:9000")->kind_name(), "srt");
  EXPECT_EQ(SourceUrl::parse("https://h/x.m3u8")->kind_name(), "https");
  EXPECT_EQ(SourceUrl::parse("rtsp://h/x")->kind_name(), "rtsp");
  EXPECT_EQ(SourceUrl::parse("publish:")->kind, SourceKind::Publish);
  EXPECT_EQ(SourceUrl::parse("publish:")->kind_name(), "publish");
}

TEST(SourceUrl, RedactsPasswords) {
  EXPECT_EQ(redact_source("rtsp://admin:secret@cam/1"), "rtsp://admin:***@cam/1");
  EXPECT_EQ(redact_source("rtsp://admin@cam/1"), "rtsp://admin@cam/1");
  EXPECT_EQ(redact_source("rtsp://cam/a:b@c"), "rtsp://cam/a:b@c");
  EXPECT_EQ(redact_source("/tmp/a:b@c.mp4"), "/tmp/a:b@c.mp4");
}

TEST(SourceUrl, BitrateSuffixes) {
  EXPECT_EQ(parse_bitrate("2M").value(), 2'000'000);
  EXPECT_EQ(parse_bitrate("500k").value(), 500'000);
  EXPECT_EQ(parse_bitrate("500K").value(), 500'000);
  EXPECT_EQ(parse_bitrate("16000").value(), 16'000);
  EXPECT_EQ(parse_bitrate("200M").value(), 200'000'000);
  for (std::string_view bad : {"", "M", "k", "2m", "201M", "1.5M", "2 M", "99999999999999M"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(parse_bitrate(bad).ok());
  }
}

}  // namespace
}  // namespace origin
