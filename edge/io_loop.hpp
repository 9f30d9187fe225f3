// IoLoop: one epoll thread owning a share of the edge's RTSP connections, its own UDP sockets and
// its own view of every stream (description, cached GOP, readers). The ingest thread hands each
// frame to each loop once; the loop fans it out to its readers. See docs/threading.md.
#pragma once

#include <netinet/in.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "edge/access_control.hpp"
#include "edge/delay_histogram.hpp"
#include "edge/edge_options.hpp"
#include "edge/event_inbox.hpp"
#include "edge/reader_limits.hpp"
#include "edge/stream_event.hpp"
#include "edge/stream_health_board.hpp"
#include "edge/tunnel_registry.hpp"
#include "rtsp/transport.hpp"

#include <sys/socket.h>

namespace edge {

class Connection;

// "ip:port" of a socket address (IPv4 or IPv6).
std::string address_key(const sockaddr_storage& address);

// Counters read by other threads (metrics, logs); written by the loop thread only.
struct LoopCounters {
  std::atomic<uint64_t> connections{0};
  std::atomic<uint64_t> readers_tcp{0};
  std::atomic<uint64_t> readers_udp{0};
  std::atomic<uint64_t> bytes_out{0};
  std::atomic<uint64_t> packets_out{0};
  std::atomic<uint64_t> frames_skipped{0};
  std::atomic<uint64_t> readers_dropped_slow{0};
  std::atomic<uint64_t> udp_packets_dropped{0};
  DelayHistogram queue_delay;  // edge receive -> last byte handed to the socket
};

// What a loop knows about one stream, published for the metrics thread twice a second.
struct StreamSnapshot {
  size_t readers_tcp = 0;
  size_t readers_udp = 0;
  size_t readers_multicast = 0;
  uint64_t rtcp_reports = 0;
  double loss_fraction_max = 0;  // from the readers' last RTCP receiver reports
  double loss_fraction_sum = 0;
  double jitter_ms_max = 0;
  bool ready = false;
  bool down = false;
};
using LoopSnapshot = absl::flat_hash_map<std::string, StreamSnapshot>;

// The loop-local view of one stream.
struct StreamView {
  StreamDescriptionPtr description;
  std::vector<media::PacketizedFramePtr> gop;  // from the last keyframe
  size_t gop_bytes = 0;
  bool gop_complete = false;  // false after a cache overflow, until the next keyframe
  std::vector<Connection*> readers;
  struct TrackPosition {
    uint16_t next_sequence = 0;
    uint32_t last_rtp_timestamp = 0;
  };
  absl::flat_hash_map<uint32_t, TrackPosition> positions;  // per track: where live delivery is
  bool down = false;

  // DESCRIBE can answer: parameter sets, the track list (StreamInfo) and a keyframe are here.
  bool ready() const {
    return description && description->info_seen && gop_complete && !gop.empty();
  }
};

// Objects every loop shares with the others (all thread-safe).
struct LoopShared {
  std::atomic<size_t>* sessions = nullptr;
  AccessControl* access = nullptr;
  MulticastGroups* multicast = nullptr;
  TunnelRegistry* tunnels = nullptr;
  const std::atomic<bool>* draining = nullptr;  // set: new sessions get 503
  ReaderLimits* reader_limits = nullptr;
  const StreamHealthBoard* health = nullptr;  // GET_PARAMETER stream_state
};

// Decoded bytes of a tunnelled POST, for the GET half's connection on another loop.
struct TunnelData {
  int fd = -1;
  uint64_t serial = 0;
  std::string bytes;
};

struct NewConnection {
  int fd = -1;
  sockaddr_storage peer{};
};

using EventBatch = std::shared_ptr<const std::vector<StreamEvent>>;

class IoLoop {
 public:
  // Creates the epoll instance, inbox and the UDP RTP/RTCP socket pair bound on `udp_host`.
  static absl::StatusOr<std::unique_ptr<IoLoop>> create(size_t index, const EdgeOptions& options,
                                                        LoopShared shared);
  ~IoLoop();

  void start();
  // Any thread: asks the loop to stop; join() waits for it.
  void stop();
  void join();

