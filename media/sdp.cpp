// SDP for RTSP DESCRIBE answers (RFC 8866 section 5): H.264 media per RFC 6184 section 8.2.1,
// H.265 per RFC 7798 7.2, AAC per RFC 3640 4.1, G.711 per RFC 3551 6, Opus per RFC 7587 7.
#include "media/sdp.hpp"

#include <variant>

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

// RFC 7798 7.1 (paraphrased): sprop-vps, sprop-sps and sprop-pps are comma-separated lists of
// base64 parameter set NAL units; we send the one parameter set of each kind the stream uses.
void append_track(std::string& out, const SdpVideoH265& video) {
  const uint32_t pt = video.payload_type;
  absl::StrAppend(&out, "m=video 0 RTP/AVP ", pt, "\r\n");
  // RFC 7798 4.1: "A 90 kHz clock rate MUST be used."
  absl::StrAppend(&out, "a=rtpmap:", pt, " H265/90000\r\n");
  std::string params;
  const auto add = [&params](const char* name, const std::vector<uint8_t>& nal) {
    if (nal.empty()) return;
    absl::StrAppend(&params, params.empty() ? "" : ";", name, "=", base64(nal));
  };
  add("sprop-vps", video.vps);
  add("sprop-sps", video.sps);
  add("sprop-pps", video.pps);
  if (!params.empty()) absl::StrAppend(&out, "a=fmtp:", pt, " ", params, "\r\n");
  if (video.fps > 0) absl::StrAppend(&out, "a=framerate:", video.fps, "\r\n");
  absl::StrAppend(&out, "a=control:", video.control, "\r\n");
}

void append_track(std::string& out, const SdpVideoH264& video) {
  append_video(out, video);
}

void append_track(std::string& out, const SdpAudioAac& aac) {
  const uint32_t pt = aac.payload_type;
  absl::StrAppend(&out, "m=audio 0 RTP/AVP ", pt, "\r\n");
  // RFC 3640 4.1 (paraphrased): rtpmap carries mpeg4-generic, the RTP clock rate (for AAC the
  // sampling rate) and the number of channels.
  absl::StrAppend(&out, "a=rtpmap:", pt, " mpeg4-generic/", aac.sample_rate, "/", aac.channels,
                  "\r\n");
  // RFC 3640 3.3.6 (paraphrased): AAC-hbr is streamType 5 with sizeLength 13, indexLength 3
  // and indexDeltaLength 3; config is the AudioSpecificConfig as a hexadecimal octet string.
  absl::StrAppend(&out, "a=fmtp:", pt,
                  " streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;"
                  "indexdeltalength=3");
  if (!aac.config.empty()) {
    absl::StrAppend(&out, ";config=",
                    absl::BytesToHexString(absl::string_view(
                        reinterpret_cast<const char*>(aac.config.data()), aac.config.size())));
  }
  absl::StrAppend(&out, "\r\n", "a=control:", aac.control, "\r\n");
}

// RFC 3551 6, table 4 (paraphrased): PT 0 is PCMU and PT 8 is PCMA, audio, 8000 Hz, 1 channel.
// Static payload types need no rtpmap, but many clients look for one.
void append_track(std::string& out, const SdpAudioPcmu& pcmu) {
  absl::StrAppend(&out, "m=audio 0 RTP/AVP 0\r\n", "a=rtpmap:0 PCMU/8000\r\n",
                  "a=control:", pcmu.control, "\r\n");
}

void append_track(std::string& out, const SdpAudioPcma& pcma) {
  absl::StrAppend(&out, "m=audio 0 RTP/AVP 8\r\n", "a=rtpmap:8 PCMA/8000\r\n",
                  "a=control:", pcma.control, "\r\n");
}

void append_track(std::string& out, const SdpAudioOpus& opus) {
  const uint32_t pt = opus.payload_type;
  absl::StrAppend(&out, "m=audio 0 RTP/AVP ", pt, "\r\n");
  // RFC 7587 7: "The RTP clock rate in "a=rtpmap" MUST be 48000, and the number of channels
  // MUST be 2."
  absl::StrAppend(&out, "a=rtpmap:", pt, " opus/48000/2\r\n");
  // RFC 7587 6.1: "sprop-stereo: specifies whether the sender is likely to produce stereo
  // audio."
  absl::StrAppend(&out, "a=fmtp:", pt, " sprop-stereo=", opus.stereo ? 1 : 0, "\r\n");
  absl::StrAppend(&out, "a=control:", opus.control, "\r\n");
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
  for (const auto& track : session.tracks) {
    std::visit([&out](const auto& t) { append_track(out, t); }, track);
  }
  return out;
}

}  // namespace media
