// Ingest: the edge's ingest thread. Receives frames from the origins (ZeroMQ SUB), asks an
// origin's catch-up endpoint for the current GOP whenever a stream must wait for a keyframe
// (first subscription, gap, origin restart), merges the answer with live frames, and hands
// every resulting event batch to all I/O loops.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "cluster/delay_histogram.hpp"
#include "edge/event_inbox.hpp"
#include "edge/origin_selector.hpp"
#include "edge/stream_event.hpp"
#include "edge/stream_health_board.hpp"
#include "edge/stream_ingest.hpp"
#include "relay/catchup.hpp"
#include "relay/frame_subscriber.hpp"

namespace edge {

// How long live frames wait for a catch-up answer before going on without it.
inline constexpr std::chrono::milliseconds kCatchupTimeout{500};
// Live frames held per stream while waiting for the answer.
inline constexpr size_t kMaxCatchupBufferedFrames = 120;

// Subscriptions a stranger could open by DESCRIBE-ing random names are capped.
inline constexpr size_t kMaxSubscriptions = 1024;

struct IngestOptions {
  std::vector<std::string> origins;
  // Streams subscribed at start and kept warm; "*" subscribes to every stream. Others are
  // subscribed when a reader first asks (want()) and dropped after `idle_timeout` without one.
  std::vector<std::string> preload;
  std::chrono::milliseconds idle_timeout{30'000};
  std::vector<std::string> catchup_endpoints;  // empty: no catch-up
  std::string curve_key_file;                  // the edge's PREFIX.key; empty: no CURVE
  std::string origin_public_key;               // Z85 key the edge pins
  bool catchup_auto = true;                    // catch-up endpoint = origin port + 1
  StreamHealthBoard* health = nullptr;         // fed with subscriptions, frames and StreamInfo
};

struct IngestCounters {
  std::atomic<uint64_t> frames{0};
  std::atomic<uint64_t> gaps{0};
  std::atomic<uint64_t> lost_frames{0};
  std::atomic<uint64_t> catchup_requests{0};
  std::atomic<uint64_t> catchup_frames{0};
  std::atomic<uint64_t> rejected{0};
  // Origin publish (FrameHeader.publish_time_us, the origin's wall clock) -> edge receive; only
  // meaningful with synchronised clocks (NTP/PTP) when origin and edge are different hosts.
  cluster::DelayHistogram origin_delay;
};

// Per-stream ingest figures for the metrics thread.
struct IngestStreamSnapshot {
  IngestStats stats;
  bool subscribed = false;
  bool waiting_for_keyframe = true;
  OriginSelectorStats origins;  // hot standby: origins heard, switches
};
using IngestSnapshot = absl::flat_hash_map<std::string, IngestStreamSnapshot>;

class Ingest {
 public:
  using Sink = std::function<void(EventBatch)>;
  static absl::StatusOr<std::unique_ptr<Ingest>> create(zmq::context_t& context,
                                                        const IngestOptions& options, Sink sink);
  // Runs until `stopping` is set. Ingest thread only.
  void run(const std::atomic<bool>& stopping);
  // Any thread: a reader asked for `stream` (DESCRIBE) or still plays it. Subscribes on demand
  // and keeps the subscription alive.
  void want(std::string stream) { interest_.push(Command{.stream = std::move(stream)}); }
  // Any thread: the coordinator moved the origins; reconnect to exactly these endpoints (their
  // catch-up endpoints follow when catch-up is automatic).
  void set_origins(std::vector<std::string> endpoints) {
    interest_.push(Command{.origins = true, .endpoints = std::move(endpoints)});
  }
  const IngestCounters& counters() const { return counters_; }
  // Any thread: the per-stream figures as of the last publication (twice a second).
  IngestSnapshot snapshot() const {
    std::lock_guard lock(snapshot_mutex_);
    return snapshot_;
  }

 private:
  struct Stream {
    std::unique_ptr<StreamIngest> ingest;
    OriginSelector origins;  // the active origin among those publishing the stream
    bool switching = false;  // as last told to the health board
    bool subscribed = false;
    bool preloaded = false;
    int64_t last_interest_us = 0;
    bool catchup_pending = false;
    int64_t catchup_deadline_us = 0;
    int64_t next_catchup_allowed_us = 0;
    std::vector<relay::Received> held;  // live messages held while waiting for the answer
  };

  Ingest(Sink sink, const IngestOptions& options) : sink_(std::move(sink)), options_(options) {}
  void on_interest();
  void expire_idle(int64_t now_us);
  Stream& stream(const std::string& name);
  void on_live(relay::Received message);
  // One message from the stream's active origin (after the OriginSelector).
  void on_selected(Stream& s, relay::Received message);
  // Switches away from silent origins; returns the time of the next check (0: none due).
  int64_t check_origins(int64_t now_us);
  void note_switching(Stream& s);
  void on_catchup(relay::CatchupReply reply);
  void release(Stream& s, std::vector<StreamEvent>& events);
  void feed(Stream& s, const relay::Received& message, std::vector<StreamEvent>& events);
  void check_deadlines();
  void emit(std::vector<StreamEvent> events);
  // Marks `s` subscribed (health board included).
  void mark_subscribed(const std::string& name, Stream& s, int64_t now_us);
  void update_counters();

  Sink sink_;
  IngestOptions options_;
  bool subscribe_all_ = false;
  size_t subscriptions_ = 0;
  struct Command {
    std::string stream;    // a reader wants this stream
    bool origins = false;  // or: the new origin set
    std::vector<std::string> endpoints;
  };
  void apply_origins(const std::vector<std::string>& endpoints);
  EventInbox<Command> interest_;
  std::vector<std::string> connected_origins_;
  std::vector<std::string> connected_catchup_;
  int64_t next_idle_check_us_ = 0;
  std::unique_ptr<relay::FrameSubscriber> subscriber_;
  std::unique_ptr<relay::CatchupClient> catchup_;
  absl::flat_hash_map<std::string, Stream> streams_;
  IngestCounters counters_;
  mutable std::mutex snapshot_mutex_;
  IngestSnapshot snapshot_;
  int64_t next_snapshot_us_ = 0;
  uint32_t random_state_;
};

}  // namespace edge
