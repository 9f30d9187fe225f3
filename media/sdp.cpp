// SDP for RTSP DESCRIBE answers (RFC 8866 section 5), H.264 media per RFC 6184 section 8.2.1.
#include "media/sdp.hpp"

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "media/h264.hpp"

namespace media {
namespace {

std::string base64(const std::vector<uint8_t>& bytes) {
  return absl::Base64Escape(
      absl::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

// RFC 6184 8.1: packetization-mode, profile-level-id and sprop-parameter-sets ("a comma-
// separated list of base64 representations of parameter set NAL units").
std::string fmtp(const SdpVideoH264& video) {
  std::string out = absl::StrCat("a=fmtp:", video.payload_type, " packetization-mode=1");
  if (video.sps.empty()) return out;
  if (video.sps.size() >= 4)
    absl::StrAppend(&out, ";profile-level-id=", h264::profile_level_id(video.sps));
  absl::StrAppend(&out, ";sprop-parameter-sets=", base64(video.sps));
  if (!video.pps.empty()) absl::StrAppend(&out, ",", base64(video.pps));
  return out;
}

void append_video(std::string& out, const SdpVideoH264& video) {
  const uint32_t pt = video.payload_type;
  // RFC 8866 5.14: "m=<media> <port> <proto> <fmt> ..."; the port is chosen by RTSP SETUP.
  absl::StrAppend(&out, "m=video 0 RTP/AVP ", pt, "\r\n");
  // RFC 6184 8.2.1: "The media subtype name ... H264 ... The clock rate ... MUST be 90000."
  absl::StrAppend(&out, "a=rtpmap:", pt, " H264/90000\r\n");
  absl::StrAppend(&out, fmtp(video), "\r\n");
  // StrCat prints doubles with up to six significant digits and no trailing zeros: 30, 29.97.
  if (video.fps > 0) absl::StrAppend(&out, "a=framerate:", video.fps, "\r\n");
  absl::StrAppend(&out, "a=control:", video.control, "\r\n");
}

}  // namespace

std::string build_sdp(const SdpSession& session) {
  // RFC 8866 5: "Some lines in each description are required and some are optional, but all
  // MUST appear in exactly the order given here" (v, o, s, ..., c, ..., t, ..., a, m).
  std::string out =
      absl::StrCat("v=0\r\n", "o=- ", session.session_id, " ", session.session_version, " IN IP4 ",
                   session.origin_address, "\r\n", "s=", session.session_name, "\r\n",
                   "c=IN IP4 0.0.0.0\r\n", "t=0 0\r\n");
  // RFC 2326 C.1.1: "a=control:" at session level gives the aggregate control URL.
  absl::StrAppend(&out, "a=control:", session.base_control, "\r\n", "a=range:npt=now-\r\n");
  for (const auto& video : session.videos) append_video(out, video);
  return out;
}

}  // namespace media
