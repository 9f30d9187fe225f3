// One benchmark reader: a non-blocking RTSP client session (DESCRIBE, SETUP, PLAY, then
// receive) driven by its worker's epoll loop. No decoding: RTP goes to an RtpAnalyzer.
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bench/rtsp_bench/bench_options.hpp"
#include "bench/rtsp_bench/rtp_analyzer.hpp"
#include "rtsp/message.hpp"

namespace rtsp_bench {

// Buffers and settings shared by the readers of one worker thread (touched only there).
struct WorkerContext {
  static constexpr size_t kLeftoverMax = 4 + 65535;  // largest partial interleaved frame
  static constexpr size_t kReadChunk = 256 * 1024;
  static constexpr size_t kUdpBatch = 64;
  static constexpr size_t kUdpPacketMax = 2048;

  const BenchOptions* options = nullptr;
  int epoll_fd = -1;
  std::atomic<uint32_t>* next_udp_port = nullptr;  // shared by all workers
  int64_t window_start_mono_us = 0;
  int64_t window_end_mono_us = 0;
  std::vector<uint8_t> scratch = std::vector<uint8_t>(kLeftoverMax + kReadChunk);
  std::vector<uint8_t> udp_buffers = std::vector<uint8_t>(kUdpBatch * kUdpPacketMax);
  std::vector<mmsghdr> udp_headers = std::vector<mmsghdr>(kUdpBatch);
  std::vector<iovec> udp_iovecs = std::vector<iovec>(kUdpBatch);
  // Control buffers for the kernel's receive timestamps (one per UDP message, one for TCP).
  static constexpr size_t kControlMax = 64;
  std::vector<uint8_t> udp_control = std::vector<uint8_t>(kUdpBatch * kControlMax);
  alignas(cmsghdr) uint8_t tcp_control[kControlMax] = {};
  std::vector<LatencySample> samples;       // normal readers
  std::vector<LatencySample> slow_samples;  // throttled readers

  bool in_window(int64_t mono_us) const {
    return mono_us >= window_start_mono_us && mono_us < window_end_mono_us;
  }
};

struct ReaderResult {
  size_t index = 0;
  bool slow = false;
  bool played = false;        // the PLAY answer came back 200
  bool disconnected = false;  // the server closed or reset the connection while playing
  std::string failure;        // why the session ended early (empty: ran to the end)
  int64_t start_mono_us = 0;
  int64_t play_sent_mono_us = -1;
  int64_t end_mono_us = -1;   // when it failed or was disconnected
  uint64_t bytes_read = 0;    // from the TCP socket (interleaved framing included)
  int max_backlog_bytes = 0;  // most bytes seen waiting unread in our socket (window)
  StreamCounters counters;
};

class Reader {
 public:
  // `slot` is the reader's index inside its worker (epoll user data); `index` is global.
  Reader(size_t slot, size_t index, bool slow);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  void start(WorkerContext& ctx, int64_t mono_us);
  void on_event(WorkerContext& ctx, uint32_t events, bool udp_socket);
  // Timeouts, keepalives and the slow reader's read budget; call every few milliseconds.
  void on_tick(WorkerContext& ctx, int64_t mono_us);
  // TEARDOWN (best effort), then close everything.
  void stop(WorkerContext& ctx);
  // Records the bytes waiting unread in our socket (how far the load generator is behind).
  void sample_backlog();

  bool started() const { return state_ != State::Idle; }
  bool playing() const { return state_ == State::Playing; }
  ReaderResult result() const;

 private:
  enum class State { Idle, Connecting, Describe, Setup, Play, Playing, Done };

  void fail(WorkerContext& ctx, std::string why, bool disconnected = false);
  void close_sockets(WorkerContext& ctx);
  void send_request(WorkerContext& ctx, std::string_view method, const std::string& uri,
                    std::vector<std::pair<std::string, std::string>> headers);
  void flush(WorkerContext& ctx);
  void update_interest(WorkerContext& ctx);
  void on_connected(WorkerContext& ctx);
  void on_tcp_readable(WorkerContext& ctx);
  void on_udp_readable(WorkerContext& ctx);
  // Setup phase: handles complete responses at the front of in_; false when the reader failed.
  bool take_responses(WorkerContext& ctx);
  void on_response(WorkerContext& ctx, const rtsp::Response& response);
  void on_describe(WorkerContext& ctx, const rtsp::Response& response);
  void on_setup(WorkerContext& ctx, const rtsp::Response& response);
  // Playing: parses interleaved frames (and stray responses) in buf[0..size); returns the
  // number of bytes consumed, or -1 on a framing error.
  long consume_stream(WorkerContext& ctx, const uint8_t* buf, size_t size, const ReceiveTime& at);
  // Setup phase: interleaved frames at the front of in_ (analyzed once PLAY was sent).
  long consume_frames_only(WorkerContext& ctx);
  bool open_udp(WorkerContext& ctx);
  void refill(int64_t mono_us);

  size_t slot_;
  size_t index_;
  bool slow_;
  State state_ = State::Idle;
  int fd_ = -1;
  int rtp_fd_ = -1;
  int rtcp_fd_ = -1;
  uint16_t client_rtp_port_ = 0;
  std::string in_;   // unconsumed input (setup phase: text; playing: partial frame)
  std::string out_;  // unsent requests
  uint32_t interest_ = 0;
  bool paused_ = false;    // slow reader out of budget: EPOLLIN off
  int64_t slow_rate_ = 0;  // bytes per second
  double tokens_ = 0;
  int64_t tokens_mono_us_ = 0;
  int cseq_ = 0;
  std::string setup_url_;
  std::string session_;
  int64_t keepalive_interval_us_ = 25'000'000;
  int64_t next_keepalive_mono_us_ = 0;
  int rtp_channel_ = 0;
  RtpAnalyzer analyzer_;
  ReaderResult result_;
};

}  // namespace rtsp_bench
