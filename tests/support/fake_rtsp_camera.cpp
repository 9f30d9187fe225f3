// Scripted fake RTSP camera (see fake_rtsp_camera.hpp).
#include "tests/support/fake_rtsp_camera.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "absl/strings/ascii.h"
#include "base/socket_address.hpp"
#include "base/strings.hpp"
#include "media/rtp.hpp"
#include "rtsp/auth.hpp"
#include "rtsp/transport.hpp"

namespace rstest {
namespace {

constexpr int kPollMs = 5;
constexpr size_t kReadChunk = 64 * 1024;
constexpr uint8_t kFuA = 28;  // RFC 6184 5.8 NAL unit type
constexpr uint8_t kFuStart = 0x80;
constexpr uint8_t kFuEnd = 0x40;

[[noreturn]] void fail(std::string_view what) {
  throw std::runtime_error(base::cat("fake camera: ", what, ": ", std::strerror(errno)));
}

sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

int bind_socket(int type, uint16_t port) {
  const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  if (fd < 0) fail("socket");
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const sockaddr_in a = loopback(port);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string lowered(std::string_view s) {
  return absl::AsciiStrToLower(base::av(s));
}

// Every `from` in `text` replaced by its `to`, in order.
std::string replace_all(std::string text,
                        std::initializer_list<std::pair<std::string_view, std::string>> pairs) {
  for (const auto& [from, to] : pairs) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at)) {
      text.replace(at, from.size(), to);
      at += to.size();
    }
  }
  return text;
}

// RTSP text with LF line ends -> the wire form: CRLF, and Content-Length for a body.
std::string to_wire(std::string_view text) {
  const size_t split = text.find("\n\n");
  const std::string head = replace_all(std::string(text.substr(0, split)), {{"\n", "\r\n"}});
  const std::string body = split == std::string_view::npos
                               ? ""
                               : replace_all(std::string(text.substr(split + 2)), {{"\n", "\r\n"}});
  if (!body.empty() && lowered(head).find("content-length:") == std::string::npos) {
    return base::cat(head, "\r\nContent-Length: ", body.size(), "\r\n\r\n", body);
  }
  return base::cat(head, "\r\n\r\n", body);
}

bool is_keepalive_or_teardown(const rtsp::Request& r) {
  return r.method == "OPTIONS" || r.method == "TEARDOWN" ||
         (r.method == "GET_PARAMETER" && r.body.empty());
}

}  // namespace

struct FakeRtspCamera::Connection {
  int fd = -1;
  size_t listener = 0;
  rtsp::MessageReader reader{rtsp::MessageReader::Kind::Requests};
  bool open = true;  // read from; false once the client closed or the fake shut it down
};

FakeRtspCamera::FakeRtspCamera(std::vector<FakeStep> script, Options options)
    : script_(std::move(script)) {
  for (size_t i = 0; i < options.listeners; ++i) {
    const int fd = bind_socket(SOCK_STREAM, 0);
    if (fd < 0 || ::listen(fd, 8) != 0) fail("listen");
    listeners_.push_back(fd);
    ports_.push_back(base::local_port(fd));
  }
  // RFC 3550 11: RTCP on the port after RTP's. A few tries cover a taken neighbour.
  for (int attempt = 0; attempt < 16 && udp_rtcp_ < 0; ++attempt) {
    if (udp_rtp_ >= 0) ::close(udp_rtp_);
    udp_rtp_ = bind_socket(SOCK_DGRAM, 0);
    if (udp_rtp_ < 0) fail("bind UDP");
    udp_port_ = base::local_port(udp_rtp_);
    udp_rtcp_ = bind_socket(SOCK_DGRAM, static_cast<uint16_t>(udp_port_ + 1));
  }
  if (udp_rtcp_ < 0) fail("bind UDP RTCP");
  thread_ = std::thread([this] { run(); });
}

FakeRtspCamera::~FakeRtspCamera() {
  stop_ = true;
  thread_.join();
  for (auto& c : connections_) ::close(c->fd);
  for (int fd : listeners_) ::close(fd);
  ::close(udp_rtp_);
  ::close(udp_rtcp_);
}

std::string FakeRtspCamera::base(size_t listener) const {
  return base::cat("rtsp://127.0.0.1:", port(listener));
}

