// One epoll I/O thread of the edge (docs/threading.md).
#include "edge/io_loop.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/clock.hpp"
#include "base/log.hpp"
#include "base/socket_address.hpp"
#include "base/strings.hpp"
#include "edge/connection.hpp"

namespace edge {
namespace {

constexpr int kMaxEpollEvents = 256;
constexpr int kUdpBindAttempts = 64;
constexpr int kUdpSendBuffer = 4 * 1024 * 1024;
// Pseudo file descriptors in epoll data for the loop's own sources.
constexpr uint64_t kEventsTag = 1ULL << 40;
constexpr uint64_t kAcceptedTag = 2ULL << 40;
constexpr uint64_t kRtcpTag = 3ULL << 40;
constexpr uint64_t kTunnelTag = 4ULL << 40;

absl::StatusOr<int> bind_udp(const std::string& host, uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, host == "0.0.0.0" || host.empty() ? "0.0.0.0" : host.c_str(),
                &addr.sin_addr) != 1) {
    return absl::InvalidArgumentError(base::cat("bad IPv4 address '", host, "'"));
  }
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(std::strerror(errno));
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &kUdpSendBuffer, sizeof kUdpSendBuffer);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    ::close(fd);
    return absl::UnavailableError(std::strerror(err));
  }
  return fd;
}

uint16_t local_port(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);
}

}  // namespace

IoLoop::IoLoop(size_t index, const EdgeOptions& options, LoopShared shared)
    : index_(index), options_(options), shared_(shared) {}

absl::StatusOr<std::unique_ptr<IoLoop>> IoLoop::create(size_t index, const EdgeOptions& options,
                                                       LoopShared shared) {
  std::unique_ptr<IoLoop> loop(new IoLoop(index, options, shared));
  loop->epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (loop->epoll_fd_ < 0 || !loop->events_.valid() || !loop->accepted_.valid()) {
    return absl::InternalError(base::cat("epoll/eventfd: ", std::strerror(errno)));
  }
  if (auto st = loop->open_udp(options.rtsp_host); !st.ok()) return st;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kEventsTag;
  ::epoll_ctl(loop->epoll_fd_, EPOLL_CTL_ADD, loop->events_.fd(), &ev);
  ev.data.u64 = kAcceptedTag;
  ::epoll_ctl(loop->epoll_fd_, EPOLL_CTL_ADD, loop->accepted_.fd(), &ev);
  ev.data.u64 = kRtcpTag;
  ::epoll_ctl(loop->epoll_fd_, EPOLL_CTL_ADD, loop->udp_rtcp_fd_, &ev);
  ev.data.u64 = kTunnelTag;
  ::epoll_ctl(loop->epoll_fd_, EPOLL_CTL_ADD, loop->tunnel_inbox_.fd(), &ev);
  return loop;
}

absl::Status IoLoop::open_udp(const std::string& host) {
  // RFC 3550 11: RTP on an even port, RTCP on the next odd one.
  for (int attempt = 0; attempt < kUdpBindAttempts; ++attempt) {
    auto rtp = bind_udp(host, 0);
    if (!rtp.ok()) return rtp.status();
    const uint16_t port = local_port(*rtp);
    if (port % 2 != 0 || port == 65535) {
      ::close(*rtp);
      continue;
    }
    auto rtcp = bind_udp(host, static_cast<uint16_t>(port + 1));
    if (!rtcp.ok()) {
      ::close(*rtp);
      continue;
    }
    udp_rtp_fd_ = *rtp;
    udp_rtcp_fd_ = *rtcp;
    udp_ports_ = {port, static_cast<uint16_t>(port + 1)};
    return absl::OkStatus();
  }
  return absl::UnavailableError("could not bind a UDP port pair for RTP/RTCP");
}

IoLoop::~IoLoop() {
  stop();
  join();
  connections_.clear();
  for (int fd : {epoll_fd_, udp_rtp_fd_, udp_rtcp_fd_}) {
    if (fd >= 0) ::close(fd);
  }
}

void IoLoop::start() {
  thread_ = std::thread([this] { run(); });
}

void IoLoop::stop() {
  stopping_.store(true);
  events_.push(nullptr);  // wake-up
}

void IoLoop::join() {
  if (thread_.joinable()) thread_.join();
}

