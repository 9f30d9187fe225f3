// Source error wording; see av_errors.hpp.
#include "origin/av_errors.hpp"

#include <cerrno>

extern "C" {
#include <libavutil/error.h>
}

#include "base/strings.hpp"

namespace origin {
namespace {

std::string av_text(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof(text));
  return text;
}

}  // namespace

std::string describe_av_error(int code, bool timed_out, SourceKind kind, int64_t timeout_ms) {
  if (timed_out || code == AVERROR(ETIMEDOUT)) {
    return base::cat("timeout: no answer from the source for ", timeout_ms, " ms");
  }
  switch (code) {
    case AVERROR_HTTP_UNAUTHORIZED:
      return "401 unauthorized: the camera refused the user name or password";
    case AVERROR_HTTP_FORBIDDEN:
      return "403 forbidden: the camera refused access to this path";
    case AVERROR_HTTP_NOT_FOUND:
      return "404 not found: the camera has no stream at this path";
    case AVERROR_HTTP_BAD_REQUEST:
      return "400 bad request: the camera rejected our request";
    case AVERROR_HTTP_OTHER_4XX:
      return "4xx: the camera refused the request";
    case AVERROR_HTTP_SERVER_ERROR:
      return "5xx: the camera reported a server error";
    case AVERROR(ECONNREFUSED):
      return "connection refused: nothing listens at the camera's address";
    case AVERROR(EHOSTUNREACH):
    case AVERROR(ENETUNREACH):
      return "host unreachable";
    case AVERROR(ECONNRESET):
    case AVERROR(EPIPE):
      return "connection reset by the source";
    case AVERROR(ENOENT):
      return kind == SourceKind::File ? "file missing" : "not found (no such file or device)";
    case AVERROR(EACCES):
      return "permission denied";
    case AVERROR_EOF:
      return kind == SourceKind::File ? "EOF: end of file" : "EOF: the source closed the stream";
    case AVERROR_INVALIDDATA:
      return "invalid data: the source sent something that is not a media stream";
    case AVERROR_EXIT:
      return "stopped";
    case AVERROR(EIO):
      // What libavformat's RTMP and SRT listeners report when the publisher hangs up.
      return "EOF: the source closed the connection (input/output error)";
    default:
      return base::cat("error: ", av_text(code));
  }
}

std::string describe_camera_error(const absl::Status& status, std::optional<int> rtsp_status,
                                  int64_t timeout_ms) {
  const std::string detail(base::sv(status.message()));
  if (rtsp_status) {
    switch (*rtsp_status) {
      case 401:
        return "401 unauthorized: the camera refused the user name or password";
      case 403:
        return "403 forbidden: the camera refused access to this path";
      case 404:
        return "404 not found: the camera has no stream at this path";
      case 400:
        return "400 bad request: the camera rejected our request";
      default:
        return base::cat(*rtsp_status >= 500 ? "5xx" : "4xx", ": the camera refused the request (",
                         detail, ")");
    }
  }
  if (absl::IsCancelled(status)) return "stopped";
  if (absl::IsDeadlineExceeded(status)) {
    return base::cat("timeout: no answer from the source for ", timeout_ms, " ms");
  }
  if (absl::IsUnauthenticated(status)) {
    return "401 unauthorized: the camera refused the user name or password";
  }
  const auto has = [&](std::string_view s) { return detail.find(s) != std::string::npos; };
  if (has("Connection refused"))
    return "connection refused: nothing listens at the camera's address";
  if (has("No route to host") || has("Network is unreachable")) return "host unreachable";
  if (has("Connection reset") || has("Broken pipe")) return "connection reset by the source";
  if (has("closed the connection")) return "EOF: the source closed the stream";
  if (has("cannot resolve")) return base::cat("host not found: ", detail);
  return base::cat("error: ", detail);
}

}  // namespace origin
