// Sans-I/O RTSP/1.0 client session, RFC 2326 sections 10 (methods), 12 (headers) and C (SDP).
#include "rtsp/client_session.hpp"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "base/strings.hpp"
#include "rtsp/limits.hpp"
#include "rtsp/rtp_info.hpp"
#include "rtsp/url.hpp"

namespace rtsp {
namespace {

std::optional<int64_t> cseq_of(const Response& response) {
  auto value = response.headers.get("CSeq");
  int64_t cseq = 0;
  if (!value || !absl::SimpleAtoi(base::av(base::trim(*value)), &cseq)) return std::nullopt;
  return cseq;
}

absl::StatusCode code_for(int status) {
  if (status == 401) return absl::StatusCode::kUnauthenticated;
  if (status == 403) return absl::StatusCode::kPermissionDenied;
  if (status == 404 || status == 454) return absl::StatusCode::kNotFound;
  if (status >= 500) return absl::StatusCode::kUnavailable;
  return absl::StatusCode::kFailedPrecondition;
}

bool is_redirect(int status) {
  // RFC 2326 11.3 lists 301, 302, 303 and 305; 307 comes from HTTP/1.1 (RFC 7231 6.4.7).
  return status == 301 || status == 302 || status == 303 || status == 305 || status == 307;
}

// "application/sdp", ignoring case and parameters ("application/sdp; charset=utf-8").
bool is_sdp(std::string_view content_type) {
  return base::equals_ignore_case(base::trim(content_type.substr(0, content_type.find(';'))),
                                  "application/sdp");
}

// A URL we can put in a request line (RFC 2326 6.1: Method SP Request-URI SP RTSP-Version):
// no spaces or control characters.
bool usable_uri(std::string_view uri) {
  return !uri.empty() && std::none_of(uri.begin(), uri.end(), [](char c) {
    return static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) == 0x7f;
  });
}

absl::Status bad_control_url(std::string_view url) {
  return absl::InvalidArgumentError(base::cat("bad control URL '", url.substr(0, 200), "'"));
}

// The media of `sdp` with a codec we know, as tracks with absolute control URLs; the others are
// described in `ignored` ("application/vnd.onvif.metadata").
absl::StatusOr<std::vector<ClientTrack>> tracks_of(const media::SdpDescription& sdp,
                                                   std::string_view base,
                                                   std::vector<std::string>& ignored) {
  std::vector<ClientTrack> tracks;
  for (const media::SdpMedia& m : sdp.media) {
    const media::Codec codec = media::codec_of(m);
    if (codec == media::Codec::Unknown) {
      ignored.push_back(base::cat(m.media, "/", m.encoding.empty() ? "?" : m.encoding));
      continue;
    }
    std::string control_url = resolve_control_url(base, m.control);
    if (!usable_uri(control_url)) return bad_control_url(control_url);
    tracks.push_back({.media = m, .codec = codec, .control_url = std::move(control_url)});
  }
  return tracks;
}

}  // namespace

std::string_view state_name(ClientState state) {
  static constexpr std::string_view kNames[] = {"Init", "Described", "Ready", "Playing", "Closed"};
  return kNames[static_cast<size_t>(state)];
}

absl::StatusOr<ClientSession> ClientSession::create(ClientSessionConfig config) {
  ClientSession session;
  if (auto st = session.retarget(config.url); !st.ok()) return st;
  // The configured credentials override those of the URL, each on its own.
  if (config.username) {
    session.credentials_ =
        ClientCredentials{*config.username, config.password.value_or(std::string())};
  } else if (session.credentials_ && config.password) {
    session.credentials_->password = *config.password;
  }
  session.config_ = std::move(config);
  return session;
}

