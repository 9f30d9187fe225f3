// ConnectionHost: what a Connection may ask of the I/O loop that owns it — the narrow interface
// between the two (the loop implements it; a connection never sees the rest of the loop). Loop
// thread only, except post_tunnel(), which any loop may call on another's host.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "edge/access_control.hpp"
#include "edge/edge_options.hpp"
#include "edge/loop_counters.hpp"
#include "edge/multicast_groups.hpp"
#include "edge/reader_limits.hpp"
#include "edge/stream_health_board.hpp"
#include "edge/stream_view.hpp"
#include "edge/tunnel_registry.hpp"
#include "rtsp/transport.hpp"

namespace edge {

class Connection;

class ConnectionHost {
 public:
  virtual ~ConnectionHost() = default;

  // Settings and counters.
  virtual const EdgeOptions& options() const = 0;
  virtual LoopCounters& counters() = 0;

  // Streams and readers. `find_stream` is nullptr for a stream the loop has never seen; `want`
  // asks the ingest thread to subscribe (on-demand) and keeps the subscription alive.
  virtual StreamView* find_stream(const std::string& stream) = 0;
  virtual void want(const std::string& stream) = 0;
  virtual void add_reader(const std::string& stream, Connection* reader) = 0;
  virtual void remove_reader(const std::string& stream, Connection* reader) = 0;

  // The connection's socket: write interest, and closing (destroyed at the end of the iteration).
  virtual void watch(int fd, bool want_write) = 0;
  virtual void mark_closed(int fd) = 0;

  // Sessions: ids, the edge-wide session count (--max_sessions), per-stream reader slots,
  // viewer authentication, draining (new sessions get 503), stream health for GET_PARAMETER.
  virtual std::string new_session_id() = 0;
  virtual uint64_t next_serial() = 0;
  virtual bool acquire_session() = 0;
  virtual void release_session() = 0;
  virtual ReaderLimits* reader_limits() = 0;
  virtual AccessControl* access() = 0;
  virtual bool draining() const = 0;
  virtual const StreamHealthBoard* health() const = 0;

  // UDP delivery: the loop's RTP/RTCP socket pair, the multicast groups, and the readers' RTCP
  // source addresses (their receiver reports count as session activity).
  virtual int udp_rtp_fd() const = 0;
  virtual int udp_rtcp_fd() const = 0;
  virtual rtsp::PortPair udp_ports() const = 0;
  virtual MulticastGroups* multicast() = 0;
  virtual void register_udp_peer(const std::string& address, Connection* reader) = 0;
  virtual void unregister_udp_peer(const std::string& address) = 0;

  // RTSP over HTTP: the cookie registry, and tunnelled POST bytes for a GET half on this loop
  // (deliver_tunnel, loop thread) or on another (post_tunnel, any thread).
  virtual TunnelRegistry* tunnels() = 0;
  virtual void deliver_tunnel(const TunnelData& data) = 0;
  virtual void post_tunnel(TunnelData data) = 0;
};

}  // namespace edge
