// One stream's settings from flag values (stream_flags.hpp).
#include "origin/stream_flags.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "base/endpoint.hpp"
#include "base/strings.hpp"
#include "origin/encoder_choice.hpp"
#include "relay/topic.hpp"

namespace origin {
absl::Status flag_error(absl::string_view flag, const absl::Status& status) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", status.message()));
}

absl::Status flag_error(absl::string_view flag, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat("--", flag, ": ", message));
}

namespace {

using base::av;

absl::Status check_preset(const std::string& preset) {
  auto known = [&](const char* name) { return preset == name; };
  if (std::any_of(std::begin(kX264Presets), std::end(kX264Presets), known)) {
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(absl::StrCat("unknown x264 preset '", preset, "' (want one of ",
                                                 absl::StrJoin(kX264Presets, ", "), ")"));
}

// Size, fps, bitrate and GOP from the flags, then overridden by the source URL.
absl::Status fill_encoder(const OriginFlags& flags, StreamSettings& settings) {
  EncoderConfig& e = settings.encoder;
  auto size = parse_video_size(flags.size);
  if (!size.ok()) return flag_error("size", size.status());
  auto fps = parse_fps(flags.fps);
  if (!fps.ok()) return flag_error("fps", fps.status());
  auto bitrate = parse_bitrate(flags.bitrate);
  if (!bitrate.ok()) return flag_error("bitrate", bitrate.status());
  auto gop = parse_gop(flags.gop);
  if (!gop.ok()) return flag_error("gop", gop.status());
  if (absl::Status status = check_preset(flags.x264_preset); !status.ok()) {
    return flag_error("x264_preset", status);
  }
  if (!is_known_encoder(flags.encoder)) {
    return flag_error("encoder", absl::StrCat("unknown encoder '", flags.encoder,
                                              "' (want auto, libx264, h264_vaapi, h264_nvenc or "
                                              "h264_qsv)"));
  }
  const SourceUrl& url = settings.source_url;
  const VideoSize final_size = url.size.value_or(*size);
  e.width = final_size.width;
  e.height = final_size.height;
  e.fps = url.fps.value_or(*fps);
  e.bitrate_bps = url.bitrate_bps.value_or(*bitrate);
  e.gop_frames = url.gop_frames.value_or(*gop);
  e.preset = flags.x264_preset;
  e.encoder = flags.encoder;
  return absl::OkStatus();
}

absl::StatusOr<RtspTransport> parse_transport(std::string_view text) {
  if (text == "tcp") return RtspTransport::Tcp;
  if (text == "udp") return RtspTransport::Udp;
  if (text == "udp_multicast") return RtspTransport::UdpMulticast;
  if (text == "auto") return RtspTransport::Auto;
  return absl::InvalidArgumentError(
      absl::StrCat("bad transport '", av(text), "' (want tcp, udp, udp_multicast or auto)"));
}

absl::StatusOr<std::chrono::milliseconds> parse_delay(std::string_view text) {
  absl::Duration d;
  if (!absl::ParseDuration(av(text), &d) || d < absl::Milliseconds(100) || d > absl::Hours(1)) {
    return absl::InvalidArgumentError(
        absl::StrCat("bad delay '", av(text), "' (want a duration in 100ms..1h, e.g. 0.5s)"));
  }
  return std::chrono::milliseconds(absl::ToInt64Milliseconds(d));
}

absl::Status check_file(const SourceUrl& url) {
  if (url.kind != SourceKind::File) return absl::OkStatus();
  struct stat st {};
  if (::stat(url.location.c_str(), &st) != 0) {
    return absl::NotFoundError(absl::StrCat("file missing: '", url.location, "'"));
  }
  if (!S_ISREG(st.st_mode) || ::access(url.location.c_str(), R_OK) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("'", url.location, "' is not a readable regular file"));
  }
  return absl::OkStatus();
}

absl::Status fill_reconnect(const OriginFlags& flags, StreamSettings& settings) {
  auto initial = parse_delay(flags.reconnect_initial);
  if (!initial.ok()) return flag_error("reconnect_initial", initial.status());
  auto max = parse_delay(flags.reconnect_max);
  if (!max.ok()) return flag_error("reconnect_max", max.status());
  if (*max < *initial) return flag_error("reconnect_max", "must not be below --reconnect_initial");
  settings.reconnect_initial = *initial;
  settings.reconnect_max = *max;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<StreamSettings> stream_from_flags(const OriginFlags& flags) {
  StreamSettings settings;
  auto url = SourceUrl::parse(flags.source);
  if (!url.ok()) return flag_error("source", url.status());
  if (absl::Status status = check_file(*url); !status.ok()) return flag_error("source", status);
  settings.source = flags.source;
  settings.source_url = *url;
  if (absl::Status status = relay::validate_stream_name(flags.stream); !status.ok()) {
    return flag_error("stream", status);
  }
  settings.stream = flags.stream;
  auto transport = parse_transport(flags.source_transport);
  if (!transport.ok()) return flag_error("source_transport", transport.status());
  settings.transport = *transport;
  settings.loop = flags.loop;
  settings.transcode = flags.transcode;
  if (absl::Status status = fill_encoder(flags, settings); !status.ok()) return status;
  if (absl::Status status = fill_reconnect(flags, settings); !status.ok()) return status;
  return settings;
}

}  // namespace origin
