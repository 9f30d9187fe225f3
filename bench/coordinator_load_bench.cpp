// Async gRPC load generator against AssignEdge with 100 registered edges (real NodeAgents over
// real gRPC). Runs the coordinator in-process on 127.0.0.1 unless --target=HOST:PORT is given.
// A closed loop: each client thread keeps N requests in flight; latency is N / throughput plus
// queueing, so the run sweeps N and prints one row per level (throughput and p50/p99).
// Writes bench/results/coordinator_load.json.
//   coordinator_load_bench [--seconds=5] [--threads=2] [--outstanding=4,8,16,32] [--edges=100]
//                          [--target=HOST:PORT] [--json=PATH]
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "base/cli.hpp"
#include "base/log.hpp"
#include "cluster/credentials.hpp"
#include "cluster/node_agent.hpp"
#include "coordinator/coordinator_server.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Args {
  int seconds = 5;
  int threads = 2;
  std::vector<int> outstanding{4, 8, 16, 32};  // in flight per thread, one run per level
  int edges = 100;
  std::string target;
  std::string json = "bench/results/coordinator_load.json";
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* key) -> const char* {
      const size_t n = std::strlen(key);
      return arg.compare(0, n, key) == 0 ? arg.c_str() + n : nullptr;
    };
    if (auto v = value("--seconds=")) a.seconds = std::atoi(v);
    if (auto v = value("--threads=")) a.threads = std::atoi(v);
    if (auto v = value("--outstanding=")) {
      a.outstanding.clear();
      for (const char* p = v; *p != 0;) {
        a.outstanding.push_back(std::max(1, std::atoi(p)));
        const char* comma = std::strchr(p, ',');
        p = comma == nullptr ? p + std::strlen(p) : comma + 1;
      }
    }
    if (auto v = value("--edges=")) a.edges = std::atoi(v);
    if (auto v = value("--target=")) a.target = v;
    if (auto v = value("--json=")) a.json = v;
  }
  return a;
}

struct Call {
  grpc::ClientContext context;
  rs::cluster::AssignReply reply;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<rs::cluster::AssignReply>> rpc;
  Clock::time_point started;
};

struct ThreadResult {
  std::vector<float> latency_us;  // measured window only
  std::map<int, uint64_t> codes;
};

void load_thread(const std::string& target, int outstanding, Clock::time_point measure_from,
                 Clock::time_point until, ThreadResult* out) {
  auto channel = cluster::make_channel(target, {});
  auto stub = rs::cluster::Coordinator::NewStub(*channel);
  grpc::CompletionQueue cq;
  rs::cluster::AssignRequest request;
  request.set_stream("cam1");
  auto start = [&](Call* call) {
    call->started = Clock::now();
    call->rpc = stub->PrepareAsyncAssignEdge(&call->context, request, &cq);
    call->rpc->StartCall();
    call->rpc->Finish(&call->reply, &call->status, call);
  };
  int in_flight = 0;
  for (int i = 0; i < outstanding; ++i, ++in_flight) start(new Call);
  void* tag = nullptr;
  bool ok = false;
  while (in_flight > 0 && cq.Next(&tag, &ok)) {
    auto* call = static_cast<Call*>(tag);
    const auto now = Clock::now();
    if (call->started >= measure_from && now <= until) {
      out->latency_us.push_back(
          std::chrono::duration<float, std::micro>(now - call->started).count());
      ++out->codes[call->status.error_code()];
    }
    delete call;
    --in_flight;
    if (now < until) {
      start(new Call);
      ++in_flight;
    }
  }
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
}

