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

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "base/cli.hpp"
#include "base/endpoint.hpp"
#include "base/log.hpp"
#include "cluster/http_server.hpp"
#include "origin/encoder_choice.hpp"
#include "origin/frame_sink.hpp"
#include "origin/ingest.hpp"
#include "origin/origin_config.hpp"
#include "origin/origin_flags.hpp"
#include "origin/origin_metrics.hpp"
#include "origin/origin_registration.hpp"
#include "origin/stream_runner.hpp"
#include "relay/catchup.hpp"
#include "relay/curve.hpp"
#include "relay/publisher_thread.hpp"

namespace {

constexpr std::string_view kProgram = "rtsp-origin";
constexpr std::chrono::milliseconds kStopPoll{50};

}  // namespace

int main(int argc, char** argv) {
  base::parse_flags(argc, argv, kProgram, origin::kUsage, "origin/");
  const origin::ProcessFlags process = origin::read_process_flags();
  if (const std::string& prefix = process.keygen; !prefix.empty()) {
    base::ok_or_exit(kProgram, relay::write_keypair_files(prefix));
    std::printf("wrote %s.key (secret, keep private) and %s.pub\n", prefix.c_str(), prefix.c_str());
    return 0;
  }
  auto config =
      base::value_or_exit(kProgram, origin::OriginConfig::from_flags(origin::read_origin_flags()));
  const auto ingest_settings = base::value_or_exit(
      kProgram, origin::ingest_settings(origin::read_ingest_flags(), config.streams));
  base::set_log_level(config.log_level);
  av_log_set_level(config.log_level == base::LogLevel::Debug ? AV_LOG_INFO : AV_LOG_QUIET);
  avformat_network_init();
  const auto encoder =
      base::value_or_exit(kProgram, origin::choose_encoder(config.encoder), "--encoder");
  uint32_t priority = 0;
  if (!absl::SimpleAtoi(process.priority, &priority) || priority > 1000) {
    base::fail_usage(
        kProgram, absl::StrCat("--priority: \"", process.priority, "\" is not a number 0..1000"));
  }
  for (origin::StreamSettings& stream : config.streams) {
    stream.encoder.encoder = encoder;
    stream.origin_priority = priority;
  }

  // SIGINT/SIGTERM are blocked in every thread and taken by one waiter, which stops the loops.
  const std::atomic<bool>& stop = base::stop_flag_on_termination();

  zmq::context_t context;
  relay::PublisherOptions publisher_options;
  publisher_options.endpoint = config.publish;
  const std::string& catchup = process.catchup;
  publisher_options.catchup_endpoint = catchup == "auto"
                                           ? relay::default_catchup_endpoint(config.publish)
                                       : catchup == "none" ? ""
                                                           : catchup;
  publisher_options.curve_secret_key_file = process.curve_secret_key_file;
  publisher_options.curve_authorized_keys_file = process.curve_authorized_keys_file;
  auto publisher =
      base::value_or_exit(kProgram, relay::PublisherThread::create(context, publisher_options));
  origin::PublisherThreadSink sink(publisher.get());
  const uint64_t epoch = origin::make_origin_epoch();
  LOG_INFO("origin", "started: ", config.streams.size(), " stream(s), bound ",
           publisher->bound_endpoint(), " catch-up ", publisher->bound_catchup_endpoint(),
           " epoch ", epoch);

  std::unique_ptr<cluster::NodeAgent> agent;
  if (!process.coordinator.empty()) {
    agent = base::value_or_exit(kProgram,
                                origin::register_origin({.coordinator = process.coordinator,
                                                         .name = process.name,
                                                         .advertise = process.advertise,
                                                         .token = process.token,
                                                         .tls = process.tls},
                                                        *publisher),
                                "--coordinator");
  }

  auto ingest =
      base::value_or_exit(kProgram, origin::Ingest::start(ingest_settings, config.streams));
  std::vector<std::unique_ptr<origin::StreamRunner>> runners;
  std::vector<std::thread> threads;
  for (const origin::StreamSettings& stream : config.streams) {
    LOG_INFO("origin", origin::OriginConfig::summary(stream));
    runners.push_back(
        std::make_unique<origin::StreamRunner>(stream, &sink, epoch, ingest->opener_for(stream)));
  }
  std::unique_ptr<cluster::HttpServer> http;
  if (!process.http.empty()) {
    const auto where = base::value_or_exit(
        kProgram, base::parse_host_port(process.http, /*allow_zero=*/true), "--http");
    http = base::value_or_exit(
        kProgram,
        cluster::HttpServer::start(where.host, where.port,
                                   cluster::base_routes([&runners, raw = publisher.get()] {
                                     return origin::render_metrics(runners, raw->stats());
                                   })),
        "--http");
  }
  for (auto& runner : runners) threads.emplace_back([&runner, &stop] { runner->run(stop); });
  // Publishers' sessions end when the origin stops, which frees runners reading them.
  std::atomic<bool> runners_done{false};
  std::thread ingest_stopper([&] {
    while (!stop.load() && !runners_done.load()) std::this_thread::sleep_for(kStopPoll);
    ingest->stop();
  });
  for (std::thread& thread : threads) thread.join();
  runners_done.store(true);
  ingest_stopper.join();
  if (http) http->stop();
  if (agent) agent->stop();
  return 0;
}
