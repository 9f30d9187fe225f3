// The coordinator with real processes on 127.0.0.1: rtsp-coordinator plus coordinator-sim nodes
// (real NodeAgents, real gRPC). Capacity shares, edge loss (SIGKILL and SIGSTOP), coordinator
// restart, bad token, drain, origins propagation, the probe/status/metrics tools, and two
// coordinator replicas.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <thread>

#include "cluster/coordinator_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/time_scale.hpp"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using rstest::Process;

std::unique_ptr<Process> spawn(std::vector<std::string> argv, const std::regex& ready,
                               uint16_t* port) {
  std::string error;
  auto p = Process::start({.argv = std::move(argv)}, &error);
  EXPECT_TRUE(p) << error;
  if (!p) return nullptr;
  auto m = p->wait_for_stdout_line(ready, 10s);
  EXPECT_TRUE(m) << p->stderr_tail();
  if (!m) return nullptr;
  if (port) *port = static_cast<uint16_t>(std::stoi((*m)[1]));
  return p;
}

std::unique_ptr<Process> start_coordinator(uint16_t port, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {
      rstest::bin_path("rtsp-coordinator"), "--listen=127.0.0.1:" + std::to_string(port),
      "--warmup=0s", "--startup_grace=0s",
      // How long an assignment waits for the report that confirms it; slower under sanitizers.
      "--pending_ttl=" + std::to_string(rstest::scaled(3000ms).count()) + "ms"};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return spawn(argv, std::regex("rtsp-coordinator listening on (\\d+)"), nullptr);
}

struct Sim {
  std::unique_ptr<Process> process;
  uint16_t port = 0;
};

// `coordinators`: "127.0.0.1:PORT" or several of them, comma-separated (replicas).
Sim start_sim(const std::string& coordinators, const std::string& name, int capacity,
              std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {rstest::bin_path("coordinator-sim"),
                                   "--coordinator=" + coordinators, "--name=" + name,
                                   "--capacity_readers=" + std::to_string(capacity)};
  argv.insert(argv.end(), extra.begin(), extra.end());
  Sim sim;
  sim.process =
      spawn(argv, std::regex("coordinator-sim " + name + " listening on (\\d+)"), &sim.port);
  return sim;
}

Sim start_sim(uint16_t coordinator, const std::string& name, int capacity,
              std::vector<std::string> extra = {}) {
  return start_sim("127.0.0.1:" + std::to_string(coordinator), name, capacity, std::move(extra));
}

Sim start_origin(uint16_t coordinator, const std::string& name, const std::string& url) {
  return start_sim(coordinator, name, 0, {"--role=origin", "--url=" + url});
}

std::unique_ptr<cluster::CoordinatorClient> client_for(uint16_t port) {
  auto c = cluster::CoordinatorClient::create({.coordinator = "127.0.0.1:" + std::to_string(port),
                                               .rpc_timeout = rstest::scaled(500ms),
                                               .max_attempts = 1});
  return c.ok() ? std::move(*c) : nullptr;
}

int ready_nodes(cluster::CoordinatorClient& client) {
  auto view = client.get_cluster();
  if (!view.ok()) return -1;
  return static_cast<int>(
      std::count_if(view->nodes().begin(), view->nodes().end(),
                    [](const auto& n) { return n.state() == rs::cluster::NODE_STATE_READY; }));
}

bool wait_ready(cluster::CoordinatorClient& client, int n, std::chrono::milliseconds timeout) {
  const auto until = Clock::now() + rstest::scaled(timeout);
  while (Clock::now() < until) {
    if (ready_nodes(client) == n) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

bool edge_assignable(cluster::CoordinatorClient& client, const std::string& name) {
  auto view = client.get_cluster();
  if (!view.ok()) return true;
  for (const auto& n : view->nodes()) {
    if (n.identity().name() == name) return n.state() == rs::cluster::NODE_STATE_READY;
  }
  return false;
}

// A "reader" of a simulated edge: a TCP connection that names the stream.
int connect_reader(uint16_t port, const std::string& stream) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return -1;
  }
  const std::string line = stream + "\n";
  EXPECT_EQ(::send(fd, line.data(), line.size(), MSG_NOSIGNAL), static_cast<ssize_t>(line.size()));
  return fd;
}

uint16_t port_of(const std::string& url) {  // rtsp://127.0.0.1:PORT/stream
  const size_t colon = url.rfind(':');
  return static_cast<uint16_t>(std::stoi(url.substr(colon + 1)));
}

std::string http_get(uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return {};
  const std::string req = "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  (void)::send(fd, req.data(), req.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof(buf), 0)) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return out;
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * (v.size() - 1) + 0.5))];
}

