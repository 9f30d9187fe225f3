// StreamSettings: everything one stream of the origin needs, validated (from flags for the
// single-stream case, or from one StreamConfig entry of --config).
#pragma once

#include <chrono>
#include <string>

#include "origin/h264_encoder.hpp"
#include "origin/source_url.hpp"

namespace origin {

enum class RtspTransport { Tcp, Udp, UdpMulticast, Auto };

inline constexpr std::chrono::milliseconds kDefaultReconnectInitial{500};
inline constexpr std::chrono::milliseconds kDefaultReconnectMax{30'000};
// No reconnect waits less than this: a source that fails at once cannot make the origin spin.
inline constexpr std::chrono::milliseconds kMinReconnectDelay{100};

struct StreamSettings {
  std::string stream = "cam1";
  std::string source = "test://pattern";  // as given (may hold a password: log redact_source())
  SourceUrl source_url;
  RtspTransport transport = RtspTransport::Tcp;
  bool loop = false;       // files: play forever
  bool transcode = false;  // decode and re-encode H.264/H.265 sources too
  // Size, fps, bitrate, GOP, preset and encoder name ("auto" until main resolves it).
  EncoderConfig encoder;
  std::chrono::milliseconds reconnect_initial = kDefaultReconnectInitial;
  std::chrono::milliseconds reconnect_max = kDefaultReconnectMax;
  // A source silent for this long is declared lost (RTSP socket timeout, demuxer interrupt).
  std::chrono::milliseconds read_timeout{5000};
  // RTMP/SRT ingest (listen_ingest.hpp): the URL is a listening address; open() waits, without
  // a deadline, for one publisher to connect.
  bool listen = false;
  // Hot standby: edges prefer the origin with the lowest value among those live (ADR 016).
  uint32_t origin_priority = 0;

  // True when frames of this stream are encoded here (test pattern, webcam, --transcode).
  // MJPEG and other non-H.26x cameras are transcoded too, but that is only known once connected.
  bool always_encodes() const {
    return transcode || source_url.kind == SourceKind::TestPattern ||
           source_url.kind == SourceKind::Webcam;
  }
};

}  // namespace origin
