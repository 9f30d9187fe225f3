// Source error wording (origin/av_errors.hpp): one specific reason per failure.
#include "origin/av_errors.hpp"

#include <gtest/gtest.h>

extern "C" {
#include <libavutil/error.h>
}

namespace origin {
namespace {

struct Case {
  const char* name;
  int code;
  bool timed_out;
  SourceKind kind;
  const char* starts_with;
};

TEST(AvErrors, EachFailureHasASpecificReason) {
  const Case cases[] = {
      {"401", AVERROR_HTTP_UNAUTHORIZED, false, SourceKind::Rtsp, "401 unauthorized"},
      {"403", AVERROR_HTTP_FORBIDDEN, false, SourceKind::Rtsp, "403 forbidden"},
      {"404", AVERROR_HTTP_NOT_FOUND, false, SourceKind::Rtsp, "404 not found"},
      {"5xx", AVERROR_HTTP_SERVER_ERROR, false, SourceKind::Rtsp, "5xx"},
      {"refused", AVERROR(ECONNREFUSED), false, SourceKind::Rtsp, "connection refused"},
      {"socket timeout", AVERROR(ETIMEDOUT), false, SourceKind::Rtsp, "timeout: no answer"},
      {"our deadline", AVERROR_EXIT, true, SourceKind::Rtsp,
       "timeout: no answer from the source for 5000 ms"},
      {"camera eof", AVERROR_EOF, false, SourceKind::Rtsp, "EOF: the source closed the stream"},
      {"file eof", AVERROR_EOF, false, SourceKind::File, "EOF: end of file"},
      {"file missing", AVERROR(ENOENT), false, SourceKind::File, "file missing"},
      {"garbage", AVERROR_INVALIDDATA, false, SourceKind::File, "invalid data"},
      {"other", AVERROR(ENOMEM), false, SourceKind::Rtsp, "error: "},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string got = describe_av_error(c.code, c.timed_out, c.kind, 5000);
    EXPECT_TRUE(got.starts_with(c.starts_with)) << got;
  }
}

}  // namespace
}  // namespace origin
