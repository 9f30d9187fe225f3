// One RTSP control connection and its reader state (docs/threading.md: loop thread only).
#include "edge/connection.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"
#include "base/strings.hpp"
#include "base/clock.hpp"
#include "base/log.hpp"
#include "edge/sdp_builder.hpp"
#include "media/rtp.hpp"

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

Connection::Connection(IoLoop& loop, int fd, const sockaddr_storage& peer)
    : loop_(loop),
      fd_(fd),
      peer_name_(address_key(peer)),
      peer_(peer),
      session_(*this, loop.new_session_id(), loop.options().session_timeout),
      last_activity_us_(base::monotonic_us()) {}

Connection::~Connection() {
  if (!closed_) close("shutdown");
}

void Connection::close(std::string_view why) {
  if (closed_) return;
  stop_playing();
  if (counted_session_) loop_.release_session();
  counted_session_ = false;
  LOG_DEBUG("edge", "connection ", peer_name_, " closed: ", why);
  ::close(fd_);
  closed_ = true;
  loop_.mark_closed(fd_);
  queue_.clear();
  queue_bytes_ = 0;
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
    for (auto& item : reader_.feed(std::string_view(buffer, static_cast<size_t>(n)))) {
      if (auto* request = std::get_if<rtsp::Request>(&item)) {
        pending_.push_back(std::move(*request));
      } else if (auto* error = std::get_if<rtsp::ReaderError>(&item)) {
        LOG_INFO("edge", "bad request from ", peer_name_, ": ", error->message);
        rtsp::Response response;
        response.status = error->status;
        response.headers.set("Server", rtsp::kServerName);
        send_response(response);
        close_after_flush_ = true;
      }
      if (auto* frame = std::get_if<rtsp::InterleavedFrame>(&item); frame && frame->channel == rtcp_channel_) {
        on_rtcp({reinterpret_cast<const uint8_t*>(frame->payload.data()), frame->payload.size()}, now);
      }
    }
    partial_since_us_ = reader_.buffered() > 0 ? (partial_since_us_ ? partial_since_us_ : now) : 0;
    if (static_cast<size_t>(n) < sizeof buffer) break;
  }
  if (closed_) return;
  process_pending(base::monotonic_us());
  flush();
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
    report_.jitter_ms = block.jitter / 90.0;  // 90 kHz video clock
  }
}

void Connection::on_stream_ready() { process_pending(base::monotonic_us()); }

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
      for (const auto& frame : gop) deliver(frame, now_us);
    }
  }
  flush();
}

void Connection::send_response(const rtsp::Response& response) {
  OutItem item;
  item.text = response.serialize();
  item.enqueued_us = base::monotonic_us();
  enqueue(std::move(item));
}

void Connection::enqueue(OutItem item) {
  queue_bytes_ += item.size();
  queue_.push_back(std::move(item));
}

size_t Connection::build_iovecs(std::vector<iovec>& iov) {
  iov.clear();
  prefix_scratch_.resize(kMaxIov * 4);
  size_t scratch_used = 0;
  for (const OutItem& item : queue_) {
    if (iov.size() >= kMaxIov) break;
    if (!item.frame) {
      iov.push_back({const_cast<char*>(item.text.data()) + item.offset, item.text.size() - item.offset});
      continue;
    }
    const media::PacketizedFrame& f = *item.frame;
    if (f.interleaved_channel == rtp_channel_) {
      // The shared buffer already carries our channel: the whole frame in one iovec.
      iov.push_back({const_cast<uint8_t*>(f.bytes.data()) + item.offset, f.bytes.size() - item.offset});
      continue;
    }
    for (size_t i = 0; i < f.packet_count() && iov.size() + 2 <= kMaxIov; ++i) {
      const size_t begin = f.packet_offsets[i];
      const size_t end = i + 1 < f.packet_count() ? f.packet_offsets[i + 1] : f.bytes.size();
      if (end <= item.offset) continue;
      uint8_t* prefix = prefix_scratch_.data() + scratch_used;
      scratch_used += 4;
      std::memcpy(prefix, f.bytes.data() + begin, 4);
      prefix[1] = rtp_channel_;
      if (item.offset < begin + 4) {
        const size_t skip = item.offset > begin ? item.offset - begin : 0;
        iov.push_back({prefix + skip, 4 - skip});
      }
      const size_t data_begin = std::max(begin + 4, item.offset);
      iov.push_back({const_cast<uint8_t*>(f.bytes.data()) + data_begin, end - data_begin});
    }
    break;  // a split frame ends the batch so offsets stay simple
  }
  return iov.size();
}

