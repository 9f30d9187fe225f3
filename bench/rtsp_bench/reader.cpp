// RTSP client session for the benchmark (RFC 2326 sections 10.2 DESCRIBE, 10.4 SETUP,
// 10.5 PLAY, 10.7 TEARDOWN, 10.12 interleaved binary data).
#include "bench/rtsp_bench/reader.hpp"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "base/clock.hpp"
#include "base/strings.hpp"
#include "rtsp/transport.hpp"

namespace rtsp_bench {
namespace {

constexpr size_t kMaxResponseHead = 64 * 1024;
constexpr uint64_t kUdpTag = 1;

uint64_t tag(size_t slot, bool udp) {
  return static_cast<uint64_t>(slot) << 1 | (udp ? kUdpTag : 0);
}

// Content-Length of a response head ("" when absent), RFC 2326 12.14.
size_t content_length(std::string_view head) {
  for (absl::string_view line : absl::StrSplit(base::av(head), "\r\n")) {
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    if (!absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(line.substr(0, colon)),
                                "content-length")) {
      continue;
    }
    size_t n = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(line.substr(colon + 1)), &n)) return n;
  }
  return 0;
}

// Where the head of an RTSP message starting at `text` ends (after the empty line), or npos.
size_t head_end(std::string_view text) {
  const size_t crlf = text.find("\r\n\r\n");
  const size_t lf = text.find("\n\n");
  if (crlf == std::string_view::npos && lf == std::string_view::npos) return std::string_view::npos;
  if (lf == std::string_view::npos || (crlf != std::string_view::npos && crlf < lf))
    return crlf + 4;
  return lf + 2;
}

struct VideoTrack {
  std::string control;
  int payload_type = -1;
};

// The first m=video section of an SDP (RFC 8866 5.14) and its a=control (RFC 2326 C.1.1).
std::optional<VideoTrack> find_video_track(std::string_view sdp) {
  std::optional<VideoTrack> track;
  bool in_video = false;
  for (absl::string_view raw : absl::StrSplit(base::av(sdp), '\n')) {
    const absl::string_view line = absl::StripTrailingAsciiWhitespace(raw);
    if (absl::StartsWith(line, "m=")) {
      if (track) break;
      in_video = absl::StartsWith(line, "m=video ");
      if (!in_video) continue;
      track.emplace();
      std::vector<absl::string_view> parts = absl::StrSplit(line, ' ', absl::SkipEmpty());
      int pt = -1;
      if (parts.size() >= 4 && absl::SimpleAtoi(parts[3], &pt)) track->payload_type = pt;
    } else if (in_video && absl::StartsWith(line, "a=control:")) {
      track->control = std::string(line.substr(10));
    }
  }
  return track;
}

std::string resolve_control(const std::string& base, const std::string& control) {
  if (control.empty() || control == "*") return base;
  if (absl::StartsWith(control, "rtsp://") || absl::StartsWith(control, "rtsps://")) return control;
  if (!base.empty() && base.back() == '/') return base + control;
  return base + "/" + control;
}

// The read time, now.
ReceiveTime receive_time() {
  const int64_t wall = base::wall_clock_us();
  return {wall, wall, base::monotonic_us()};
}

// The kernel's receive timestamp (SO_TIMESTAMPNS) from a recvmsg() control buffer, as wall
// clock microseconds; the read time `read` when the kernel gave none.
ReceiveTime receive_time(const msghdr& msg, const ReceiveTime& read) {
  ReceiveTime at = read;
  for (const cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr;
       c = CMSG_NXTHDR(const_cast<msghdr*>(&msg), const_cast<cmsghdr*>(c))) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
      timespec ts{};
      std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
      const int64_t kernel = int64_t{ts.tv_sec} * 1'000'000 + ts.tv_nsec / 1000;
      if (kernel > 0 && kernel <= read.wall_us) at.wall_us = kernel;
    }
  }
  return at;
}

ReceiveTime receive_time(const msghdr& msg) {
  return receive_time(msg, receive_time());
}

}  // namespace

Reader::Reader(size_t slot, size_t index, bool slow) : slot_(slot), index_(index), slow_(slow) {
  result_.index = index;
  result_.slow = slow;
}

Reader::~Reader() {
  if (fd_ >= 0) ::close(fd_);
  if (rtp_fd_ >= 0) ::close(rtp_fd_);
  if (rtcp_fd_ >= 0) ::close(rtcp_fd_);
}

ReaderResult Reader::result() const {
  ReaderResult r = result_;
  r.counters = analyzer_.counters();
  return r;
}

