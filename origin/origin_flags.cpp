// The flags of rtsp-origin (origin_flags.hpp).
#include "origin/origin_flags.hpp"

#include "absl/flags/flag.h"

ABSL_FLAG(std::string, source, "test://pattern",
          "source: rtsp://[user:pass@]host[:port]/path, a file path or file:///path (MP4/MKV/TS), "
          "test://pattern[?size=WxH&fps=N&bitrate=B&gop=N], webcam:N or v4l2:///dev/videoN");
ABSL_FLAG(std::string, stream, "cam1", "stream name: 1..64 characters of [A-Za-z0-9_.-]");
ABSL_FLAG(std::string, publish, "tcp://127.0.0.1:5556",
          "ZeroMQ endpoint the frame publisher binds (tcp://HOST:PORT or ipc://PATH)");
ABSL_FLAG(std::string, source_transport, "tcp",
          "RTSP sources: tcp (interleaved), udp, udp_multicast or auto (UDP, then TCP)");
ABSL_FLAG(bool, loop, false, "file sources: play forever, the timeline increasing across loops");
ABSL_FLAG(bool, transcode, false,
          "decode and re-encode H.264/H.265 cameras too (MJPEG cameras always are)");
ABSL_FLAG(std::string, encoder, "auto",
          "H.264 encoder for encoded sources: auto (hardware if one opens, else libx264), "
          "libx264, h264_vaapi, h264_nvenc or h264_qsv");
ABSL_FLAG(std::string, size, "1280x720", "encoded picture size WxH, even numbers in 16..7680");
ABSL_FLAG(std::string, fps, "30", "encoded frames per second, 1..120");
ABSL_FLAG(std::string, bitrate, "2M", "target bitrate in bits per second: 2000000, 2000k or 2M");
ABSL_FLAG(std::string, gop, "30", "keyframe interval in frames, 1..600");
ABSL_FLAG(std::string, x264_preset, "ultrafast", "x264 preset, ultrafast..placebo");
ABSL_FLAG(std::string, reconnect_initial, "0.5s", "first reconnect delay ceiling (doubles)");
ABSL_FLAG(std::string, reconnect_max, "30s", "largest reconnect delay ceiling");
ABSL_FLAG(std::string, config, "",
          "protobuf text file listing several streams (proto/origin_config.proto); replaces "
          "--source/--stream, other flags are the defaults");
ABSL_FLAG(std::string, catchup, "auto",
          "ZeroMQ ROUTER endpoint answering edges' catch-up requests (current GOP); 'auto' = the "
          "--publish port + 1 (what edges expect), 'none' = off");
ABSL_FLAG(std::string, keygen, "",
          "Write a new CURVE key pair to PREFIX.key and PREFIX.pub, then exit");
ABSL_FLAG(std::string, coordinator, "",
          "Coordinator HOST:PORT to register with (gRPC); empty: none");
ABSL_FLAG(std::string, priority, "0",
          "hot standby: edges take a stream from the live origin with the lowest priority, "
          "0..1000 (run a standby of the same stream with 1)");
ABSL_FLAG(std::string, name, "", "Node name at the coordinator (default: origin-<publish port>)");
ABSL_FLAG(std::string, advertise, "",
          "ZeroMQ endpoint edges should connect to (default: the bound --publish endpoint)");
ABSL_FLAG(std::string, token, "", "Shared registration token for the coordinator");
ABSL_FLAG(std::string, http, "",
          "HTTP address for /metrics and /healthz, e.g. 127.0.0.1:9102 or [::]:9102 (empty: off)");
ABSL_FLAG(std::string, tls_cert, "", "TLS client certificate for the coordinator link");
ABSL_FLAG(std::string, tls_key, "", "TLS client key for the coordinator link");
ABSL_FLAG(std::string, tls_ca, "", "CA that signed the coordinator's certificate");
ABSL_FLAG(std::string, curve_secret_key_file, "",
          "CURVE: this origin's secret key file (docs/security.md); empty: no encryption");
ABSL_FLAG(std::string, curve_authorized_keys_file, "",
          "CURVE: file listing the edge public keys allowed to subscribe, one Z85 key per line");