absl::Status ClientSession::retarget(std::string_view url) {
  auto split = split_credentials(url);
  if (!split.ok()) return split.status();
  if (!usable_uri(split->url)) {
    return absl::InvalidArgumentError(
        base::cat("URL with spaces or control characters: '", split->url.substr(0, 200), "'"));
  }
  auto parsed = Url::parse(split->url);
  if (!parsed.ok()) return parsed.status();
  if (parsed->scheme != "rtsp") {
    return absl::InvalidArgumentError(
        base::cat("not an rtsp:// URL: '", split->url.substr(0, 200), "'"));
  }
  if (parsed->host.empty()) return absl::InvalidArgumentError("no host in the URL");
  url_ = split->url;
  host_ = parsed->host;
  // RFC 2326 3.2: port 554 when the URL names none.
  port_ = parsed->port.value_or(554);
  control_url_ = url_;
  base_url_ = url_;
  // A URL with credentials replaces the ones in use; otherwise they are kept (a redirect to
  // another edge of the cluster needs them too).
  if (split->user) credentials_ = ClientCredentials{*split->user, split->password.value_or("")};
  return absl::OkStatus();
}

absl::Status ClientSession::check_state(std::string_view method,
                                        std::initializer_list<ClientState> allowed) const {
  if (std::find(allowed.begin(), allowed.end(), state_) != allowed.end()) return absl::OkStatus();
  std::vector<std::string> names;
  for (ClientState s : allowed) names.emplace_back(state_name(s));
  return absl::FailedPreconditionError(base::cat(method, " not allowed in state ",
                                                 state_name(state_),
                                                 " (allowed: ", absl::StrJoin(names, ", "), ")"));
}

Request ClientSession::begin(std::string_view method, std::string uri) const {
  Request r;
  r.method = std::string(method);
  r.uri = std::move(uri);
  // RFC 2326 12.17: "The CSeq field specifies the sequence number for an RTSP request-response
  // pair. This field MUST be present in all requests and responses."
  r.headers.set("CSeq", std::to_string(next_cseq_));
  if (!config_.user_agent.empty()) r.headers.set("User-Agent", config_.user_agent);
  return r;
}

Request ClientSession::finish(Request r, std::optional<size_t> track) {
  // 12.37: the Session header identifies the session in every request after SETUP.
  if (!session_id_.empty()) r.headers.set("Session", session_id_);
  const bool authorized = challenge_ && credentials_;
  if (authorized) {
    std::string cnonce = config_.cnonce;
    if (cnonce.empty()) cnonce = md5_hex(base::cat(challenge_->nonce, ":", url_)).substr(0, 16);
    r.headers.set("Authorization", authorization(*challenge_, *credentials_, r.method, r.uri,
                                                 cnonce, ++nonce_count_));
  }
  pending_.push_back({next_cseq_, r.method, r.uri, track, authorized});
  if (pending_.size() > kMaxPendingRequests) pending_.pop_front();
  ++next_cseq_;
  return r;
}

Request ClientSession::options() {
  return finish(begin("OPTIONS", url_));
}

absl::StatusOr<Request> ClientSession::describe() {
  if (auto st = check_state("DESCRIBE", {ClientState::Init, ClientState::Described}); !st.ok())
    return st;
  Request r = begin("DESCRIBE", url_);
  // 10.2: "It may use the Accept header to specify the description formats that the client
  // understands."
  r.headers.set("Accept", "application/sdp");
  return finish(std::move(r));
}

absl::StatusOr<Request> ClientSession::setup(size_t track, const Transport& offer) {
  if (auto st = check_state("SETUP", {ClientState::Described, ClientState::Ready}); !st.ok())
    return st;
  if (track >= tracks_.size()) {
    return absl::OutOfRangeError(
        base::cat("SETUP: no track ", track, " (", tracks_.size(), " tracks)"));
  }
  Request r = begin("SETUP", tracks_[track].control_url);
  r.headers.set("Transport", offer.serialize());
  return finish(std::move(r), track);
}

absl::StatusOr<Request> ClientSession::play() {
  if (auto st = check_state("PLAY", {ClientState::Ready}); !st.ok()) return st;
  Request r = begin("PLAY", control_url_);
  // 12.29: a Range from the start; live servers answer "npt=now-" (as ffmpeg and VLC send it).
  r.headers.set("Range", "npt=0.000-");
  return finish(std::move(r));
}

