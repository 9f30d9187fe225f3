// Source URL and flag value parsing of the origin (origin/source_url.hpp).
#include "origin/source_url.hpp"

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
  for (const auto& c : kGood) {
    SCOPED_TRACE(c.name);
    auto got = SourceUrl::parse(c.in);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, c.want);
  }
}

struct BadCase {
  std::string_view name;
  std::string_view in;
  std::string_view error;
};

const BadCase kBad[] = {
    {"empty", "", "unsupported source '': only test://pattern is available in this build"},
    {"rtsp camera", "rtsp://10.0.0.5/stream1",
     "unsupported source 'rtsp://10.0.0.5/stream1': only test://pattern is available in this "
     "build"},
    {"file", "file:///tmp/a.mp4",
     "unsupported source 'file:///tmp/a.mp4': only test://pattern is available in this build"},
    {"other test source", "test://bars",
     "unsupported source 'test://bars': only test://pattern is available in this build"},
    {"trailing slash", "test://pattern/",
     "unsupported source 'test://pattern/': only test://pattern is available in this build"},
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
  for (const auto& c : kBad) {
    SCOPED_TRACE(c.name);
    auto got = SourceUrl::parse(c.in);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(std::string(got.status().message()), c.error);
  }
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
