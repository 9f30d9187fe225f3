// Blocking RTSP test client (see rtsp_test_client.hpp).
#include "tests/support/rtsp_test_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "base/strings.hpp"
#include "media/h264.hpp"
#include "media/rtp.hpp"
#include "media/sei.hpp"
#include "rtsp/transport.hpp"
#include "rtsp/url.hpp"
#include "tests/support/time_scale.hpp"

namespace rstest {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

absl::Status errno_status(std::string_view what) {
  return absl::UnavailableError(base::cat(what, ": ", std::strerror(errno)));
}

int remaining_ms(SteadyTime deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left);
}

// Binds a UDP socket on 127.0.0.1:port (0: any); returns the fd or -1.
int bind_udp(uint16_t port, uint16_t* bound) {
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ::close(fd);
    return -1;
  }
  const int buffer = 4 * 1024 * 1024;
  // A late joiner gets a whole cached GOP at once: make room (FORCE needs CAP_NET_ADMIN).
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  }
  *bound = ntohs(addr.sin_port);
  return fd;
}

}  // namespace

bool AccessUnitRecord::has(uint8_t nal_type) const {
  for (uint8_t t : nal_types) {
    if (t == nal_type) return true;
  }
  return false;
}

RtspTestClient::RtspTestClient(std::string url) : url_(std::move(url)) {}

RtspTestClient::~RtspTestClient() {
  close();
}

void RtspTestClient::close() {
  for (int* fd : {&fd_, &udp_rtp_fd_, &udp_rtcp_fd_}) {
    if (*fd >= 0) ::close(*fd);
    *fd = -1;
  }
}

absl::Status RtspTestClient::connect(milliseconds timeout) {
  auto url = rtsp::Url::parse(url_);
  if (!url.ok()) return url.status();
  host_ = url->host;
  port_ = url->port.value_or(554);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port_);
  if (inet_pton(AF_INET, host_.c_str(), &addr.sin_addr) != 1) {
    return absl::InvalidArgumentError(base::cat("not an IPv4 address: ", host_));
  }
  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) return errno_status("socket");
  const int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  if (receive_buffer_ > 0) {
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer_, sizeof receive_buffer_);
  }
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 &&
      errno != EINPROGRESS) {
    return errno_status("connect");
  }
  pollfd p{fd_, POLLOUT, 0};
  if (poll(&p, 1, static_cast<int>(timeout.count())) != 1) {
    return absl::DeadlineExceededError("connect timed out");
  }
  int err = 0;
  socklen_t len = sizeof err;
  getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    errno = err;
    return errno_status(base::cat("connect ", host_, ":", port_));
  }
  return absl::OkStatus();
}

absl::Status RtspTestClient::send_raw(std::string_view bytes) {
  if (fd_ < 0) return absl::FailedPreconditionError("not connected");
  // Send and receive together so that an early answer (431 before the end of a huge header)
  // is read before the server closes.
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  size_t sent = 0;
  while (sent < bytes.size()) {
    pollfd p{fd_, POLLOUT | POLLIN, 0};
    const int r = poll(&p, 1, remaining_ms(deadline));
    if (r == 0)
      return absl::DeadlineExceededError(base::cat("send stalled after ", sent, " bytes"));
    if (r < 0) {
      if (errno == EINTR) continue;
      return errno_status("poll");
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      if (!pump(milliseconds(0))) {
        return absl::AbortedError(
            base::cat("peer closed after ", sent, " of ", bytes.size(), " bytes"));
      }
    }
    if (p.revents & POLLOUT) {
      const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) continue;
        const std::string why = std::strerror(errno);
        pump(milliseconds(0));  // keep what the peer said before closing
        return absl::AbortedError(
            base::cat("send after ", sent, " of ", bytes.size(), " bytes: ", why));
      }
      sent += static_cast<size_t>(n);
    }
  }
  return absl::OkStatus();
}

RawRead RtspTestClient::read_raw(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!closed_by_peer_ && Clock::now() < deadline) {
    if (!pump(milliseconds(remaining_ms(deadline)))) break;
  }
  RawRead out{std::move(raw_in_), closed_by_peer_};
  raw_in_.clear();
  return out;
}

