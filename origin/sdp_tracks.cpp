// SDP media to published tracks (sdp_tracks.hpp).
#include "origin/sdp_tracks.hpp"

#include "absl/strings/escaping.h"
#include "base/strings.hpp"
#include "media/h264.hpp"
#include "media/h265.hpp"
#include "relay/frame_subscriber.hpp"

namespace origin {
namespace {

bool is_video(media::Codec c) {
  return c == media::Codec::H264 || c == media::Codec::H265;
}

// Width and height from the first SPS the SDP announces (0 when none or unreadable).
void size_from_sps(const media::SdpParameterSets& sets, media::Codec codec, TrackDesc& desc) {
  if (sets.sps.empty()) return;
  if (auto size = picture_size(codec, sets.sps.front())) std::tie(desc.width, desc.height) = *size;
}

}  // namespace

std::optional<std::pair<uint32_t, uint32_t>> picture_size(media::Codec codec,
                                                          std::span<const uint8_t> sps) {
  if (codec == media::Codec::H264) {
    if (auto info = media::h264::parse_sps(sps); info.ok()) return {{info->width, info->height}};
  } else if (codec == media::Codec::H265) {
    if (auto info = media::h265::parse_sps(sps); info.ok()) return {{info->width, info->height}};
  }
  return std::nullopt;
}

SdpTracks map_sdp_tracks(const std::vector<std::pair<size_t, const media::SdpMedia*>>& media) {
  SdpTracks out;
  for (const auto& [index, m] : media) {
    const media::Codec codec = media::codec_of(*m);
    if (is_video(codec) && !out.video) {
      out.video = index;
      TrackDesc desc{
          .track = kVideoTrack, .codec = relay::codec_to_wire(codec), .fps = m->framerate};
      if (auto sets = media::parameter_sets_of(*m); sets.ok()) {
        size_from_sps(*sets, codec, desc);
        for (const auto* list : {&sets->vps, &sets->sps, &sets->pps}) {
          for (const auto& nal : *list) {
            out.announced.insert(out.announced.end(), {0, 0, 0, 1});
            out.announced.insert(out.announced.end(), nal.begin(), nal.end());
          }
        }
      }
      out.tracks.insert(out.tracks.begin(), desc);
    } else if (!is_video(codec) && codec != media::Codec::Unknown && !out.audio) {
      out.audio = index;
      TrackDesc desc{.track = kAudioTrack,
                     .codec = relay::codec_to_wire(codec),
                     .clock_rate = m->clock_rate,
                     .channels = m->channels == 0 ? 1 : m->channels};
      if (auto config = m->fmtp_value("config")) {
        desc.audio_config = absl::HexStringToBytes(base::av(*config));
      }
      out.tracks.push_back(desc);
    }
  }
  return out;
}

SourceUnit source_unit_of(receiver::MediaUnit&& unit, uint32_t track) {
  SourceUnit out;
  out.track = track;
  out.data = std::make_shared<std::vector<uint8_t>>(std::move(unit.data));
  out.pts = out.dts = unit.timestamp;
  out.capture_time_us = unit.received_wall_us;
  return out;
}

}  // namespace origin