TEST(CoordinatorCluster, AssignsByCapacityShareAndRefusesPastCapacity) {
  const uint16_t port = rstest::free_tcp_port();
  auto coordinator = start_coordinator(port);
  ASSERT_TRUE(coordinator);
  auto origin = start_origin(port, "origin-1", "tcp://127.0.0.1:5556");
  std::map<std::string, int> capacity = {{"edge-a", 100}, {"edge-b", 100}, {"edge-c", 200}};
  std::vector<Sim> edges;
  for (const auto& [name, cap] : capacity) edges.push_back(start_sim(port, name, cap));
  auto client = client_for(port);
  ASSERT_TRUE(wait_ready(*client, 4, 5s));

  std::map<std::string, int> got;
  std::vector<int> readers;
  for (int i = 0; i < 400; ++i) {
    auto reply = client->assign_edge_once([] {
      rs::cluster::AssignRequest r;
      r.set_stream("cam1");
      return r;
    }());
    ASSERT_TRUE(reply.ok()) << i << ": " << reply.status();
    ++got[reply->edge()];
    readers.push_back(connect_reader(port_of(reply->url()), "cam1"));
  }
  for (const auto& [name, cap] : capacity) {
    std::printf("%s capacity %d got %d\n", name.c_str(), cap, got[name]);
    EXPECT_NEAR(got[name], cap, cap * 0.05) << name;
  }
  rs::cluster::AssignRequest one_more;
  one_more.set_stream("cam1");
  auto full = client->assign_edge_once(one_more);
  EXPECT_EQ(full.status().code(), absl::StatusCode::kResourceExhausted) << full.status();
  one_more.set_stream("nope");
  EXPECT_EQ(client->assign_edge_once(one_more).status().code(), absl::StatusCode::kNotFound);
  for (int fd : readers) ::close(fd);
}

// Two replicas, no shared store (ADR 015): every node reports to both, so each knows the whole
// cluster; a client naming both is answered while either is up (gRPC's own multi-address channel).
TEST(CoordinatorCluster, TwoReplicasEachKnowEveryNodeAndEitherAnswers) {
  const uint16_t p1 = rstest::free_tcp_port();
  const uint16_t p2 = rstest::free_tcp_port();
  auto first = start_coordinator(p1);
  auto second = start_coordinator(p2);
  ASSERT_TRUE(first && second);
  const std::string both = "127.0.0.1:" + std::to_string(p1) + ",127.0.0.1:" + std::to_string(p2);
  auto origin = start_sim(both, "origin-1", 0, {"--role=origin", "--url=tcp://127.0.0.1:5556"});
  auto a = start_sim(both, "edge-a", 100);
  auto b = start_sim(both, "edge-b", 100);
  auto c1 = client_for(p1);
  auto c2 = client_for(p2);
  ASSERT_TRUE(wait_ready(*c1, 3, 5s));
  ASSERT_TRUE(wait_ready(*c2, 3, 5s));
  auto view = c2->get_cluster();
  ASSERT_TRUE(view.ok()) << view.status();
  for (const auto& n : view->nodes()) {
    EXPECT_EQ(n.last_report().coordinator_replicas(), 2u) << n.identity().name();
  }

  auto client = cluster::CoordinatorClient::create(
      {.coordinator = both, .rpc_timeout = rstest::scaled(1000ms), .max_attempts = 1});
  ASSERT_TRUE(client.ok()) << client.status();
  rs::cluster::AssignRequest request;
  request.set_stream("cam1");
  std::map<std::string, int> got;
  std::vector<int> readers;
  for (int i = 0; i < 100; ++i) {
    auto reply = (*client)->assign_edge_once(request);
    ASSERT_TRUE(reply.ok()) << i << ": " << reply.status();
    ++got[reply->edge()];
    readers.push_back(connect_reader(port_of(reply->url()), "cam1"));
  }
  EXPECT_NEAR(got["edge-a"], 50, 15);
  EXPECT_NEAR(got["edge-b"], 50, 15);

  first->kill();
  first->wait(2s);
  int failed = 0;
  for (int i = 0; i < 40; ++i) {
    auto reply = (*client)->assign_edge_once(request);
    if (!reply.ok()) ++failed;
  }
  EXPECT_EQ(failed, 0) << "assignments failed with one of two replicas gone";
  auto fresh = cluster::CoordinatorClient::create(
      {.coordinator = both, .rpc_timeout = rstest::scaled(1000ms), .max_attempts = 1});
  ASSERT_TRUE(fresh.ok());
  auto reply = (*fresh)->assign_edge_once(request);
  EXPECT_TRUE(reply.ok()) << reply.status();
  EXPECT_TRUE(wait_ready(*c2, 3, 1s)) << "the survivor lost nodes";
  for (int fd : readers) ::close(fd);
}