std::string IoLoop::new_session_id() {
  // Unguessable enough for a session id (RFC 2326 12.37: at least 8 octets), unique per loop.
  static thread_local uint64_t salt =
      static_cast<uint64_t>(base::monotonic_us()) * 0x9E3779B97F4A7C15ULL;
  ++session_counter_;
  salt ^= salt << 13;
  salt ^= salt >> 7;
  salt ^= salt << 17;
  return base::cat(absl::Hex(salt, absl::kZeroPad16), absl::Hex(index_), "x", session_counter_);
}

bool IoLoop::acquire_session() {
  size_t current = shared_.sessions->load();
  while (current < options_.max_sessions) {
    if (shared_.sessions->compare_exchange_weak(current, current + 1)) return true;
  }
  return false;
}

void IoLoop::release_session() {
  shared_.sessions->fetch_sub(1);
}

void IoLoop::deliver_tunnel(const TunnelData& data) {
  auto it = connections_.find(data.fd);
  if (it == connections_.end() || it->second->closed() || it->second->serial() != data.serial)
    return;
  it->second->on_tunnel_bytes(data.bytes);
}

StreamView* IoLoop::find_stream(const std::string& stream) {
  auto it = streams_.find(stream);
  return it == streams_.end() ? nullptr : &it->second;
}

void IoLoop::watch(int fd, bool want_write) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLRDHUP | (want_write ? EPOLLOUT : 0u);
  ev.data.u64 = static_cast<uint64_t>(fd);
  ::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev);
}

void IoLoop::add_reader(const std::string& stream, Connection* reader) {
  streams_[stream].readers.push_back(reader);
}

void IoLoop::remove_reader(const std::string& stream, Connection* reader) {
  auto* view = find_stream(stream);
  if (!view) return;
  auto& r = view->readers;
  r.erase(std::remove(r.begin(), r.end(), reader), r.end());
}

void IoLoop::run() {
  epoll_event events[kMaxEpollEvents];
  while (!stopping_.load()) {
    const int n =
        ::epoll_wait(epoll_fd_, events, kMaxEpollEvents, static_cast<int>(kTickInterval.count()));
    for (int i = 0; i < n; ++i) {
      const uint64_t tag = events[i].data.u64;
      if (tag == kEventsTag) {
        on_events();
      } else if (tag == kAcceptedTag) {
        on_accepted();
      } else if (tag == kRtcpTag) {
        on_udp_rtcp();
      } else if (tag == kTunnelTag) {
        for (const TunnelData& data : tunnel_inbox_.drain()) deliver_tunnel(data);
      } else {
        auto it = connections_.find(static_cast<int>(tag));
        if (it == connections_.end() || it->second->closed()) continue;
        if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))
          it->second->on_readable();
        if (!it->second->closed() && (events[i].events & EPOLLOUT)) it->second->on_writable();
      }
    }
    if (base::monotonic_us() >= next_tick_us_) tick();
    reap_closed();
  }
  for (auto& [fd, connection] : connections_) connection->close("edge shutting down");
}

void IoLoop::on_events() {
  for (const EventBatch& batch : events_.drain()) {
    if (!batch) continue;
    for (const StreamEvent& event : *batch) on_stream_event(event);
  }
}

void IoLoop::on_accepted() {
  for (const NewConnection& nc : accepted_.drain()) {
    auto connection = std::make_unique<Connection>(*this, nc.fd, nc.peer);
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLRDHUP;
    ev.data.u64 = static_cast<uint64_t>(nc.fd);
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, nc.fd, &ev) != 0) {
      connection->close("epoll_ctl failed");
      continue;
    }
    connections_[nc.fd] = std::move(connection);
    counters_.connections.store(connections_.size(), std::memory_order_relaxed);
  }
}

