// Socket helpers for the RTSP receiver: a TCP connect with a deadline, writes with a deadline,
// UDP port pairs for RTP/RTCP (RFC 3550 11: RTP on an even port, RTCP on the next), multicast
// membership. Blocking calls poll `cancelled` at least every 50 ms.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace receiver {

// Returns true when the caller wants the current blocking call abandoned.
using CancelFn = std::function<bool()>;

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = other.release();
    }
    return *this;
  }
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset();

 private:
  int fd_ = -1;
};

// Resolves `host` (name, IPv4 or IPv6 literal) and connects to the first address that answers
// before `deadline_us` (monotonic). The socket is non-blocking, TCP_NODELAY, close-on-exec.
// Errors name the address and the reason ("connection refused").
absl::StatusOr<Fd> connect_tcp(const std::string& host, uint16_t port, int64_t deadline_us,
                               const CancelFn& cancelled);

// Writes all of `bytes` to the non-blocking `fd` before `deadline_us`.
absl::Status send_all(int fd, std::string_view bytes, int64_t deadline_us,
                      const CancelFn& cancelled);

struct UdpPair {
  Fd rtp;
  Fd rtcp;
  uint16_t rtp_port = 0;
};

// Binds RTP on an even port and RTCP on the next one, on `local_address` ("" = any), non-blocking,
// with a receive buffer big enough for a late joiner's GOP burst.
absl::StatusOr<UdpPair> bind_udp_pair(const std::string& local_address);
// Binds `port` and `port + 1` with SO_REUSEADDR (several receivers of one group on a host) and
// joins `group` on each (IPv4).
absl::StatusOr<UdpPair> join_multicast(const std::string& group, uint16_t port);

}  // namespace receiver
