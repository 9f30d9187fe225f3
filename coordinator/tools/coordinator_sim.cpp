// coordinator-sim: a stand-in node for tests and demos. As an edge it listens on TCP; every
// connection that sends "<stream>\n" counts as one reader of that stream, and it reports those
// readers to the coordinator through a real NodeAgent. As an origin it publishes stream names.
// It can be SIGKILLed or SIGSTOPped like a real node; SIGTERM drains (docs/coordinator.md).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/cli.hpp"
#include "base/endpoint.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "cluster/node_agent.hpp"

ABSL_FLAG(std::string, coordinator, "127.0.0.1:50051", "Coordinator HOST:PORT");
ABSL_FLAG(std::string, name, "sim-edge", "Node name");
ABSL_FLAG(std::string, role, "edge", "edge or origin");
ABSL_FLAG(int, capacity_readers, 100, "Edge: reader capacity");
ABSL_FLAG(double, capacity_mbps, 0, "Edge: Mb/s capacity (0 = unlimited)");
ABSL_FLAG(double, mbps_per_reader, 1.0, "Edge: Mb/s reported per reader");
ABSL_FLAG(std::string, zone, "", "Zone label");
ABSL_FLAG(std::string, streams, "cam1", "Streams, comma-separated (origin: published)");
ABSL_FLAG(std::string, listen, "127.0.0.1:0", "Edge: reader TCP listen address");
ABSL_FLAG(std::string, url, "tcp://127.0.0.1:5556", "Origin: advertised ZeroMQ endpoint");
ABSL_FLAG(std::string, token, "", "Registration token");
ABSL_FLAG(int, report_interval_ms, 500, "Report interval");
ABSL_FLAG(int, drain_grace_ms, 3000, "SIGTERM: exit when readers are gone or after this");
ABSL_FLAG(std::string, tls_cert, "", "Client certificate (mTLS)");
ABSL_FLAG(std::string, tls_key, "", "Client key (mTLS)");
ABSL_FLAG(std::string, tls_ca, "", "CA that signed the coordinator's certificate");
ABSL_FLAG(std::string, tls_server_name, "", "Expected coordinator certificate name");

namespace {

constexpr char kProgram[] = "coordinator-sim";

// Counts readers: connections that sent a stream name. One thread, poll().
class ReaderPort {
 public:
  bool open(const base::HostPort& where) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(where.port);
    ::inet_pton(AF_INET, where.host.c_str(), &addr.sin_addr);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(fd_, 512) != 0) {
      return false;
    }
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { run(); });
    thread_.detach();
    return true;
  }
  uint16_t port() const { return port_; }
  std::map<std::string, uint32_t> readers() {
    std::lock_guard lock(mu_);
    std::map<std::string, uint32_t> out;
    for (const auto& [fd, stream] : streams_) {
      if (!stream.empty()) ++out[stream];
    }
    return out;
  }

 private:
  void run() {
    std::vector<pollfd> fds;
    while (true) {
      fds.clear();
      fds.push_back({fd_, POLLIN, 0});
      {
        std::lock_guard lock(mu_);
        for (const auto& [fd, stream] : streams_) fds.push_back({fd, POLLIN, 0});
      }
      if (::poll(fds.data(), fds.size(), 200) <= 0) continue;
      if (fds[0].revents & POLLIN) {
        const int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
        std::lock_guard lock(mu_);
        if (c >= 0) streams_[c] = "";
      }
      for (size_t i = 1; i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        char buf[256];
        const ssize_t n = ::recv(fds[i].fd, buf, sizeof(buf), 0);
        std::lock_guard lock(mu_);
        if (n <= 0) {
          ::close(fds[i].fd);
          streams_.erase(fds[i].fd);
          continue;
        }
        std::string& s = streams_[fds[i].fd];
        if (s.empty())
          s = std::string(buf, static_cast<size_t>(n))
                  .substr(0, std::string(buf, static_cast<size_t>(n)).find('\n'));
      }
    }
  }
  int fd_ = -1;
  uint16_t port_ = 0;
  std::mutex mu_;
  std::map<int, std::string> streams_;  // fd -> stream ("" until it said)
  std::thread thread_;
};

