// A scripted fake RTSP camera (RFC 2326 server side) for the receiver's integration tests: it
// listens on 127.0.0.1 ephemeral ports in a thread of the test, answers the requests it is sent
// with canned responses modelled on real devices, injects bytes around them the way real cameras
// misbehave, and sends the RTP packets a test builds (TCP interleaved or UDP). Everything it was
// sent is recorded for assertions. Not a server: it knows nothing of RTSP states.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "media/rtp.hpp"
#include "rtsp/message.hpp"
#include "rtsp/message_reader.hpp"

namespace rstest {

using Bytes = std::vector<uint8_t>;

// One scripted exchange: the method the fake expects next and what it does about it.
//
// Response text is written with LF line ends (CRLF goes on the wire) and may use placeholders:
// {cseq} (the request's CSeq), {base} ("rtsp://127.0.0.1:<port the request came in on>"),
// {base0}/{base1} (the same for listener 0 or 1), {client_port} (the client_port pair of the
// request's Transport, "a-b"), {server_port} (the fake's UDP pair, "a-b"). A body after the empty
// line gets its Content-Length added.
struct FakeStep {
  enum class Then {
    Answer,  // write `before`, the response, then `after`
    Silent,  // record the request and answer nothing (a hung camera)
    Close,   // write `before` (and the response when not empty), then close the connection
  };
  std::string method;
  std::string response;
  // When set, computes the response text instead of `response` (check Authorization, echo a
  // body). It runs on the fake's thread with the fake locked: it must not call the fake.
  std::function<std::string(const rtsp::Request&)> respond;
  std::string before;  // raw bytes just before the response, in the same write
  std::string after;   // raw bytes just after it, in the same write
  Then then = Then::Answer;
};

// A request as the fake received it.
struct FakeRequest {
  rtsp::Request request;
  size_t listener = 0;  // which of ports() it came in on
  std::chrono::steady_clock::time_point at;
};

class FakeRtspCamera {
 public:
  struct Options {
    size_t listeners = 1;  // TCP ports to listen on (a redirect needs two)
  };

  // Binds the listeners and a UDP port pair, then serves `script` in a thread. Requests beyond the
  // script, or that do not match its next step, are recorded as errors() and answered 455 -
  // except keep-alives and TEARDOWN (OPTIONS, GET_PARAMETER without a body), answered 200 OK.
  // Throws std::runtime_error when a socket cannot be bound (gtest reports it).
  FakeRtspCamera(std::vector<FakeStep> script, Options options);
  explicit FakeRtspCamera(std::vector<FakeStep> script)
      : FakeRtspCamera(std::move(script), Options{}) {}
  ~FakeRtspCamera();  // stops the thread, closes every socket
  FakeRtspCamera(const FakeRtspCamera&) = delete;
  FakeRtspCamera& operator=(const FakeRtspCamera&) = delete;

  uint16_t port(size_t listener = 0) const { return ports_.at(listener); }
  // "rtsp://127.0.0.1:<port(listener)>".
  std::string base(size_t listener = 0) const;

  // --- Media writer (any thread) ---
  // Sends one RTP packet to the client the way the last SETUP agreed: on its interleaved RTP
  // channel (RFC 2326 10.12), or from the fake's UDP RTP port to the client_port it offered.
  void send_rtp(std::span<const uint8_t> packet);
  // Writes one interleaved frame ('$', channel, 16-bit length, payload) on the newest connection.
  void send_interleaved(uint8_t channel, std::span<const uint8_t> payload);
  // Shuts the newest connection down (FIN): a camera that stops serving mid-stream.
  void close_connection();

  // --- What the fake received (any thread; copies) ---
  std::vector<FakeRequest> requests() const;
  size_t count(std::string_view method) const;
  std::vector<rtsp::InterleavedFrame> client_frames() const;  // interleaved, from the client
  std::vector<Bytes> rtcp_datagrams() const;                  // UDP, on the fake's RTCP port
  std::vector<std::string> errors() const;                    // script mismatches
  size_t steps_left() const;                                  // scripted steps not reached

 private:
  struct Connection;
  void run();
  void accept_on(size_t listener);
  void read_connection(Connection& c);
  void read_rtcp();
  void on_request(Connection& c, rtsp::Request request);
  std::string response_for(const FakeStep& step, const Connection& c, const rtsp::Request& request);
  std::string expand(std::string text, const Connection& c, const rtsp::Request& request) const;
  void remember_transport(const rtsp::Request& request, std::string_view response);
  void write_locked(Connection& c, std::string_view bytes);

  std::vector<FakeStep> script_;
  std::vector<int> listeners_;
  std::vector<uint16_t> ports_;
  int udp_rtp_ = -1;
  int udp_rtcp_ = -1;
  uint16_t udp_port_ = 0;  // RTP; RTCP is the next one

  mutable std::mutex mu_;  // everything below, and writes to connections
  std::vector<std::unique_ptr<Connection>> connections_;
  size_t next_step_ = 0;
  std::vector<FakeRequest> requests_;
  std::vector<rtsp::InterleavedFrame> client_frames_;
  std::vector<Bytes> rtcp_datagrams_;
  std::vector<std::string> errors_;
  // The media path of the last SETUP.
  std::optional<uint8_t> rtp_channel_;
  std::optional<uint16_t> client_rtp_port_;

  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// --- Building what the fake sends ---

// Digest parameters of an Authorization or WWW-Authenticate value ("Digest a=\"b\", c=d"), names
// lower-cased; nullopt when the scheme is not Digest.
std::optional<std::vector<std::pair<std::string, std::string>>> digest_params(
    std::string_view value);

// Checks the request's Digest Authorization (RFC 7616 3.4.1, MD5, with qop=auth or RFC 2069
// style without) against the credentials and the challenge the fake sent; a non-empty `opaque`
// must come back unchanged (RFC 7616 3.3). Returns "" when it is right, else what is wrong.
std::string check_digest(const rtsp::Request& request, std::string_view user,
                         std::string_view password, std::string_view realm, std::string_view nonce,
                         std::string_view opaque = {});

// One RTP packet (RFC 3550 5.1): V=2, no padding, extension or CSRC, then `payload`.
Bytes rtp_packet(const media::RtpHeader& header, std::span<const uint8_t> payload);

// An H.264 sender (RFC 6184 packetization mode 1): one NAL unit per access unit, as a single NAL
// unit packet (5.6) or split in FU-A fragments (5.8). Sequence numbers run on from
// `next_sequence` (wrapping at 65535); the marker goes on each unit's last packet unless
// `markers` is false (senders that never set it).
struct H264Sender {
  uint16_t next_sequence = 0;
  uint32_t ssrc = 0x1234ABCD;
  bool markers = true;

  std::vector<Bytes> unit(std::span<const uint8_t> nal, uint32_t timestamp, size_t fragments = 1);
};

// The Annex-B form the receiver hands over for a one-NAL unit: 00 00 00 01 + NAL.
Bytes annex_b(std::span<const uint8_t> nal);

// An RTCP sender report (RFC 3550 6.4.1) with no report blocks, for stray-RTCP cases.
Bytes sender_report(uint32_t ssrc);

// "$" channel length payload (RFC 2326 10.12), as a string to put in FakeStep::before/after.
std::string interleaved(uint8_t channel, std::span<const uint8_t> payload);

}  // namespace rstest