bool RtspTestClient::wait_closed(milliseconds timeout, std::string* bytes) {
  RawRead r = read_raw(timeout);
  if (bytes) *bytes = std::move(r.bytes);
  return r.closed;
}

bool RtspTestClient::pump(milliseconds timeout) {
  pollfd fds[3];
  int n = 0;
  int tcp_index = -1, rtp_index = -1, rtcp_index = -1;
  if (fd_ >= 0 && !closed_by_peer_) {
    tcp_index = n;
    fds[n++] = {fd_, POLLIN, 0};
  }
  if (udp_rtp_fd_ >= 0) {
    rtp_index = n;
    fds[n++] = {udp_rtp_fd_, POLLIN, 0};
  }
  if (udp_rtcp_fd_ >= 0) {
    rtcp_index = n;
    fds[n++] = {udp_rtcp_fd_, POLLIN, 0};
  }
  if (n == 0) return false;
  const int r = poll(fds, static_cast<nfds_t>(n), static_cast<int>(timeout.count()));
  if (r < 0) return errno == EINTR;
  if (r == 0) return true;
  const SteadyTime now = Clock::now();
  char buffer[65536];
  if (tcp_index >= 0 && fds[tcp_index].revents) {
    for (;;) {
      const ssize_t got = ::recv(fd_, buffer, sizeof buffer, 0);
      if (got > 0) {
        on_tcp_bytes(std::string_view(buffer, static_cast<size_t>(got)), now);
        if (static_cast<size_t>(got) < sizeof buffer) break;
        continue;
      }
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) break;
      closed_by_peer_ = true;  // 0: orderly close; <0: reset
      break;
    }
  }
  if (rtp_index >= 0 && fds[rtp_index].revents) {
    for (;;) {
      const ssize_t got = ::recv(udp_rtp_fd_, buffer, sizeof buffer, 0);
      if (got < 0) break;
      on_rtp(std::string_view(buffer, static_cast<size_t>(got)), Clock::now());
    }
  }
  if (rtcp_index >= 0 && fds[rtcp_index].revents) {
    while (::recv(udp_rtcp_fd_, buffer, sizeof buffer, 0) >= 0) ++stats_.rtcp_packets;
  }
  // With UDP media the control connection closing is not the end of the session's data.
  return !(closed_by_peer_ && udp_rtp_fd_ < 0);
}

void RtspTestClient::on_tcp_bytes(std::string_view bytes, SteadyTime now) {
  if (!playing_) raw_in_.append(bytes);
  for (auto& item : reader_.feed(bytes)) {
    if (auto* response = std::get_if<rtsp::Response>(&item)) {
      responses_.push_back(std::move(*response));
    } else if (auto* frame = std::get_if<rtsp::InterleavedFrame>(&item)) {
      if (frame->channel == rtp_channel_) {
        on_rtp(frame->payload, now);
      } else {
        ++stats_.rtcp_packets;
      }
    } else if (auto* error = std::get_if<rtsp::ReaderError>(&item)) {
      reader_error_ = *error;
    }
  }
}

void RtspTestClient::on_rtp(std::string_view packet, SteadyTime now) {
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(packet.data()),
                                       packet.size());
  auto header = media::RtpHeader::parse(bytes);
  if (!header.ok()) {
    ++stats_.unparsable_packets;
    return;
  }
  ++stats_.rtp_packets;
  if (!packets_.empty()) {
    const PacketRecord& prev = packets_.back();
    const uint16_t expected = static_cast<uint16_t>(prev.sequence + 1);
    if (header->sequence != expected) {
      ++stats_.sequence_gaps;
      stats_.lost_packets += static_cast<uint16_t>(header->sequence - expected);
    }
    // Timestamps must not go backwards (modulo 2^32 wrap: a signed difference).
    if (static_cast<int32_t>(header->timestamp - prev.timestamp) < 0) ++stats_.timestamp_decreases;
    if (header->ssrc != prev.ssrc) ++stats_.ssrc_changes;
  }
  packets_.push_back({*header, packet.size(), now});
  auto unit = depacketizer_.feed(bytes);
  if (!unit.ok()) {
    ++stats_.depacketizer_errors;
    return;
  }
  if (!unit->has_value()) return;
  const media::RtpH264Depacketizer::AccessUnit& au = **unit;
  AccessUnitRecord record{.rtp_timestamp = au.rtp_timestamp,
                          .keyframe = au.keyframe,
                          .capture_time_us = media::find_capture_time(au.annex_b),
                          .bytes = au.annex_b.size(),
                          .arrival = now};
  for (auto nal : media::h264::split_annex_b(au.annex_b))
    record.nal_types.push_back(media::h264::nal_type(nal));
  units_.push_back(std::move(record));
}