void IoLoop::on_stream_event(const StreamEvent& event) {
  StreamView& view = streams_[event.stream];
  switch (event.kind) {
    case StreamEvent::Kind::Description: {
      const TrackDescription* old_video = view.description ? view.description->track(0) : nullptr;
      const TrackDescription* new_video = event.description->track(0);
      if (old_video && new_video && old_video->codec != new_video->codec) {
        // Readers set up for the old codec cannot decode the new one: close them cleanly so
        // they reconnect and DESCRIBE again (docs/interop.md).
        const std::vector<Connection*> readers = view.readers;
        for (Connection* reader : readers) reader->close("stream codec changed");
        view.gop.clear();
      }
      const bool was_ready = view.ready();
      view.description = event.description;
      view.down = false;
      if (!was_ready && view.ready()) notify_ready();
      break;
    }
    case StreamEvent::Kind::Down:
      view.down = true;
      break;
    case StreamEvent::Kind::Idle:
      view.gop.clear();
      break;
    case StreamEvent::Kind::Frame:
      view.down = false;
      on_frame(view, event.frame);
      break;
  }
}

void IoLoop::on_frame(StreamView& view, const media::PacketizedFramePtr& frame) {
  const bool was_ready = view.ready();
  view.gop.add(frame, frame->bytes.size(), frame->keyframe && frame->track == 0);
  auto& position = view.positions[frame->track];
  position.next_sequence = static_cast<uint16_t>(frame->first_sequence + frame->packet_count());
  position.last_rtp_timestamp = frame->rtp_timestamp;
  const int64_t now = base::monotonic_us();
  // Copy: a reader that closes during delivery removes itself from `readers`.
  const std::vector<Connection*> readers = view.readers;
  for (Connection* reader : readers) reader->deliver(frame, now);
  if (!was_ready && view.ready()) notify_ready();
}

void IoLoop::notify_ready() {
  for (auto& [fd, connection] : connections_) connection->on_stream_ready();
}

void IoLoop::on_udp_rtcp() {
  // Receiver reports from UDP readers, matched to their reader by source address.
  char buffer[2048];
  for (;;) {
    sockaddr_storage from{};
    socklen_t length = sizeof from;
    const ssize_t n = ::recvfrom(udp_rtcp_fd_, buffer, sizeof buffer, MSG_DONTWAIT,
                                 reinterpret_cast<sockaddr*>(&from), &length);
    if (n <= 0) break;
    auto it = udp_peers_.find(base::address_text(from));
    if (it != udp_peers_.end()) {
      it->second->on_rtcp({reinterpret_cast<const uint8_t*>(buffer), static_cast<size_t>(n)},
                          base::monotonic_us());
    }
  }
}

void IoLoop::tick() {
  const int64_t now = base::monotonic_us();
  next_tick_us_ = now + std::chrono::microseconds(kTickInterval).count();
  for (auto& [fd, connection] : connections_) connection->tick(now);
  if (now >= next_snapshot_us_) {
    next_snapshot_us_ = now + 500'000;
    publish_snapshot();
  }
}

void IoLoop::publish_snapshot() {
  LoopSnapshot snapshot;
  size_t tcp = 0, udp = 0;
  for (const auto& [name, view] : streams_) {
    StreamSnapshot& s = snapshot[name];
    s.ready = view.ready();
    s.down = view.down;
    for (const Connection* reader : view.readers) {
      switch (reader->transport_kind()) {
        case Connection::Delivery::Tcp:
          ++s.readers_tcp;
          break;
        case Connection::Delivery::Udp:
          ++s.readers_udp;
          break;
        case Connection::Delivery::Multicast:
          ++s.readers_multicast;
          break;
      }
      const auto& report = reader->report();
      if (report.reports == 0) continue;
      ++s.rtcp_reports;
      s.loss_fraction_sum += report.fraction_lost;
      s.loss_fraction_max = std::max(s.loss_fraction_max, report.fraction_lost);
      s.jitter_ms_max = std::max(s.jitter_ms_max, report.jitter_ms);
    }
    if (!view.readers.empty()) want(name);  // keeps the subscription alive
    tcp += s.readers_tcp;
    udp += s.readers_udp + s.readers_multicast;
  }
  counters_.readers_tcp.store(tcp, std::memory_order_relaxed);
  counters_.readers_udp.store(udp, std::memory_order_relaxed);
  std::lock_guard lock(snapshot_mutex_);
  snapshot_ = std::move(snapshot);
}

void IoLoop::reap_closed() {
  if (closed_fds_.empty()) return;
  for (int fd : closed_fds_) {
    auto it = connections_.find(fd);
    if (it != connections_.end() && it->second->closed()) connections_.erase(it);
  }
  closed_fds_.clear();
  counters_.connections.store(connections_.size(), std::memory_order_relaxed);
}

}  // namespace edge
