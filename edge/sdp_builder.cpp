// Maps a StreamDescription onto media::build_sdp.
#include "edge/sdp_builder.hpp"

#include "absl/strings/str_cat.h"
#include "base/strings.hpp"
#include "media/sdp.hpp"

namespace edge {

std::string build_sdp(const StreamDescription& description, const std::string& address) {
  media::SdpSession session;
  // o= sess-id: stable per stream and edge process (the SSRC is random per process).
  session.session_id = description.tracks.empty() ? 1 : description.tracks[0].ssrc;
  session.session_version = description.version;
  session.origin_address = address == "0.0.0.0" ? "127.0.0.1" : address;
  session.session_name = description.stream;
  for (const TrackDescription& t : description.tracks) {
    media::SdpVideoH264 video;
    video.payload_type = t.payload_type;
    video.sps = t.sps;
    video.pps = t.pps;
    video.width = t.width;
    video.height = t.height;
    video.fps = t.fps;
    video.control = base::cat("trackID=", t.track);
    session.videos.push_back(std::move(video));
  }
  return media::build_sdp(session);
}

}  // namespace edge
