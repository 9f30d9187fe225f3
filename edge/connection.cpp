// One RTSP control connection and its reader state (docs/threading.md: loop thread only).
#include "edge/connection.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "base/clock.hpp"
#include "base/log.hpp"
#include "base/socket_address.hpp"
#include "base/strings.hpp"
#include "cluster/stream_health.hpp"
#include "edge/sdp_builder.hpp"
#include "media/rtp.hpp"
#include "relay/topic.hpp"

namespace edge {
namespace {

constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kMaxIov = 512;  // below IOV_MAX (1024)
constexpr size_t kMaxUdpBatch = 256;

base::RateLimiter g_slow_log{std::chrono::seconds(2)};

sockaddr_storage with_port(const sockaddr_storage& base, uint16_t port) {
  sockaddr_storage out = base;
  if (out.ss_family == AF_INET) {
    reinterpret_cast<sockaddr_in*>(&out)->sin_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in6*>(&out)->sin6_port = htons(port);
  }
  return out;
}

}  // namespace

Connection::Connection(ConnectionHost& loop, int fd, const sockaddr_storage& peer)
    : loop_(loop),
      fd_(fd),
      peer_name_(base::address_text(peer)),
      peer_(peer),
      serial_(loop.next_serial()),
      session_(*this, loop.new_session_id(), loop.options().session_timeout),
      last_activity_us_(base::monotonic_us()),
      out_(ReaderQueueLimits{.max_bytes = loop.options().reader_queue_bytes,
                             .latency_budget_us = loop.options().latency_budget.count() * 1000}) {}

Connection::~Connection() {
  if (!closed_) close("shutdown");
}

bool Connection::is_tcp() const {
  auto it = transports_.find(0);
  return it == transports_.end() || it->second.kind == TrackTransport::Kind::Tcp;
}

Connection::Delivery Connection::transport_kind() const {
  auto it = transports_.find(0);
  if (it == transports_.end()) return Delivery::Tcp;
  switch (it->second.kind) {
    case TrackTransport::Kind::Udp:
      return Delivery::Udp;
    case TrackTransport::Kind::Multicast:
      return Delivery::Multicast;
    case TrackTransport::Kind::Tcp:
      break;
  }
  return Delivery::Tcp;
}

void Connection::close(std::string_view why) {
  if (closed_) return;
  stop_playing();
  leave_multicast();
  release_slots();
  if (mode_ == Mode::TunnelGet) loop_.tunnels()->remove(tunnel_cookie_, serial_);
  LOG_DEBUG("edge", "connection ", peer_name_, " closed: ", why);
  ::close(fd_);
  closed_ = true;
  loop_.mark_closed(fd_);
  out_.clear();
}

void Connection::on_readable() {
  char buffer[kReadChunk];
  for (;;) {
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
    if (n == 0) return close("peer closed");
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      if (errno == EINTR) continue;
      return close(base::cat("recv: ", std::strerror(errno)));
    }
    const int64_t now = base::monotonic_us();
    last_activity_us_ = now;
    on_bytes(std::string_view(buffer, static_cast<size_t>(n)), now);
    if (closed_ || static_cast<size_t>(n) < sizeof buffer) break;
  }
  if (closed_) return;
  process_pending(base::monotonic_us());
  flush();
}

void Connection::on_tunnel_bytes(std::string_view bytes) {
  const int64_t now = base::monotonic_us();
  last_activity_us_ = now;
  feed_rtsp(bytes, now);
  if (closed_) return;
  process_pending(now);
  flush();
}

void Connection::on_bytes(std::string_view bytes, int64_t now_us) {
  switch (mode_) {
    case Mode::Rtsp:
    case Mode::TunnelGet:
      return feed_rtsp(bytes, now_us);
    case Mode::TunnelPost:
      return forward_tunnel(bytes);
    case Mode::Unknown:
      break;
  }
  head_.append(bytes);
  const rtsp::ConnectionKind kind = rtsp::classify_connection(head_);
  if (kind == rtsp::ConnectionKind::NeedMore) {
    if (partial_since_us_ == 0) partial_since_us_ = now_us;
    return;
  }
  if (kind == rtsp::ConnectionKind::Rtsp) {
    mode_ = Mode::Rtsp;
    std::string first = std::move(head_);
    head_.clear();
    return feed_rtsp(first, now_us);
  }
  start_tunnel(now_us);
}