void FakeRtspCamera::run() {
  while (!stop_) {
    std::vector<pollfd> fds;
    for (int fd : listeners_) fds.push_back({fd, POLLIN, 0});
    fds.push_back({udp_rtcp_, POLLIN, 0});
    std::vector<Connection*> polled;
    {
      std::lock_guard lock(mu_);
      for (auto& c : connections_) {
        if (!c->open) continue;
        fds.push_back({c->fd, POLLIN, 0});
        polled.push_back(c.get());
      }
    }
    if (::poll(fds.data(), fds.size(), kPollMs) <= 0) continue;
    for (size_t i = 0; i < listeners_.size(); ++i) {
      if (fds[i].revents != 0) accept_on(i);
    }
    if (fds[listeners_.size()].revents != 0) read_rtcp();
    for (size_t i = 0; i < polled.size(); ++i) {
      if (fds[listeners_.size() + 1 + i].revents != 0) read_connection(*polled[i]);
    }
  }
}

void FakeRtspCamera::accept_on(size_t listener) {
  const int fd = ::accept4(listeners_[listener], nullptr, nullptr, SOCK_CLOEXEC);
  if (fd < 0) return;
  // Each write goes out at once, as a camera's would (no Nagle wait behind the client's ACK).
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  auto c = std::make_unique<Connection>();
  c->fd = fd;
  c->listener = listener;
  std::lock_guard lock(mu_);
  connections_.push_back(std::move(c));
}

void FakeRtspCamera::read_connection(Connection& c) {
  char buffer[kReadChunk];
  const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    // Kept open (not polled) until the destructor: closing with unread bytes would send RST.
    std::lock_guard lock(mu_);
    c.open = false;
    return;
  }
  for (auto& item : c.reader.feed(std::string_view(buffer, static_cast<size_t>(n)))) {
    if (auto* request = std::get_if<rtsp::Request>(&item)) {
      on_request(c, std::move(*request));
    } else if (auto* frame = std::get_if<rtsp::InterleavedFrame>(&item)) {
      std::lock_guard lock(mu_);
      client_frames_.push_back(std::move(*frame));
    } else if (auto* error = std::get_if<rtsp::ReaderError>(&item)) {
      std::lock_guard lock(mu_);
      errors_.push_back(base::cat("client broke the framing: ", error->message));
      c.open = false;
    }
  }
}

void FakeRtspCamera::read_rtcp() {
  char buffer[2048];
  ssize_t n = 0;
  while ((n = ::recv(udp_rtcp_, buffer, sizeof buffer, MSG_DONTWAIT)) > 0) {
    std::lock_guard lock(mu_);
    rtcp_datagrams_.emplace_back(buffer, buffer + n);
  }
}

void FakeRtspCamera::on_request(Connection& c, rtsp::Request request) {
  std::lock_guard lock(mu_);
  requests_.push_back({request, c.listener, std::chrono::steady_clock::now()});
  if (next_step_ < script_.size() && script_[next_step_].method == request.method) {
    const FakeStep& step = script_[next_step_++];
    if (step.then == FakeStep::Then::Silent) return;
    const std::string response = response_for(step, c, request);
    if (!response.empty()) remember_transport(request, response);
    write_locked(c, base::cat(step.before, response, step.after));
    if (step.then == FakeStep::Then::Close) {
      ::shutdown(c.fd, SHUT_RDWR);
      c.open = false;
    }
    return;
  }
  const bool routine = is_keepalive_or_teardown(request);
  if (!routine) {
    errors_.push_back(base::cat("unexpected ", request.method, " ", request.uri, " at step ",
                                next_step_, " of ", script_.size()));
  }
  // RFC 2326 11.3.6: 455 Method Not Valid in This State.
  const std::string text =
      base::cat("RTSP/1.0 ", routine ? "200 OK" : "455 Method Not Valid in This State",
                "\nCSeq: ", request.headers.get("CSeq").value_or(""), "\n\n");
  write_locked(c, to_wire(text));
}

std::string FakeRtspCamera::response_for(const FakeStep& step, const Connection& c,
                                         const rtsp::Request& request) {
  std::string text = step.respond ? step.respond(request) : step.response;
  if (text.empty()) return text;
  return to_wire(expand(std::move(text), c, request));
}

std::string FakeRtspCamera::expand(std::string text, const Connection& c,
                                   const rtsp::Request& request) const {
  std::string client_port;
  if (auto header = request.headers.get("Transport")) {
    auto offer = rtsp::Transport::parse(*header);
    if (offer.ok() && offer->client_ports) {
      client_port = base::cat(offer->client_ports->rtp, "-", offer->client_ports->rtcp);
    }
  }
  return replace_all(std::move(text),
                     {{"{cseq}", std::string(request.headers.get("CSeq").value_or(""))},
                      {"{base}", base(c.listener)},
                      {"{base0}", base(0)},
                      {"{base1}", ports_.size() > 1 ? base(1) : base(0)},
                      {"{client_port}", client_port},
                      {"{server_port}", base::cat(udp_port_, "-", udp_port_ + 1)}});
}

