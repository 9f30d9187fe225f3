// Sans-I/O RTSP/1.0 client session (RFC 2326): builds the requests a player or a camera puller
// sends and digests the server's responses. No sockets, threads, clocks, randomness or logging.
//
// The driver owns the connection: it writes request.serialize() for every request built here,
// feeds the bytes it reads to a MessageReader(MessageReader::Kind::Responses), and hands every
// Response to on_response(). Interleaved frames go to the depacketizers, not here. One session
// per control connection; not thread-safe (use it from the connection's thread only).
//
// A typical run (see rtsp_client_session_test for real transcripts):
//   options() -> describe() -> setup(0, ...) ... setup(n-1, ...) -> play()
//   -> get_parameter() every session_timeout() / 2 (or options() when !supports_get_parameter())
//   -> teardown().
// RetryWithAuth: call the same builder again with the same arguments; the new request carries
// Authorization. Redirect: close the connection if host()/port() changed, connect to the new
// ones, and start again with describe() (the session is back in Init).
//
// Deviations from the shape first proposed for this class, for reasons:
//  - describe(), setup(), play() and teardown() return StatusOr<Request>: they fail with a state
//    error ("PLAY not allowed in state Init (allowed: Ready)") or a bad track index instead of
//    building a request the server must refuse;
//  - ClientReaction carries `note`, a remark for the driver's log (a changed session id, ignored
//    media), since the session does not log;
//  - added: control_url() (the aggregate URL PLAY and TEARDOWN use) and ClientSessionConfig::cnonce
//    (randomness comes from the driver);
//  - last_status() is the code of the last response matched to a request, failed or not, so after
//    an error it is the failure's code.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "media/frame.hpp"
#include "media/sdp.hpp"
#include "rtsp/auth.hpp"
#include "rtsp/message.hpp"
#include "rtsp/transport.hpp"

namespace rtsp {

enum class ClientState { Init, Described, Ready, Playing, Closed };
std::string_view state_name(ClientState state);

// RFC 2326 12.37: "The timeout is measured in seconds, with a default of 60 seconds (1 minute)."
inline constexpr std::chrono::seconds kDefaultSessionTimeout{60};

struct ClientTrack {
  media::SdpMedia media;
  media::Codec codec = media::Codec::Unknown;
  std::string control_url;               // absolute URL used in SETUP
  std::optional<Transport> transport;    // as the server answered SETUP
  std::optional<uint16_t> rtp_info_seq;  // from PLAY's RTP-Info
  std::optional<uint32_t> rtp_info_time;
  friend bool operator==(const ClientTrack&, const ClientTrack&) = default;
};

struct ClientSessionConfig {
  std::string url;  // rtsp://[user[:password]@]host[:port]/path[?query]
  std::string user_agent = "rtsp-streamer/0.1";  // empty: no User-Agent header
  std::optional<std::string> username;           // override the URL's credentials
  std::optional<std::string> password;
  // Digest client nonce for servers that ask for qop=auth (RFC 7616 3.4). The driver should put
  // fresh random hex here (16+ digits); empty: derived from the server's nonce, which works but is
  // predictable.
  std::string cnonce;
};

// What a response meant.
struct ClientReaction {
  enum class Kind {
    Done,           // the request succeeded; state(), tracks() etc. reflect it
    RetryWithAuth,  // 401 with a usable challenge: call the same builder again
    Redirect,       // 3xx: reconnect to host()/port() and start again with describe()
    Ignored,        // not an answer to a pending request (stray, duplicate, or 1xx)
  };
  Kind kind = Kind::Done;
  std::string redirect_url;  // Kind::Redirect: the new URL, without credentials
  std::string note;          // a remark worth logging, "" when none
  Response response;         // the response itself
};

class ClientSession {
 public:
  // Rejects URLs that are not rtsp://, have an empty host, spaces or control characters, or bad
  // percent-escapes in the credentials. The port defaults to 554 (RFC 2326 3.2).
  static absl::StatusOr<ClientSession> create(ClientSessionConfig config);

