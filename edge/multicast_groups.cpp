// Multicast delivery: one group per stream, one copy per frame.
#include "edge/multicast_groups.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/numbers.h"
#include "base/strings.hpp"

namespace edge {
namespace {

absl::StatusOr<std::pair<uint32_t, uint32_t>> parse_pool(const std::string& pool) {
  const size_t slash = pool.find('/');
  in_addr addr{};
  uint32_t prefix = 32;
  if (inet_pton(AF_INET, pool.substr(0, slash).c_str(), &addr) != 1 ||
      (slash != std::string::npos &&
       (!absl::SimpleAtoi(pool.substr(slash + 1), &prefix) || prefix > 32 || prefix < 8))) {
    return absl::InvalidArgumentError(
        base::cat("bad multicast pool '", pool, "' (want e.g. 239.255.42.0/24)"));
  }
  const uint32_t base = ntohl(addr.s_addr);
  if ((base >> 28) != 0xE) {
    return absl::InvalidArgumentError(
        base::cat("multicast pool '", pool, "' is not in 224.0.0.0/4"));
  }
  const uint32_t size = prefix == 32 ? 1 : (1u << (32 - prefix)) - 1;  // skip the .0 address
  return std::make_pair(prefix == 32 ? base : base + 1, size);
}

}  // namespace

absl::StatusOr<std::unique_ptr<MulticastGroups>> MulticastGroups::create(
    const MulticastOptions& options) {
  auto pool = parse_pool(options.pool);
  if (!pool.ok()) return pool.status();
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError(std::strerror(errno));
  in_addr interface {};
  if (inet_pton(AF_INET, options.interface_address.c_str(), &interface) != 1) {
    ::close(fd);
    return absl::InvalidArgumentError(
        base::cat("bad multicast interface '", options.interface_address, "'"));
  }
  const int ttl = options.ttl;
  const int loop = 1;  // readers on this host get the packets too
  const int sndbuf = 4 * 1024 * 1024;
  ::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &interface, sizeof interface);
  ::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl);
  ::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof loop);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  return std::unique_ptr<MulticastGroups>(
      new MulticastGroups(options, pool->first, pool->second, fd));
}

MulticastGroups::~MulticastGroups() {
  ::close(fd_);
}

absl::StatusOr<MulticastGroup> MulticastGroups::join(const std::string& stream) {
  std::lock_guard lock(mutex_);
  auto it = groups_.find(stream);
  if (it == groups_.end()) {
    if (next_index_ >= size_)
      return absl::ResourceExhaustedError("multicast address pool exhausted");
    const uint32_t index = next_index_++;
    in_addr addr{htonl(base_ + index)};
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &addr, text, sizeof text);
    const auto port = static_cast<uint16_t>(options_.port_base + 2 * kMulticastTracks * index);
    it = groups_
             .emplace(stream,
                      Entry{{text, port, static_cast<uint16_t>(port + 1), options_.ttl}, 0, index})
             .first;
  }
  ++it->second.readers;
  return it->second.group;
}

void MulticastGroups::leave(const std::string& stream) {
  std::lock_guard lock(mutex_);
  auto it = groups_.find(stream);
  if (it != groups_.end() && it->second.readers > 0) --it->second.readers;
}

void MulticastGroups::send(const std::string& stream, const media::PacketizedFrame& frame) {
  sockaddr_in to{};
  {
    std::lock_guard lock(mutex_);
    auto it = groups_.find(stream);
    if (it == groups_.end() || it->second.readers == 0 || frame.track >= kMulticastTracks) return;
    to.sin_family = AF_INET;
    to.sin_port = htons(it->second.group.rtp_port_of(frame.track));
    to.sin_addr.s_addr = htonl(base_ + it->second.index);
  }
  constexpr size_t kBatch = 256;
  mmsghdr messages[kBatch];
  iovec iov[kBatch];
  uint64_t sent_total = 0;
  for (size_t done = 0; done < frame.packet_count();) {
    const size_t batch = std::min(kBatch, frame.packet_count() - done);
    for (size_t i = 0; i < batch; ++i) {
      auto packet = frame.packet(done + i);
      iov[i] = {const_cast<uint8_t*>(packet.data()), packet.size()};
      messages[i] = {};
      messages[i].msg_hdr.msg_name = &to;
      messages[i].msg_hdr.msg_namelen = sizeof to;
      messages[i].msg_hdr.msg_iov = &iov[i];
      messages[i].msg_hdr.msg_iovlen = 1;
    }
    const int sent = ::sendmmsg(fd_, messages, static_cast<unsigned>(batch), MSG_DONTWAIT);
    if (sent > 0) sent_total += static_cast<uint64_t>(sent);
    done += batch;
  }
  std::lock_guard lock(mutex_);
  packets_sent_ += sent_total;
}

uint64_t MulticastGroups::packets_sent() const {
  std::lock_guard lock(mutex_);
  return packets_sent_;
}

}  // namespace edge