rs::cluster::NodeReport edge_report(ReaderPort& port, const std::vector<std::string>& streams,
                                    double mbps_per_reader) {
  rs::cluster::NodeReport r;
  auto readers = port.readers();
  for (const auto& s : streams) readers.try_emplace(s, 0);
  uint32_t total = 0;
  for (const auto& [stream, n] : readers) {
    auto* load = r.add_streams();
    load->set_stream(stream);
    load->set_readers(n);
    load->set_mbps_out(n * mbps_per_reader);
    total += n;
  }
  r.set_readers(total);
  r.set_mbps_out(total * mbps_per_reader);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  base::parse_flags(
      argc, argv, kProgram,
      "a simulated edge or origin that registers with the coordinator.\n"
      "  coordinator-sim --coordinator=127.0.0.1:50051 --name=edge-a --capacity_readers=100",
      "coordinator_sim");
  base::block_termination_signals();
  cluster::NodeAgentOptions options;
  options.coordinator = absl::GetFlag(FLAGS_coordinator);
  options.token = absl::GetFlag(FLAGS_token);
  options.report_interval = std::chrono::milliseconds(absl::GetFlag(FLAGS_report_interval_ms));
  options.tls = {absl::GetFlag(FLAGS_tls_cert), absl::GetFlag(FLAGS_tls_key),
                 absl::GetFlag(FLAGS_tls_ca), absl::GetFlag(FLAGS_tls_server_name)};
  auto& id = options.identity;
  id.set_name(absl::GetFlag(FLAGS_name));
  id.set_zone(absl::GetFlag(FLAGS_zone));
  const std::vector<std::string> streams =
      absl::StrSplit(absl::GetFlag(FLAGS_streams), ',', absl::SkipEmpty());
  const bool edge = absl::GetFlag(FLAGS_role) == "edge";
  if (!edge && absl::GetFlag(FLAGS_role) != "origin")
    base::fail_usage(kProgram, "--role must be edge or origin");
  static ReaderPort port;
  if (edge) {
    const auto where =
        base::value_or_exit(kProgram, base::parse_host_port(absl::GetFlag(FLAGS_listen), true));
    if (!port.open(where)) base::fail_usage(kProgram, "cannot listen for readers");
    id.set_role(rs::cluster::ROLE_EDGE);
    id.set_advertised_url(base::cat("rtsp://127.0.0.1:", port.port()));
    id.set_capacity_readers(static_cast<uint32_t>(absl::GetFlag(FLAGS_capacity_readers)));
    id.set_capacity_mbps(absl::GetFlag(FLAGS_capacity_mbps));
  } else {
    id.set_role(rs::cluster::ROLE_ORIGIN);
    id.set_advertised_url(absl::GetFlag(FLAGS_url));
  }
  auto agent = base::value_or_exit(kProgram, cluster::NodeAgent::create(options));
  const double mbps = absl::GetFlag(FLAGS_mbps_per_reader);
  if (edge) {
    agent->set_report_source([&] { return edge_report(port, streams, mbps); });
    agent->on_origins_changed([](std::vector<std::string> endpoints) {
      std::printf("origins: %s\n", absl::StrJoin(endpoints, ",").c_str());
      std::fflush(stdout);
    });
  } else {
    agent->set_report_source([&] {
      rs::cluster::NodeReport r;
      for (const auto& s : streams) {
        auto* info = r.add_origin_streams();
        info->set_stream(s);
        info->set_state(rs::media::STREAM_STATE_LIVE);
        info->add_tracks()->set_bitrate_bps(static_cast<uint64_t>(mbps * 1e6));
      }
      return r;
    });
  }
  agent->start();
  std::printf("coordinator-sim %s listening on %u\n", id.name().c_str(), port.port());
  std::fflush(stdout);
  base::wait_for_termination();
  agent->drain();
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(absl::GetFlag(FLAGS_drain_grace_ms));
  while (edge && std::chrono::steady_clock::now() < deadline &&
         edge_report(port, {}, 0).readers() > 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  agent->stop();
  LOG_INFO("sim", id.name(), ": drained, exiting");
  return 0;
}
