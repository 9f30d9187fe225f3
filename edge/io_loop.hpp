// IoLoop: one epoll thread owning a share of the edge's RTSP connections, its own UDP sockets and
// its own view of every stream (description, cached GOP, readers). The ingest thread hands each
// frame to each loop once; the loop fans it out to its readers. Its connections see it only as
// a ConnectionHost. See docs/threading.md.
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
#include "edge/connection_host.hpp"
#include "edge/event_inbox.hpp"
#include "edge/stream_event.hpp"

#include <sys/socket.h>

namespace edge {

class Connection;

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

struct NewConnection {
  int fd = -1;
  sockaddr_storage peer{};
};

class IoLoop final : public ConnectionHost {
 public:
  // Creates the epoll instance, inbox and the UDP RTP/RTCP socket pair bound on `udp_host`.
  static absl::StatusOr<std::unique_ptr<IoLoop>> create(size_t index, const EdgeOptions& options,
                                                        LoopShared shared);
  ~IoLoop() override;

  void start();
  // Any thread: asks the loop to stop; join() waits for it.
  void stop();
  void join();

  // Any thread. The same batch is posted to every loop.
  void post_events(EventBatch batch) { events_.push(std::move(batch)); }
  void post_connection(NewConnection connection) { accepted_.push(connection); }

  // Any thread: counters (relaxed atomics) and the per-stream snapshot as of the last publication.
  const LoopCounters& loop_counters() const { return counters_; }
  LoopSnapshot snapshot() const {
    std::lock_guard lock(snapshot_mutex_);
    return snapshot_;
  }
  size_t index() const { return index_; }
  // Set once before start(): how to tell the ingest thread that a reader wants a stream.
  void set_want(std::function<void(std::string)> want) { want_ = std::move(want); }

  // ConnectionHost (connection_host.hpp); loop thread only except post_tunnel().
  const EdgeOptions& options() const override { return options_; }
  LoopCounters& counters() override { return counters_; }
  StreamView* find_stream(const std::string& stream) override;
  void want(const std::string& stream) override {
    if (want_) want_(stream);
  }
  void add_reader(const std::string& stream, Connection* reader) override;
  void remove_reader(const std::string& stream, Connection* reader) override;
  void watch(int fd, bool want_write) override;
  void mark_closed(int fd) override { closed_fds_.push_back(fd); }
  std::string new_session_id() override;
  uint64_t next_serial() override { return ++serial_counter_; }
  bool acquire_session() override;
  void release_session() override;
  ReaderLimits* reader_limits() override { return shared_.reader_limits; }
  AccessControl* access() override { return shared_.access; }
  bool draining() const override {
    return shared_.draining && shared_.draining->load(std::memory_order_relaxed);
  }
  const StreamHealthBoard* health() const override { return shared_.health; }
  int udp_rtp_fd() const override { return udp_rtp_fd_; }
  int udp_rtcp_fd() const override { return udp_rtcp_fd_; }
  rtsp::PortPair udp_ports() const override { return udp_ports_; }
  MulticastGroups* multicast() override { return shared_.multicast; }
  void register_udp_peer(const std::string& address, Connection* reader) override {
    udp_peers_[address] = reader;
  }
  void unregister_udp_peer(const std::string& address) override { udp_peers_.erase(address); }
  TunnelRegistry* tunnels() override { return shared_.tunnels; }
  void deliver_tunnel(const TunnelData& data) override;
  void post_tunnel(TunnelData data) override { tunnel_inbox_.push(std::move(data)); }

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
