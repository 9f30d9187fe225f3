#include "cluster/slow_request_guard.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/tcp.h>  // TCP_INFO with tcpi_bytes_received (glibc's netinet/tcp.h lacks it)
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <string_view>

#include "base/log.hpp"
#include "base/socket_address.hpp"

namespace cluster {
namespace {

constexpr auto kSweepInterval = std::chrono::milliseconds(100);
constexpr std::string_view kSocketLinkPrefix = "socket:[";

// The inode of `fd` when it is a socket, else 0.
ino_t socket_inode(int fd) {
  char link[64];
  const std::string path = "/proc/self/fd/" + std::to_string(fd);
  const ssize_t n = ::readlink(path.c_str(), link, sizeof link - 1);
  if (n <= 0) return 0;
  const std::string_view text(link, static_cast<size_t>(n));
  if (!text.starts_with(kSocketLinkPrefix)) return 0;
  return static_cast<ino_t>(std::strtoull(link + kSocketLinkPrefix.size(), nullptr, 10));
}

// Bytes the kernel has received on TCP socket `fd` (RFC 4898 HCThruOctetsReceived); 0 if unknown.
uint64_t bytes_received(int fd) {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return 0;
  if (len < offsetof(tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received) return 0;
  return info.tcpi_bytes_received;
}

base::RateLimiter g_cut_log{std::chrono::seconds(10)};

}  // namespace

SlowRequestGuard::SlowRequestGuard(Clock::duration deadline, uint64_t max_bytes)
    : deadline_(deadline), max_bytes_(max_bytes), sweeper_([this] { sweep(); }) {}

SlowRequestGuard::~SlowRequestGuard() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  sweeper_.join();
  for (auto& [id, c] : connections_) ::close(c.dup_fd);
}

void SlowRequestGuard::listening(int listen_fd, int port) {
  std::lock_guard lock(mu_);
  listen_fd_ = listen_fd;
  port_ = port;
}

std::vector<uint64_t> SlowRequestGuard::track_new() {
  std::vector<uint64_t> ids;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return ids;
  const int dir_fd = ::dirfd(dir);
  std::lock_guard lock(mu_);
  while (dirent* entry = ::readdir(dir)) {
    const int fd = std::atoi(entry->d_name);
    if (fd <= 2 || fd == dir_fd || fd == listen_fd_) continue;
    const ino_t inode = socket_inode(fd);
    if (inode == 0 || inodes_.contains(inode)) continue;
    sockaddr_storage local{}, peer{};
    socklen_t local_len = sizeof local, peer_len = sizeof peer;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0 ||
        base::address_port(local) != port_ ||
        ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) {
      continue;
    }
    const int dup_fd = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (dup_fd < 0) continue;
    const uint64_t id = next_id_++;
    connections_[id] = Connection{.dup_fd = dup_fd,
                                  .inode = inode,
                                  .host = base::address_host(peer),
                                  .port = base::address_port(peer),
                                  .deadline = Clock::now() + deadline_};
    inodes_.insert(inode);
    ids.push_back(id);
  }
  ::closedir(dir);
  return ids;
}

void SlowRequestGuard::forget(const std::vector<uint64_t>& ids) {
  std::lock_guard lock(mu_);
  for (uint64_t id : ids) {
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;
    ::close(it->second.dup_fd);
    inodes_.erase(it->second.inode);
    connections_.erase(it);
  }
}

void SlowRequestGuard::on_request(const std::string& remote_addr, int remote_port,
                                  bool event_stream) {
  // The library names an IPv4 peer of a dual-stack socket "::ffff:1.2.3.4".
  const std::string_view host = base::unmapped_host(remote_addr);
  std::lock_guard lock(mu_);
  for (auto& [id, c] : connections_) {
    if (c.port != remote_port || c.host != host) continue;
    c.deadline = Clock::now() + deadline_;
    c.bytes_at_request = bytes_received(c.dup_fd);
    c.exempt = c.exempt || event_stream;
  }
}

uint64_t SlowRequestGuard::cut() const {
  std::lock_guard lock(mu_);
  return cut_;
}

void SlowRequestGuard::sweep() {
  std::unique_lock lock(mu_);
  while (!wake_.wait_for(lock, kSweepInterval, [&] { return stopping_; })) {
    const auto now = Clock::now();
    for (auto& [id, c] : connections_) {
      if (c.exempt) continue;
      const char* why = nullptr;
      if (now >= c.deadline) {
        why = "no complete request head in time";
      } else if (bytes_received(c.dup_fd) - c.bytes_at_request > max_bytes_) {
        why = "request head too large";
      }
      if (why == nullptr) continue;
      // Reset rather than close: a client still sending would otherwise wait on a zero window
      // until the orphaned socket times out, holding its buffers for a minute.
      const linger reset{.l_onoff = 1, .l_linger = 0};
      ::setsockopt(c.dup_fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
      ::shutdown(c.dup_fd, SHUT_RDWR);  // the connection's thread reads EOF and ends
      c.exempt = true;                  // once is enough
      ++cut_;
      if (g_cut_log.allow()) {
        base::log_line(
            base::LogLevel::Warn, "http",
            base::cat("closed ", c.host, ":", c.port, ": ", why, " (", cut_, " so far)"));
      }
    }
  }
}

}  // namespace cluster
