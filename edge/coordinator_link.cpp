// The edge's side of the coordinator protocol (docs/coordinator.md).
#include "edge/coordinator_link.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "base/clock.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "edge/edge_server.hpp"

namespace edge {

ProcessSample ProcessMeter::sample() {
  ProcessSample out;
  std::ifstream stat("/proc/self/stat");
  std::string line;
  std::getline(stat, line);
  // Fields after the command name (which may contain spaces) start after the last ')'.
  std::istringstream fields(line.substr(line.rfind(')') + 2));
  std::string field;
  uint64_t utime = 0, stime = 0;
  for (int i = 3; fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) {
      stime = std::stoull(field);
      break;
    }
  }
  const uint64_t ticks = utime + stime;
  const int64_t now = base::monotonic_us();
  const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
  const double cores = std::max(1u, std::thread::hardware_concurrency());
  if (last_us_ != 0 && now > last_us_) {
    out.cpu = (static_cast<double>(ticks - last_ticks_) / hz) /
              (static_cast<double>(now - last_us_) / 1e6) / cores;
  }
  last_ticks_ = ticks;
  last_us_ = now;
  std::ifstream statm("/proc/self/statm");
  uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  out.rss_bytes = resident * static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  return out;
}

absl::StatusOr<std::unique_ptr<CoordinatorLink>> CoordinatorLink::start(const EdgeOptions& options,
                                                                        EdgeServer& server) {
  cluster::NodeAgentOptions agent_options;
  agent_options.coordinator = options.coordinator;
  agent_options.token = options.token;
  agent_options.tls = {
      .cert_file = options.tls_cert, .key_file = options.tls_key, .ca_file = options.tls_ca};
  auto& id = agent_options.identity;
  id.set_name(options.node_name.empty() ? base::cat("edge-", server.rtsp_port())
                                        : options.node_name);
  id.set_role(rs::cluster::ROLE_EDGE);
  const std::string host = options.rtsp_host == "0.0.0.0" ? "127.0.0.1" : options.rtsp_host;
  id.set_advertised_url(options.advertise_url.empty()
                            ? base::cat("rtsp://", host, ":", server.rtsp_port())
                            : options.advertise_url);
  id.set_capacity_readers(options.capacity_readers);
  id.set_capacity_mbps(options.capacity_mbps);
  id.set_zone(options.zone);
  auto agent = cluster::NodeAgent::create(agent_options);
  if (!agent.ok()) return agent.status();
  auto meter = std::make_shared<ProcessMeter>();
  auto last_bytes = std::make_shared<std::pair<uint64_t, int64_t>>(0, 0);
  (*agent)->set_report_source([&server, meter, last_bytes] {
    rs::cluster::NodeReport report;
    const uint64_t bytes_out = server.loop_total(&LoopCounters::bytes_out);
    const int64_t now = base::monotonic_us();
    double mbps = 0;
    if (last_bytes->second != 0 && now > last_bytes->second) {
      mbps = static_cast<double>(bytes_out - last_bytes->first) * 8 /
             static_cast<double>(now - last_bytes->second);
    }
    *last_bytes = {bytes_out, now};
    uint32_t readers = 0;
    for (const auto& [stream, count] : server.readers_by_stream())
      readers += static_cast<uint32_t>(count);
    const int64_t wall_ms = base::wall_clock_us() / 1000;
    for (const auto& [stream, count] : server.readers_by_stream()) {
      auto* load = report.add_streams();
      load->set_stream(stream);
      load->set_readers(static_cast<uint32_t>(count));
      load->set_mbps_out(readers ? mbps * static_cast<double>(count) / readers : 0);
      if (auto status = server.health().status(stream, now, wall_ms)) {
        *load->mutable_status() = std::move(*status);
      }
    }
    report.set_readers(readers);
    report.set_mbps_out(mbps);
    report.set_frames_skipped(server.loop_total(&LoopCounters::frames_skipped));
    const ProcessSample process = meter->sample();
    report.set_cpu(process.cpu);
    report.set_memory_bytes(process.rss_bytes);
    report.set_health(rs::cluster::HEALTH_OK);
    return report;
  });
  (*agent)->on_origins_changed(
      [&server](std::vector<std::string> endpoints) { server.set_origins(std::move(endpoints)); });
  server.health().set_self(id.name());
  (*agent)->on_stream_facts([&server](const rs::cluster::StreamFacts& facts) {
    server.health().on_facts(facts, base::monotonic_us());
  });
  (*agent)->start();
  LOG_INFO("edge", "registering with the coordinator at ", options.coordinator, " as ", id.name(),
           " (", id.advertised_url(), ")");
  return std::unique_ptr<CoordinatorLink>(new CoordinatorLink(*std::move(agent)));
}

CoordinatorLink::~CoordinatorLink() {
  agent_->stop();
}

}  // namespace edge
