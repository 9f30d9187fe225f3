// Edge wiring: acceptor thread, ingest thread, I/O loops (docs/threading.md).
#include "edge/edge_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "base/clock.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "edge/edge_metrics.hpp"

namespace edge {
namespace {

constexpr int kListenBacklog = 4096;
constexpr int kReaderSocketBuffer = 192 * 1024;  // the kernel doubles it
constexpr std::chrono::seconds kStatsInterval{10};

}  // namespace

absl::StatusOr<std::unique_ptr<EdgeServer>> EdgeServer::create(const EdgeOptions& options) {
  std::unique_ptr<EdgeServer> server(new EdgeServer(options));
  if (auto st = server->listen(); !st.ok()) return st;
  std::unique_ptr<rtsp::Authenticator> authenticator;
  if (!options.auth_file.empty()) {
    std::ifstream in(options.auth_file);
    if (!in)
      return absl::InvalidArgumentError(
          base::cat("--auth_file: cannot read '", options.auth_file, "'"));
    std::stringstream text;
    text << in.rdbuf();
    auto config = rtsp::AuthConfig::parse(text.str(), options.auth_file);
    if (!config.ok())
      return absl::InvalidArgumentError(base::cat("--auth_file: ", config.status().message()));
    std::random_device random;
    const std::string secret = base::cat(random(), random(), random(), random());
    authenticator = std::make_unique<rtsp::Authenticator>(*std::move(config), secret);
  }
  server->access_ = std::make_unique<AccessControl>(std::move(authenticator));
  auto multicast = MulticastGroups::create(options.multicast);
  if (!multicast.ok())
    return absl::InvalidArgumentError(base::cat("--multicast: ", multicast.status().message()));
  server->multicast_ = *std::move(multicast);
  size_t threads = options.io_threads ? options.io_threads : std::thread::hardware_concurrency();
  if (threads == 0) threads = 1;
  server->options_.io_threads = threads;
  server->reader_limits_ = std::make_unique<ReaderLimits>(options.max_readers_per_stream);
  for (size_t i = 0; i < threads; ++i) {
    auto loop = IoLoop::create(i, server->options_,
                               LoopShared{.sessions = &server->sessions_,
                                          .access = server->access_.get(),
                                          .multicast = server->multicast_.get(),
                                          .tunnels = &server->tunnels_,
                                          .draining = &server->draining_,
                                          .reader_limits = server->reader_limits_.get(),
                                          .health = &server->health_});
    if (!loop.ok()) return loop.status();
    server->loops_.push_back(*std::move(loop));
    server->loop_counters_.push_back(&server->loops_.back()->loop_counters());
  }
  IngestOptions ingest_options{.origins = options.origins,
                               .preload = options.preload,
                               .idle_timeout = options.idle_timeout,
                               .catchup_endpoints = options.catchup_endpoints,
                               .curve_key_file = options.curve_key_file,
                               .origin_public_key = options.origin_public_key,
                               .catchup_auto = options.catchup_auto,
                               .health = &server->health_};
  EdgeServer* raw = server.get();
  auto ingest = Ingest::create(server->zmq_context_, ingest_options, [raw](EventBatch batch) {
    for (auto& loop : raw->loops_) loop->post_events(batch);  // each frame to each loop once
    for (const StreamEvent& event : *batch) {
      if (event.kind == StreamEvent::Kind::Frame) raw->multicast_->send(event.stream, *event.frame);
    }
  });
  if (!ingest.ok()) return ingest.status();
  server->ingest_ = *std::move(ingest);
  for (auto& loop : server->loops_) {
    loop->set_want([raw](std::string stream) { raw->ingest_->want(std::move(stream)); });
  }
  if (!options.http_host.empty()) {
    auto http = cluster::HttpServer::start(options.http_host, options.http_port,
                                           cluster::base_routes([raw] { return raw->metrics(); }));
    if (!http.ok()) return absl::UnavailableError(base::cat("--http: ", http.status().message()));
    server->http_ = *std::move(http);
  }
  if (::pipe2(server->stop_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    return absl::InternalError(base::cat("pipe: ", std::strerror(errno)));
  }
  return server;
}

absl::Status EdgeServer::listen() {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(options_.rtsp_port);
  if (inet_pton(AF_INET, options_.rtsp_host.c_str(), &addr.sin_addr) != 1) {
    return absl::InvalidArgumentError(
        base::cat("--rtsp: '", options_.rtsp_host, "' is not an IPv4 address"));
  }
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, kListenBacklog) != 0) {
    return absl::UnavailableError(base::cat("cannot listen on ", options_.rtsp_host, ":",
                                            options_.rtsp_port, ": ", std::strerror(errno)));
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  rtsp_port_ = ntohs(addr.sin_port);
  return absl::OkStatus();
}

EdgeServer::~EdgeServer() {
  stop();
  wait();
  loop_counters_.clear();
  loops_.clear();
  for (int fd : {listen_fd_, stop_pipe_[0], stop_pipe_[1]}) {
    if (fd >= 0) ::close(fd);
  }
}

void EdgeServer::start() {
  for (auto& loop : loops_) loop->start();
  ingest_thread_ = std::thread([this] { ingest_->run(stopping_); });
  acceptor_ = std::thread([this] { accept_loop(); });
  stats_thread_ = std::thread([this] {
    int64_t next = base::monotonic_us();
    while (!stopping_.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      if (base::monotonic_us() < next) continue;
      next += std::chrono::microseconds(kStatsInterval).count();
      log_stats();
    }
  });
}

void EdgeServer::stop() {
  if (stopping_.exchange(true)) return;
  if (http_) http_->stop();
  const char byte = 1;
  ssize_t ignored = ::write(stop_pipe_[1], &byte, 1);
  (void)ignored;
  for (auto& loop : loops_) loop->stop();
}

void EdgeServer::wait() {
  if (acceptor_.joinable()) acceptor_.join();
  if (ingest_thread_.joinable()) ingest_thread_.join();
  if (stats_thread_.joinable()) stats_thread_.join();
  for (auto& loop : loops_) loop->join();
}

void EdgeServer::accept_loop() {
  size_t next = 0;
  pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
  while (!stopping_.load()) {
    if (::poll(fds, 2, 1000) <= 0) continue;
    for (;;) {
      NewConnection nc;
      socklen_t len = sizeof nc.peer;
      nc.fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&nc.peer), &len,
                        SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (nc.fd < 0) {
        if (errno == EMFILE || errno == ENFILE) {
          LOG_ERROR("edge", "accept: ", std::strerror(errno), " (raise the fd limit)");
        }
        break;
      }
      const int one = 1;
      ::setsockopt(nc.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      // A bounded kernel buffer keeps a slow reader's backlog in our queue, where the latency
      // budget sees it (the default autotuning lets seconds of video hide in the kernel).
      ::setsockopt(nc.fd, SOL_SOCKET, SO_SNDBUF, &kReaderSocketBuffer, sizeof kReaderSocketBuffer);
      // Readers are spread round-robin across the loops.
      loops_[next++ % loops_.size()]->post_connection(nc);
    }
  }
}

std::vector<std::pair<std::string, size_t>> EdgeServer::readers_by_stream() const {
  absl::flat_hash_map<std::string, size_t> merged;
  for (const auto& [name, s] : ingest_->snapshot()) merged[name] += 0;
  for (const auto& loop : loops_) {
    for (const auto& [name, s] : loop->snapshot()) {
      merged[name] += s.readers_tcp + s.readers_udp + s.readers_multicast;
    }
  }
  return {merged.begin(), merged.end()};
}

size_t EdgeServer::readers() const {
  size_t total = 0;
  for (const auto& [name, count] : readers_by_stream()) total += count;
  return total;
}

uint16_t EdgeServer::http_port() const {
  return http_ ? http_->port() : 0;
}

std::string EdgeServer::metrics() const {
  MetricsInput input;
  input.loops = loop_counters_;
  for (const auto& loop : loops_) input.loop_snapshots.push_back(loop->snapshot());
  input.ingest = ingest_->snapshot();
  input.ingest_counters = &ingest_->counters();
  input.sessions = sessions_.load();
  input.multicast_packets = multicast_->packets_sent();
  input.health = health_.all(base::monotonic_us(), base::wall_clock_us() / 1000);
  return render_metrics(input);
}

uint64_t EdgeServer::loop_total(std::atomic<uint64_t> LoopCounters::*counter) const {
  return total(loop_counters_, counter);
}

void EdgeServer::log_stats() {
  const IngestCounters& in = ingest_->counters();
  LOG_INFO("edge", "frames_in=", in.frames.load(), " gaps=", in.gaps.load(),
           " catchup_requests=", in.catchup_requests.load(),
           " connections=", loop_total(&LoopCounters::connections), " readers=",
           loop_total(&LoopCounters::readers_tcp) + loop_total(&LoopCounters::readers_udp),
           " bytes_out=", loop_total(&LoopCounters::bytes_out),
           " frames_skipped=", loop_total(&LoopCounters::frames_skipped),
           " slow_readers_dropped=", loop_total(&LoopCounters::readers_dropped_slow));
}

}  // namespace edge