// A name is resolved by the node (to follow a headless service); "localhost" (127.0.0.1 and ::1)
// is still one replica.
TEST(CoordinatorCluster, ANameIsOneReplicaPerAddressOfOneFamily) {
  const uint16_t port = rstest::free_tcp_port();
  auto coordinator = start_coordinator(port);
  ASSERT_TRUE(coordinator);
  auto edge = start_sim("localhost:" + std::to_string(port), "edge-a", 10);
  auto client = client_for(port);
  ASSERT_TRUE(wait_ready(*client, 1, 5s));
  auto view = client->get_cluster();
  ASSERT_TRUE(view.ok()) << view.status();
  ASSERT_EQ(view->nodes_size(), 1);
  EXPECT_EQ(view->nodes(0).last_report().coordinator_replicas(), 1u);
}

TEST(CoordinatorCluster, LostEdgeIsNoLongerAssignedWithinTheTarget) {
  const uint16_t port = rstest::free_tcp_port();
  auto coordinator = start_coordinator(port);
  ASSERT_TRUE(coordinator);
  auto origin = start_origin(port, "origin-1", "tcp://127.0.0.1:5556");
  auto a = start_sim(port, "edge-a", 1000);
  auto b = start_sim(port, "edge-b", 1000);
  auto c = start_sim(port, "edge-c", 1000);
  auto client = client_for(port);
  ASSERT_TRUE(wait_ready(*client, 4, 5s));

  std::vector<double> stop_ms;
  for (int trial = 0; trial < 5; ++trial) {
    std::this_thread::sleep_for(std::chrono::milliseconds(97 * trial));  // vary the report phase
    const auto t0 = Clock::now();
    ASSERT_TRUE(c.process->send_signal(SIGSTOP));
    while (edge_assignable(*client, "edge-c") && Clock::now() - t0 < rstest::scaled(5s))
      std::this_thread::sleep_for(5ms);
    stop_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    c.process->send_signal(SIGCONT);
    ASSERT_TRUE(wait_ready(*client, 4, 5s)) << c.process->stderr_tail();
  }
  std::vector<double> kill_ms;
  for (int trial = 0; trial < 3; ++trial) {
    const auto t0 = Clock::now();
    c.process->kill();
    while (edge_assignable(*client, "edge-c") && Clock::now() - t0 < rstest::scaled(5s))
      std::this_thread::sleep_for(5ms);
    kill_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (trial < 2) {
      c = start_sim(port, "edge-c", 1000);
      ASSERT_TRUE(wait_ready(*client, 4, 5s));
    }
  }
  std::printf("SIGSTOP edge -> not assigned: p50 %.0f ms p95 %.0f ms max %.0f ms (n=%zu)\n",
              percentile(stop_ms, 0.5), percentile(stop_ms, 0.95), percentile(stop_ms, 1.0),
              stop_ms.size());
  std::printf("SIGKILL edge -> not assigned: p50 %.0f ms max %.0f ms (n=%zu)\n",
              percentile(kill_ms, 0.5), percentile(kill_ms, 1.0), kill_ms.size());
  EXPECT_LE(percentile(stop_ms, 0.95), 1500 * rstest::time_scale());
  EXPECT_LE(percentile(kill_ms, 1.0), 500 * rstest::time_scale());

  // After the TTL the dead edge is never assigned.
  rs::cluster::AssignRequest r;
  r.set_stream("cam1");
  for (int i = 0; i < 300; ++i) {
    auto reply = client->assign_edge_once(r);
    ASSERT_TRUE(reply.ok()) << reply.status();
    ASSERT_NE(reply->edge(), "edge-c");
  }
}