void Connection::start_tunnel(int64_t now_us) {
  size_t end = head_.find("\r\n\r\n");
  size_t skip = 4;
  if (end == std::string::npos) {
    end = head_.find("\n\n");
    skip = 2;
  }
  if (end == std::string::npos || end + skip > rtsp::kMaxTunnelHeadBytes) {
    if (head_.size() > rtsp::kMaxTunnelHeadBytes) {
      out_.push_text("HTTP/1.0 431 Request Header Fields Too Large\r\n\r\n", now_us);
      close_after_flush_ = true;
    } else if (partial_since_us_ == 0) {
      partial_since_us_ = now_us;
    }
    return;
  }
  partial_since_us_ = 0;
  auto request = rtsp::parse_tunnel_head(std::string_view(head_).substr(0, end + skip));
  const std::string rest = head_.substr(end + skip);
  head_.clear();
  if (!request.ok()) {
    LOG_INFO("edge", "bad tunnel request from ", peer_name_, ": ", request.status().message());
    out_.push_text("HTTP/1.0 400 Bad Request\r\n\r\n", now_us);
    close_after_flush_ = true;
    return;
  }
  tunnel_cookie_ = request->cookie;
  if (request->method == rtsp::TunnelRequest::Method::Get) {
    // The GET half carries this session's responses and media.
    if (!loop_.tunnels()->add(tunnel_cookie_, {&loop_, fd_, serial_})) {
      out_.push_text("HTTP/1.0 409 Conflict\r\n\r\n", now_us);
      close_after_flush_ = true;
      return;
    }
    mode_ = Mode::TunnelGet;
    out_.push_text(rtsp::tunnel_get_reply(), now_us);
    return;
  }
  auto target = loop_.tunnels()->find(tunnel_cookie_);
  if (!target) {
    out_.push_text("HTTP/1.0 404 Not Found\r\n\r\n", now_us);
    close_after_flush_ = true;
    return;
  }
  mode_ = Mode::TunnelPost;  // the POST half is never answered; it only carries requests
  tunnel_target_ = *target;
  if (!rest.empty()) forward_tunnel(rest);
}

void Connection::forward_tunnel(std::string_view base64) {
  auto decoded = tunnel_decoder_.feed(base64);
  if (!decoded.ok()) return close(base::cat("tunnel: ", decoded.status().message()));
  if (decoded->empty()) return;
  TunnelData data{
      .fd = tunnel_target_.fd, .serial = tunnel_target_.serial, .bytes = *std::move(decoded)};
  if (tunnel_target_.loop == &loop_) {
    loop_.deliver_tunnel(data);
  } else {
    tunnel_target_.loop->post_tunnel(std::move(data));
  }
}

void Connection::feed_rtsp(std::string_view bytes, int64_t now_us) {
  for (auto& item : reader_.feed(bytes)) {
    if (auto* request = std::get_if<rtsp::Request>(&item)) {
      pending_.push_back(std::move(*request));
    } else if (auto* frame = std::get_if<rtsp::InterleavedFrame>(&item)) {
      // RFC 2326 10.12: the client's RTCP arrives on the odd channel of a track's pair.
      on_rtcp({reinterpret_cast<const uint8_t*>(frame->payload.data()), frame->payload.size()},
              now_us);
    } else if (auto* error = std::get_if<rtsp::ReaderError>(&item)) {
      LOG_INFO("edge", "bad request from ", peer_name_, ": ", error->message);
      rtsp::Response response;
      response.status = error->status;
      response.headers.set("Server", rtsp::kServerName);
      send_response(response);
      close_after_flush_ = true;
    }
  }
  partial_since_us_ = reader_.buffered() > 0 ? (partial_since_us_ ? partial_since_us_ : now_us) : 0;
}

void Connection::on_rtcp(std::span<const uint8_t> packet, int64_t now_us) {
  last_activity_us_ = now_us;
  auto blocks = media::parse_report_blocks(packet);
  if (!blocks.ok()) return;
  for (const media::ReportBlock& block : *blocks) {
    // RFC 3550 6.4.1: fraction lost is a fixed-point number with the binary point at the left.
    ++report_.reports;
    report_.fraction_lost = block.fraction_lost / 256.0;
    report_.cumulative_lost = block.cumulative_lost;
    report_.jitter_ms = block.jitter / 90.0;  // video clock; audio reports are rarer
  }
}

void Connection::on_stream_ready() {
  process_pending(base::monotonic_us());
}

