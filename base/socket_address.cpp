#include "base/socket_address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <string_view>

#include "base/strings.hpp"

namespace base {
namespace {

constexpr std::string_view kMappedV4Prefix = "::ffff:";

sockaddr_storage local_address(int fd) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) a.ss_family = AF_UNSPEC;
  return a;
}

}  // namespace

std::string address_host(const sockaddr_storage& address) {
  char host[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(address).sin_addr, host, sizeof host);
  } else if (address.ss_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6&>(address).sin6_addr, host,
              sizeof host);
  }
  return std::string(unmapped_host(host));
}

std::string_view unmapped_host(std::string_view host) {
  if (host.starts_with(kMappedV4Prefix) &&
      host.substr(kMappedV4Prefix.size()).find('.') != std::string_view::npos) {
    host.remove_prefix(kMappedV4Prefix.size());
  }
  return host;
}

uint16_t address_port(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  }
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  }
  return 0;
}

std::string address_text(const sockaddr_storage& address) {
  const std::string host = address_host(address);
  if (host.find(':') != std::string::npos) return cat("[", host, "]:", address_port(address));
  return cat(host, ":", address_port(address));
}

std::string local_host(int fd) {
  return address_host(local_address(fd));
}

uint16_t local_port(int fd) {
  return address_port(local_address(fd));
}

}  // namespace base