TEST(CoordinatorCluster, RestartedCoordinatorHasEveryNodeBackWithinTwoSeconds) {
  const uint16_t port = rstest::free_tcp_port();
  auto coordinator = start_coordinator(port);
  ASSERT_TRUE(coordinator);
  auto origin = start_origin(port, "origin-1", "tcp://127.0.0.1:5556");
  std::vector<Sim> edges;
  for (const char* name : {"edge-a", "edge-b", "edge-c"})
    edges.push_back(start_sim(port, name, 100));
  auto client = client_for(port);
  ASSERT_TRUE(wait_ready(*client, 4, 5s));
  rs::cluster::AssignRequest r;
  r.set_stream("cam1");
  std::vector<double> back_ms;
  for (int trial = 0; trial < 3; ++trial) {
    coordinator->kill();
    std::this_thread::sleep_for(std::chrono::milliseconds(200 + 150 * trial));  // outage
    const auto t0 = Clock::now();
    coordinator = start_coordinator(port);
    ASSERT_TRUE(coordinator);
    bool back = false;
    while (Clock::now() - t0 < rstest::scaled(5s)) {
      if (ready_nodes(*client) == 4 && client->assign_edge_once(r).ok()) {
        back = true;
        break;
      }
      std::this_thread::sleep_for(10ms);
    }
    ASSERT_TRUE(back) << coordinator->stderr_tail();
    back_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::printf("coordinator restart -> all 4 nodes back and assigning: %.0f / %.0f / %.0f ms\n",
              back_ms[0], back_ms[1], back_ms[2]);
  for (double ms : back_ms) EXPECT_LE(ms, 2000 * rstest::time_scale());
}

TEST(CoordinatorCluster, BadTokenIsRefusedWithAClearError) {
  const uint16_t port = rstest::free_tcp_port();
  auto coordinator = start_coordinator(port, {"--token=s3cret"});
  ASSERT_TRUE(coordinator);
  auto intruder = start_sim(port, "fake-edge", 100, {"--token=guess"});
  EXPECT_TRUE(intruder.process->wait_for_stderr_line(
      std::regex("refused registration: registration token rejected"), 5s))
      << intruder.process->stderr_tail();
  auto anonymous = start_sim(port, "anon-edge", 100);
  EXPECT_TRUE(
      anonymous.process->wait_for_stderr_line(std::regex("registration token required"), 5s));
  auto client = client_for(port);
  EXPECT_EQ(ready_nodes(*client), 0);
  auto good = start_sim(port, "edge-a", 100, {"--token=s3cret"});
  EXPECT_TRUE(wait_ready(*client, 1, 5s));
}

TEST(CoordinatorCluster, DrainOriginsAndTools) {
  const uint16_t port = rstest::free_tcp_port();
  const uint16_t http = rstest::free_tcp_port();
  auto coordinator = start_coordinator(port, {"--http=127.0.0.1:" + std::to_string(http)});
  ASSERT_TRUE(coordinator);
  auto a = start_sim(port, "edge-a", 100);
  auto b = start_sim(port, "edge-b", 100);
  auto origin = start_origin(port, "origin-1", "tcp://127.0.0.1:5556");
  EXPECT_TRUE(a.process->wait_for_stdout_line(std::regex("origins: tcp://127.0.0.1:5556"), 5s));
  auto origin2 = start_origin(port, "origin-2", "tcp://127.0.0.1:5557");
  EXPECT_TRUE(a.process->wait_for_stdout_line(
      std::regex("origins: tcp://127.0.0.1:5556,tcp://127.0.0.1:5557"), 5s));
  auto client = client_for(port);
  ASSERT_TRUE(wait_ready(*client, 4, 5s));

  // Drain: a reader keeps edge-a alive; it gets no new clients, then exits when the reader leaves.
  const int reader = connect_reader(a.port, "cam1");
  std::this_thread::sleep_for(600ms);
  a.process->send_signal(SIGTERM);
  const auto t0 = Clock::now();
  while (edge_assignable(*client, "edge-a") && Clock::now() - t0 < rstest::scaled(3s))
    std::this_thread::sleep_for(5ms);
  rs::cluster::AssignRequest r;
  r.set_stream("cam1");
  for (int i = 0; i < 20; ++i) EXPECT_EQ(client->assign_edge_once(r)->edge(), "edge-b");
  ::close(reader);
  auto exit = a.process->wait(5s);
  ASSERT_TRUE(exit);
  EXPECT_TRUE(exit->exited && exit->code == 0) << exit->describe();

  const std::string target = "--probe=127.0.0.1:" + std::to_string(port);
  EXPECT_EQ(rstest::run_command({rstest::bin_path("rtsp-coordinator"), target}, 5s).status->code,
            0);
  auto dead = rstest::run_command({rstest::bin_path("rtsp-coordinator"),
                                   "--probe=127.0.0.1:" + std::to_string(rstest::free_tcp_port())},
                                  5s);
  EXPECT_EQ(dead.status->code, 1);
  auto status = rstest::run_command(
      {rstest::bin_path("rtsp-coordinator"), "--status=127.0.0.1:" + std::to_string(port)}, 5s);
  EXPECT_NE(status.out.find("edge-b"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("origin-2"), std::string::npos) << status.out;
  const std::string metrics = http_get(http, "/metrics");
  EXPECT_NE(metrics.find("rs_coordinator_assignments_total{result=\"ok\"} 20"), std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("rs_coordinator_view_age_seconds"), std::string::npos);
  const std::string response = http_get(http, "/api/cluster");
  const std::string body =
      response.substr(std::min(response.size(), response.find("\r\n\r\n") + 4));
  const auto cluster = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  ASSERT_TRUE(cluster.is_object()) << body;
  std::vector<std::string> names;
  for (const auto& node : cluster["nodes"]) names.push_back(node["identity"]["name"]);
  EXPECT_THAT(names, ::testing::Contains("edge-b")) << body;
  EXPECT_NE(http_get(http, "/nope").find("404"), std::string::npos);
}

}  // namespace