Request ClientSession::get_parameter(std::string_view body) {
  Request r = begin("GET_PARAMETER", control_url_);
  if (!body.empty()) {
    // 10.8: "The content of the reply and response is left to the implementation";
    // text/parameters is the format its example uses.
    r.headers.set("Content-Type", "text/parameters");
    r.body = std::string(body);
  }
  return finish(std::move(r));
}

absl::StatusOr<Request> ClientSession::teardown() {
  if (auto st = check_state("TEARDOWN", {ClientState::Ready, ClientState::Playing}); !st.ok())
    return st;
  return finish(begin("TEARDOWN", control_url_));
}

std::optional<ClientSession::Pending> ClientSession::take_pending(const Response& response) {
  if (pending_.empty()) return std::nullopt;
  auto it = pending_.begin();
  // 12.17: the response carries the request's CSeq. Some cameras omit it: the oldest pending
  // request is then the one answered (test ClientSessionCSeq,
  // MatchesResponsesWithoutCSeqToTheOldestRequest).
  if (const auto cseq = cseq_of(response)) {
    it = std::find_if(pending_.begin(), pending_.end(),
                      [&](const Pending& p) { return p.cseq == *cseq; });
    if (it == pending_.end()) return std::nullopt;
  }
  Pending p = std::move(*it);
  pending_.erase(it);
  return p;
}

absl::StatusOr<ClientReaction> ClientSession::on_response(const Response& response) {
  ClientReaction reaction{.response = response};
  // 1xx responses are provisional (RFC 2326 7.1.1); the final answer follows with the same CSeq.
  const bool provisional = response.status < 200;
  std::optional<Pending> pending = provisional ? std::nullopt : take_pending(response);
  if (!pending) {
    reaction.kind = ClientReaction::Kind::Ignored;
    return reaction;
  }
  last_status_ = response.status;
  if (response.status == 401) return on_unauthorized(*pending, std::move(reaction));
  if (is_redirect(response.status)) return on_redirect(*pending, std::move(reaction));
  if (response.status >= 300) return failure(*pending, response);
  stale_retries_ = 0;
  return on_success(*pending, std::move(reaction));
}

absl::Status ClientSession::failure(const Pending& p, const Response& r) const {
  std::string message =
      base::cat(p.method, " ", p.uri, ": ", r.status, " ",
                r.reason.empty() ? reason_phrase(r.status) : std::string_view(r.reason));
  if (auto why = r.headers.get("X-Reason")) message += base::cat(" (X-Reason: ", *why, ")");
  return absl::Status(code_for(r.status), message);
}

absl::Status ClientSession::protocol_error(const Pending& p, std::string_view why) const {
  return absl::InvalidArgumentError(base::cat(p.method, " ", p.uri, ": ", why));
}

absl::StatusOr<ClientReaction> ClientSession::on_unauthorized(const Pending& p,
                                                              ClientReaction reaction) {
  const auto reject = [&](std::string_view why) {
    return absl::UnauthenticatedError(
        base::cat(p.method, " ", p.uri, ": 401 Unauthorized (", why, ")"));
  };
  if (!credentials_) return reject("no credentials");
  auto challenge = pick_challenge(reaction.response.headers);
  if (!challenge) return reject("no usable WWW-Authenticate challenge");
  if (p.authorized) {
    // RFC 7616 3.3, stale: "the client may wish to simply retry the request with a new encrypted
    // response, without reprompting the user for a new username and password".
    if (!challenge->stale) return reject("credentials rejected");
    if (stale_retries_ >= kMaxStaleRetries) return reject("nonce stale too often");
    ++stale_retries_;
  }
  challenge_ = *std::move(challenge);
  nonce_count_ = 0;
  reaction.kind = ClientReaction::Kind::RetryWithAuth;
  return reaction;
}