absl::StatusOr<rtsp::Response> RtspTestClient::read_response(milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    if (!responses_.empty()) {
      rtsp::Response r = std::move(responses_.front());
      responses_.pop_front();
      return r;
    }
    if (reader_error_) {
      return absl::DataLossError(base::cat("unparsable response (", reader_error_->message, ")"));
    }
    if (closed_by_peer_) return absl::AbortedError("connection closed before a response");
    if (Clock::now() >= deadline) return absl::DeadlineExceededError("no response in time");
    pump(milliseconds(remaining_ms(deadline)));
  }
}

absl::StatusOr<rtsp::Response> RtspTestClient::exchange(const rtsp::Request& request,
                                                        milliseconds timeout) {
  if (auto st = send_raw(request.serialize()); !st.ok()) {
    // The peer may have answered before closing (e.g. an error status): return that.
    if (!responses_.empty()) return read_response(milliseconds(0));
    return st;
  }
  return read_response(timeout);
}

absl::StatusOr<rtsp::Response> RtspTestClient::request(
    std::string method, std::string uri, std::vector<std::pair<std::string, std::string>> headers,
    milliseconds timeout, std::string body) {
  rtsp::Request req;
  req.method = std::move(method);
  req.uri = std::move(uri);
  req.body = std::move(body);
  req.headers.set("CSeq", std::to_string(++cseq_));
  req.headers.set("User-Agent", "rs-test-client");
  if (!session_.empty()) req.headers.set("Session", session_);
  for (auto& [name, value] : headers) req.headers.set(name, value);
  return exchange(req, timeout);
}

absl::StatusOr<rtsp::Response> RtspTestClient::options() {
  return request("OPTIONS", url_);
}

absl::StatusOr<rtsp::Response> RtspTestClient::describe(milliseconds timeout) {
  return request("DESCRIBE", url_, {{"Accept", "application/sdp"}}, timeout);
}

absl::Status RtspTestClient::bind_udp_pair() {
  for (int attempt = 0; attempt < 50; ++attempt) {
    uint16_t rtp = 0, rtcp = 0;
    const int a = bind_udp(0, &rtp);
    if (a < 0) return errno_status("bind udp");
    if (rtp % 2 != 0 || rtp == 65535) {
      ::close(a);
      continue;
    }
    const int b = bind_udp(static_cast<uint16_t>(rtp + 1), &rtcp);
    if (b < 0) {
      ::close(a);
      continue;
    }
    udp_rtp_fd_ = a;
    udp_rtcp_fd_ = b;
    udp_rtp_port_ = rtp;
    return absl::OkStatus();
  }
  return absl::ResourceExhaustedError("no free even/odd UDP port pair");
}

absl::StatusOr<rtsp::Response> RtspTestClient::setup(Lower lower, std::string control_url) {
  lower_ = lower;
  if (control_url.empty()) control_url = url_ + "/trackID=0";
  std::string transport;
  if (lower == Lower::Tcp) {
    transport = "RTP/AVP/TCP;unicast;interleaved=0-1";
  } else {
    if (udp_rtp_fd_ < 0) {
      if (auto st = bind_udp_pair(); !st.ok()) return st;
    }
    transport = base::cat("RTP/AVP;unicast;client_port=", udp_rtp_port_, "-", udp_rtp_port_ + 1);
  }
  auto response = request("SETUP", control_url, {{"Transport", transport}});
  if (!response.ok() || response->status != 200) return response;
  if (auto s = response->headers.get("Session")) {
    std::string_view id = *s;
    if (const size_t semi = id.find(';'); semi != std::string_view::npos) id = id.substr(0, semi);
    session_ = std::string(base::trim(id));
  }
  if (auto t = response->headers.get("Transport")) {
    auto parsed = rtsp::Transport::parse(*t);
    if (parsed.ok() && parsed->interleaved) {
      rtp_channel_ = parsed->interleaved->rtp;
      rtcp_channel_ = parsed->interleaved->rtcp;
    }
  }
  return response;
}

