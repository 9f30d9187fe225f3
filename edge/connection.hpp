// Connection: one RTSP control connection on an I/O loop, its session, and (while playing) its
// reader state: per-track transports (TCP interleaved channels, UDP unicast destinations or the
// stream's multicast group) and a bounded output queue for TCP delivery. Loop thread only.
#pragma once

#include <netinet/in.h>
#include <sys/uio.h>

#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "edge/connection_host.hpp"
#include "edge/reader_queue.hpp"
#include "media/packetized_frame.hpp"
#include "rtsp/http_tunnel.hpp"
#include "rtsp/message_reader.hpp"
#include "rtsp/server_session.hpp"

namespace edge {

class Connection : public rtsp::ServerSessionHost {
 public:
  Connection(ConnectionHost& loop, int fd, const sockaddr_storage& peer);
  ~Connection() override;

  int fd() const { return fd_; }
  bool closed() const { return closed_; }
  const std::string& peer_name() const { return peer_name_; }
  bool is_tcp() const;
  enum class Delivery { Tcp, Udp, Multicast };
  Delivery transport_kind() const;
  const std::string& stream() const { return stream_; }
  bool playing() const { return playing_; }
  uint64_t frames_skipped() const { return frames_skipped_; }

  uint64_t serial() const { return serial_; }
  void on_readable();
  // Decoded RTSP bytes that arrived on the POST half of this HTTP tunnel.
  void on_tunnel_bytes(std::string_view bytes);
  void on_writable();
  // Hands one live frame of the stream this reader plays. Never blocks.
  void deliver(const media::PacketizedFramePtr& frame, int64_t now_us);
  // Housekeeping: timeouts, parked DESCRIBE retries, RTCP sender reports.
  void tick(int64_t now_us);
  // A stream became ready: a parked DESCRIBE may go on.
  void on_stream_ready();
  // An RTCP packet from this reader arrived (UDP socket or interleaved channel): the session is
  // alive, and its receiver report feeds the loss/jitter metrics.
  void on_rtcp(std::span<const uint8_t> packet, int64_t now_us);
  void close(std::string_view why);

  struct ReaderReport {
    uint64_t reports = 0;
    double fraction_lost = 0;  // 0..1, from the last report
    int64_t cumulative_lost = 0;
    double jitter_ms = 0;
  };
  const ReaderReport& report() const { return report_; }

  // rtsp::ServerSessionHost
  absl::StatusOr<std::string> describe(std::string_view stream) override;
  absl::StatusOr<rtsp::Transport> setup(std::string_view stream, uint32_t track,
                                        const std::vector<rtsp::Transport>& offered) override;
  absl::StatusOr<std::vector<rtsp::PlayStart>> play() override;
  void pause() override;
  void teardown() override;
  std::optional<Denial> authorize(const rtsp::Request& request, std::string_view stream) override;
  // stream_state and edge_state (cluster/stream_health.hpp).
  std::optional<std::string> get_parameter(std::string_view stream, std::string_view name) override;
  std::string new_session_id() override { return loop_.new_session_id(); }

 private:
  struct Destination {
    sockaddr_storage rtp{};
    sockaddr_storage rtcp{};
    socklen_t length = 0;
  };
  // How one set-up track reaches this reader, and what was sent on it (for RTCP SR).
  struct TrackTransport {
    enum class Kind { Tcp, Udp, Multicast } kind = Kind::Tcp;
    uint8_t rtp_channel = 0;
    uint8_t rtcp_channel = 1;
    Destination udp;
    uint32_t ssrc = 0;
    uint32_t packets = 0;
    uint32_t octets = 0;
    uint32_t last_rtp_timestamp = 0;
    int64_t last_capture_time_us = 0;
  };

  absl::StatusOr<rtsp::Transport> setup_multicast(std::string_view stream, uint32_t track,
                                                  rtsp::Transport answer);
  void on_bytes(std::string_view bytes, int64_t now_us);
  void feed_rtsp(std::string_view bytes, int64_t now_us);
  void start_tunnel(int64_t now_us);
  void forward_tunnel(std::string_view base64);
  void process_pending(int64_t now_us);
  void send_response(const rtsp::Response& response);
  void flush();
  void deliver_tcp(const media::PacketizedFramePtr& frame, TrackTransport& transport,
                   int64_t now_us);
  void deliver_udp(const media::PacketizedFrame& frame, const TrackTransport& transport);
  void count_skipped(uint64_t frames);
  void send_sender_reports(int64_t now_us);
  void stop_playing();
  void leave_multicast();
  void release_slots();

  ConnectionHost& loop_;
  int fd_;
  std::string peer_name_;
  sockaddr_storage peer_{};
  rtsp::MessageReader reader_{rtsp::MessageReader::Kind::Requests};
  // HTTP tunnelling (rtsp/http_tunnel.hpp): what this connection turned out to be.
  enum class Mode { Unknown, Rtsp, TunnelGet, TunnelPost } mode_ = Mode::Unknown;
  std::string head_;  // first bytes, until the mode is known
  std::string tunnel_cookie_;
  TunnelTarget tunnel_target_;
  rtsp::Base64StreamDecoder tunnel_decoder_;
  uint64_t serial_;
  rtsp::ServerSession session_;
  std::deque<rtsp::Request> pending_;
  int64_t parked_since_us_ = 0;
  int64_t last_activity_us_ = 0;
  int64_t partial_since_us_ = 0;
  bool closed_ = false;
  bool close_after_flush_ = false;
  bool want_write_ = false;
  bool counted_session_ = false;
  std::string reader_slot_;  // stream whose ReaderLimits slot this session holds

  // Reader state.
  std::string stream_;
  bool playing_ = false;
  bool started_ = false;  // PLAY was answered once
  absl::flat_hash_map<uint32_t, TrackTransport> transports_;
  bool in_multicast_group_ = false;
  absl::StatusOr<MulticastGroup> multicast_group_ = absl::NotFoundError("not joined");
  bool sending_gop_ = false;                            // deliver() is replaying the cached GOP
  std::vector<media::PacketizedFramePtr> pending_gop_;  // sent right after the PLAY response
  ReaderQueue out_;  // TCP output: responses, RTCP, interleaved RTP; the slow-reader policy
  uint64_t frames_skipped_ = 0;
  std::vector<iovec> iov_scratch_;
  ReaderReport report_;
  int64_t next_sender_report_us_ = 0;
};

}  // namespace edge