absl::StatusOr<ClientReaction> ClientSession::on_redirect(const Pending& p,
                                                          ClientReaction reaction) {
  const auto location = reaction.response.headers.get("Location");
  if (!location || base::trim(*location).empty()) {
    return protocol_error(p, base::cat(reaction.response.status, " without Location"));
  }
  if (redirects_ >= kMaxRedirects) {
    return absl::FailedPreconditionError(
        base::cat(p.method, " ", p.uri, ": more than ", kMaxRedirects, " redirects"));
  }
  // 12.25 (HTTP/1.1 14.30): Location is an absolute URI. A path alone is taken relative to the
  // current server (robustness; ClientSessionRedirect.RetargetsUpToTheLimit).
  const std::string target = resolve_control_url(url_, base::trim(*location));
  if (auto st = retarget(target); !st.ok()) {
    return protocol_error(p, base::cat("bad Location: ", st.message()));
  }
  ++redirects_;
  state_ = ClientState::Init;
  tracks_.clear();
  session_id_.clear();
  timeout_ = kDefaultSessionTimeout;
  supports_get_parameter_.reset();
  pending_.clear();
  challenge_.reset();  // a new server challenges anew
  reaction.kind = ClientReaction::Kind::Redirect;
  reaction.redirect_url = url_;
  return reaction;
}

absl::StatusOr<ClientReaction> ClientSession::on_success(const Pending& p,
                                                         ClientReaction reaction) {
  if (p.method == "DESCRIBE") return on_describe(p, std::move(reaction));
  if (p.method == "SETUP") return on_setup(p, std::move(reaction));
  if (p.method == "PLAY") return on_play(p, std::move(reaction));
  if (p.method == "TEARDOWN") {
    state_ = ClientState::Closed;
    session_id_.clear();
  } else if (p.method == "OPTIONS") {
    // 10.1 / 12.28: Public lists the methods the server supports.
    bool listed = false;
    if (auto methods = reaction.response.headers.get("Public")) {
      for (absl::string_view m : absl::StrSplit(base::av(*methods), ',')) {
        listed = listed || base::equals_ignore_case(base::trim(base::sv(m)), "GET_PARAMETER");
      }
    }
    supports_get_parameter_ = listed;
  }
  return reaction;
}

absl::StatusOr<ClientReaction> ClientSession::on_describe(const Pending& p,
                                                          ClientReaction reaction) {
  const Response& r = reaction.response;
  // Some servers send no Content-Type; see rtsp_client_session_test "ffmpeg sdp without
  // Content-Base or Content-Type".
  if (auto type = r.headers.get("Content-Type"); type && !is_sdp(*type)) {
    return protocol_error(p, base::cat("Content-Type '", *type, "', want application/sdp"));
  }
  auto sdp = media::parse_sdp(r.body);
  if (!sdp.ok()) return protocol_error(p, base::cat("bad SDP: ", sdp.status().message()));
  // C.1.1: relative URLs resolve against Content-Base, else Content-Location, else the request URL.
  std::string base = p.uri;
  if (auto v = r.headers.get("Content-Base")) {
    base = base::trim(*v);
  } else if (auto loc = r.headers.get("Content-Location")) {
    base = base::trim(*loc);
  }
  std::vector<std::string> ignored;
  auto tracks = tracks_of(*sdp, base, ignored);
  if (!tracks.ok()) return protocol_error(p, base::sv(tracks.status().message()));
  if (tracks->empty()) {
    return absl::FailedPreconditionError(base::cat(p.method, " ", p.uri, ": no usable track (",
                                                   sdp->media.size(),
                                                   " media: ", absl::StrJoin(ignored, ", "), ")"));
  }
  std::string control_url = resolve_control_url(base, sdp->control);
  if (!usable_uri(control_url)) {
    return protocol_error(p, base::sv(bad_control_url(control_url).message()));
  }
  if (!ignored.empty()) reaction.note = base::cat("ignored media: ", absl::StrJoin(ignored, ", "));
  tracks_ = *std::move(tracks);
  control_url_ = std::move(control_url);
  base_url_ = std::move(base);
  state_ = ClientState::Described;
  return reaction;
}