absl::StatusOr<rtsp::Response> RtspTestClient::setup_multicast(
    std::string control_url, const std::string& interface_address) {
  lower_ = Lower::Udp;
  if (control_url.empty()) control_url = url_ + "/trackID=0";
  auto response = request("SETUP", control_url, {{"Transport", "RTP/AVP;multicast"}});
  if (!response.ok() || response->status != 200) return response;
  if (auto s = response->headers.get("Session")) {
    std::string_view id = *s;
    if (const size_t semi = id.find(';'); semi != std::string_view::npos) id = id.substr(0, semi);
    session_ = std::string(base::trim(id));
  }
  auto header = response->headers.get("Transport");
  if (!header) return absl::DataLossError("multicast SETUP answered without Transport");
  auto parsed = rtsp::Transport::parse(*header);
  if (!parsed.ok()) return parsed.status();
  if (!parsed->destination || !parsed->ports) {
    return absl::DataLossError(
        base::cat("multicast Transport without destination/port: ", *header));
  }
  multicast_group_ = *parsed->destination;
  multicast_port_ = parsed->ports->rtp;
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return errno_status("socket");
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(multicast_port_);
  ip_mreq join{};
  if (inet_pton(AF_INET, multicast_group_.c_str(), &addr.sin_addr) != 1 ||
      inet_pton(AF_INET, multicast_group_.c_str(), &join.imr_multiaddr) != 1 ||
      inet_pton(AF_INET, interface_address.c_str(), &join.imr_interface) != 1) {
    ::close(fd);
    return absl::InvalidArgumentError(base::cat("bad group ", multicast_group_));
  }
  // Bound to the group address: only this group's datagrams arrive.
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const absl::Status st = errno_status("bind multicast port");
    ::close(fd);
    return st;
  }
  if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &join, sizeof join) != 0) {
    const absl::Status st = errno_status("IP_ADD_MEMBERSHIP");
    ::close(fd);
    return st;
  }
  const int buffer = 4 * 1024 * 1024;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, sizeof buffer);
  }
  if (udp_rtp_fd_ >= 0) ::close(udp_rtp_fd_);
  udp_rtp_fd_ = fd;
  return response;
}

absl::StatusOr<rtsp::Response> RtspTestClient::play() {
  rtsp::Request req;
  req.method = "PLAY";
  req.uri = url_;
  req.headers.set("CSeq", std::to_string(++cseq_));
  req.headers.set("User-Agent", "rs-test-client");
  req.headers.set("Range", "npt=0.000-");
  if (!session_.empty()) req.headers.set("Session", session_);
  playing_ = true;
  raw_in_.clear();
  play_sent_at_ = Clock::now();
  return exchange(req);
}

absl::StatusOr<rtsp::Response> RtspTestClient::teardown() {
  auto r = request("TEARDOWN", url_);
  playing_ = false;
  return r;
}

absl::Status RtspTestClient::start_playing(Lower lower) {
  if (fd_ < 0) {
    if (auto st = connect(); !st.ok()) return st;
  }
  auto check = [](const char* what, const absl::StatusOr<rtsp::Response>& r) -> absl::Status {
    if (!r.ok())
      return absl::Status(r.status().code(), base::cat(what, ": ", base::sv(r.status().message())));
    if (r->status != 200) return absl::InternalError(base::cat(what, " answered ", r->status));
    return absl::OkStatus();
  };
  if (auto st = check("DESCRIBE", describe()); !st.ok()) return st;
  if (auto st = check("SETUP", setup(lower)); !st.ok()) return st;
  return check("PLAY", play());
}