void FakeRtspCamera::remember_transport(const rtsp::Request& request, std::string_view response) {
  if (request.method != "SETUP") return;
  auto parsed = rtsp::Response::parse(response);
  if (!parsed.ok() || parsed->status != 200) return;
  const auto header = parsed->headers.get("Transport");
  if (!header) return;
  auto answer = rtsp::Transport::parse(*header);
  if (!answer.ok()) return;
  rtp_channel_.reset();
  client_rtp_port_.reset();
  if (answer->lower == rtsp::LowerTransport::Tcp) {
    rtp_channel_ = answer->interleaved ? answer->interleaved->rtp : 0;
  } else if (answer->client_ports) {
    client_rtp_port_ = answer->client_ports->rtp;
  }
}

void FakeRtspCamera::write_locked(Connection& c, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(c.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      errors_.push_back(base::cat("write: ", std::strerror(errno)));
      return;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

void FakeRtspCamera::send_rtp(std::span<const uint8_t> packet) {
  std::unique_lock lock(mu_);
  if (rtp_channel_) {
    lock.unlock();
    send_interleaved(*rtp_channel_, packet);
    return;
  }
  if (!client_rtp_port_) {
    errors_.push_back("send_rtp before a SETUP answered 200");
    return;
  }
  const sockaddr_in to = loopback(*client_rtp_port_);
  (void)::sendto(udp_rtp_, packet.data(), packet.size(), 0, reinterpret_cast<const sockaddr*>(&to),
                 sizeof to);
}

void FakeRtspCamera::send_interleaved(uint8_t channel, std::span<const uint8_t> payload) {
  std::lock_guard lock(mu_);
  for (auto it = connections_.rbegin(); it != connections_.rend(); ++it) {
    if (!(*it)->open) continue;
    write_locked(**it, interleaved(channel, payload));
    return;
  }
  errors_.push_back("send_interleaved without an open connection");
}

void FakeRtspCamera::close_connection() {
  std::lock_guard lock(mu_);
  for (auto it = connections_.rbegin(); it != connections_.rend(); ++it) {
    if (!(*it)->open) continue;
    ::shutdown((*it)->fd, SHUT_RDWR);
    (*it)->open = false;
    return;
  }
}

std::vector<FakeRequest> FakeRtspCamera::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

size_t FakeRtspCamera::count(std::string_view method) const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& r : requests_) n += r.request.method == method ? 1 : 0;
  return n;
}

std::vector<rtsp::InterleavedFrame> FakeRtspCamera::client_frames() const {
  std::lock_guard lock(mu_);
  return client_frames_;
}

std::vector<Bytes> FakeRtspCamera::rtcp_datagrams() const {
  std::lock_guard lock(mu_);
  return rtcp_datagrams_;
}

std::vector<std::string> FakeRtspCamera::errors() const {
  std::lock_guard lock(mu_);
  return errors_;
}

size_t FakeRtspCamera::steps_left() const {
  std::lock_guard lock(mu_);
  return script_.size() - next_step_;
}

std::optional<std::vector<std::pair<std::string, std::string>>> digest_params(
    std::string_view value) {
  value = base::sv(absl::StripLeadingAsciiWhitespace(base::av(value)));
  if (value.size() < 7 || lowered(value.substr(0, 7)) != "digest ") return std::nullopt;
  std::vector<std::pair<std::string, std::string>> out;
  size_t i = 7;
  while (i < value.size()) {
    while (i < value.size() && (value[i] == ' ' || value[i] == ',')) ++i;
    const size_t eq = value.find('=', i);
    if (eq == std::string_view::npos) break;
    std::string name =
        lowered(base::sv(absl::StripAsciiWhitespace(base::av(value.substr(i, eq - i)))));
    i = eq + 1;
    std::string v;
    if (i < value.size() && value[i] == '"') {
      const size_t close = value.find('"', i + 1);
      v = std::string(value.substr(i + 1, close - i - 1));
      i = close == std::string_view::npos ? value.size() : close + 1;
    } else {
      const size_t comma = std::min(value.find(',', i), value.size());
      v = std::string(absl::StripAsciiWhitespace(base::av(value.substr(i, comma - i))));
      i = comma;
    }
    out.emplace_back(std::move(name), std::move(v));
  }
  return out;
}

