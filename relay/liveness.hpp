// Liveness settings shared by every origin-edge socket: TCP keep-alive (a half-open connection
// is noticed by the kernel) and ZMTP heartbeats (ZeroMQ drops a silent peer and reconnects),
// docs/wire.md "Queues and liveness".
#pragma once

#include <chrono>

#include <zmq.hpp>

namespace relay {

inline constexpr int kTcpKeepaliveIdleSeconds = 10;
inline constexpr int kTcpKeepaliveIntervalSeconds = 5;

inline void set_liveness(zmq::socket_t& socket, std::chrono::milliseconds heartbeat_interval,
                         std::chrono::milliseconds heartbeat_timeout) {
  socket.set(zmq::sockopt::tcp_keepalive, 1);
  socket.set(zmq::sockopt::tcp_keepalive_idle, kTcpKeepaliveIdleSeconds);
  socket.set(zmq::sockopt::tcp_keepalive_intvl, kTcpKeepaliveIntervalSeconds);
  socket.set(zmq::sockopt::heartbeat_ivl, static_cast<int>(heartbeat_interval.count()));
  socket.set(zmq::sockopt::heartbeat_timeout, static_cast<int>(heartbeat_timeout.count()));
}

}  // namespace relay
