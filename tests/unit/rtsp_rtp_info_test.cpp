// Tests for the RTP-Info header (RFC 2326 section 12.33) as servers write it, and for the URL
// helpers of the client side (credentials, control URLs, RFC 2326 C.1.1).
#include "rtsp/rtp_info.hpp"

#include <gtest/gtest.h>

#include <string_view>

#include "rtsp/url.hpp"
#include "tests/unit/table_test.hpp"

namespace rtsp {
namespace {

struct Case {
  std::string_view name;
  std::string_view in;
  RtpInfo want;
  std::string_view out = {};  // our canonical serialization; empty: `in` byte for byte
};

const Case kCases[] = {
    {"rfc 2326 12.33 example: seq only, folded after ','",
     "url=rtsp://foo.com/bar.avi/streamid=0;seq=45102,\r\n url=rtsp://foo.com/bar.avi/streamid=1;"
     "seq=30211",
     {{{"rtsp://foo.com/bar.avi/streamid=0", 45102, std::nullopt},
       {"rtsp://foo.com/bar.avi/streamid=1", 30211, std::nullopt}}},
     "url=rtsp://foo.com/bar.avi/streamid=0;seq=45102,url=rtsp://foo.com/bar.avi/streamid=1;"
     "seq=30211"},
    {"hikvision: trailing '/' after the track",
     "url=rtsp://192.168.0.221/Streaming/channels/103/trackID=1/;seq=63478;rtptime=1173688470",
     {{{"rtsp://192.168.0.221/Streaming/channels/103/trackID=1/", 63478, 1173688470}}}},
    {"axis / gst-rtsp-server: ', ' between entries, query in the url",
     "url=rtsp://h/axis-media/media.amp/stream=0?videocodec=h264;seq=18305;rtptime=1708425577, "
     "url=rtsp://h/axis-media/media.amp/stream=1?videocodec=h264;seq=2311;rtptime=1422531245",
     {{{"rtsp://h/axis-media/media.amp/stream=0?videocodec=h264", 18305, 1708425577},
       {"rtsp://h/axis-media/media.amp/stream=1?videocodec=h264", 2311, 1422531245}}},
     "url=rtsp://h/axis-media/media.amp/stream=0?videocodec=h264;seq=18305;rtptime=1708425577,"
     "url=rtsp://h/axis-media/media.amp/stream=1?videocodec=h264;seq=2311;rtptime=1422531245"},
    {"relative url, rtptime only, unknown parameter, upper-case names",
     "URL=trackID=1;RTPTIME=0;ssrc=1234",
     {{{"trackID=1", std::nullopt, 0}}},
     "url=trackID=1;rtptime=0"},
    {"quoted url (RTSP 2.0 style), out-of-range seq dropped",
     R"(url="rtsp://h/x/track1";seq=65536;rtptime=4294967295)",
     {{{"rtsp://h/x/track1", std::nullopt, 4294967295u}}},
     "url=rtsp://h/x/track1;rtptime=4294967295"},
};

TEST(RtpInfo, ParsesRealWorldVariants) {
  rstest::expect_each_parses(kCases, [](const auto& c) { return RtpInfo::parse(c.in); });
}

TEST(RtpInfo, SerializesCanonicallyAndRoundTrips) {
  rstest::expect_each_round_trips(kCases, [](std::string_view out) { return RtpInfo::parse(out); });
}

TEST(RtpInfo, RejectsMalformed) {
  for (std::string_view bad : {"", " , ", "seq=1;rtptime=2", "url=;seq=1", "url=a,seq=3"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(RtpInfo::parse(bad).ok());
  }
}

TEST(ClientUrl, SplitsCredentials) {
  struct C {
    std::string_view in, url;
    std::optional<std::string> user, password;
  };
  for (const C& c : {
           C{"rtsp://cam/live", "rtsp://cam/live", std::nullopt, std::nullopt},
           C{"rtsp://admin:12345@cam:554/x", "rtsp://cam:554/x", "admin", "12345"},
           C{"rtsp://admin:p@ss@cam/x?a=b@c", "rtsp://cam/x?a=b@c", "admin", "p@ss"},
           C{"rtsp://a%3Ab:c%2Fd@cam", "rtsp://cam", "a:b", "c/d"},
           C{"rtsp://user@cam/", "rtsp://cam/", "user", std::nullopt},
           C{"rtsp://cam/path@x", "rtsp://cam/path@x", std::nullopt, std::nullopt},
       }) {
    SCOPED_TRACE(c.in);
    auto got = split_credentials(c.in);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->url, c.url);
    EXPECT_EQ(got->user, c.user);
    EXPECT_EQ(got->password, c.password);
  }
  EXPECT_FALSE(split_credentials("rtsp://a%zz@cam/").ok());
}

TEST(ClientUrl, ResolvesControlUrls) {
  struct C {
    std::string_view name, base, control, want;
  };
  for (const C& c : {
           C{"absolute", "rtsp://h/a/", "rtsp://other/x", "rtsp://other/x"},
           C{"upper-case scheme is absolute", "rtsp://h/a/", "RTSP://h/x", "RTSP://h/x"},
           C{"'*' is the base", "rtsp://h/a/", "*", "rtsp://h/a/"},
           C{"empty is the base", "rtsp://h/a", "", "rtsp://h/a"},
           C{"relative under a base ending in '/'", "rtsp://h/a/", "trackID=0",
             "rtsp://h/a/trackID=0"},
           C{"relative under a base without '/' (ffmpeg, live555)", "rtsp://h/a", "track1",
             "rtsp://h/a/track1"},
           C{"dahua: base ending in '?query/'", "rtsp://h/cam?channel=1&subtype=0/", "trackID=1",
             "rtsp://h/cam?channel=1&subtype=0/trackID=1"},
           C{"onvif: query-only control", "rtsp://h/live/", "?ctype=video",
             "rtsp://h/live/?ctype=video"},
           C{"absolute path", "rtsp://h:8554/a/b/", "/c/d", "rtsp://h:8554/c/d"},
       }) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(resolve_control_url(c.base, c.control), c.want);
  }
}

TEST(ClientUrl, ComparesStreamUrls) {
  EXPECT_TRUE(same_stream_url("rtsp://h/a/trackID=1", "rtsp://h/a/trackID=1/"));
  EXPECT_TRUE(same_stream_url("rtsp://10.0.0.2:554/a/trackID=1", "rtsp://cam.example/a/trackID=1"));
  EXPECT_TRUE(same_stream_url("rtsp://h/a/s=0?q=1", "rtsp://h:554/a/s=0?q=1"));
  EXPECT_FALSE(same_stream_url("rtsp://h/a/trackID=1", "rtsp://h/a/trackID=10"));
  EXPECT_FALSE(same_stream_url("rtsp://h/a/s=0?q=1", "rtsp://h/a/s=0?q=2"));
  EXPECT_TRUE(is_absolute_url("rtsp://h"));
  EXPECT_FALSE(is_absolute_url("trackID=0"));
  EXPECT_FALSE(is_absolute_url("://h"));
  EXPECT_FALSE(is_absolute_url("track?u=rtsp://h"));
}

}  // namespace
}  // namespace rtsp