void ClientSession::apply_session(std::string_view value, std::string& note) {
  // 12.37: Session = "Session" ":" session-id [ ";" "timeout" "=" delta-seconds ]
  const std::string_view id = base::trim(value.substr(0, value.find(';')));
  if (session_id_.empty()) {
    session_id_ = std::string(id);
  } else if (id != session_id_) {
    // Keep the first id, as live555's client does (test ClientSessionSetup,
    // KeepsTheFirstSessionIdAndTimeout).
    note = base::cat("server changed the session id to '", id, "'; keeping '", session_id_, "'");
  }
  if (value.find(';') == std::string_view::npos) return;
  for (absl::string_view raw : absl::StrSplit(base::av(value.substr(value.find(';') + 1)), ';')) {
    const std::string_view param = base::trim(base::sv(raw));
    const size_t eq = param.find('=');
    int64_t seconds = 0;
    if (eq != std::string_view::npos &&
        base::equals_ignore_case(base::trim(param.substr(0, eq)), "timeout") &&
        absl::SimpleAtoi(base::av(base::trim(param.substr(eq + 1))), &seconds) && seconds > 0) {
      timeout_ = std::chrono::seconds(seconds);
    }
  }
}

absl::StatusOr<ClientReaction> ClientSession::on_setup(const Pending& p, ClientReaction reaction) {
  const Response& r = reaction.response;
  const auto session = r.headers.get("Session");
  if (!session || base::trim(session->substr(0, session->find(';'))).empty()) {
    return protocol_error(p, "200 without Session header");
  }
  const auto header = r.headers.get("Transport");
  if (!header) return protocol_error(p, "200 without Transport header");
  auto transport = Transport::parse(*header);
  if (!transport.ok()) {
    return protocol_error(p, base::cat("bad Transport: ", transport.status().message()));
  }
  apply_session(*session, reaction.note);
  if (p.track && *p.track < tracks_.size()) tracks_[*p.track].transport = *std::move(transport);
  if (state_ == ClientState::Described) state_ = ClientState::Ready;
  return reaction;
}

absl::StatusOr<ClientReaction> ClientSession::on_play(const Pending& p, ClientReaction reaction) {
  const Response& r = reaction.response;
  if (auto session = r.headers.get("Session")) apply_session(*session, reaction.note);
  if (auto header = r.headers.get("RTP-Info")) {
    auto info = RtpInfo::parse(*header);
    if (!info.ok()) return protocol_error(p, base::cat("bad RTP-Info: ", info.status().message()));
    // 12.33: url "Indicates the stream URL which for which the following RTP parameters
    // correspond". Hikvision adds a trailing '/' (the "hikvision" transcript); other hosts and
    // relative URLs are matched by path for robustness (ClientSessionPlay,
    // MatchesRtpInfoEntriesToTracks).
    for (const RtpInfoEntry& e : info->entries) {
      const std::string url = resolve_control_url(base_url_, e.url);
      for (ClientTrack& t : tracks_) {
        if (!same_stream_url(url, t.control_url)) continue;
        t.rtp_info_seq = e.seq;
        t.rtp_info_time = e.rtptime;
      }
    }
  }
  if (state_ == ClientState::Ready) state_ = ClientState::Playing;
  return reaction;
}

std::vector<std::pair<std::string, std::string>> parse_parameters(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  for (absl::string_view raw : absl::StrSplit(base::av(body), '\n')) {
    const std::string_view line = base::trim(base::sv(raw));
    if (line.empty()) continue;
    const size_t colon = line.find(':');
    out.emplace_back(
        std::string(base::trim(line.substr(0, colon))),
        colon == std::string_view::npos ? "" : std::string(base::trim(line.substr(colon + 1))));
  }
  return out;
}

}  // namespace rtsp