ABSL_FLAG(std::string, ingest_rtsp, "",
          "host:port taking RTSP publishers (ANNOUNCE/RECORD) for streams whose source is "
          "publish: (e.g. 0.0.0.0:8654); empty: off");
ABSL_FLAG(std::string, ingest_rtmp, "",
          "host:port taking one RTMP publisher (OBS, ffmpeg -f flv) for the publish: stream");
ABSL_FLAG(
    std::string, ingest_srt, "",
    "host:port taking one SRT publisher (ffmpeg -f mpegts srt://...) for the publish: stream");
ABSL_FLAG(std::string, ingest_auth_file, "",
          "who may publish: the edge's auth file format with 'publish <stream> <user>...' lines");
ABSL_FLAG(bool, ingest_takeover, false,
          "a new publisher replaces the stream's current one (default: it is refused with 409)");
ABSL_FLAG(std::string, ingest_max_bitrate, "100M",
          "publishers sending more (over 3 s) are dropped: 2000000, 2000k or 2M; 0: no limit");
ABSL_FLAG(std::string, ingest_max_size, "3840x2160",
          "publishers with a larger picture are dropped: WxH");
ABSL_FLAG(std::string, ingest_timeout, "5s",
          "a publisher that sends no media for this long is dropped (source offline)");
ABSL_FLAG(std::string, log_level, "info", "lowest level logged: debug, info, warn or error");

namespace origin {

OriginFlags read_origin_flags() {
  return OriginFlags{
      .source = absl::GetFlag(FLAGS_source),
      .stream = absl::GetFlag(FLAGS_stream),
      .publish = absl::GetFlag(FLAGS_publish),
      .size = absl::GetFlag(FLAGS_size),
      .fps = absl::GetFlag(FLAGS_fps),
      .bitrate = absl::GetFlag(FLAGS_bitrate),
      .gop = absl::GetFlag(FLAGS_gop),
      .x264_preset = absl::GetFlag(FLAGS_x264_preset),
      .log_level = absl::GetFlag(FLAGS_log_level),
      .source_transport = absl::GetFlag(FLAGS_source_transport),
      .loop = absl::GetFlag(FLAGS_loop),
      .transcode = absl::GetFlag(FLAGS_transcode),
      .encoder = absl::GetFlag(FLAGS_encoder),
      .reconnect_initial = absl::GetFlag(FLAGS_reconnect_initial),
      .reconnect_max = absl::GetFlag(FLAGS_reconnect_max),
      .config = absl::GetFlag(FLAGS_config),
  };
}

IngestFlags read_ingest_flags() {
  return IngestFlags{
      .rtsp = absl::GetFlag(FLAGS_ingest_rtsp),
      .rtmp = absl::GetFlag(FLAGS_ingest_rtmp),
      .srt = absl::GetFlag(FLAGS_ingest_srt),
      .auth_file = absl::GetFlag(FLAGS_ingest_auth_file),
      .takeover = absl::GetFlag(FLAGS_ingest_takeover),
      .max_bitrate = absl::GetFlag(FLAGS_ingest_max_bitrate),
      .max_size = absl::GetFlag(FLAGS_ingest_max_size),
      .timeout = absl::GetFlag(FLAGS_ingest_timeout),
  };
}

ProcessFlags read_process_flags() {
  return ProcessFlags{
      .catchup = absl::GetFlag(FLAGS_catchup),
      .keygen = absl::GetFlag(FLAGS_keygen),
      .coordinator = absl::GetFlag(FLAGS_coordinator),
      .priority = absl::GetFlag(FLAGS_priority),
      .name = absl::GetFlag(FLAGS_name),
      .advertise = absl::GetFlag(FLAGS_advertise),
      .token = absl::GetFlag(FLAGS_token),
      .http = absl::GetFlag(FLAGS_http),
      .tls = {.cert_file = absl::GetFlag(FLAGS_tls_cert),
              .key_file = absl::GetFlag(FLAGS_tls_key),
              .ca_file = absl::GetFlag(FLAGS_tls_ca)},
      .curve_secret_key_file = absl::GetFlag(FLAGS_curve_secret_key_file),
      .curve_authorized_keys_file = absl::GetFlag(FLAGS_curve_authorized_keys_file),
  };
}

}  // namespace origin