  // Any thread. The same batch is posted to every loop.
  void post_events(EventBatch batch) { events_.push(std::move(batch)); }
  void post_connection(NewConnection connection) { accepted_.push(connection); }

  const LoopCounters& counters() const { return counters_; }
  // Any thread: the per-stream snapshot as of the last publication.
  LoopSnapshot snapshot() const {
    std::lock_guard lock(snapshot_mutex_);
    return snapshot_;
  }
  size_t index() const { return index_; }

  // --- loop thread only (used by Connection) ---
  const EdgeOptions& options() const { return options_; }
  LoopCounters& mutable_counters() { return counters_; }
  StreamView* find_stream(const std::string& stream);
  int udp_rtp_fd() const { return udp_rtp_fd_; }
  int udp_rtcp_fd() const { return udp_rtcp_fd_; }
  rtsp::PortPair udp_ports() const { return udp_ports_; }
  void watch(int fd, bool want_write);
  void add_reader(const std::string& stream, Connection* reader);
  void remove_reader(const std::string& stream, Connection* reader);
  std::string new_session_id();
  AccessControl* access() { return shared_.access; }
  TunnelRegistry* tunnels() { return shared_.tunnels; }
  ReaderLimits* reader_limits() { return shared_.reader_limits; }
  const StreamHealthBoard* health() const { return shared_.health; }
  bool draining() const {
    return shared_.draining && shared_.draining->load(std::memory_order_relaxed);
  }
  uint64_t next_serial() { return ++serial_counter_; }
  // Any thread: bytes for the GET half of a tunnel living on this loop.
  void post_tunnel(TunnelData data) { tunnel_inbox_.push(std::move(data)); }
  // Loop thread: hands tunnelled bytes to the connection `fd` if it is still `serial`.
  void deliver_tunnel(const TunnelData& data);
  // Tells the ingest thread a reader wants `stream` (on-demand subscription). Loop thread.
  void want(const std::string& stream) {
    if (want_) want_(stream);
  }
  // Set once before start().
  void set_want(std::function<void(std::string)> want) { want_ = std::move(want); }
  MulticastGroups* multicast() { return shared_.multicast; }
  // Session accounting across all loops (max_sessions).
  bool acquire_session();
  void release_session();
  // A connection closed itself; it is destroyed at the end of the current iteration.
  void mark_closed(int fd) { closed_fds_.push_back(fd); }
  // UDP readers' RTCP source addresses, so receiver reports count as session activity.
  void register_udp_peer(const std::string& address, Connection* reader) {
    udp_peers_[address] = reader;
  }
  void unregister_udp_peer(const std::string& address) { udp_peers_.erase(address); }

 private:
  IoLoop(size_t index, const EdgeOptions& options, LoopShared shared);
  absl::Status open_udp(const std::string& host);
  void run();
  void on_events();
  void on_accepted();
  void on_stream_event(const StreamEvent& event);
  void on_frame(StreamView& view, const media::PacketizedFramePtr& frame);
  void on_udp_rtcp();
  // A stream became ready: parked DESCRIBEs may go on.
  void notify_ready();
  void tick();
  void reap_closed();

  size_t index_;
  EdgeOptions options_;
  LoopShared shared_;
  std::function<void(std::string)> want_;
  int epoll_fd_ = -1;
  int udp_rtp_fd_ = -1;
  int udp_rtcp_fd_ = -1;
  rtsp::PortPair udp_ports_;
  EventInbox<EventBatch> events_;
  EventInbox<NewConnection> accepted_;
  EventInbox<TunnelData> tunnel_inbox_;
  uint64_t serial_counter_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  LoopCounters counters_;
  absl::flat_hash_map<std::string, StreamView> streams_;
  absl::flat_hash_map<int, std::unique_ptr<Connection>> connections_;
  uint64_t session_counter_ = 0;
  std::vector<int> closed_fds_;
  mutable std::mutex snapshot_mutex_;
  LoopSnapshot snapshot_;
  int64_t next_snapshot_us_ = 0;
  void publish_snapshot();
  absl::flat_hash_map<std::string, Connection*> udp_peers_;
  int64_t next_tick_us_ = 0;
};

}  // namespace edge
