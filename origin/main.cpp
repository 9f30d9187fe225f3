// rtsp-origin: captures its sources (cameras, files, the test pattern, webcams), passes
// H.264/H.265 through or encodes once, and publishes every stream to edges over ZeroMQ.
// Only wiring lives here; see origin_config.hpp and stream_runner.hpp.
#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/log.h>
}

#include "absl/flags/flag.h"
#include "base/cli.hpp"
#include "base/log.hpp"
#include "origin/encoder_choice.hpp"
#include "origin/frame_sink.hpp"
#include "origin/origin_config.hpp"
#include "origin/origin_registration.hpp"
#include "origin/stream_runner.hpp"
#include "relay/catchup.hpp"
#include "relay/curve.hpp"
#include "relay/publisher_thread.hpp"

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
ABSL_FLAG(std::string, name, "", "Node name at the coordinator (default: origin-<publish port>)");
ABSL_FLAG(std::string, advertise, "",
          "ZeroMQ endpoint edges should connect to (default: the bound --publish endpoint)");
ABSL_FLAG(std::string, token, "", "Shared registration token for the coordinator");
ABSL_FLAG(std::string, tls_cert, "", "TLS client certificate for the coordinator link");
ABSL_FLAG(std::string, tls_key, "", "TLS client key for the coordinator link");
ABSL_FLAG(std::string, tls_ca, "", "CA that signed the coordinator's certificate");
ABSL_FLAG(std::string, curve_secret_key_file, "",
          "CURVE: this origin's secret key file (docs/security.md); empty: no encryption");
ABSL_FLAG(std::string, curve_authorized_keys_file, "",
          "CURVE: file listing the edge public keys allowed to subscribe, one Z85 key per line");
ABSL_FLAG(std::string, log_level, "info", "lowest level logged: debug, info, warn or error");

namespace {

constexpr std::string_view kProgram = "rtsp-origin";

origin::OriginFlags read_flags() {
  return origin::OriginFlags{
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

}  // namespace

int main(int argc, char** argv) {
  base::parse_flags(argc, argv, kProgram,
                    "publishes streams to edges over ZeroMQ, passing camera H.264/H.265 through "
                    "or encoding once.\n"
                    "  rtsp-origin --source=rtsp://user:pass@camera/stream1 --stream=cam1 "
                    "--publish=tcp://127.0.0.1:5556",
                    "origin/main.");
  if (const std::string prefix = absl::GetFlag(FLAGS_keygen); !prefix.empty()) {
    if (auto st = relay::write_keypair_files(prefix); !st.ok())
      base::fail_usage(kProgram, st.message());
    std::printf("wrote %s.key (secret, keep private) and %s.pub\n", prefix.c_str(), prefix.c_str());
    return 0;
  }
  auto config = origin::OriginConfig::from_flags(read_flags());
  if (!config.ok()) base::fail_usage(kProgram, config.status().message());
  base::set_log_level(config->log_level);
  av_log_set_level(config->log_level == base::LogLevel::Debug ? AV_LOG_INFO : AV_LOG_QUIET);
  avformat_network_init();
  auto encoder = origin::choose_encoder(config->encoder);
  if (!encoder.ok())
    base::fail_usage(kProgram, absl::StrCat("--encoder: ", encoder.status().message()));
  for (origin::StreamSettings& stream : config->streams) stream.encoder.encoder = *encoder;

  // SIGINT/SIGTERM are blocked everywhere and taken by one waiter thread, which stops the loops.
  base::block_termination_signals();
  static std::atomic<bool> stop{false};
  std::thread([] {
    base::wait_for_termination();
    stop.store(true);
  }).detach();

  zmq::context_t context;
  relay::PublisherOptions publisher_options;
  publisher_options.endpoint = config->publish;
  const std::string catchup = absl::GetFlag(FLAGS_catchup);
  publisher_options.catchup_endpoint = catchup == "auto"
                                           ? relay::default_catchup_endpoint(config->publish)
                                       : catchup == "none" ? ""
                                                           : catchup;
  publisher_options.curve_secret_key_file = absl::GetFlag(FLAGS_curve_secret_key_file);
  publisher_options.curve_authorized_keys_file = absl::GetFlag(FLAGS_curve_authorized_keys_file);
  auto publisher = relay::PublisherThread::create(context, publisher_options);
  if (!publisher.ok()) base::fail_usage(kProgram, publisher.status().message());
  origin::PublisherThreadSink sink(publisher->get());
  const uint64_t epoch = origin::make_origin_epoch();
  LOG_INFO("origin", "started: ", config->streams.size(), " stream(s), bound ",
           (*publisher)->bound_endpoint(), " catch-up ", (*publisher)->bound_catchup_endpoint(),
           " epoch ", epoch);

  std::unique_ptr<cluster::NodeAgent> agent;
  if (const std::string coordinator = absl::GetFlag(FLAGS_coordinator); !coordinator.empty()) {
    auto registered = origin::register_origin({.coordinator = coordinator,
                                               .name = absl::GetFlag(FLAGS_name),
                                               .advertise = absl::GetFlag(FLAGS_advertise),
                                               .token = absl::GetFlag(FLAGS_token),
                                               .tls = {.cert_file = absl::GetFlag(FLAGS_tls_cert),
                                                       .key_file = absl::GetFlag(FLAGS_tls_key),
                                                       .ca_file = absl::GetFlag(FLAGS_tls_ca)}},
                                              **publisher);
    if (!registered.ok())
      base::fail_usage(kProgram, absl::StrCat("--coordinator: ", registered.status().message()));
    agent = *std::move(registered);
  }

  std::vector<std::unique_ptr<origin::StreamRunner>> runners;
  std::vector<std::thread> threads;
  for (const origin::StreamSettings& stream : config->streams) {
    LOG_INFO("origin", origin::OriginConfig::summary(stream));
    runners.push_back(std::make_unique<origin::StreamRunner>(stream, &sink, epoch));
  }
  for (auto& runner : runners) threads.emplace_back([&runner] { runner->run(stop); });
  for (std::thread& thread : threads) thread.join();
  if (agent) agent->stop();
  return 0;
}