std::vector<std::unique_ptr<cluster::NodeAgent>> start_edges(const std::string& target, int n) {
  std::vector<std::unique_ptr<cluster::NodeAgent>> agents;
  for (int i = 0; i <= n; ++i) {
    cluster::NodeAgentOptions o;
    o.coordinator = target;
    const bool origin = i == n;
    o.identity.set_name(origin ? "origin" : "edge-" + std::to_string(i));
    o.identity.set_role(origin ? rs::cluster::ROLE_ORIGIN : rs::cluster::ROLE_EDGE);
    o.identity.set_advertised_url(origin ? "tcp://127.0.0.1:5556"
                                         : "rtsp://10.0.0." + std::to_string(i) + ":8554");
    o.identity.set_capacity_readers(100'000'000);
    auto agent = cluster::NodeAgent::create(o);
    if (!agent.ok()) std::abort();
    (*agent)->set_report_source([origin] {
      rs::cluster::NodeReport r;
      if (origin) {
        r.add_origin_streams()->set_stream("cam1");
      } else {
        r.add_streams()->set_stream("cam1");
      }
      r.set_uptime_ms(3'600'000);
      return r;
    });
    (*agent)->start();
    agents.push_back(std::move(*agent));
  }
  return agents;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = parse(argc, argv);
  base::configure_runtime();
  base::set_log_level(base::LogLevel::Warn);
  std::unique_ptr<coordinator::CoordinatorServer> server;
  std::string target = args.target;
  if (target.empty()) {
    coordinator::CoordinatorOptions options;
    options.listen = "127.0.0.1:0";
    auto s = coordinator::CoordinatorServer::start(options);
    if (!s.ok()) {
      std::fprintf(stderr, "cannot start the coordinator\n");
      return 1;
    }
    server = std::move(*s);
    target = "127.0.0.1:" + std::to_string(server->port());
  }
  auto agents = start_edges(target, args.edges);
  const auto wait_until = Clock::now() + std::chrono::seconds(10);
  while (Clock::now() < wait_until && !std::all_of(agents.begin(), agents.end(),
                                                   [](const auto& a) { return a->registered(); })) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::printf("AssignEdge, %d edges, %d client threads, %d s per level, %u cores\n", args.edges,
              args.threads, args.seconds, std::thread::hardware_concurrency());
  std::printf("%9s %12s %9s %9s %9s %9s %9s %9s  %s\n", "in flight", "assign/s", "p50 ms", "p90 ms",
              "p99 ms", "p99.9 ms", "max ms", "errors", "target");
  std::string rows;
  bool any_met = false;
  for (const int outstanding : args.outstanding) {
    const auto measure_from = Clock::now() + std::chrono::seconds(1);  // warm-up
    const auto until = measure_from + std::chrono::seconds(args.seconds);
    std::vector<ThreadResult> results(static_cast<size_t>(args.threads));
    std::vector<std::thread> threads;
    for (auto& r : results) {
      threads.emplace_back(load_thread, target, outstanding, measure_from, until, &r);
    }
    for (auto& t : threads) t.join();
    std::vector<float> all;
    std::map<int, uint64_t> codes;
    for (auto& r : results) {
      all.insert(all.end(), r.latency_us.begin(), r.latency_us.end());
      for (auto [c, n] : r.codes) codes[c] += n;
    }
    std::sort(all.begin(), all.end());
    auto pct = [&](double p) {
      return all.empty() ? 0.0 : all[static_cast<size_t>(p * (all.size() - 1))] / 1000.0;
    };
    const double rate = all.size() / double(args.seconds);
    const uint64_t errors = all.size() - codes[0];
    const bool met = rate >= 20000 && pct(0.99) < 5 && errors == 0;
    any_met |= met;
    const int in_flight = outstanding * args.threads;
    std::printf("%9d %12.0f %9.3f %9.3f %9.3f %9.3f %9.3f %9lu  %s\n", in_flight, rate, pct(0.5),
                pct(0.9), pct(0.99), pct(0.999), pct(1.0), static_cast<unsigned long>(errors),
                met ? "met" : "-");
    std::ostringstream row;
    row << (rows.empty() ? "" : ",\n") << "    {\"in_flight\": " << in_flight
        << ", \"assign_per_s\": " << rate << ", \"p50_ms\": " << pct(0.5)
        << ", \"p90_ms\": " << pct(0.9) << ", \"p99_ms\": " << pct(0.99)
        << ", \"p999_ms\": " << pct(0.999) << ", \"max_ms\": " << pct(1.0)
        << ", \"errors\": " << errors << ", \"target_met\": " << (met ? "true" : "false") << "}";
    rows += row.str();
  }
  std::printf("target (>= 20000/s with p99 < 5 ms at one load level): %s\n",
              any_met ? "met" : "MISSED");
  std::ofstream(args.json) << "{\n  \"edges\": " << args.edges << ", \"threads\": " << args.threads
                           << ", \"seconds_per_level\": " << args.seconds
                           << ", \"cores\": " << std::thread::hardware_concurrency()
                           << ", \"target_met\": " << (any_met ? "true" : "false")
                           << ",\n  \"levels\": [\n"
                           << rows << "\n  ]\n}\n";
  std::printf("wrote %s\n", args.json.c_str());
  for (auto& a : agents) a->stop();
  return 0;
}