  // Request builders. Each takes the next CSeq (from 1) and adds User-Agent, Session once known,
  // and Authorization once challenged, in that order after the method's own headers. The request
  // is recorded as pending until on_response() matches its answer.
  Request options();  // URI: url()
  // URI: url(); Accept: application/sdp. Allowed in Init and Described.
  absl::StatusOr<Request> describe();
  // URI: the track's control URL; Transport: offer.serialize(). Allowed in Described and Ready;
  // `track` indexes tracks().
  absl::StatusOr<Request> setup(size_t track, const Transport& offer);
  // URI: the aggregate control URL; Range: npt=0.000-. Allowed in Ready.
  absl::StatusOr<Request> play();
  // URI: the aggregate control URL once described, else url(). A non-empty body is sent with
  // Content-Type: text/parameters (RFC 2326 10.8); an empty one is a keep-alive.
  Request get_parameter(std::string_view body = {});
  // URI: the aggregate control URL. Allowed in Ready and Playing.
  absl::StatusOr<Request> teardown();

  // Digests one response. Errors carry "METHOD uri: 404 Not Found (X-Reason: ...)" or a protocol
  // problem ("DESCRIBE uri: bad SDP: ..."); last_status() keeps the RTSP code. Status codes:
  // 401 Unauthenticated, 403 PermissionDenied, 404 and 454 NotFound, 5xx Unavailable, other
  // failures FailedPrecondition, malformed answers InvalidArgument.
  absl::StatusOr<ClientReaction> on_response(const Response& response);

  ClientState state() const { return state_; }
  const std::vector<ClientTrack>& tracks() const { return tracks_; }
  const std::string& session_id() const { return session_id_; }
  // From the Session header's ";timeout=", else kDefaultSessionTimeout.
  std::chrono::seconds session_timeout() const { return timeout_; }
  const std::string& host() const { return host_; }
  uint16_t port() const { return port_; }
  const std::string& url() const { return url_; }  // without credentials
  // The aggregate control URL (PLAY, TEARDOWN); url() until DESCRIBE succeeded.
  const std::string& control_url() const { return control_url_; }
  // Status code of the last response matched to a request (0 before any).
  int last_status() const { return last_status_; }
  // True when the server listed GET_PARAMETER in an OPTIONS Public header, or OPTIONS never
  // succeeded; keep-alives then use GET_PARAMETER, else OPTIONS.
  bool supports_get_parameter() const { return supports_get_parameter_.value_or(true); }

 private:
  struct Pending {
    int64_t cseq = 0;
    std::string method;
    std::string uri;
    std::optional<size_t> track;
    bool authorized = false;  // carried Authorization
  };

  ClientSession() = default;
  absl::Status retarget(std::string_view url);
  absl::Status check_state(std::string_view method,
                           std::initializer_list<ClientState> allowed) const;
  Request begin(std::string_view method, std::string uri) const;
  Request finish(Request request, std::optional<size_t> track = std::nullopt);
  std::optional<Pending> take_pending(const Response& response);

  absl::Status failure(const Pending& p, const Response& r) const;
  absl::Status protocol_error(const Pending& p, std::string_view why) const;
  absl::StatusOr<ClientReaction> on_unauthorized(const Pending& p, ClientReaction reaction);
  absl::StatusOr<ClientReaction> on_redirect(const Pending& p, ClientReaction reaction);
  absl::StatusOr<ClientReaction> on_success(const Pending& p, ClientReaction reaction);
  absl::StatusOr<ClientReaction> on_describe(const Pending& p, ClientReaction reaction);
  absl::StatusOr<ClientReaction> on_setup(const Pending& p, ClientReaction reaction);
  absl::StatusOr<ClientReaction> on_play(const Pending& p, ClientReaction reaction);
  void apply_session(std::string_view value, std::string& note);

  ClientSessionConfig config_;
  std::optional<ClientCredentials> credentials_;
  std::string url_;
  std::string host_;
  uint16_t port_ = 554;
  std::string control_url_;
  std::string base_url_;  // what relative URLs resolve against (C.1.1)
  ClientState state_ = ClientState::Init;
  std::vector<ClientTrack> tracks_;
  std::string session_id_;
  std::chrono::seconds timeout_ = kDefaultSessionTimeout;
  int last_status_ = 0;
  std::optional<bool> supports_get_parameter_;
  int64_t next_cseq_ = 1;
  std::deque<Pending> pending_;
  std::optional<AuthChallenge> challenge_;
  uint32_t nonce_count_ = 0;
  int stale_retries_ = 0;
  int redirects_ = 0;
};

// text/parameters bodies (RFC 2326 10.8, e.g. a GET_PARAMETER answer): "name: value" lines ->
// pairs, names and values trimmed, in order. Empty lines are skipped; a line without ':' is a
// name with an empty value.
std::vector<std::pair<std::string, std::string>> parse_parameters(std::string_view body);

}  // namespace rtsp
