// rtsp::Url and rtsp::parse_stream_path: request URIs as real clients send them.
#include "rtsp/url.hpp"

#include <gtest/gtest.h>

namespace rtsp {
namespace {

struct PathCase {
  std::string_view name;
  std::string_view uri;
  StreamPath want;
};

const PathCase kPaths[] = {
    {"ffmpeg describe", "rtsp://127.0.0.1:8554/cam1", {"cam1", std::nullopt}},
    {"ffmpeg setup", "rtsp://127.0.0.1:8554/cam1/trackID=0", {"cam1", 0}},
    {"gstreamer content-base slash", "rtsp://127.0.0.1:8554/cam1/", {"cam1", std::nullopt}},
    {"vlc with credentials", "rtsp://user:pw@edge:8554/cam1", {"cam1", std::nullopt}},
    {"query string ignored", "rtsp://edge/cam1?transport=tcp", {"cam1", std::nullopt}},
    {"percent-encoded name", "rtsp://edge/cam%5F1", {"cam_1", std::nullopt}},
    {"second track", "rtsp://[::1]:8554/cam1/trackID=1", {"cam1", 1}},
    {"absolute path form", "/cam1/trackID=0", {"cam1", 0}},
};

TEST(StreamPath, ParsesRealWorldUris) {
  for (const auto& c : kPaths) {
    SCOPED_TRACE(c.name);
    auto url = Url::parse(c.uri);
    ASSERT_TRUE(url.ok()) << url.status();
    auto path = parse_stream_path(url->path);
    ASSERT_TRUE(path.ok()) << path.status();
    EXPECT_EQ(*path, c.want);
  }
}

TEST(Url, SplitsAuthority) {
  auto url = Url::parse("rtsp://user:pw@[::1]:8555/cam1?x=1");
  ASSERT_TRUE(url.ok()) << url.status();
  EXPECT_EQ(url->scheme, "rtsp");
  EXPECT_EQ(url->host, "::1");
  EXPECT_EQ(url->port, 8555);
  EXPECT_EQ(url->path, "/cam1");
  EXPECT_EQ(url->query, "x=1");
}

TEST(Url, RejectsMalformed) {
  for (std::string_view bad : {"cam1", "http://h/cam1", "rtsp://h:0/cam1", "rtsp://h:99999/x",
                               "rtsp://h/%zz", "rtsp://h/%4"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(Url::parse(bad).ok());
  }
}

TEST(StreamPath, RejectsTraversalAndEmpty) {
  for (std::string_view bad :
       {"/", "", "/../etc/passwd", "/cam1/../cam2", "/./cam1", "/a/b/c", "/cam1/trackID=x"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(parse_stream_path(bad).ok());
  }
}

}  // namespace
}  // namespace rtsp
