// A small blocking RTSP client for tests: OPTIONS/DESCRIBE/SETUP/PLAY/TEARDOWN over TCP
// (interleaved) or UDP, raw byte access for hostile input, and a receive loop that records
// every RTP packet and access unit. One thread per client.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "media/rtp.hpp"
#include "media/rtp_video.hpp"
#include "rtsp/message.hpp"
#include "rtsp/message_reader.hpp"

namespace rstest {

using SteadyTime = std::chrono::steady_clock::time_point;

// One RTP packet as received: its header, its size and when it came.
struct PacketRecord : media::RtpHeader {
  size_t size = 0;
  SteadyTime arrival;
};

struct AccessUnitRecord {
  uint32_t rtp_timestamp = 0;
  bool keyframe = false;
  std::vector<uint8_t> nal_types;          // in order
  std::optional<int64_t> capture_time_us;  // from our SEI
  size_t bytes = 0;
  SteadyTime arrival;  // arrival of the packet that completed it
  bool has(uint8_t nal_type) const;
};

struct ReceiveStats {
  uint64_t rtp_packets = 0;
  uint64_t rtcp_packets = 0;
  uint64_t sequence_gaps = 0;  // times seq != previous + 1
  uint64_t lost_packets = 0;   // sum of gap sizes
  uint64_t timestamp_decreases = 0;
  uint64_t ssrc_changes = 0;
  uint64_t depacketizer_errors = 0;
  uint64_t unparsable_packets = 0;
};

struct RawRead {
  std::string bytes;
  bool closed = false;  // the peer closed (or reset) the connection
};

class RtspTestClient {
 public:
  enum class Lower { Tcp, Udp };

  // url: rtsp://HOST:PORT/path; the client connects to HOST:PORT.
  explicit RtspTestClient(std::string url);
  ~RtspTestClient();
  RtspTestClient(const RtspTestClient&) = delete;
  RtspTestClient& operator=(const RtspTestClient&) = delete;