void RtspTestClient::receive_for(milliseconds duration) {
  const auto deadline = Clock::now() + duration;
  while (Clock::now() < deadline) {
    if (!pump(milliseconds(remaining_ms(deadline)))) break;
  }
}

bool RtspTestClient::receive_until(const std::function<bool()>& done, milliseconds timeout) {
  const auto deadline = Clock::now() + rstest::scaled(timeout);
  while (!done() && Clock::now() < deadline) {
    if (!pump(milliseconds(std::min(remaining_ms(deadline), 50)))) break;
  }
  return done();
}

void RtspTestClient::receive_throttled(milliseconds duration, size_t bytes_per_second) {
  constexpr auto kSlot = milliseconds(10);
  const size_t per_slot = std::max<size_t>(1, bytes_per_second * kSlot.count() / 1000);
  const auto deadline = Clock::now() + duration;
  auto next_slot = Clock::now();
  std::string buffer(per_slot, '\0');
  while (Clock::now() < deadline && fd_ >= 0 && !closed_by_peer_) {
    std::this_thread::sleep_until(std::min(next_slot, deadline));
    next_slot += kSlot;
    size_t budget = per_slot;
    while (budget > 0) {
      const ssize_t got = ::recv(fd_, buffer.data(), budget, MSG_DONTWAIT);
      if (got > 0) {
        on_tcp_bytes(std::string_view(buffer.data(), static_cast<size_t>(got)), Clock::now());
        budget -= static_cast<size_t>(got);
        continue;
      }
      if (got < 0 && (errno == EAGAIN || errno == EINTR)) break;
      closed_by_peer_ = true;
      break;
    }
  }
}

std::string RtspTestClient::summary() const {
  size_t keyframes = 0;
  for (const auto& u : units_) keyframes += u.keyframe ? 1 : 0;
  std::ostringstream out;
  out << "packets=" << stats_.rtp_packets << " units=" << units_.size()
      << " keyframes=" << keyframes << " seq_gaps=" << stats_.sequence_gaps
      << " lost=" << stats_.lost_packets << " ts_decreases=" << stats_.timestamp_decreases
      << " depacketizer_errors=" << stats_.depacketizer_errors
      << " dropped_units=" << depacketizer_.stats().dropped_units << " rtcp=" << stats_.rtcp_packets
      << " closed_by_peer=" << closed_by_peer_;
  return out.str();
}

std::optional<RtpInfo> parse_rtp_info(std::string_view header) {
  std::string_view first = header.substr(0, header.find(','));
  RtpInfo info;
  for (absl::string_view part : absl::StrSplit(base::av(first), ';')) {
    std::string_view p = base::trim(base::sv(part));
    const size_t eq = p.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = p.substr(0, eq), value = p.substr(eq + 1);
    uint32_t number = 0;
    if (key == "url") {
      info.url = std::string(value);
    } else if (key == "seq" && absl::SimpleAtoi(base::av(value), &number) && number <= 65535) {
      info.seq = static_cast<uint16_t>(number);
    } else if (key == "rtptime" && absl::SimpleAtoi(base::av(value), &number)) {
      info.rtptime = number;
    }
  }
  if (!info.seq && !info.rtptime) return std::nullopt;
  return info;
}

std::optional<std::string> sdp_fmtp_param(std::string_view sdp, std::string_view name) {
  for (absl::string_view line : absl::StrSplit(base::av(sdp), '\n')) {
    std::string_view l = base::trim(base::sv(line));
    if (l.substr(0, 7) != "a=fmtp:") continue;
    const size_t space = l.find(' ');
    if (space == std::string_view::npos) continue;
    for (absl::string_view param : absl::StrSplit(base::av(l.substr(space + 1)), ';')) {
      std::string_view p = base::trim(base::sv(param));
      const size_t eq = p.find('=');
      if (eq != std::string_view::npos && p.substr(0, eq) == name)
        return std::string(p.substr(eq + 1));
    }
  }
  return std::nullopt;
}

}  // namespace rstest