void Connection::process_pending(int64_t now_us) {
  while (!pending_.empty() && !closed_ && !close_after_flush_) {
    const bool out_of_time =
        parked_since_us_ != 0 &&
        now_us - parked_since_us_ >= loop_.options().describe_timeout.count() * 1000;
    rtsp::Outcome outcome = session_.handle(pending_.front(), out_of_time);
    if (outcome.park) {
      if (parked_since_us_ == 0) parked_since_us_ = now_us;
      return;
    }
    parked_since_us_ = 0;
    pending_.pop_front();
    send_response(outcome.response);
    if (outcome.close) close_after_flush_ = true;
    if (!pending_gop_.empty()) {
      auto gop = std::move(pending_gop_);
      pending_gop_.clear();
      sending_gop_ = true;
      for (const auto& frame : gop) deliver(frame, now_us);
      sending_gop_ = false;
    }
  }
  flush();
}

void Connection::send_response(const rtsp::Response& response) {
  out_.push_text(response.serialize(), base::monotonic_us());
}

void Connection::flush() {
  if (closed_) return;
  std::vector<iovec>& iov = iov_scratch_;  // kept between flushes: no allocation per write
  auto& counters = loop_.counters();
  while (!out_.empty()) {
    if (out_.build_iovecs(iov, kMaxIov) == 0) break;
    const ssize_t n = ::writev(fd_, iov.data(), static_cast<int>(iov.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return close(base::cat("write: ", std::strerror(errno)));
    }
    counters.bytes_out.fetch_add(static_cast<size_t>(n), std::memory_order_relaxed);
    out_.consume(static_cast<size_t>(n), [&](const media::PacketizedFrame& frame) {
      counters.queue_delay.observe(base::monotonic_us() - frame.received_monotonic_us);
    });
  }
  if (out_.empty() && close_after_flush_) return close("closing after error response");
  const bool want = !out_.empty();
  if (want != want_write_) {
    want_write_ = want;
    loop_.watch(fd_, want_write_);
  }
}

void Connection::on_writable() {
  flush();
}

void Connection::count_skipped(uint64_t frames) {
  frames_skipped_ += frames;
  loop_.counters().frames_skipped.fetch_add(frames, std::memory_order_relaxed);
}

void Connection::deliver(const media::PacketizedFramePtr& frame, int64_t now_us) {
  if (closed_ || !playing_) return;
  auto it = transports_.find(frame->track);
  if (it == transports_.end()) return;  // the reader did not set this track up
  if (!out_.passes(frame->keyframe)) return count_skipped(1);
  TrackTransport& transport = it->second;
  transport.last_rtp_timestamp = frame->rtp_timestamp;
  transport.last_capture_time_us = frame->capture_time_us;
  transport.packets += static_cast<uint32_t>(frame->packet_count());
  transport.octets +=
      static_cast<uint32_t>(frame->rtp_bytes() - media::kRtpHeaderSize * frame->packet_count());
  switch (transport.kind) {
    case TrackTransport::Kind::Multicast:
      return;  // the group gets one copy from the ingest thread
    case TrackTransport::Kind::Udp:
      return deliver_udp(*frame, transport);
    case TrackTransport::Kind::Tcp:
      return deliver_tcp(frame, transport, now_us);
  }
}

void Connection::deliver_tcp(const media::PacketizedFramePtr& frame, TrackTransport& transport,
                             int64_t now_us) {
  const ReaderQueue::Push push =
      out_.push_frame(frame, transport.rtp_channel, !sending_gop_, now_us);
  if (push.verdict == ReaderQueue::Verdict::Disconnect) {
    loop_.counters().readers_dropped_slow.fetch_add(1, std::memory_order_relaxed);
    LOG_WARN("edge", "reader ", peer_name_, " on ", stream_, " disconnected: behind for more than ",
             loop_.options().latency_budget.count(), " ms (", frames_skipped_, " frames skipped)");
    return close("slow reader");
  }
  count_skipped(push.skipped);
  uint64_t suppressed = 0;
  if (push.dropped_backlog && g_slow_log.allow(&suppressed)) {
    LOG_WARN("edge", "slow reader ", peer_name_, " on ", stream_,
             ": skipping to the next keyframe (", frames_skipped_, " frames skipped so far",
             suppressed ? base::cat(", ", suppressed, " similar events suppressed") : "", ")");
  }
  if (push.verdict == ReaderQueue::Verdict::Skipped) return;
  loop_.counters().packets_out.fetch_add(frame->packet_count(), std::memory_order_relaxed);
  flush();
}

void Connection::deliver_udp(const media::PacketizedFrame& frame, const TrackTransport& transport) {
  mmsghdr messages[kMaxUdpBatch];
  iovec iov[kMaxUdpBatch];
  for (size_t done = 0; done < frame.packet_count();) {
    const size_t batch = std::min(kMaxUdpBatch, frame.packet_count() - done);
    size_t bytes = 0;
    for (size_t i = 0; i < batch; ++i) {
      auto packet = frame.packet(done + i);
      iov[i] = {const_cast<uint8_t*>(packet.data()), packet.size()};
      messages[i] = {};
      messages[i].msg_hdr.msg_name = const_cast<sockaddr_storage*>(&transport.udp.rtp);
      messages[i].msg_hdr.msg_namelen = transport.udp.length;
      messages[i].msg_hdr.msg_iov = &iov[i];
      messages[i].msg_hdr.msg_iovlen = 1;
    }
    // One sendmmsg per frame (per batch of kMaxUdpBatch packets).
    const int sent =
        ::sendmmsg(loop_.udp_rtp_fd(), messages, static_cast<unsigned>(batch), MSG_DONTWAIT);
    const size_t ok = sent > 0 ? static_cast<size_t>(sent) : 0;
    for (size_t i = 0; i < ok; ++i) bytes += iov[i].iov_len;
    auto& counters = loop_.counters();
    counters.bytes_out.fetch_add(bytes, std::memory_order_relaxed);
    counters.packets_out.fetch_add(ok, std::memory_order_relaxed);
    if (ok < batch) counters.udp_packets_dropped.fetch_add(batch - ok, std::memory_order_relaxed);
    done += batch;
  }
  if (!sending_gop_) {
    loop_.counters().queue_delay.observe(base::monotonic_us() - frame.received_monotonic_us);
  }
}

void Connection::send_sender_reports(int64_t now_us) {
  for (auto& [track, t] : transports_) {
    if (t.last_capture_time_us == 0 || t.kind == TrackTransport::Kind::Multicast) continue;
    // RFC 3550 6.4.1: the NTP and RTP timestamps of the SR describe the same instant; we use the
    // last frame's capture time and its RTP timestamp.
    const auto sr = media::make_sender_report(t.ssrc, t.last_capture_time_us, t.last_rtp_timestamp,
                                              t.packets, t.octets);
    if (t.kind == TrackTransport::Kind::Tcp) {
      if (out_.bytes() > loop_.options().reader_queue_bytes / 2) continue;
      std::string framed = {'$', static_cast<char>(t.rtcp_channel),
                            static_cast<char>(sr.size() >> 8), static_cast<char>(sr.size() & 0xff)};
      framed.append(reinterpret_cast<const char*>(sr.data()), sr.size());
      out_.push_text(std::move(framed), now_us);
    } else {
      ::sendto(loop_.udp_rtcp_fd(), sr.data(), sr.size(), MSG_DONTWAIT,
               reinterpret_cast<const sockaddr*>(&t.udp.rtcp), t.udp.length);
    }
  }
  flush();
}

void Connection::tick(int64_t now_us) {
  if (closed_) return;
  if (!pending_.empty() && parked_since_us_ != 0) process_pending(now_us);
  const int64_t timeout_us = loop_.options().session_timeout.count() * 1'000'000LL;
  // RFC 2326 12.37: the server may tear down a session that shows no activity for `timeout`.
  // A TCP reader that is playing proves it is alive by draining its socket (a stalled one hits
  // the latency budget below), so only idle control connections and UDP sessions time out.
  const bool alive_by_tcp = playing_ && is_tcp();
  if (!alive_by_tcp && now_us - last_activity_us_ > timeout_us) return close("session timeout");
  if (partial_since_us_ != 0 &&
      now_us - partial_since_us_ > std::chrono::microseconds(kPartialRequestTimeout).count()) {
    return close("request incomplete for too long");
  }
  const int64_t budget_us = loop_.options().latency_budget.count() * 1000;
  if (out_.oldest_age_us(now_us) > budget_us) {
    loop_.counters().readers_dropped_slow.fetch_add(1, std::memory_order_relaxed);
    LOG_WARN("edge", "reader ", peer_name_, " disconnected: nothing written for more than ",
             budget_us / 1000, " ms");
    return close("stalled reader");
  }
  if (playing_ && now_us >= next_sender_report_us_) {
    next_sender_report_us_ = now_us + std::chrono::microseconds(kSenderReportInterval).count();
    send_sender_reports(now_us);
  }
}

absl::StatusOr<std::string> Connection::describe(std::string_view stream) {
  if (!relay::validate_stream_name(stream).ok()) {
    return absl::NotFoundError(base::cat("no stream '", stream.substr(0, 64), "'"));
  }
  StreamView* view = loop_.find_stream(std::string(stream));
  if (!view || !view->ready()) {
    loop_.want(std::string(stream));  // subscribe on demand; DESCRIBE waits for it
    return absl::UnavailableError(base::cat("stream '", stream, "' is not available"));
  }
  return build_sdp(*view->description, loop_.options().rtsp_host);
}

absl::StatusOr<rtsp::Transport> Connection::setup_multicast(std::string_view stream, uint32_t track,
                                                            rtsp::Transport answer) {
  if (track >= kMulticastTracks)
    return absl::UnimplementedError("multicast carries two tracks per stream");
  // One join per session: every track of the stream shares the group address.
  auto group =
      in_multicast_group_ ? multicast_group_ : loop_.multicast()->join(std::string(stream));
  if (!group.ok()) return group.status();
  in_multicast_group_ = true;
  multicast_group_ = *group;
  answer.destination = group->address;
  const uint16_t rtp = group->rtp_port_of(track);
  answer.ports = rtsp::PortPair{rtp, static_cast<uint16_t>(rtp + 1)};
  answer.ttl = group->ttl;
  answer.client_ports.reset();
  return answer;
}

absl::StatusOr<rtsp::Transport> Connection::setup(std::string_view stream, uint32_t track,
                                                  const std::vector<rtsp::Transport>& offered) {
  StreamView* view = loop_.find_stream(std::string(stream));
  const TrackDescription* described =
      view && view->description ? view->description->track(track) : nullptr;
  if (!described)
    return absl::NotFoundError(base::cat("stream '", stream, "' has no track ", track));
  if (!counted_session_) {
    if (loop_.draining())
      return absl::UnavailableError("edge is draining; ask the coordinator for another");
    if (!loop_.acquire_session()) return absl::UnavailableError("edge is at its session limit");
    counted_session_ = true;
  }
  if (reader_slot_.empty()) {
    if (!loop_.reader_limits()->acquire(std::string(stream))) {
      return absl::UnavailableError(base::cat("stream '", stream, "' is at its reader limit"));
    }
    reader_slot_ = std::string(stream);
  }
  for (const rtsp::Transport& t : offered) {
    if (t.profile != "RTP/AVP") continue;
    rtsp::Transport answer = t;
    answer.ssrc = described->ssrc;
    TrackTransport transport{.ssrc = described->ssrc};
    if (t.delivery == rtsp::Delivery::Multicast) {
      if (t.lower == rtsp::LowerTransport::Tcp) continue;
      auto multicast = setup_multicast(stream, track, answer);
      if (!multicast.ok()) continue;
      answer = *std::move(multicast);
      transport.kind = TrackTransport::Kind::Multicast;
    } else if (t.lower == rtsp::LowerTransport::Tcp) {
      // 10.12: the client picks the channels; default to 2*track, 2*track+1.
      answer.interleaved = t.interleaved.value_or(
          rtsp::ChannelPair{static_cast<uint8_t>(2 * track), static_cast<uint8_t>(2 * track + 1)});
      transport.rtp_channel = answer.interleaved->rtp;
      transport.rtcp_channel = answer.interleaved->rtcp;
    } else {
      if (!t.client_ports) continue;  // UDP unicast needs client_port (12.39)
      answer.delivery = rtsp::Delivery::Unicast;
      answer.server_ports = loop_.udp_ports();
      answer.destination.reset();
      answer.source.reset();
      transport.kind = TrackTransport::Kind::Udp;
      // The destination is the control connection's peer, never a third party (RFC 2326 15.4).
      transport.udp = {
          .rtp = with_port(peer_, t.client_ports->rtp),
          .rtcp = with_port(peer_, t.client_ports->rtcp),
          .length = static_cast<socklen_t>(peer_.ss_family == AF_INET ? sizeof(sockaddr_in)
                                                                      : sizeof(sockaddr_in6))};
    }
    stream_ = std::string(stream);
    transports_[track] = transport;
    return answer;
  }
  return absl::UnimplementedError(
      "no supported transport offered (want RTP/AVP over TCP, UDP unicast or UDP multicast)");
}

absl::StatusOr<std::vector<rtsp::PlayStart>> Connection::play() {
  StreamView* view = loop_.find_stream(stream_);
  if (!view || !view->description) return absl::NotFoundError("stream went away");
  // A second PLAY (after PAUSE, or while playing) resumes live: sequence numbers never go back.
  const bool resume = started_;
  started_ = true;
  if (!playing_) {
    playing_ = true;
    loop_.add_reader(stream_, this);
    for (const auto& [track, t] : transports_) {
      if (t.kind == TrackTransport::Kind::Udp)
        loop_.register_udp_peer(base::address_text(t.udp.rtcp), this);
    }
    next_sender_report_us_ = base::monotonic_us();
  }
  // Late joiner: parameter sets and the cached GOP from its keyframe, at once. The response is
  // queued first, so RTP-Info names exactly the first packet that follows it. Multicast readers
  // share the group's packets and start at the next keyframe.
  const bool send_gop = !resume && view->ready() && !in_multicast_group_;
  if (send_gop) pending_gop_ = view->gop.frames();
  if (!resume) out_.set_waiting_for_keyframe(!send_gop);
  std::vector<rtsp::PlayStart> starts;
  for (const auto& [track, t] : transports_) {
    rtsp::PlayStart start{.track = track};
    auto first = std::find_if(pending_gop_.begin(), pending_gop_.end(),
                              [track = track](const auto& f) { return f->track == track; });
    if (first != pending_gop_.end()) {
      start.sequence = (*first)->first_sequence;
      start.rtp_timestamp = (*first)->rtp_timestamp;
    } else if (auto p = view->positions.find(track); p != view->positions.end()) {
      start.sequence = p->second.next_sequence;
      start.rtp_timestamp = p->second.last_rtp_timestamp;
    }
    starts.push_back(start);
  }
  std::sort(starts.begin(), starts.end(),
            [](const auto& a, const auto& b) { return a.track < b.track; });
  return starts;
}

void Connection::pause() {
  stop_playing();
  // PLAY after PAUSE resumes live at the next keyframe.
  out_.wait_for_keyframe();
}

void Connection::leave_multicast() {
  if (in_multicast_group_) loop_.multicast()->leave(stream_);
  in_multicast_group_ = false;
}

void Connection::teardown() {
  stop_playing();
  leave_multicast();
  transports_.clear();
  release_slots();
}

void Connection::release_slots() {
  if (counted_session_) loop_.release_session();
  counted_session_ = false;
  if (!reader_slot_.empty()) loop_.reader_limits()->release(reader_slot_);
  reader_slot_.clear();
}

std::optional<rtsp::ServerSessionHost::Denial> Connection::authorize(const rtsp::Request& request,
                                                                     std::string_view stream) {
  const std::string address = peer_name_.substr(0, peer_name_.rfind(':'));
  auto denial = loop_.access()->check(request, stream, address, base::wall_clock_us());
  if (denial)
    LOG_INFO("edge", "reader ", peer_name_, " refused for ", stream, ": ", denial->reason);
  return denial;
}

std::optional<std::string> Connection::get_parameter(std::string_view stream,
                                                     std::string_view name) {
  if (name == cluster::kEdgeStateParameter) {
    return std::string(loop_.draining() ? cluster::kEdgeDraining : cluster::kEdgeReady);
  }
  if (name != cluster::kStreamStateParameter) return std::nullopt;
  std::optional<rs::cluster::StreamStatus> status;
  if (loop_.health()) {
    status = loop_.health()->status(std::string(stream), base::monotonic_us(),
                                    base::wall_clock_us() / 1000);
  }
  if (!status) {
    status.emplace();
    status->set_reason(stream.empty() ? "the request names no stream"
                                      : "this edge does not carry the stream");
  }
  return cluster::format_stream_state(*status);
}

void Connection::stop_playing() {
  if (!playing_) return;
  playing_ = false;
  loop_.remove_reader(stream_, this);
  for (const auto& [track, t] : transports_) {
    if (t.kind == TrackTransport::Kind::Udp)
      loop_.unregister_udp_peer(base::address_text(t.udp.rtcp));
  }
  out_.drop_unstarted_frames();  // not a slowness skip: the reader stopped
  pending_gop_.clear();
}

}  // namespace edge