void Reader::start(WorkerContext& ctx, int64_t mono_us) {
  result_.start_mono_us = mono_us;
  state_ = State::Connecting;
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return fail(ctx, base::cat("socket: ", strerror(errno)));
  const int one = 1;
  ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  ::setsockopt(fd_, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);  // receive_time()
  if (slow_ && ctx.options->slow_rcvbuf > 0) {
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &ctx.options->slow_rcvbuf,
                 sizeof ctx.options->slow_rcvbuf);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(ctx.options->port);
  if (::inet_pton(AF_INET, ctx.options->host.c_str(), &addr.sin_addr) != 1) {
    return fail(ctx, "host must be an IPv4 address");
  }
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 &&
      errno != EINPROGRESS) {
    return fail(ctx, base::cat("connect: ", strerror(errno)));
  }
  epoll_event ev{};
  ev.events = EPOLLOUT;
  ev.data.u64 = tag(slot_, false);
  interest_ = EPOLLOUT;
  if (::epoll_ctl(ctx.epoll_fd, EPOLL_CTL_ADD, fd_, &ev) != 0) {
    return fail(ctx, base::cat("epoll_ctl: ", strerror(errno)));
  }
  slow_rate_ = ctx.options->slow_rate;
  tokens_mono_us_ = mono_us;
  tokens_ = 0;
}

void Reader::fail(WorkerContext& ctx, std::string why, bool disconnected) {
  if (state_ == State::Done) return;
  // Reasons group the readers in the report: printable, short.
  for (char& c : why) {
    if (c < 0x20 || c > 0x7e) c = '?';
  }
  if (why.size() > 100) why.resize(100);
  result_.failure = std::move(why);
  result_.disconnected = disconnected;
  result_.end_mono_us = base::monotonic_us();
  close_sockets(ctx);
  state_ = State::Done;
}

void Reader::close_sockets(WorkerContext& ctx) {
  for (int* fd : {&fd_, &rtp_fd_, &rtcp_fd_}) {
    if (*fd < 0) continue;
    ::epoll_ctl(ctx.epoll_fd, EPOLL_CTL_DEL, *fd, nullptr);
    ::close(*fd);
    *fd = -1;
  }
}

void Reader::stop(WorkerContext& ctx) {
  if (state_ == State::Done || state_ == State::Idle) return;
  if (!session_.empty() && fd_ >= 0) {
    // Without TEARDOWN, servers keep UDP sessions (and their sends) until the session timeout.
    send_request(ctx, "TEARDOWN", ctx.options->url, {{"Session", session_}});
  }
  close_sockets(ctx);
  state_ = State::Done;
}

void Reader::send_request(WorkerContext& ctx, std::string_view method, const std::string& uri,
                          std::vector<std::pair<std::string, std::string>> headers) {
  rtsp::Request request;
  request.method = std::string(method);
  request.uri = uri;
  request.headers.set("CSeq", std::to_string(++cseq_));
  request.headers.set("User-Agent", "rtsp-bench");
  for (auto& [name, value] : headers) request.headers.set(name, value);
  out_ += request.serialize();
  flush(ctx);
}

