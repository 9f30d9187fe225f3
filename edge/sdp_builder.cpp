// Maps a StreamDescription onto media::build_sdp, one m= line per track.
#include "edge/sdp_builder.hpp"

#include "base/strings.hpp"
#include "media/sdp.hpp"

namespace edge {
namespace {

media::SdpTrack sdp_track(const TrackDescription& t) {
  const std::string control = base::cat("trackID=", t.track);
  switch (t.codec) {
    case media::Codec::H265:
      return media::SdpVideoH265{.payload_type = t.payload_type,
                                 .vps = t.vps,
                                 .sps = t.sps,
                                 .pps = t.pps,
                                 .fps = t.fps,
                                 .control = control};
    case media::Codec::Aac:
      return media::SdpAudioAac{.payload_type = t.payload_type,
                                .sample_rate = t.clock_rate,
                                .channels = t.channels ? t.channels : 1,
                                .config = t.audio_config,
                                .control = control};
    case media::Codec::Pcmu:
      return media::SdpAudioPcmu{.control = control};
    case media::Codec::Pcma:
      return media::SdpAudioPcma{.control = control};
    case media::Codec::Opus:
      return media::SdpAudioOpus{
          .payload_type = t.payload_type, .stereo = t.channels == 2, .control = control};
    default:
      return media::SdpVideoH264{.payload_type = t.payload_type,
                                 .sps = t.sps,
                                 .pps = t.pps,
                                 .width = t.width,
                                 .height = t.height,
                                 .fps = t.fps,
                                 .control = control};
  }
}

}  // namespace

std::string build_sdp(const StreamDescription& description, const std::string& address) {
  media::SdpSession session;
  // o= sess-id: stable per stream and edge process (the SSRC is random per process).
  session.session_id = description.tracks.empty() ? 1 : description.tracks[0].ssrc;
  session.session_version = description.version;
  session.origin_address = address == "0.0.0.0" ? "127.0.0.1" : address;
  session.session_name = description.stream;
  for (const TrackDescription& t : description.tracks) session.tracks.push_back(sdp_track(t));
  return media::build_sdp(session);
}

}  // namespace edge
