// rtsp-bench: N concurrent RTSP readers against one URL; reports delivery, loss, latency and
// the server's CPU and RSS. Wiring only: the work is in worker.cpp, reader.cpp, report.cpp.
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>

#include "base/cli.hpp"
#include "base/clock.hpp"
#include "bench/rtsp_bench/bench_options.hpp"
#include "bench/rtsp_bench/origin_probe.hpp"
#include "bench/rtsp_bench/proc_sampler.hpp"
#include "bench/rtsp_bench/report.hpp"
#include "bench/rtsp_bench/worker.hpp"

namespace {

std::atomic<bool> g_stop{false};

void on_signal(int) {
  g_stop = true;
}

void raise_fd_limit(size_t needed) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  if (limit.rlim_cur < needed) {
    std::fprintf(stderr, "rtsp-bench: warning: RLIMIT_NOFILE %llu < %zu descriptors needed\n",
                 static_cast<unsigned long long>(limit.rlim_cur), needed);
  }
}

}  // namespace

int main(int argc, char** argv) {
  base::parse_flags(argc, argv, "rtsp-bench",
                    "N concurrent RTSP readers; reports Mb/s, loss, latency, time to first "
                    "keyframe and the server's CPU and RSS.\n"
                    "  rtsp-bench --url=rtsp://127.0.0.1:8554/cam1 --readers=200 "
                    "--transport=tcp --duration=20s --server_pid=1234 --json=out.json",
                    "bench/rtsp_bench/");
  auto parsed = rtsp_bench::options_from_flags();
  if (!parsed.ok()) base::fail_usage("rtsp-bench", parsed.status().message());
  const rtsp_bench::BenchOptions options = *parsed;
  raise_fd_limit(options.readers * (options.udp ? 3 : 1) + 64);
  ::signal(SIGPIPE, SIG_IGN);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);

  std::unique_ptr<rtsp_bench::OriginProbe> probe;
  if (!options.origin_zmq.empty()) {
    probe = std::make_unique<rtsp_bench::OriginProbe>(options.origin_zmq, options.stream);
    probe->start();
  }
  rtsp_bench::ProcSampler server(options.server_pids);
  rtsp_bench::ProcSampler self({::getpid()});
  rtsp_bench::RunInputs inputs;
  inputs.options = &options;
  const int64_t t0 = base::monotonic_us() + 200'000;
  if (!options.server_pids.empty()) {
    if (auto s = server.sample(base::monotonic_us())) {
      inputs.server.push_back(*s);
    } else {
      base::fail_usage("rtsp-bench", "--server_pid: cannot read /proc for that process");
    }
  }
  self.sample(base::monotonic_us());
  inputs.wall_minus_mono_us = base::wall_clock_us() - base::monotonic_us();
  inputs.window_start_mono_us = t0 + options.ramp_us + options.warmup_us;
  inputs.window_end_mono_us = inputs.window_start_mono_us + options.duration_us;

  std::vector<std::vector<rtsp_bench::Worker::Plan>> plans(options.threads);
  for (size_t i = 0; i < options.readers; ++i) {
    const int64_t offset =
        static_cast<int64_t>(static_cast<double>(options.ramp_us) * static_cast<double>(i) /
                             static_cast<double>(options.readers));
    plans[i % options.threads].push_back({i, i < options.slow_readers, t0 + offset});
  }
  std::atomic<uint32_t> next_udp_port{options.udp_base_port};
  std::vector<std::unique_ptr<rtsp_bench::Worker>> workers;
  for (auto& plan : plans) {
    workers.push_back(
        std::make_unique<rtsp_bench::Worker>(options, std::move(plan), inputs.window_start_mono_us,
                                             inputs.window_end_mono_us, &next_udp_port, &g_stop));
  }
  for (auto& w : workers) w->start();

  int64_t next_sample = t0 + 1'000'000;
  int64_t next_progress = t0 + 5'000'000;
  while (!g_stop) {
    const int64_t now = base::monotonic_us();
    if (now >= inputs.window_end_mono_us + 50'000) break;
    if (now >= next_sample) {
      next_sample += 1'000'000;
      if (!options.server_pids.empty()) {
        if (auto s = server.sample(now)) inputs.server.push_back(*s);
      }
      if (auto s = self.sample(now)) inputs.self.push_back(*s);
    }
    if (now >= next_progress && !options.quiet) {
      next_progress += 5'000'000;
      size_t playing = 0;
      for (auto& w : workers) playing += w->playing();
      std::fprintf(stderr, "rtsp-bench: t=%.0fs playing %zu/%zu%s\n",
                   static_cast<double>(now - t0) / 1e6, playing, options.readers,
                   inputs.server.empty()
                       ? ""
                       : (" server cpu " +
                          std::to_string(static_cast<int>(inputs.server.back().cpu_percent)) +
                          "% rss " + std::to_string(inputs.server.back().rss_kib / 1024) + " MiB")
                             .c_str());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (g_stop) inputs.window_end_mono_us = std::min(inputs.window_end_mono_us, base::monotonic_us());
  for (auto& w : workers) inputs.workers.push_back(w->finish());
  if (probe) {
    probe->stop();
    inputs.origin_arrivals = &probe->arrivals();
    inputs.origin_publish_stamped = probe->publish_time_stamped();
  }
  const rtsp_bench::Summary summary = rtsp_bench::summarize(inputs);
  std::fputs(rtsp_bench::format_table(summary).c_str(), stdout);
  std::fflush(stdout);
  if (!options.json_path.empty()) {
    std::ofstream out(options.json_path);
    out << rtsp_bench::to_json(summary);
    if (!out) {
      std::fprintf(stderr, "rtsp-bench: cannot write %s\n", options.json_path.c_str());
      return 1;
    }
  }
  return summary.played > 0 ? 0 : 3;
}