void Reader::flush(WorkerContext& ctx) {
  while (!out_.empty() && fd_ >= 0) {
    const ssize_t n = ::send(fd_, out_.data(), out_.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      out_.erase(0, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    if (n < 0 && errno == EINTR) continue;
    return fail(ctx, base::cat("send: ", strerror(errno)), state_ == State::Playing);
  }
  update_interest(ctx);
}

void Reader::update_interest(WorkerContext& ctx) {
  if (fd_ < 0 || state_ == State::Connecting) return;
  uint32_t want = paused_ ? 0u : static_cast<uint32_t>(EPOLLIN);
  if (!out_.empty()) want |= static_cast<uint32_t>(EPOLLOUT);
  if (want == interest_) return;
  epoll_event ev{};
  ev.events = want;
  ev.data.u64 = tag(slot_, false);
  ::epoll_ctl(ctx.epoll_fd, EPOLL_CTL_MOD, fd_, &ev);
  interest_ = want;
}

void Reader::on_event(WorkerContext& ctx, uint32_t events, bool udp_socket) {
  if (state_ == State::Done) return;
  if (udp_socket) return on_udp_readable(ctx);
  if (state_ == State::Connecting) {
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return fail(ctx, base::cat("connect: ", strerror(err)));
    if ((events & EPOLLOUT) != 0) return on_connected(ctx);
    return;
  }
  if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) on_tcp_readable(ctx);
  if (state_ != State::Done && (events & EPOLLOUT) != 0) flush(ctx);
}

void Reader::on_connected(WorkerContext& ctx) {
  state_ = State::Describe;
  interest_ = 0;
  send_request(ctx, "DESCRIBE", ctx.options->url, {{"Accept", "application/sdp"}});
}

void Reader::on_tcp_readable(WorkerContext& ctx) {
  uint8_t* buf = ctx.scratch.data();
  const size_t have = in_.size();
  std::copy(in_.begin(), in_.end(), buf);
  size_t want = ctx.scratch.size() - have;
  const bool throttled = slow_ && (state_ == State::Play || state_ == State::Playing);
  if (throttled) {
    refill(base::monotonic_us());
    if (tokens_ < 1) {
      paused_ = true;
      return update_interest(ctx);
    }
    want = std::min(want, static_cast<size_t>(tokens_));
  }
  iovec iov{buf + have, want};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = ctx.tcp_control;
  msg.msg_controllen = sizeof ctx.tcp_control;
  const ssize_t n = ::recvmsg(fd_, &msg, 0);
  if (n == 0) return fail(ctx, "closed by the server", state_ == State::Playing);
  if (n < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    return fail(ctx, base::cat("recv: ", strerror(errno)), state_ == State::Playing);
  }
  result_.bytes_read += static_cast<uint64_t>(n);
  if (throttled) tokens_ -= static_cast<double>(n);
  if (state_ != State::Playing) {
    in_.append(reinterpret_cast<const char*>(buf + have), static_cast<size_t>(n));
    if (!take_responses(ctx)) return;
    if (state_ != State::Playing || in_.empty()) return;
    // Media that arrived together with the PLAY answer.
    std::string rest = std::move(in_);
    in_.clear();
    const long used = consume_stream(ctx, reinterpret_cast<const uint8_t*>(rest.data()),
                                     rest.size(), receive_time(msg));
    if (used < 0) return;
    in_.assign(rest, static_cast<size_t>(used));
    return;
  }
  const size_t total = have + static_cast<size_t>(n);
  const long used = consume_stream(ctx, buf, total, receive_time(msg));
  if (used < 0) return;
  in_.assign(reinterpret_cast<const char*>(buf + used), total - static_cast<size_t>(used));
}

long Reader::consume_stream(WorkerContext& ctx, const uint8_t* buf, size_t size,
                            const ReceiveTime& at) {
  const bool window = ctx.in_window(at.mono_us);
  auto* samples = slow_ ? &ctx.slow_samples : &ctx.samples;
  size_t pos = 0;
  while (pos < size) {
    if (buf[pos] == '$') {  // 10.12: '$', channel, 16-bit length, data
      if (size - pos < 4) break;
      const size_t len = static_cast<size_t>(buf[pos + 2]) << 8 | buf[pos + 3];
      if (size - pos - 4 < len) break;
      if (buf[pos + 1] == rtp_channel_) {
        analyzer_.on_packet(buf + pos + 4, len, at, window, samples);
      }
      pos += 4 + len;
      continue;
    }
    // A response (keepalive answer) between frames.
    const std::string_view text(reinterpret_cast<const char*>(buf + pos), size - pos);
    if (!text.starts_with("RTSP/") && text.size() >= 5) {
      fail(ctx, "garbage between interleaved frames", true);
      return -1;
    }
    const size_t head = head_end(text);
    if (head == std::string_view::npos) {
      if (text.size() > kMaxResponseHead) {
        fail(ctx, "response head too large", true);
        return -1;
      }
      break;
    }
    const size_t total = head + content_length(text.substr(0, head));
    if (text.size() < total) break;
    pos += total;
  }
  return static_cast<long>(pos);
}

long Reader::consume_frames_only(WorkerContext& ctx) {
  const ReceiveTime at = receive_time();
  auto* samples = slow_ ? &ctx.slow_samples : &ctx.samples;
  size_t pos = 0;
  const auto* buf = reinterpret_cast<const uint8_t*>(in_.data());
  while (in_.size() - pos >= 4 && buf[pos] == '$') {
    const size_t len = static_cast<size_t>(buf[pos + 2]) << 8 | buf[pos + 3];
    if (in_.size() - pos - 4 < len) break;
    if (state_ == State::Play && buf[pos + 1] == rtp_channel_) {
      analyzer_.on_packet(buf + pos + 4, len, at, ctx.in_window(at.mono_us), samples);
    }
    pos += 4 + len;
  }
  in_.erase(0, pos);
  return static_cast<long>(pos);
}

bool Reader::take_responses(WorkerContext& ctx) {
  while (state_ != State::Playing && state_ != State::Done) {
    if (!in_.empty() && in_[0] == '$') {
      // Media ahead of the PLAY answer (gst-rtsp-server starts shared media before answering).
      const long used = consume_frames_only(ctx);
      if (used < 0) return false;
      if (in_.empty() || in_[0] == '$') return true;  // a partial frame: wait for more
      continue;
    }
    const size_t head = head_end(in_);
    if (head == std::string::npos) {
      if (in_.size() > kMaxResponseHead) fail(ctx, "response head too large");
      return state_ != State::Done;
    }
    const size_t total = head + content_length(std::string_view(in_).substr(0, head));
    if (in_.size() < total) return true;
    auto response = rtsp::Response::parse(std::string_view(in_).substr(0, total));
    in_.erase(0, total);
    if (!response.ok()) {
      fail(ctx, base::cat("bad response: ", response.status().message()));
      return false;
    }
    on_response(ctx, *response);
  }
  return state_ != State::Done;
}

void Reader::on_response(WorkerContext& ctx, const rtsp::Response& response) {
  const char* step = state_ == State::Describe ? "DESCRIBE"
                     : state_ == State::Setup  ? "SETUP"
                                               : "PLAY";
  if (response.status != 200) {
    return fail(ctx, base::cat(step, " answered ", response.status));
  }
  switch (state_) {
    case State::Describe:
      return on_describe(ctx, response);
    case State::Setup:
      return on_setup(ctx, response);
    case State::Play:
      state_ = State::Playing;
      result_.played = true;
      next_keepalive_mono_us_ = base::monotonic_us() + keepalive_interval_us_;
      return;
    default:
      return;
  }
}

void Reader::on_describe(WorkerContext& ctx, const rtsp::Response& response) {
  auto track = find_video_track(response.body);
  if (!track) return fail(ctx, "DESCRIBE: no m=video in the SDP");
  analyzer_ = RtpAnalyzer(track->payload_type);
  std::string base = ctx.options->url;
  if (auto b = response.headers.get("Content-Base")) {
    base = std::string(*b);
  } else if (auto l = response.headers.get("Content-Location")) {
    base = std::string(*l);
  }
  setup_url_ = resolve_control(base, track->control);
  std::string transport;
  if (ctx.options->udp) {
    if (!open_udp(ctx)) return;
    transport =
        base::cat("RTP/AVP;unicast;client_port=", client_rtp_port_, "-", client_rtp_port_ + 1);
  } else {
    transport = "RTP/AVP/TCP;unicast;interleaved=0-1";
  }
  state_ = State::Setup;
  send_request(ctx, "SETUP", setup_url_, {{"Transport", transport}});
}

void Reader::on_setup(WorkerContext& ctx, const rtsp::Response& response) {
  auto session = response.headers.get("Session");
  if (!session) return fail(ctx, "SETUP: no Session header");
  // 12.37: session-id [ ";" "timeout" "=" delta-seconds ]
  std::vector<absl::string_view> parts = absl::StrSplit(base::av(*session), ';');
  session_ = std::string(absl::StripAsciiWhitespace(parts[0]));
  for (size_t i = 1; i < parts.size(); ++i) {
    absl::string_view p = absl::StripAsciiWhitespace(parts[i]);
    int seconds = 0;
    if (absl::ConsumePrefix(&p, "timeout=") && absl::SimpleAtoi(p, &seconds) && seconds > 2) {
      keepalive_interval_us_ = static_cast<int64_t>(seconds) * 1'000'000 / 2;
    }
  }
  if (auto t = response.headers.get("Transport")) {
    auto transport = rtsp::Transport::parse(*t);
    if (!transport.ok()) return fail(ctx, "SETUP: unreadable Transport");
    if (!ctx.options->udp) {
      if (!transport->interleaved) return fail(ctx, "SETUP: no interleaved channels");
      rtp_channel_ = transport->interleaved->rtp;
    }
  }
  state_ = State::Play;
  result_.play_sent_mono_us = base::monotonic_us();
  send_request(ctx, "PLAY", ctx.options->url, {{"Session", session_}, {"Range", "npt=0.000-"}});
}

bool Reader::open_udp(WorkerContext& ctx) {
  for (int attempt = 0; attempt < 200; ++attempt) {
    const uint32_t port = ctx.next_udp_port->fetch_add(2);
    if (port + 1 > 65535) break;
    int fds[2] = {-1, -1};
    bool ok = true;
    for (int i = 0; i < 2 && ok; ++i) {
      fds[i] = ::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(static_cast<uint16_t>(port + i));
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      ok = fds[i] >= 0 && ::bind(fds[i], reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }
    if (!ok) {
      for (int fd : fds) {
        if (fd >= 0) ::close(fd);
      }
      continue;
    }
    rtp_fd_ = fds[0];
    const int one = 1;
    ::setsockopt(rtp_fd_, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one);  // receive_time()
    rtcp_fd_ = fds[1];  // sender reports land here unread; bound so no ICMP goes back
    client_rtp_port_ = static_cast<uint16_t>(port);
    if (ctx.options->udp_rcvbuf > 0) {
      ::setsockopt(rtp_fd_, SOL_SOCKET, SO_RCVBUF, &ctx.options->udp_rcvbuf,
                   sizeof ctx.options->udp_rcvbuf);
    }
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tag(slot_, true);
    ::epoll_ctl(ctx.epoll_fd, EPOLL_CTL_ADD, rtp_fd_, &ev);
    return true;
  }
  fail(ctx, "no free UDP port pair");
  return false;
}

void Reader::on_udp_readable(WorkerContext& ctx) {
  auto* samples = slow_ ? &ctx.slow_samples : &ctx.samples;
  for (int round = 0; round < 4 && rtp_fd_ >= 0; ++round) {
    for (size_t i = 0; i < WorkerContext::kUdpBatch; ++i) {
      ctx.udp_iovecs[i] = {ctx.udp_buffers.data() + i * WorkerContext::kUdpPacketMax,
                           WorkerContext::kUdpPacketMax};
      ctx.udp_headers[i] = {};
      ctx.udp_headers[i].msg_hdr.msg_iov = &ctx.udp_iovecs[i];
      ctx.udp_headers[i].msg_hdr.msg_iovlen = 1;
      ctx.udp_headers[i].msg_hdr.msg_control =
          ctx.udp_control.data() + i * WorkerContext::kControlMax;
      ctx.udp_headers[i].msg_hdr.msg_controllen = WorkerContext::kControlMax;
    }
    const int n =
        ::recvmmsg(rtp_fd_, ctx.udp_headers.data(), static_cast<unsigned>(WorkerContext::kUdpBatch),
                   MSG_DONTWAIT, nullptr);
    if (n <= 0) return;
    const ReceiveTime read = receive_time();
    const bool window = ctx.in_window(read.mono_us);
    for (int i = 0; i < n; ++i) {
      analyzer_.on_packet(
          ctx.udp_buffers.data() + static_cast<size_t>(i) * WorkerContext::kUdpPacketMax,
          ctx.udp_headers[i].msg_len, receive_time(ctx.udp_headers[i].msg_hdr, read), window,
          samples);
    }
    if (static_cast<size_t>(n) < WorkerContext::kUdpBatch) return;
  }
}

// Token bucket: slow_rate_ bytes per second, at most 100 ms worth banked.
void Reader::refill(int64_t mono_us) {
  const double rate = static_cast<double>(slow_rate_);
  tokens_ += rate * static_cast<double>(mono_us - tokens_mono_us_) / 1e6;
  tokens_ = std::min(tokens_, rate / 10);
  tokens_mono_us_ = mono_us;
}

void Reader::sample_backlog() {
  const int fd = rtp_fd_ >= 0 ? rtp_fd_ : fd_;
  if (state_ != State::Playing || fd < 0) return;
  int queued = 0;  // bytes received by the kernel but not yet read by us
  if (::ioctl(fd, FIONREAD, &queued) == 0 && queued > result_.max_backlog_bytes) {
    result_.max_backlog_bytes = queued;
  }
}

void Reader::on_tick(WorkerContext& ctx, int64_t mono_us) {
  if (state_ == State::Done || state_ == State::Idle) return;
  if (slow_ && paused_) {
    refill(mono_us);
    if (tokens_ >= static_cast<double>(ctx.options->slow_rate) / 100) {
      paused_ = false;
      update_interest(ctx);
    }
  }
  if (state_ != State::Playing) {
    if (mono_us - result_.start_mono_us > ctx.options->setup_timeout_us) {
      const char* where = state_ == State::Connecting ? "connect"
                          : state_ == State::Describe ? "DESCRIBE"
                          : state_ == State::Setup    ? "SETUP"
                                                      : "PLAY";
      fail(ctx, base::cat("timeout waiting for ", where));
    }
    return;
  }
  if (mono_us >= next_keepalive_mono_us_) {
    next_keepalive_mono_us_ = mono_us + keepalive_interval_us_;
    send_request(ctx, "OPTIONS", ctx.options->url, {{"Session", session_}});
  }
}

}  // namespace rtsp_bench
