// Sans-I/O RTSP/1.0 server session, RFC 2326 sections 10 (methods) and 12 (headers).
#include "rtsp/server_session.hpp"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "base/lookup.hpp"
#include "base/strings.hpp"
#include "rtsp/limits.hpp"
#include "rtsp/url.hpp"

namespace rtsp {
namespace {

std::string allowed_states_message(std::string_view method, SessionState state,
                                   std::string_view allowed) {
  return base::cat(method, " not allowed in state ", state_name(state), " (allowed: ", allowed,
                   ")");
}

// `uri` without its query, also where a path segment follows the query (ffmpeg's SETUP URLs).
std::string without_query(std::string_view uri) {
  std::string out(uri);
  while (true) {
    const size_t q = out.find('?');
    if (q == std::string::npos) return out;
    const size_t end = out.find('/', q);
    out.erase(q, end == std::string::npos ? std::string::npos : end - q);
  }
}

// Absolute URL of the request without a trailing track segment, used for Content-Base.
std::string base_url_of(std::string_view uri) {
  std::string base(uri);
  if (const size_t q = base.find('?'); q != std::string::npos) base.resize(q);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

}  // namespace

constexpr base::Row<SessionState, std::string_view> kStateNames[] = {
    {SessionState::Init, "Init"},
    {SessionState::Ready, "Ready"},
    {SessionState::Playing, "Playing"},
    {SessionState::Recording, "Recording"}};

std::string_view state_name(SessionState state) {
  return base::lookup(kStateNames, state, "?");
}

// What a resolver's or a publisher hook's Status means to an RTSP client.
constexpr base::Row<absl::StatusCode, int> kRtspStatusOf[] = {
    {absl::StatusCode::kOk, 200},
    {absl::StatusCode::kNotFound, 404},
    {absl::StatusCode::kInvalidArgument, 400},
    {absl::StatusCode::kUnimplemented, 461},      // Unsupported Transport
    {absl::StatusCode::kResourceExhausted, 453},  // Not Enough Bandwidth
    {absl::StatusCode::kUnavailable, 503},
    {absl::StatusCode::kFailedPrecondition, 455},  // Method Not Valid in This State
    {absl::StatusCode::kPermissionDenied, 403},
    {absl::StatusCode::kAlreadyExists, 409}};

int status_code_for(const absl::Status& status) {
  return base::lookup(kRtspStatusOf, status.code(), 500);
}

ServerSession::ServerSession(ServerSessionHost& host, std::string session_id,
                             std::chrono::seconds timeout)
    : host_(host), session_id_(std::move(session_id)), timeout_(timeout) {}

Outcome ServerSession::handle(const Request& request, bool final_attempt) {
  // RFC 2326 12.17: "This field MUST be present in all requests and responses."
  if (!request.cseq()) return error(request, 400, "missing or invalid CSeq");
  const std::string& m = request.method;
  if (m == "OPTIONS") return on_options(request);
  if (m == "DESCRIBE") return on_describe(request, final_attempt);
  if (m == "SETUP") return on_setup(request);
  if (m == "PLAY") return on_play(request);
  if (m == "PAUSE") return on_pause(request);
  if (m == "TEARDOWN") return on_teardown(request);
  if (m == "GET_PARAMETER" || m == "SET_PARAMETER") return on_parameter(request);
  if (m == "ANNOUNCE") return on_announce(request);
  if (m == "RECORD") return on_record(request);
  // 11.3.2 / 7.1.1: 501 Not Implemented, with the methods we do support.
  Outcome out = error(request, 501, "method not implemented");
  out.response.headers.set("Public", host_.public_methods());
  return out;
}

Response ServerSession::base_response(const Request& request, int status) const {
  Response response;
  response.status = status;
  // 12.17: the response carries the request's CSeq.
  if (auto cseq = request.headers.get("CSeq"))
    response.headers.set("CSeq", base::sv(absl::StripAsciiWhitespace(base::av(*cseq))));
  response.headers.set("Server", kServerName);
  return response;
}

Outcome ServerSession::error(const Request& request, int status, absl::string_view why) const {
  Outcome out;
  out.response = base_response(request, status);
  if (!why.empty()) {
    // The reason may quote the request (a stream name): keep the header printable and short.
    std::string reason(why.substr(0, 200));
    for (char& c : reason) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
    }
    out.response.headers.set("X-Reason", reason);
  }
  // A request without CSeq cannot be answered in sequence: close (400, 12.17).
  out.close = status == 400 && !request.cseq();
  return out;
}

std::string ServerSession::session_header() const {
  return base::cat(session_id_, ";timeout=", timeout_.count());
}

std::optional<Outcome> ServerSession::check_session(const Request& request) const {
  auto header = request.headers.get("Session");
  if (!header) return error(request, 454, "missing Session header");
  std::string_view id = *header;
  if (const size_t semi = id.find(';'); semi != std::string_view::npos) id = id.substr(0, semi);
  id = base::sv(absl::StripAsciiWhitespace(base::av(id)));
  if (state_ == SessionState::Init || id != session_id_) {
    return error(request, 454, "unknown session");
  }
  return std::nullopt;
}

std::optional<Outcome> ServerSession::deny(const Request& request, std::string_view stream) {
  auto denial = host_.authorize(request, stream);
  if (!denial) return std::nullopt;
  Outcome out = error(request, denial->status, denial->reason);
  // RFC 2326 12.44 / RFC 7235 4.1: one WWW-Authenticate field per challenge.
  for (const auto& challenge : denial->www_authenticate)
    out.response.headers.add("WWW-Authenticate", challenge);
  return out;
}

Outcome ServerSession::on_options(const Request& request) {
  Outcome out{base_response(request, 200)};
  out.response.headers.set("Public", host_.public_methods());
  return out;
}

Outcome ServerSession::not_allowed(const Request& request, std::string_view stream,
                                   absl::string_view why) const {
  Outcome out = error(request, 405, why);
  out.response.headers.set("Allow", host_.allowed_methods(stream));
  return out;
}

Outcome ServerSession::on_describe(const Request& request, bool final_attempt) {
  auto url = Url::parse(request.uri);
  if (!url.ok()) return error(request, 400, url.status().message());
  auto path = parse_stream_path(url->path);
  if (!path.ok()) return error(request, status_code_for(path.status()), path.status().message());
  if (auto denied = deny(request, path->stream)) return *denied;
  auto sdp = host_.describe(path->stream);
  if (!sdp.ok()) {
    if (absl::IsUnimplemented(sdp.status())) {
      return not_allowed(request, path->stream, sdp.status().message());
    }
    if (sdp.status().code() == absl::StatusCode::kUnavailable) {
      if (!final_attempt) return Outcome{.park = true};
      return error(request, 404, "stream not available");
    }
    return error(request, status_code_for(sdp.status()), sdp.status().message());
  }
  Outcome out{base_response(request, 200)};
  // 12.11 Content-Base: relative URLs in the SDP (a=control) resolve against it.
  out.response.headers.set("Content-Base", base::cat(base_url_of(request.uri), "/"));
  out.response.headers.set("Content-Type", "application/sdp");
  out.response.body = *std::move(sdp);
  return out;
}

Outcome ServerSession::on_setup(const Request& request) {
  if (!announced_controls_.empty()) return setup_record(request);
  auto url = Url::parse(request.uri);
  if (!url.ok()) return error(request, 400, url.status().message());
  auto path = parse_stream_path(url->path);
  if (!path.ok()) return error(request, status_code_for(path.status()), path.status().message());
  if (state_ != SessionState::Init) {
    if (auto bad = check_session(request)) return *bad;
    // One stream per session: aggregate control of several streams is not supported (10.4).
    if (path->stream != stream_) return error(request, 459, "one stream per session");
  }
  if (auto denied = deny(request, path->stream)) return *denied;
  auto transport_header = request.headers.get("Transport");
  if (!transport_header) return error(request, 400, "missing Transport header");
  auto offered = Transport::parse_list(*transport_header);
  if (!offered.ok()) return error(request, 461, offered.status().message());
  const uint32_t track = path->track.value_or(0);
  auto chosen = host_.setup(path->stream, track, *offered);
  if (!chosen.ok())
    return error(request, status_code_for(chosen.status()), chosen.status().message());
  stream_ = path->stream;
  base_url_ = base_url_of(request.uri);
  if (path->track) base_url_ = base_url_.substr(0, base_url_.rfind('/'));
  tracks_.push_back(track);
  if (state_ == SessionState::Init) state_ = SessionState::Ready;
  Outcome out{base_response(request, 200)};
  out.response.headers.set("Transport", chosen->serialize());
  out.response.headers.set("Session", session_header());
  return out;
}

Outcome ServerSession::on_play(const Request& request) {
  if (!announced_controls_.empty()) {
    return error(request, 455, "PLAY in a publishing session (RECORD starts it)");
  }
  if (state_ == SessionState::Init) return not_set_up(request, "PLAY");
  if (auto bad = check_session(request)) return *bad;
  auto starts = host_.play();
  if (!starts.ok())
    return error(request, status_code_for(starts.status()), starts.status().message());
  state_ = SessionState::Playing;
  Outcome out{base_response(request, 200)};
  out.response.headers.set("Session", session_header());
  // Live stream: 12.29 Range "npt=now-".
  out.response.headers.set("Range", "npt=now-");
  // 12.33 RTP-Info: seq and rtptime of the first packet the client will receive per track.
  std::vector<std::string> infos;
  for (const PlayStart& s : *starts) {
    infos.push_back(base::cat("url=", base_url_, "/trackID=", s.track, ";seq=", s.sequence,
                              ";rtptime=", s.rtp_timestamp));
  }
  if (!infos.empty()) out.response.headers.set("RTP-Info", absl::StrJoin(infos, ","));
  return out;
}

Outcome ServerSession::on_pause(const Request& request) {
  if (state_ == SessionState::Init) return not_set_up(request, "PAUSE");
  if (!announced_controls_.empty()) return error(request, 455, "PAUSE in a publishing session");
  if (auto bad = check_session(request)) return *bad;
  host_.pause();
  state_ = SessionState::Ready;
  Outcome out{base_response(request, 200)};
  out.response.headers.set("Session", session_header());
  return out;
}

Outcome ServerSession::on_teardown(const Request& request) {
  if (state_ == SessionState::Init && !announced_controls_.empty()) {
    // Announced, nothing set up yet: the announcement is withdrawn.
    host_.teardown();
    announced_controls_.clear();
    record_setup_.clear();
    return Outcome{base_response(request, 200)};
  }
  if (state_ == SessionState::Init) return error(request, 454, "no session to tear down");
  if (auto bad = check_session(request)) return *bad;
  host_.teardown();
  state_ = SessionState::Init;
  tracks_.clear();
  announced_controls_.clear();
  record_setup_.clear();
  // 10.7: TEARDOWN "stops the stream delivery for the given URI, freeing the resources
  // associated with it": the id is gone; a later SETUP starts a session with a new one.
  if (std::string id = host_.new_session_id(); !id.empty()) session_id_ = std::move(id);
  return Outcome{base_response(request, 200)};
}

Outcome ServerSession::not_set_up(const Request& request, std::string_view method) const {
  // 12.37 / 7.1.1: a request that names a session we do not have (torn down, forged, another
  // connection's) is 454 Session Not Found; without a session it is 455 in this state.
  if (request.headers.get("Session")) return error(request, 454, "unknown session");
  return error(request, 455, allowed_states_message(method, state_, "Ready, Playing"));
}

Outcome ServerSession::on_parameter(const Request& request) {
  // 10.8: GET_PARAMETER with no body is a keep-alive ("ping").
  if (request.headers.get("Session")) {
    if (auto bad = check_session(request)) return *bad;
  }
  Outcome out{base_response(request, 200)};
  if (state_ != SessionState::Init) out.response.headers.set("Session", session_header());
  if (request.method == "GET_PARAMETER") {
    if (auto bad = answer_parameters(request, out.response)) return *bad;
  }
  return out;
}

// 10.8: "The content of the reply and response is left to the implementation"; we answer
// text/parameters, one "name: value" line per parameter asked for, in the order asked.
std::optional<Outcome> ServerSession::answer_parameters(const Request& request,
                                                        Response& response) {
  std::vector<std::string_view> names;
  for (absl::string_view line : absl::StrSplit(base::av(request.body), '\n')) {
    const std::string_view name = base::sv(absl::StripAsciiWhitespace(line));
    if (!name.empty()) names.push_back(name);
  }
  if (names.empty()) return std::nullopt;
  if (names.size() > kMaxQueriedParameters) {
    return error(request, 400, base::cat("more than ", kMaxQueriedParameters, " parameters"));
  }
  std::string stream = stream_;
  if (stream.empty()) {
    if (auto url = Url::parse(request.uri); url.ok()) {
      if (auto path = parse_stream_path(url->path); path.ok()) stream = path->stream;
    }
  }
  std::string body;
  std::string unknown;
  for (std::string_view name : names) {
    auto value = host_.get_parameter(stream, name);
    if (!value) {
      unknown += base::cat(unknown.empty() ? "" : ", ", name);
      continue;
    }
    body += base::cat(name, ": ", *value, "\r\n");
  }
  // 7.1.1: 451 Parameter Not Understood.
  if (!unknown.empty()) return error(request, 451, base::cat("unknown parameter: ", unknown));
  response.headers.set("Content-Type", "text/parameters");
  response.body = std::move(body);
  return std::nullopt;
}

}  // namespace rtsp

