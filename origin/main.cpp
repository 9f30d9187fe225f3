// rtsp-origin: captures one source, encodes it once and publishes it to edges over ZeroMQ.
// Only wiring lives here; see origin_config.hpp and pattern_stream.hpp.
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

extern "C" {
#include <libavutil/log.h>
}

#include "absl/flags/flag.h"
#include "absl/strings/str_cat.h"
#include "base/cli.hpp"
#include "base/log.hpp"
#include "origin/origin_config.hpp"
#include "origin/pattern_stream.hpp"
#include "relay/frame_publisher.hpp"

ABSL_FLAG(std::string, source, "test://pattern",
          "video source: test://pattern[?size=WxH&fps=N&bitrate=B&gop=N] (parameters override "
          "the flags)");
ABSL_FLAG(std::string, stream, "cam1", "stream name: 1..64 characters of [A-Za-z0-9_.-]");
ABSL_FLAG(std::string, publish, "tcp://127.0.0.1:5556",
          "ZeroMQ endpoint the frame publisher binds (tcp://HOST:PORT or ipc://PATH)");
ABSL_FLAG(std::string, size, "1280x720", "encoded picture size WxH, even numbers in 16..7680");
ABSL_FLAG(std::string, fps, "30", "frames per second, 1..120");
ABSL_FLAG(std::string, bitrate, "2M", "target bitrate in bits per second: 2000000, 2000k or 2M");
ABSL_FLAG(std::string, gop, "30", "keyframe interval in frames, 1..600");
ABSL_FLAG(std::string, x264_preset, "ultrafast", "x264 preset, ultrafast..placebo");
ABSL_FLAG(std::string, log_level, "info", "lowest level logged: debug, info, warn or error");

namespace {

constexpr std::string_view kProgram = "rtsp-origin";
constexpr int kExitRuntimeError = 1;

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
  };
}

}  // namespace

int main(int argc, char** argv) {
  base::parse_flags(argc, argv, kProgram,
                    "publishes one encoded stream to edges over ZeroMQ.\n"
                    "  rtsp-origin --source=test://pattern --stream=cam1 "
                    "--publish=tcp://127.0.0.1:5556",
                    "origin/main.");
  auto config = origin::OriginConfig::from_flags(read_flags());
  if (!config.ok()) base::fail_usage(kProgram, config.status().message());
  base::set_log_level(config->log_level);
  av_log_set_level(config->log_level == base::LogLevel::Debug ? AV_LOG_INFO : AV_LOG_ERROR);

  // SIGINT/SIGTERM are blocked everywhere and taken by one waiter thread, which stops the loop.
  base::block_termination_signals();
  static std::atomic<bool> stop{false};
  std::thread([] {
    base::wait_for_termination();
    stop.store(true);
  }).detach();

  zmq::context_t context;
  relay::PublisherOptions publisher_options;
  publisher_options.endpoint = config->publish;
  auto publisher = relay::FramePublisher::create(context, publisher_options);
  if (!publisher.ok()) base::fail_usage(kProgram, publisher.status().message());

  origin::PatternStreamConfig stream_config{.stream = config->stream,
                                            .encoder = config->encoder,
                                            .origin_epoch = origin::make_origin_epoch()};
  auto stream = origin::PatternStream::create(stream_config, publisher->get());
  if (!stream.ok()) {
    LOG_ERROR("origin", stream.status().message());
    return kExitRuntimeError;
  }
  LOG_INFO("origin", "started: ", config->summary(), " bound ", (*publisher)->bound_endpoint(),
           " epoch ", stream_config.origin_epoch);
  if (absl::Status status = (*stream)->run(stop); !status.ok()) {
    LOG_ERROR("origin", status.message());
    return kExitRuntimeError;
  }
  return 0;
}