void Connection::consume(size_t written) {
  loop_.mutable_counters().bytes_out.fetch_add(written, std::memory_order_relaxed);
  while (written > 0 && !queue_.empty()) {
    OutItem& head = queue_.front();
    const size_t left = head.size() - head.offset;
    if (written < left) {
      head.offset += written;
      queue_bytes_ -= written;
      return;
    }
    written -= left;
    queue_bytes_ -= left;
    queue_.pop_front();
  }
  if (queue_.empty()) behind_since_us_ = 0;
}

void Connection::flush() {
  if (closed_) return;
  std::vector<iovec> iov;
  iov.reserve(kMaxIov);
  while (!queue_.empty()) {
    if (build_iovecs(iov) == 0) break;
    const ssize_t n = ::writev(fd_, iov.data(), static_cast<int>(iov.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return close(base::cat("write: ", std::strerror(errno)));
    }
    consume(static_cast<size_t>(n));
  }
  if (queue_.empty() && close_after_flush_) return close("closing after error response");
  const bool want = !queue_.empty();
  if (want != want_write_) {
    want_write_ = want;
    loop_.watch(fd_, want_write_);
  }
}

void Connection::on_writable() { flush(); }

void Connection::skip_queued_frames() {
  // Drop every frame not yet started; a partly written head stays so framing stays intact.
  std::deque<OutItem> kept;
  for (size_t i = 0; i < queue_.size(); ++i) {
    OutItem& item = queue_[i];
    if (!item.frame || (i == 0 && item.offset > 0)) {
      kept.push_back(std::move(item));
    } else {
      queue_bytes_ -= item.size();
      ++frames_skipped_;
      loop_.mutable_counters().frames_skipped.fetch_add(1, std::memory_order_relaxed);
    }
  }
  queue_.swap(kept);
}

void Connection::deliver(const media::PacketizedFramePtr& frame, int64_t now_us) {
  if (closed_ || !playing_) return;
  if (skipping_to_keyframe_) {
    if (!frame->keyframe) {
      ++frames_skipped_;
      loop_.mutable_counters().frames_skipped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    skipping_to_keyframe_ = false;
  }
  last_rtp_timestamp_ = frame->rtp_timestamp;
  last_capture_time_us_ = frame->capture_time_us;
  if (tcp_) {
    deliver_tcp(frame, now_us);
  } else {
    deliver_udp(frame);
  }
}

void Connection::deliver_tcp(const media::PacketizedFramePtr& frame, int64_t now_us) {
  const int64_t budget_us = loop_.options().latency_budget.count() * 1000;
  const int64_t age_us = queue_.empty() ? 0 : now_us - queue_.front().enqueued_us;
  const bool overflow =
      queue_bytes_ + frame->bytes.size() > loop_.options().reader_queue_bytes || age_us > budget_us / 2;
  if (overflow) {
    if (behind_since_us_ == 0) behind_since_us_ = now_us;
    if (now_us - behind_since_us_ > budget_us) {
      loop_.mutable_counters().readers_dropped_slow.fetch_add(1, std::memory_order_relaxed);
      LOG_WARN("edge", "reader ", peer_name_, " on ", stream_, " disconnected: behind for more than ",
               budget_us / 1000, " ms (", frames_skipped_, " frames skipped)");
      return close("slow reader");
    }
    skip_queued_frames();
    uint64_t suppressed = 0;
    if (g_slow_log.allow(&suppressed)) {
      LOG_WARN("edge", "slow reader ", peer_name_, " on ", stream_, ": skipping to the next keyframe (",
               frames_skipped_, " frames skipped so far",
               suppressed ? base::cat(", ", suppressed, " similar events suppressed") : "", ")");
    }
    if (!frame->keyframe) {
      skipping_to_keyframe_ = true;
      ++frames_skipped_;
      loop_.mutable_counters().frames_skipped.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  enqueue(OutItem{.frame = frame, .enqueued_us = now_us});
  packets_sent_ += static_cast<uint32_t>(frame->packet_count());
  octets_sent_ += static_cast<uint32_t>(frame->rtp_bytes() - 12 * frame->packet_count());
  loop_.mutable_counters().packets_out.fetch_add(frame->packet_count(), std::memory_order_relaxed);
  flush();
}

void Connection::deliver_udp(const media::PacketizedFramePtr& frame) {
  mmsghdr messages[kMaxUdpBatch];
  iovec iov[kMaxUdpBatch];
  size_t done = 0;
  while (done < frame->packet_count()) {
    const size_t batch = std::min(kMaxUdpBatch, frame->packet_count() - done);
    for (size_t i = 0; i < batch; ++i) {
      auto packet = frame->packet(done + i);
      iov[i] = {const_cast<uint8_t*>(packet.data()), packet.size()};
      messages[i] = {};
      messages[i].msg_hdr.msg_name = &udp_->rtp;
      messages[i].msg_hdr.msg_namelen = udp_->length;
      messages[i].msg_hdr.msg_iov = &iov[i];
      messages[i].msg_hdr.msg_iovlen = 1;
    }
    // One sendmmsg per frame (per batch of kMaxUdpBatch packets).
    const int sent = ::sendmmsg(loop_.udp_rtp_fd(), messages, static_cast<unsigned>(batch), MSG_DONTWAIT);
    const size_t ok = sent > 0 ? static_cast<size_t>(sent) : 0;
    for (size_t i = 0; i < ok; ++i) loop_.mutable_counters().bytes_out.fetch_add(iov[i].iov_len, std::memory_order_relaxed);
    loop_.mutable_counters().packets_out.fetch_add(ok, std::memory_order_relaxed);
    if (ok < batch) {
      loop_.mutable_counters().udp_packets_dropped.fetch_add(batch - ok, std::memory_order_relaxed);
    }
    done += batch;
  }
  packets_sent_ += static_cast<uint32_t>(frame->packet_count());
  octets_sent_ += static_cast<uint32_t>(frame->rtp_bytes() - 12 * frame->packet_count());
}

void Connection::send_sender_report(int64_t now_us) {
  if (!playing_ || last_capture_time_us_ == 0) return;
  // RFC 3550 6.4.1: the NTP and RTP timestamps of the SR correspond to the same instant; we use
  // the last frame's capture time and its RTP timestamp.
  StreamView* view = loop_.find_stream(stream_);
  if (!view || !view->description) return;
  const auto sr = media::make_sender_report(view->description->tracks.at(0).ssrc,
                                            last_capture_time_us_, last_rtp_timestamp_,
                                            packets_sent_, octets_sent_);
  if (tcp_) {
    if (queue_bytes_ > loop_.options().reader_queue_bytes / 2) return;
    std::string framed = {'$', static_cast<char>(rtcp_channel_), static_cast<char>(sr.size() >> 8),
                          static_cast<char>(sr.size() & 0xff)};
    framed.append(reinterpret_cast<const char*>(sr.data()), sr.size());
    enqueue(OutItem{.text = std::move(framed), .enqueued_us = now_us});
    flush();
  } else {
    ::sendto(loop_.udp_rtcp_fd(), sr.data(), sr.size(), MSG_DONTWAIT,
             reinterpret_cast<const sockaddr*>(&udp_->rtcp), udp_->length);
  }
}

void Connection::tick(int64_t now_us) {
  if (closed_) return;
  if (!pending_.empty() && parked_since_us_ != 0) process_pending(now_us);
  const int64_t timeout_us = loop_.options().session_timeout.count() * 1'000'000LL;
  // RFC 2326 12.37: the server may tear down a session that shows no activity for `timeout`.
  // A TCP reader that is playing proves it is alive by draining its socket (a stalled one hits
  // the latency budget below), so only idle control connections and UDP sessions time out.
  const bool alive_by_tcp = playing_ && tcp_;
  if (!alive_by_tcp && now_us - last_activity_us_ > timeout_us) return close("session timeout");
  if (partial_since_us_ != 0 &&
      now_us - partial_since_us_ > std::chrono::microseconds(kPartialRequestTimeout).count()) {
    return close("request incomplete for too long");
  }
  const int64_t budget_us = loop_.options().latency_budget.count() * 1000;
  if (!queue_.empty() && now_us - queue_.front().enqueued_us > budget_us) {
    loop_.mutable_counters().readers_dropped_slow.fetch_add(1, std::memory_order_relaxed);
    LOG_WARN("edge", "reader ", peer_name_, " disconnected: nothing written for more than ",
             budget_us / 1000, " ms");
    return close("stalled reader");
  }
  if (playing_ && now_us >= next_sender_report_us_) {
    next_sender_report_us_ = now_us + std::chrono::microseconds(kSenderReportInterval).count();
    send_sender_report(now_us);
  }
}

absl::StatusOr<std::string> Connection::describe(std::string_view stream) {
  StreamView* view = loop_.find_stream(std::string(stream));
  if (!view || !view->ready()) {
    return absl::UnavailableError(base::cat("stream '", stream, "' is not available"));
  }
  return build_sdp(*view->description, loop_.options().rtsp_host);
}

absl::StatusOr<rtsp::Transport> Connection::setup(std::string_view stream, uint32_t track,
                                                  const std::vector<rtsp::Transport>& offered) {
  StreamView* view = loop_.find_stream(std::string(stream));
  if (!view || !view->description) {
    return absl::NotFoundError(base::cat("stream '", stream, "' not found"));
  }
  if (track >= view->description->tracks.size()) {
    return absl::NotFoundError(base::cat("stream '", stream, "' has no track ", track));
  }
  if (!counted_session_) {
    if (!loop_.acquire_session()) return absl::UnavailableError("edge is at its session limit");
    counted_session_ = true;
  }
  // Readers are spread round-robin, so each loop takes its share of the per-stream limit.
  const size_t share = (loop_.options().max_readers_per_stream + loop_.loop_count() - 1) / loop_.loop_count();
  if (!playing_ && loop_.readers_of(std::string(stream)) >= share) {
    return absl::UnavailableError(base::cat("stream '", stream, "' is at its reader limit"));
  }
  for (const rtsp::Transport& t : offered) {
    if (t.delivery == rtsp::Delivery::Multicast || t.profile != "RTP/AVP") continue;
    rtsp::Transport answer = t;
    answer.ssrc = view->description->tracks[track].ssrc;
    if (t.lower == rtsp::LowerTransport::Tcp) {
      // 10.12: the client picks the channels; default to 2*track, 2*track+1.
      answer.interleaved = t.interleaved.value_or(
          rtsp::ChannelPair{static_cast<uint8_t>(2 * track), static_cast<uint8_t>(2 * track + 1)});
      tcp_ = true;
      rtp_channel_ = answer.interleaved->rtp;
      rtcp_channel_ = answer.interleaved->rtcp;
      udp_.reset();
    } else {
      if (!t.client_ports) continue;  // UDP unicast needs client_port (12.39)
      answer.delivery = rtsp::Delivery::Unicast;
      answer.server_ports = loop_.udp_ports();
      answer.destination.reset();
      answer.source.reset();
      tcp_ = false;
      // The destination is the control connection's peer, never a third party (RFC 2326 15.4).
      udp_ = UdpTrack{.rtp = with_port(peer_, t.client_ports->rtp),
                      .rtcp = with_port(peer_, t.client_ports->rtcp),
                      .length = static_cast<socklen_t>(peer_.ss_family == AF_INET ? sizeof(sockaddr_in)
                                                                                : sizeof(sockaddr_in6))};
    }
    stream_ = std::string(stream);
    return answer;
  }
  return absl::UnimplementedError("no supported transport offered (want RTP/AVP over TCP or UDP unicast)");
}

absl::StatusOr<std::vector<rtsp::PlayStart>> Connection::play() {
  StreamView* view = loop_.find_stream(stream_);
  if (!view || !view->description) return absl::NotFoundError("stream went away");
  if (playing_) {
    return std::vector<rtsp::PlayStart>{{0, view->next_sequence, view->last_rtp_timestamp}};
  }
  playing_ = true;
  loop_.add_reader(stream_, this);
  if (udp_) loop_.register_udp_peer(address_key(udp_->rtcp), this);
  next_sender_report_us_ = base::monotonic_us();
  if (!view->ready()) {
    skipping_to_keyframe_ = true;
    return std::vector<rtsp::PlayStart>{{0, view->next_sequence, view->last_rtp_timestamp}};
  }
  // Late joiner: parameter sets and the cached GOP from its keyframe, at once. The response is
  // queued first, so RTP-Info names exactly the first packet that follows it.
  const auto& first = *view->gop.front();
  std::vector<rtsp::PlayStart> starts{{0, first.first_sequence, first.rtp_timestamp}};
  pending_gop_ = view->gop;
  return starts;
}

std::optional<rtsp::ServerSessionHost::Denial> Connection::authorize(const rtsp::Request& request,
                                                                    std::string_view stream) {
  std::string address = peer_name_.substr(0, peer_name_.rfind(':'));
  auto denial = loop_.access()->check(request, stream, address, base::wall_clock_us());
  if (denial) LOG_INFO("edge", "reader ", peer_name_, " refused for ", stream, ": ", denial->reason);
  return denial;
}

void Connection::pause() { stop_playing(); }

void Connection::teardown() {
  stop_playing();
  if (counted_session_) loop_.release_session();
  counted_session_ = false;
}

void Connection::stop_playing() {
  if (!playing_) return;
  playing_ = false;
  loop_.remove_reader(stream_, this);
  if (udp_) loop_.unregister_udp_peer(address_key(udp_->rtcp));
  skip_queued_frames();
  pending_gop_.clear();
}

}  // namespace edge