  const std::string& url() const { return url_; }
  // Kernel receive buffer for the control connection, applied by connect() (0: default). A
  // small one makes a throttled reader's backlog build up at the server, not in our kernel.
  void set_receive_buffer(int bytes) { receive_buffer_ = bytes; }
  absl::Status connect(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  void close();

  // --- Raw access (hostile-input tests) ---
  absl::Status send_raw(std::string_view bytes);
  // Reads whatever arrives until `timeout`, or until the peer closes.
  RawRead read_raw(std::chrono::milliseconds timeout);
  // Reads until the peer closes; true if it did within `timeout` (bytes go to *bytes).
  bool wait_closed(std::chrono::milliseconds timeout, std::string* bytes = nullptr);

  // --- Requests ---
  // Sends `request` as is and waits for one response; interleaved frames met meanwhile are
  // recorded as media.
  absl::StatusOr<rtsp::Response> exchange(
      const rtsp::Request& request, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Builds a request with the next CSeq, a User-Agent and the session (when known), and `body`
  // (Content-Length added when not empty), and sends it.
  absl::StatusOr<rtsp::Response> request(
      std::string method, std::string uri,
      std::vector<std::pair<std::string, std::string>> headers = {},
      std::chrono::milliseconds timeout = std::chrono::seconds(5), std::string body = {});
  // Reads the next response (e.g. after send_raw).
  absl::StatusOr<rtsp::Response> read_response(std::chrono::milliseconds timeout);

  absl::StatusOr<rtsp::Response> options();
  absl::StatusOr<rtsp::Response> describe(
      std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // SETUP of `control_url` (default: url + "/trackID=0"); for UDP the client binds an even/odd
  // port pair on 127.0.0.1 first. Remembers Session and the answered transport.
  absl::StatusOr<rtsp::Response> setup(Lower lower, std::string control_url = {});
  // SETUP with "RTP/AVP;multicast": binds the answered port with SO_REUSEADDR and joins the
  // answered group on `interface_address`; media is then received like UDP unicast.
  absl::StatusOr<rtsp::Response> setup_multicast(
      std::string control_url = {}, const std::string& interface_address = "127.0.0.1");
  // The multicast group and RTP port the last multicast SETUP answered.
  const std::string& multicast_group() const { return multicast_group_; }
  uint16_t multicast_port() const { return multicast_port_; }
  // PLAY; records the time just before sending it (play_sent_at()).
  absl::StatusOr<rtsp::Response> play();
  absl::StatusOr<rtsp::Response> teardown();
  // describe + setup + play, each expected to answer 200.
  absl::Status start_playing(Lower lower);

  const std::string& session() const { return session_; }
  SteadyTime play_sent_at() const { return play_sent_at_; }
  uint16_t client_rtp_port() const { return udp_rtp_port_; }

  // --- Media ---
  // Receives media for `duration` (or until the connection closes).
  void receive_for(std::chrono::milliseconds duration);
  // Receives until `done()` is true or `timeout`; returns done().
  // (The timeout is stretched by RS_TIME_SCALE, tests/support/time_scale.hpp.)
  bool receive_until(const std::function<bool()>& done, std::chrono::milliseconds timeout);
  // TCP only: reads at most `bytes_per_second` from the control connection for `duration`
  // (a slow reader), recording what it gets like receive_for() does.
  void receive_throttled(std::chrono::milliseconds duration, size_t bytes_per_second);
  // The raw file descriptor of the control connection (-1 when closed), for hostile tests.
  int fd() const { return fd_; }

  const std::vector<PacketRecord>& packets() const { return packets_; }
  const std::vector<AccessUnitRecord>& access_units() const { return units_; }
  const ReceiveStats& stats() const { return stats_; }
  const media::RtpH264Depacketizer::Stats& depacketizer_stats() const {
    return depacketizer_.stats();
  }
  bool connection_closed() const { return closed_by_peer_; }
  // A one-line summary for failure messages.
  std::string summary() const;

 private:
  // One wait on the sockets, up to `timeout`; processes what arrived. False on close/error.
  bool pump(std::chrono::milliseconds timeout);
  void on_tcp_bytes(std::string_view bytes, SteadyTime now);
  void on_rtp(std::string_view packet, SteadyTime now);
  absl::Status bind_udp_pair();

  std::string url_;
  std::string host_;
  uint16_t port_ = 0;
  int fd_ = -1;
  int udp_rtp_fd_ = -1;
  int udp_rtcp_fd_ = -1;
  uint16_t udp_rtp_port_ = 0;
  int receive_buffer_ = 0;
  std::string multicast_group_;
  uint16_t multicast_port_ = 0;
  bool closed_by_peer_ = false;
  bool playing_ = false;  // after PLAY, raw bytes are no longer kept
  std::string raw_in_;    // bytes received and not yet returned by read_raw()
  rtsp::MessageReader reader_{rtsp::MessageReader::Kind::Responses};
  std::deque<rtsp::Response> responses_;
  std::optional<rtsp::ReaderError> reader_error_;
  int64_t cseq_ = 0;
  std::string session_;
  Lower lower_ = Lower::Tcp;
  uint8_t rtp_channel_ = 0;
  uint8_t rtcp_channel_ = 1;
  SteadyTime play_sent_at_{};

  std::vector<PacketRecord> packets_;
  std::vector<AccessUnitRecord> units_;
  ReceiveStats stats_;
  media::RtpH264Depacketizer depacketizer_;
};

// Parses "seq=..;rtptime=.." of the first entry of an RTP-Info header.
struct RtpInfo {
  std::string url;
  std::optional<uint16_t> seq;
  std::optional<uint32_t> rtptime;
};
std::optional<RtpInfo> parse_rtp_info(std::string_view header);

// Value of `name` in an SDP fmtp-style list ("a=fmtp:96 k=v;k2=v2"), searching the whole SDP.
std::optional<std::string> sdp_fmtp_param(std::string_view sdp, std::string_view name);

// How the tests name the lower transport they ask for: Lower::Tcp, Lower::Udp.
using Lower = RtspTestClient::Lower;

}  // namespace rstest
