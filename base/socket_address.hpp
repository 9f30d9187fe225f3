// Socket addresses as text, for logs, keys and the publisher/peer fields operators read.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace base {

// The numeric host of an IPv4 or IPv6 address ("" for other families). An IPv4 peer of a
// dual-stack socket ("::ffff:1.2.3.4") reads as "1.2.3.4".
std::string address_host(const sockaddr_storage& address);

// The port of an IPv4 or IPv6 address (0 for other families).
uint16_t address_port(const sockaddr_storage& address);

// A numeric host as text, with an IPv4-mapped IPv6 address ("::ffff:1.2.3.4", how a dual-stack
// socket names an IPv4 peer) as the IPv4 address it is; other hosts unchanged.
std::string_view unmapped_host(std::string_view host);

// "host:port", or "[v6]:port" for an IPv6 host.
std::string address_text(const sockaddr_storage& address);

// The local address of a socket (getsockname): its host ("" on failure) and port (0).
std::string local_host(int fd);
uint16_t local_port(int fd);

}  // namespace base