namespace rtsp {

// ---- Publishing: ANNOUNCE, SETUP mode=record, RECORD (RFC 2326 10.3, 10.4, 10.11) ----

Outcome ServerSession::on_announce(const Request& request) {
  auto url = Url::parse(request.uri);
  if (!url.ok()) return error(request, 400, url.status().message());
  auto path = parse_stream_path(url->path);
  if (!path.ok()) return error(request, status_code_for(path.status()), path.status().message());
  if (path->track) return error(request, 400, "ANNOUNCE names a stream, not a track");
  if (auto denied = deny(request, path->stream)) return *denied;
  if (state_ != SessionState::Init || !announced_controls_.empty()) {
    return error(request, 455, allowed_states_message("ANNOUNCE", state_, "Init"));
  }
  // 10.3: the body is the description; only SDP is understood (12.16, 415 otherwise).
  auto type = request.headers.get("Content-Type");
  if (!type || !absl::EqualsIgnoreCase(
                   absl::StripAsciiWhitespace(base::av(type->substr(0, type->find(';')))),
                   "application/sdp")) {
    return error(request, 415, "ANNOUNCE needs Content-Type: application/sdp");
  }
  auto sdp = media::parse_sdp(request.body);
  if (!sdp.ok()) return error(request, 400, sdp.status().message());
  if (sdp->media.empty()) return error(request, 400, "the SDP describes no media");
  if (auto st = host_.announce(path->stream, *sdp, request.body); !st.ok()) {
    if (absl::IsUnimplemented(st)) return not_allowed(request, path->stream, st.message());
    return error(request, status_code_for(st), st.message());
  }
  stream_ = path->stream;
  base_url_ = base_url_of(request.uri);
  const std::string base = sdp->control.empty() || sdp->control == "*"
                               ? base::cat(base_url_, "/")
                               : resolve_control_url(base::cat(base_url_, "/"), sdp->control);
  for (size_t i = 0; i < sdp->media.size(); ++i) {
    const std::string& control = sdp->media[i].control;
    // No a=control: the media are told apart by their index, as trackID=N.
    announced_controls_.push_back(control.empty() ? base::cat(base_url_, "/trackID=", i)
                                                  : resolve_control_url(base, control));
  }
  record_setup_.assign(sdp->media.size(), false);
  return Outcome{base_response(request, 200)};
}

Outcome ServerSession::setup_record(const Request& request) {
  if (state_ != SessionState::Init) {
    if (auto bad = check_session(request)) return *bad;
  }
  if (state_ == SessionState::Recording) {
    return error(request, 455, allowed_states_message("SETUP", state_, "Init, Ready"));
  }
  // ffmpeg appends "/streamid=N" after the ANNOUNCE URL's query ("/live?key=k/streamid=0").
  std::string uri = without_query(request.uri);
  while (!uri.empty() && uri.back() == '/') uri.pop_back();
  size_t index = announced_controls_.size();
  for (size_t i = 0; i < announced_controls_.size(); ++i) {
    if (announced_controls_[i] == uri) index = i;
  }
  if (index == announced_controls_.size()) {
    return error(request, 404, base::cat("no announced media at '", uri.substr(0, 200), "'"));
  }
  if (record_setup_[index]) return error(request, 455, "media already set up");
  auto transport_header = request.headers.get("Transport");
  if (!transport_header) return error(request, 400, "missing Transport header");
  auto offered = Transport::parse_list(*transport_header);
  if (!offered.ok()) return error(request, 461, offered.status().message());
  for (const Transport& t : *offered) {
    if (t.mode && *t.mode != TransportMode::Record) {
      return error(request, 461, "a publishing session sets up with mode=record");
    }
  }
  auto chosen = host_.setup_record(index, *offered);
  if (!chosen.ok()) {
    return error(request, status_code_for(chosen.status()), chosen.status().message());
  }
  record_setup_[index] = true;
  state_ = SessionState::Ready;
  Outcome out{base_response(request, 200)};
  out.response.headers.set("Transport", chosen->serialize());
  out.response.headers.set("Session", session_header());
  return out;
}

Outcome ServerSession::on_record(const Request& request) {
  if (announced_controls_.empty()) {
    if (state_ != SessionState::Init) return error(request, 455, "RECORD in a playing session");
    // A play-only stream (405), or RECORD before ANNOUNCE and SETUP (455).
    std::string stream;
    if (auto url = Url::parse(request.uri); url.ok()) {
      if (auto path = parse_stream_path(url->path); path.ok()) stream = path->stream;
    }
    const std::string allowed = host_.allowed_methods(stream);
    if (!absl::StrContains(allowed, "RECORD")) {
      return not_allowed(request, stream, "this stream cannot be published to");
    }
    return not_set_up(request, "RECORD");
  }
  if (state_ == SessionState::Init) {
    if (request.headers.get("Session")) return error(request, 454, "unknown session");
    return error(request, 455, allowed_states_message("RECORD", state_, "Ready"));
  }
  if (auto bad = check_session(request)) return *bad;
  if (state_ == SessionState::Ready) {
    if (auto st = host_.record(); !st.ok()) {
      return error(request, status_code_for(st), st.message());
    }
    state_ = SessionState::Recording;
  }
  Outcome out{base_response(request, 200)};
  out.response.headers.set("Session", session_header());
  return out;
}

}  // namespace rtsp
