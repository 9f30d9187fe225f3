// Sans-I/O RTSP/1.0 server session (RFC 2326): one control connection's requests in, responses
// and effects out. No sockets, threads or clocks: the owner supplies a ServerSessionHost.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "media/sdp.hpp"
#include "rtsp/message.hpp"
#include "rtsp/transport.hpp"

namespace rtsp {

// Ready and Recording belong to publishing sessions (ANNOUNCE, SETUP mode=record, RECORD).
enum class SessionState { Init, Ready, Playing, Recording };
std::string_view state_name(SessionState state);

inline constexpr std::string_view kServerName = "rtsp-streamer/0.1";
inline constexpr std::string_view kPublicMethods =
    "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER";
// A server that takes publishers (the origin's ingest port).
inline constexpr std::string_view kRecordMethods =
    "OPTIONS, ANNOUNCE, SETUP, RECORD, TEARDOWN, GET_PARAMETER, SET_PARAMETER";

// Where the first packet a reader receives after PLAY starts, per track (RTP-Info, 12.33).
struct PlayStart {
  uint32_t track = 0;
  uint16_t sequence = 0;
  uint32_t rtp_timestamp = 0;
};

// What the session needs from the server. Statuses map to RTSP codes: NotFound -> 404,
// Unavailable -> "not ready yet" (DESCRIBE is parked and retried), Unimplemented -> 461 (SETUP:
// no usable transport) or 405 (DESCRIBE, ANNOUNCE, RECORD: the method does not apply to this
// stream; the answer carries Allow), ResourceExhausted -> 453/503, FailedPrecondition -> 455,
// AlreadyExists -> 409, others -> 500.
class ServerSessionHost {
 public:
  virtual ~ServerSessionHost() = default;
  // SDP for `stream`.
  virtual absl::StatusOr<std::string> describe(std::string_view stream) = 0;
  // Picks one of the client's transports (in its order of preference) for `track` of `stream`
  // and returns the answer (server ports / interleaved channels filled in).
  virtual absl::StatusOr<Transport> setup(std::string_view stream, uint32_t track,
                                          const std::vector<Transport>& offered) = 0;
  // Starts (or resumes) delivery of the set-up tracks.
  virtual absl::StatusOr<std::vector<PlayStart>> play() = 0;
  virtual void pause() = 0;
  virtual void teardown() = 0;
  // Viewer authentication for DESCRIBE and SETUP of `stream`: nullopt lets the request through;
  // otherwise the status (401 with challenges, 403) and headers to answer with.
  struct Denial {
    int status = 401;
    std::vector<std::string> www_authenticate;
    std::string reason;
  };
  virtual std::optional<Denial> authorize(const Request& /*request*/, std::string_view /*stream*/) {
    return std::nullopt;
  }
  // GET_PARAMETER with a text/parameters body (RFC 2326 10.8): the value of parameter `name` for
  // `stream` (the session's, else the request URI's; "" when neither names one), or nullopt
  // when the parameter is unknown (451 Parameter Not Understood).
  virtual std::optional<std::string> get_parameter(std::string_view /*stream*/,
                                                   std::string_view /*name*/) {
    return std::nullopt;
  }
  // A fresh session id for the session after a TEARDOWN ("" keeps the current one).
  virtual std::string new_session_id() { return {}; }

  // ---- Publishing (RFC 2326 10.3 ANNOUNCE, 10.11 RECORD); a play-only server keeps these. ----
  // The methods OPTIONS lists (Public).
  virtual std::string_view public_methods() const { return kPublicMethods; }
  // The methods `stream` allows, for a 405's Allow header (RFC 2326 12.4).
  virtual std::string allowed_methods(std::string_view /*stream*/) const {
    return std::string(kPublicMethods);
  }
  // A publisher describes `stream` (its SDP, parsed). Unimplemented: play-only (405).
  virtual absl::Status announce(std::string_view /*stream*/, const media::SdpDescription& /*sdp*/,
                                std::string_view /*peer_sdp*/) {
    return absl::UnimplementedError("this server does not take publishers");
  }
  // Receive transport for announced media `media_index`, from the publisher's offers.
  virtual absl::StatusOr<Transport> setup_record(size_t /*media_index*/,
                                                 const std::vector<Transport>& /*offered*/) {
    return absl::UnimplementedError("this server does not take publishers");
  }
  // The publisher starts sending.
  virtual absl::Status record() { return absl::UnimplementedError("this server does not record"); }
};

struct Outcome {
  Response response;
  bool close = false;  // close the connection after sending the response
  bool park = false;   // not ready: keep the request and call handle() again later
};

class ServerSession {
 public:
  // `session_id` is announced on SETUP; `timeout` in the Session header (12.37).
  ServerSession(ServerSessionHost& host, std::string session_id, std::chrono::seconds timeout);

  // Handles one request. `final_attempt` is set when a parked DESCRIBE has run out of time:
  // an Unavailable stream then answers 404.
  Outcome handle(const Request& request, bool final_attempt = false);

  SessionState state() const { return state_; }
  const std::string& session_id() const { return session_id_; }
  const std::string& stream() const { return stream_; }

 private:
  Outcome on_options(const Request& request);
  Outcome on_describe(const Request& request, bool final_attempt);
  Outcome on_setup(const Request& request);
  Outcome on_play(const Request& request);
  Outcome on_pause(const Request& request);
  Outcome on_teardown(const Request& request);
  Outcome on_parameter(const Request& request);
  Outcome on_announce(const Request& request);
  Outcome on_record(const Request& request);
  Outcome setup_record(const Request& request);
  // 405 Method Not Allowed for `stream`, with Allow (RFC 2326 10.1, 12.4).
  Outcome not_allowed(const Request& request, std::string_view stream, absl::string_view why) const;
  // Fills `response` with the values of the parameters the body names; an error when one is
  // unknown (451) or too many are asked (400).
  std::optional<Outcome> answer_parameters(const Request& request, Response& response);

  // PLAY/PAUSE before SETUP: 454 when the request names a session, else 455.
  Outcome not_set_up(const Request& request, std::string_view method) const;
  // Checks the Session header: 454 when it names another session or is missing.
  std::optional<Outcome> check_session(const Request& request) const;
  Outcome error(const Request& request, int status, absl::string_view why = {}) const;
  std::optional<Outcome> deny(const Request& request, std::string_view stream);
  Response base_response(const Request& request, int status) const;
  std::string session_header() const;

  ServerSessionHost& host_;
  std::string session_id_;
  std::chrono::seconds timeout_;
  SessionState state_ = SessionState::Init;
  std::string stream_;
  std::string base_url_;
  std::vector<uint32_t> tracks_;
  // Publishing: the announced media's control URLs, absolute; which of them are set up.
  std::vector<std::string> announced_controls_;
  std::vector<bool> record_setup_;
};

// Maps a host status to an RTSP status code (see ServerSessionHost).
int status_code_for(const absl::Status& status);

}  // namespace rtsp
