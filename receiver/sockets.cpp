// Socket helpers (sockets.hpp).
#include "receiver/sockets.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/clock.hpp"
#include "base/socket_address.hpp"
#include "base/strings.hpp"

namespace receiver {
namespace {

constexpr int64_t kCancelPollUs = 50'000;
constexpr int kReceiveBufferBytes = 4 * 1024 * 1024;

absl::Status errno_status(std::string_view what, int err = errno) {
  return absl::UnavailableError(base::cat(what, ": ", std::strerror(err)));
}

int wait_ms(int64_t deadline_us) {
  const int64_t left = deadline_us - base::monotonic_us();
  return static_cast<int>(std::clamp<int64_t>(left, 0, kCancelPollUs) / 1000);
}

// Waits until `fd` is ready for `events`; false on deadline or cancel.
absl::Status wait_fd(int fd, short events, int64_t deadline_us, const CancelFn& cancelled,
                     std::string_view what) {
  while (true) {
    if (cancelled && cancelled()) return absl::CancelledError("stopped");
    if (base::monotonic_us() >= deadline_us) return absl::DeadlineExceededError(base::av(what));
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, std::max(1, wait_ms(deadline_us)));
    if (n > 0) return absl::OkStatus();
    if (n < 0 && errno != EINTR) return errno_status("poll");
  }
}

void set_receive_buffer(int fd) {
  // A late joiner gets a whole cached GOP at once: make room (FORCE needs CAP_NET_ADMIN).
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &kReceiveBufferBytes,
                 sizeof kReceiveBufferBytes) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &kReceiveBufferBytes, sizeof kReceiveBufferBytes);
  }
}

absl::StatusOr<Fd> bind_udp(const sockaddr_in& address, bool reuse) {
  Fd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return errno_status("socket");
  const int one = 1;
  if (reuse) setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    return errno_status(base::cat("bind UDP port ", ntohs(address.sin_port)));
  }
  set_receive_buffer(fd.get());
  return fd;
}

absl::StatusOr<Fd> connect_one(const addrinfo& ai, int64_t deadline_us, const CancelFn& cancelled) {
  Fd fd(::socket(ai.ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return errno_status("socket");
  const int one = 1;
  setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  set_receive_buffer(fd.get());
  if (::connect(fd.get(), ai.ai_addr, ai.ai_addrlen) != 0 && errno != EINPROGRESS) {
    return errno_status("connect");
  }
  if (auto st = wait_fd(fd.get(), POLLOUT, deadline_us, cancelled, "connect timed out"); !st.ok())
    return st;
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) return errno_status("connect", err);
  return fd;
}

}  // namespace

void Fd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

absl::StatusOr<Fd> connect_tcp(const std::string& host, uint16_t port, int64_t deadline_us,
                               const CancelFn& cancelled) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
    return absl::NotFoundError(base::cat("cannot resolve ", host, ": ", gai_strerror(rc)));
  }
  absl::Status last = absl::UnavailableError("no address");
  for (const addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    auto fd = connect_one(*ai, deadline_us, cancelled);
    if (fd.ok()) {
      ::freeaddrinfo(found);
      return fd;
    }
    last = fd.status();
    if (absl::IsCancelled(last) || absl::IsDeadlineExceeded(last)) break;
  }
  ::freeaddrinfo(found);
  return absl::Status(last.code(), base::cat(host, ":", port, ": ", last.message()));
}

absl::Status send_all(int fd, std::string_view bytes, int64_t deadline_us,
                      const CancelFn& cancelled) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (auto st = wait_fd(fd, POLLOUT, deadline_us, cancelled, "send timed out"); !st.ok())
        return st;
      continue;
    }
    return errno_status("send");
  }
  return absl::OkStatus();
}

absl::StatusOr<UdpPair> bind_udp_pair(const std::string& local_address) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_ANY);
  if (!local_address.empty() && inet_pton(AF_INET, local_address.c_str(), &a.sin_addr) != 1) {
    a.sin_addr.s_addr = htonl(INADDR_ANY);
  }
  // An ephemeral port for RTP, then its even neighbour pair; a few tries cover a taken odd port.
  for (int attempt = 0; attempt < 16; ++attempt) {
    a.sin_port = 0;
    auto probe = bind_udp(a, false);
    if (!probe.ok()) return probe.status();
    uint16_t port = base::local_port(probe->get());
    if (port % 2 != 0) {
      probe->reset();
      port = static_cast<uint16_t>(port + 1);
      a.sin_port = htons(port);
      probe = bind_udp(a, false);
      if (!probe.ok()) continue;
    }
    a.sin_port = htons(static_cast<uint16_t>(port + 1));
    auto rtcp = bind_udp(a, false);
    if (!rtcp.ok()) continue;
    return UdpPair{std::move(*probe), std::move(*rtcp), port};
  }
  return absl::UnavailableError("no free even/odd UDP port pair for RTP/RTCP");
}

absl::StatusOr<UdpPair> join_multicast(const std::string& group, uint16_t port) {
  ip_mreq membership{};
  if (inet_pton(AF_INET, group.c_str(), &membership.imr_multiaddr) != 1) {
    return absl::InvalidArgumentError(base::cat("not an IPv4 multicast group: ", group));
  }
  membership.imr_interface.s_addr = htonl(INADDR_ANY);
  UdpPair pair;
  pair.rtp_port = port;
  for (int i = 0; i < 2; ++i) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr = membership.imr_multiaddr;  // receive only this group's datagrams
    a.sin_port = htons(static_cast<uint16_t>(port + i));
    auto fd = bind_udp(a, true);
    if (!fd.ok()) return fd.status();
    if (setsockopt(fd->get(), IPPROTO_IP, IP_ADD_MEMBERSHIP, &membership, sizeof membership) != 0) {
      return errno_status(base::cat("join multicast group ", group));
    }
    (i == 0 ? pair.rtp : pair.rtcp) = std::move(*fd);
  }
  return pair;
}

}  // namespace receiver
