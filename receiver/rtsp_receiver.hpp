// RtspReceiver: plays one RTSP URL. The I/O driver for rtsp::ClientSession (which holds the
// protocol logic): it connects, runs OPTIONS / DESCRIBE / SETUP / PLAY (answering Digest and
// Basic challenges, following redirects), then receives RTP over TCP interleaved, UDP unicast or
// UDP multicast and hands every complete media unit to the caller the moment its last packet
// arrives (TrackDepacketizer). While playing it sends keep-alives (GET_PARAMETER, or OPTIONS for
// servers without it) and RTCP receiver reports, and lets the caller ask the server questions
// on the open session (GET_PARAMETER with a body, RFC 2326 10.8).
//
// One thread: everything runs on the caller's. Blocking calls wait at most 50 ms between checks
// of the caller's cancel function.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "media/rtp_reception.hpp"
#include "receiver/rtp_reorder_buffer.hpp"
#include "receiver/sockets.hpp"
#include "receiver/track_depacketizer.hpp"
#include "rtsp/client_session.hpp"
#include "rtsp/message_reader.hpp"

namespace receiver {

enum class Lower { Tcp, Udp, Multicast };

// The RTSP status code a failed open() was answered with (the server refused a request), from
// the error's payload; nullopt for network failures and timeouts.
std::optional<int> rtsp_status_of(const absl::Status& status);

struct ReceiverOptions {
  std::string url;  // rtsp://[user[:password]@]host[:port]/path
  Lower lower = Lower::Tcp;
  std::chrono::milliseconds open_timeout{5000};  // connect through the PLAY answer
  bool video_only = false;                       // set up the first video track only
  std::string user_agent = "rtsp-streamer/0.1";
  std::chrono::milliseconds reorder_hold{50};  // UDP: longest wait for a missing packet
  std::chrono::seconds receiver_report_interval{5};
};

struct ReceiverStats {
  uint64_t packets = 0;
  uint64_t bytes = 0;
  uint64_t lost_packets = 0;  // sequence numbers that never arrived
  uint64_t reordered = 0;     // UDP packets put back in order
  uint64_t units = 0;
  uint64_t errors = 0;  // malformed RTP payloads
  uint64_t rtcp_packets = 0;
  uint64_t keepalives = 0;
};

class RtspReceiver {
 public:
  using UnitSink = std::function<void(MediaUnit&& unit)>;

  // Connects and starts playing. Errors carry the failing step and the server's status
  // (ClientSession's codes: NotFound for 404, Unauthenticated/PermissionDenied for 401/403,
  // DeadlineExceeded when nothing answered in time, Cancelled when `cancelled` said so).
  static absl::StatusOr<std::unique_ptr<RtspReceiver>> open(ReceiverOptions options,
                                                            CancelFn cancelled);
  ~RtspReceiver();  // TEARDOWN (best effort, briefly), then closes the sockets
  RtspReceiver(const RtspReceiver&) = delete;
  RtspReceiver& operator=(const RtspReceiver&) = delete;

  const rtsp::ClientSession& session() const { return session_; }
  // The set-up tracks, as indexes into session().tracks().
  const std::vector<size_t>& active_tracks() const { return active_; }

  // Waits until data arrives or `until_us` (monotonic) passes, processes everything available
  // and hands complete units to `sink`. Sends keep-alives and receiver reports when due. An
  // error ends the playback: the server closed the connection, a read failed, or the server
  // broke the framing.
  absl::Status poll(int64_t until_us, const UnitSink& sink);

  // Sends GET_PARAMETER with `body` on the session; returns its CSeq. Its answer (whatever the
  // status) is then available from take_answer().
  absl::StatusOr<int64_t> query(std::string_view body);
  std::optional<rtsp::Response> take_answer(int64_t cseq);

  ReceiverStats stats() const;

 private:
  struct Track {
    size_t index = 0;  // into session().tracks()
    std::unique_ptr<TrackDepacketizer> depacketizer;
    uint8_t rtp_channel = 0;  // TCP interleaved
    uint8_t rtcp_channel = 1;
    UdpPair udp;                 // UDP / multicast sockets
    std::string server_address;  // UDP: where RTCP goes
    uint16_t server_rtcp_port = 0;
    std::unique_ptr<RtpReorderBuffer> reorder;  // UDP / multicast
    // The current source (SSRC) and what arrived of it, for RTCP RR and the loss count.
    uint32_t ssrc = 0;
    media::RtpReception reception{0};  // made with the track's clock rate (reception_for)
    uint64_t lost_before = 0;  // packets lost from earlier sources (TCP; UDP counts in `reorder`)
  };

  RtspReceiver(ReceiverOptions options, CancelFn cancelled, rtsp::ClientSession session);
  absl::Status start();
  absl::Status connect();
  // Sends `request` and waits for its answer; interleaved media met meanwhile is kept.
  absl::StatusOr<rtsp::ClientReaction> exchange(const rtsp::Request& request);
  absl::StatusOr<rtsp::ClientReaction> exchange_with_auth(
      const std::function<absl::StatusOr<rtsp::Request>()>& build);
  absl::Status describe();
  absl::Status setup_tracks();
  absl::StatusOr<rtsp::Transport> offer_for(Track& track, size_t ordinal);
  absl::Status apply_answer(Track& track, const rtsp::Transport& answer);
  absl::Status read_tcp(bool* got_data);
  void on_item(rtsp::ReaderItem& item);
  void on_response(rtsp::Response response);
  void on_rtp(Track& track, std::string_view packet, int64_t now_us);
  void restart_source(Track& track);
  void deliver(Track& track, std::string_view packet);
  void read_udp(Track& track, int64_t now_us);
  // A new RtpReception for `track` (its clock rate from the description).
  media::RtpReception reception_for(const Track& track) const;
  void maybe_keepalive(int64_t now_us);
  void maybe_report(int64_t now_us);
  absl::Status send(const rtsp::Request& request);
  void send_rtcp(Track& track, const std::vector<uint8_t>& packet);
  int64_t next_timer_us() const;
  Track* track_by_channel(uint8_t channel, bool* rtcp);

  ReceiverOptions options_;
  CancelFn cancelled_;
  rtsp::ClientSession session_;
  Fd control_;
  rtsp::MessageReader reader_{rtsp::MessageReader::Kind::Responses};
  std::vector<Track> tracks_;
  std::vector<size_t> active_;
  int64_t deadline_us_ = 0;                // of the current blocking step (open)
  std::vector<rtsp::Response> responses_;  // answers not yet claimed by exchange()
  std::vector<MediaUnit> early_units_;     // media that came before PLAY's answer
  const UnitSink* sink_ = nullptr;         // during poll()
  absl::flat_hash_map<int64_t, std::optional<rtsp::Response>> queries_;
  int64_t next_keepalive_us_ = 0;
  int64_t next_report_us_ = 0;
  uint32_t own_ssrc_ = 0;
  bool closed_ = false;
  ReceiverStats stats_;
};

}  // namespace receiver