std::string check_digest(const rtsp::Request& request, std::string_view user,
                         std::string_view password, std::string_view realm, std::string_view nonce,
                         std::string_view opaque) {
  const auto header = request.headers.get("Authorization");
  if (!header) return "no Authorization";
  const auto params = digest_params(*header);
  if (!params) return base::cat("not Digest: ", *header);
  const auto get = [&](std::string_view name) {
    for (const auto& [n, v] : *params) {
      if (n == name) return v;
    }
    return std::string();
  };
  if (get("username") != user) return base::cat("username '", get("username"), "'");
  if (get("realm") != realm) return base::cat("realm '", get("realm"), "'");
  if (get("nonce") != nonce) return base::cat("nonce '", get("nonce"), "', want '", nonce, "'");
  if (get("uri") != request.uri) return base::cat("uri '", get("uri"), "' is not the request's");
  if (get("opaque") != opaque)
    return base::cat("opaque '", get("opaque"), "', want '", opaque, "'");
  // RFC 7616 3.4.1: response = KD(H(A1), nonce ":" nc ":" cnonce ":" qop ":" H(A2)), with
  // A1 = username ":" realm ":" passwd (3.4.2) and A2 = Method ":" request-uri (3.4.3).
  const std::string ha1 = rtsp::md5_hex(base::cat(user, ":", realm, ":", password));
  const std::string ha2 = rtsp::md5_hex(base::cat(request.method, ":", request.uri));
  const std::string qop = get("qop");
  if (!qop.empty() && (qop != "auth" || get("nc").size() != 8 || get("cnonce").empty())) {
    return base::cat("qop '", qop, "' nc '", get("nc"), "' cnonce '", get("cnonce"), "'");
  }
  const std::string want = qop.empty()
                               ? rtsp::md5_hex(base::cat(ha1, ":", nonce, ":", ha2))
                               : rtsp::md5_hex(base::cat(ha1, ":", nonce, ":", get("nc"), ":",
                                                         get("cnonce"), ":", qop, ":", ha2));
  if (get("response") != want) return base::cat("response '", get("response"), "' is wrong");
  return "";
}

Bytes rtp_packet(const media::RtpHeader& header, std::span<const uint8_t> payload) {
  Bytes p(media::kRtpHeaderSize);
  header.serialize_to(p.data());
  p.insert(p.end(), payload.begin(), payload.end());
  return p;
}

std::vector<Bytes> H264Sender::unit(std::span<const uint8_t> nal, uint32_t timestamp,
                                    size_t fragments) {
  std::vector<Bytes> out;
  if (fragments <= 1 || nal.size() < 1 + fragments) {
    // RFC 6184 5.6: a single NAL unit packet carries the NAL unit as the payload.
    out.push_back(rtp_packet(
        {.marker = markers, .sequence = next_sequence++, .timestamp = timestamp, .ssrc = ssrc},
        nal));
    return out;
  }
  // RFC 6184 5.8: FU indicator (F and NRI of the NAL unit, type 28), FU header (S, E, type),
  // then a piece of the NAL unit after its header byte.
  const uint8_t indicator = static_cast<uint8_t>((nal[0] & 0xE0) | kFuA);
  const auto rest = nal.subspan(1);
  const size_t piece = (rest.size() + fragments - 1) / fragments;
  for (size_t offset = 0; offset < rest.size(); offset += piece) {
    const size_t size = std::min(piece, rest.size() - offset);
    const bool last = offset + size == rest.size();
    Bytes payload = {indicator, static_cast<uint8_t>((offset == 0 ? kFuStart : 0) |
                                                     (last ? kFuEnd : 0) | (nal[0] & 0x1F))};
    payload.insert(payload.end(), rest.begin() + static_cast<ptrdiff_t>(offset),
                   rest.begin() + static_cast<ptrdiff_t>(offset + size));
    out.push_back(rtp_packet({.marker = markers && last,
                              .sequence = next_sequence++,
                              .timestamp = timestamp,
                              .ssrc = ssrc},
                             payload));
  }
  return out;
}

Bytes annex_b(std::span<const uint8_t> nal) {
  Bytes out = {0, 0, 0, 1};
  out.insert(out.end(), nal.begin(), nal.end());
  return out;
}

Bytes sender_report(uint32_t ssrc) {
  return media::make_sender_report(ssrc, 1'700'000'000'000'000, 0, 0, 0);
}

std::string interleaved(uint8_t channel, std::span<const uint8_t> payload) {
  std::string out = {'$', static_cast<char>(channel), static_cast<char>(payload.size() >> 8),
                     static_cast<char>(payload.size() & 0xFF)};
  out.append(payload.begin(), payload.end());
  return out;
}

}  // namespace rstest
