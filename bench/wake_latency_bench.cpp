// The platform's floor under "added latency": how long one thread takes to wake another
// (eventfd), and one ZeroMQ PUB -> SUB hop over loopback TCP (the origin -> edge transport:
// sender thread, two ZeroMQ I/O threads, receiver thread), as a function of the spacing between
// messages. On virtual machines an idle vCPU halts, and waking it costs far more after 33 ms of
// idle (one frame at 30 fps) than after 1 ms. Writes bench/results/wake_latency.json.
//   wake_latency_bench [--count=300] [--json=PATH]
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

namespace {

using Clock = std::chrono::steady_clock;

int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

struct Row {
  std::string what;
  int spacing_us = 0;
  double p50_us = 0, p90_us = 0, p99_us = 0;
};

Row summarize(std::string what, int spacing_us, std::vector<double> us) {
  std::sort(us.begin(), us.end());
  auto pct = [&](double p) {
    return us.empty() ? 0.0 : us[static_cast<size_t>(p * (us.size() - 1))];
  };
  return {std::move(what), spacing_us, pct(0.5), pct(0.9), pct(0.99)};
}

// Main thread writes an eventfd every `spacing_us`; a second thread blocked in read() notes how
// long it took to run.
Row eventfd_wake(int spacing_us, int count) {
  const int ping = ::eventfd(0, EFD_CLOEXEC), pong = ::eventfd(0, EFD_CLOEXEC);
  std::atomic<int64_t> sent_ns{0};
  std::vector<double> us;
  us.reserve(static_cast<size_t>(count));
  std::thread waiter([&] {
    uint64_t v = 0;
    for (int i = 0; i < count; ++i) {
      if (::read(ping, &v, sizeof v) != sizeof v) break;
      us.push_back(static_cast<double>(now_ns() - sent_ns.load()) / 1000.0);
      if (::write(pong, &v, sizeof v) != sizeof v) break;
    }
  });
  uint64_t one = 1, v = 0;
  for (int i = 0; i < count; ++i) {
    std::this_thread::sleep_for(std::chrono::microseconds(spacing_us));
    sent_ns = now_ns();
    if (::write(ping, &one, sizeof one) != sizeof one || ::read(pong, &v, sizeof v) != sizeof v) {
      break;
    }
  }
  waiter.join();
  ::close(ping);
  ::close(pong);
  return summarize("eventfd thread wake", spacing_us, std::move(us));
}

// One PUB and one SUB (separate contexts, so separate I/O threads, as in origin and edge).
Row zmq_hop(int spacing_us, int count, size_t size, int port) {
  zmq::context_t pub_context(1), sub_context(1);
  zmq::socket_t pub(pub_context, zmq::socket_type::pub);
  zmq::socket_t sub(sub_context, zmq::socket_type::sub);
  pub.set(zmq::sockopt::linger, 0);
  sub.set(zmq::sockopt::linger, 0);
  const std::string endpoint = "tcp://127.0.0.1:" + std::to_string(port);
  pub.bind(endpoint);
  sub.set(zmq::sockopt::subscribe, "");
  sub.connect(endpoint);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let the subscription arrive
  std::vector<double> us;
  std::thread receiver([&] {
    sub.set(zmq::sockopt::rcvtimeo, 2000);
    for (int i = 0; i < count; ++i) {
      zmq::message_t m;
      if (!sub.recv(m) || m.size() < sizeof(int64_t)) break;
      int64_t sent = 0;
      std::memcpy(&sent, m.data(), sizeof sent);
      us.push_back(static_cast<double>(now_ns() - sent) / 1000.0);
    }
  });
  std::vector<char> buffer(size);
  for (int i = 0; i < count; ++i) {
    std::this_thread::sleep_for(std::chrono::microseconds(spacing_us));
    const int64_t sent = now_ns();
    std::memcpy(buffer.data(), &sent, sizeof sent);
    pub.send(zmq::buffer(buffer), zmq::send_flags::dontwait);
  }
  receiver.join();
  return summarize("zmq pub->sub " + std::to_string(size / 1000) + " kB", spacing_us,
                   std::move(us));
}

}  // namespace

int main(int argc, char** argv) {
  int count = 300;
  std::string json = "bench/results/wake_latency.json";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--count=", 0) == 0) count = std::max(20, std::atoi(arg.c_str() + 8));
    if (arg.rfind("--json=", 0) == 0) json = arg.substr(7);
  }
  std::vector<Row> rows;
  int port = 47000 + static_cast<int>(::getpid() % 1000);
  for (const int spacing : {1000, 5000, 33333}) {
    rows.push_back(eventfd_wake(spacing, count));
    rows.push_back(zmq_hop(spacing, count, 1000, port++));
    rows.push_back(zmq_hop(spacing, count, 20000, port++));
  }
  std::printf("%u cores; %d messages per row; latency in microseconds\n",
              std::thread::hardware_concurrency(), count);
  std::printf("%-24s %12s %9s %9s %9s\n", "path", "spacing us", "p50", "p90", "p99");
  std::string out = "{\n  \"count\": " + std::to_string(count) + ",\n  \"rows\": [\n";
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& r = rows[i];
    std::printf("%-24s %12d %9.1f %9.1f %9.1f\n", r.what.c_str(), r.spacing_us, r.p50_us, r.p90_us,
                r.p99_us);
    char line[256];
    std::snprintf(line, sizeof line,
                  "    {\"path\": \"%s\", \"spacing_us\": %d, \"p50_us\": %.1f, \"p90_us\": %.1f, "
                  "\"p99_us\": %.1f}%s\n",
                  r.what.c_str(), r.spacing_us, r.p50_us, r.p90_us, r.p99_us,
                  i + 1 < rows.size() ? "," : "");
    out += line;
  }
  out += "  ]\n}\n";
  std::ofstream(json) << out;
  std::printf("wrote %s\n", json.c_str());
  return 0;
}
