// RtspReceiver (rtsp_receiver.hpp).
#include "receiver/rtsp_receiver.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <random>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "base/clock.hpp"
#include "base/socket_address.hpp"
#include "base/strings.hpp"
#include "media/rtp.hpp"

namespace receiver {
namespace {

constexpr int64_t kPollSliceUs = 50'000;
constexpr size_t kReadChunk = 64 * 1024;
constexpr int kMaxRedirects = 5;
constexpr auto kTeardownWait = std::chrono::milliseconds(200);
constexpr char kStatusPayload[] = "rtsp-streamer/rtsp-status";

std::string random_hex(std::mt19937_64& rng, int digits) {
  std::string out;
  while (static_cast<int>(out.size()) < digits) out += absl::StrFormat("%016x", rng());
  return out.substr(0, static_cast<size_t>(digits));
}

std::optional<int64_t> cseq_of(const rtsp::Response& r) {
  int64_t v = 0;
  auto h = r.headers.get("CSeq");
  if (!h || !absl::SimpleAtoi(base::av(*h), &v)) return std::nullopt;
  return v;
}

std::string peer_address_of(int fd) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0 || a.ss_family != AF_INET) {
    return {};
  }
  char text[INET_ADDRSTRLEN] = {};
  inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&a)->sin_addr, text, sizeof text);
  return text;
}

bool is_video(media::Codec c) {
  return c == media::Codec::H264 || c == media::Codec::H265;
}

// The fixed header's fields a receiver counts with, read without judging the rest (the
// depacketizer does): the caller checks the size is at least media::kRtpHeaderSize.
struct FixedFields {
  uint16_t sequence;
  uint32_t timestamp;
  uint32_t ssrc;
};

FixedFields fixed_fields(std::string_view packet) {
  const auto* p = reinterpret_cast<const uint8_t*>(packet.data());
  const auto u32 = [](const uint8_t* q) {
    return (uint32_t{q[0]} << 24) | (uint32_t{q[1]} << 16) | (uint32_t{q[2]} << 8) | q[3];
  };
  return {.sequence = static_cast<uint16_t>((p[2] << 8) | p[3]),
          .timestamp = u32(p + 4),
          .ssrc = u32(p + 8)};
}

}  // namespace

std::optional<int> rtsp_status_of(const absl::Status& status) {
  auto payload = status.GetPayload(kStatusPayload);
  int code = 0;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &code)) return std::nullopt;
  return code;
}

absl::StatusOr<std::unique_ptr<RtspReceiver>> RtspReceiver::open(ReceiverOptions options,
                                                                 CancelFn cancelled) {
  std::mt19937_64 rng(std::random_device{}() ^ static_cast<uint64_t>(base::monotonic_us()));
  rtsp::ClientSessionConfig config;
  config.url = options.url;
  config.user_agent = options.user_agent;
  config.cnonce = random_hex(rng, 16);
  auto session = rtsp::ClientSession::create(std::move(config));
  if (!session.ok()) return session.status();
  std::unique_ptr<RtspReceiver> r(
      new RtspReceiver(std::move(options), std::move(cancelled), *std::move(session)));
  r->own_ssrc_ = static_cast<uint32_t>(rng());
  if (auto st = r->start(); !st.ok()) return st;
  return r;
}

RtspReceiver::RtspReceiver(ReceiverOptions options, CancelFn cancelled, rtsp::ClientSession session)
    : options_(std::move(options)),
      cancelled_(std::move(cancelled)),
      session_(std::move(session)) {}

RtspReceiver::~RtspReceiver() {
  if (!control_.valid() || closed_ || session_.state() != rtsp::ClientState::Playing) return;
  if (auto teardown = session_.teardown(); teardown.ok()) {
    const int64_t deadline = base::monotonic_us() + kTeardownWait.count() * 1000;
    (void)send_all(control_.get(), teardown->serialize(), deadline, nullptr);
  }
}

absl::Status RtspReceiver::connect() {
  closed_ = false;
  reader_ = rtsp::MessageReader(rtsp::MessageReader::Kind::Responses);
  auto fd = connect_tcp(session_.host(), session_.port(), deadline_us_, cancelled_);
  if (!fd.ok()) return fd.status();
  control_ = std::move(*fd);
  return absl::OkStatus();
}

absl::Status RtspReceiver::send(const rtsp::Request& request) {
  return send_all(control_.get(), request.serialize(),
                  std::max(deadline_us_, base::monotonic_us() + 2'000'000), cancelled_);
}

absl::Status RtspReceiver::start() {
  deadline_us_ = base::monotonic_us() + options_.open_timeout.count() * 1000;
  for (int redirects = 0;; ++redirects) {
    if (redirects > kMaxRedirects) return absl::FailedPreconditionError("too many redirects");
    if (auto st = connect(); !st.ok()) return st;
    // OPTIONS first, as players do; its answer tells whether GET_PARAMETER keeps the session
    // alive. A server that refuses it is still played.
    auto options = exchange_with_auth([this] { return session_.options(); });
    if (!options.ok() && (absl::IsCancelled(options.status()) ||
                          absl::IsDeadlineExceeded(options.status()) || closed_)) {
      return options.status();
    }
    if (options.ok() && options->kind == rtsp::ClientReaction::Kind::Redirect) continue;
    auto described = exchange_with_auth([this] { return session_.describe(); });
    if (!described.ok()) return described.status();
    if (described->kind == rtsp::ClientReaction::Kind::Redirect) continue;
    break;
  }
  if (auto st = setup_tracks(); !st.ok()) return st;
  auto played = exchange_with_auth([this] { return session_.play(); });
  if (!played.ok()) return played.status();
  const int64_t now = base::monotonic_us();
  const int64_t half = std::max<int64_t>(session_.session_timeout().count() * 500'000, 1'000'000);
  next_keepalive_us_ = now + half;
  next_report_us_ = now + 1'000'000;
  return absl::OkStatus();
}

absl::StatusOr<rtsp::ClientReaction> RtspReceiver::exchange_with_auth(
    const std::function<absl::StatusOr<rtsp::Request>()>& build) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto request = build();
    if (!request.ok()) return request.status();
    auto reaction = exchange(*request);
    if (!reaction.ok() || reaction->kind != rtsp::ClientReaction::Kind::RetryWithAuth) {
      return reaction;
    }
  }
  return absl::UnauthenticatedError("the server keeps asking for credentials");
}

absl::StatusOr<rtsp::ClientReaction> RtspReceiver::exchange(const rtsp::Request& request) {
  if (auto st = send(request); !st.ok()) return st;
  while (true) {
    while (!responses_.empty()) {
      rtsp::Response response = std::move(responses_.front());
      responses_.erase(responses_.begin());
      auto reaction = session_.on_response(response);
      if (!reaction.ok()) {
        absl::Status st = reaction.status();
        if (session_.last_status() >= 300) {
          st.SetPayload(kStatusPayload, absl::Cord(std::to_string(session_.last_status())));
        }
        return st;
      }
      if (reaction->kind != rtsp::ClientReaction::Kind::Ignored) return reaction;
    }
    if (cancelled_ && cancelled_()) return absl::CancelledError("stopped");
    const int64_t now = base::monotonic_us();
    if (now >= deadline_us_) {
      return absl::DeadlineExceededError(base::cat(request.method, " ", request.uri,
                                                   ": no answer within ",
                                                   options_.open_timeout.count(), " ms"));
    }
    pollfd p{control_.get(), POLLIN, 0};
    const int64_t wait_us = std::min(deadline_us_ - now, kPollSliceUs);
    if (::poll(&p, 1, static_cast<int>(std::max<int64_t>(wait_us / 1000, 1))) > 0) {
      bool got = false;
      if (auto st = read_tcp(&got); !st.ok()) {
        return absl::UnavailableError(
            base::cat(request.method, " ", request.uri, ": ", st.message()));
      }
    }
  }
}

absl::Status RtspReceiver::setup_tracks() {
  const auto& described = session_.tracks();
  for (size_t i = 0; i < described.size(); ++i) {
    if (options_.video_only && (!is_video(described[i].codec) || !tracks_.empty())) continue;
    auto depacketizer =
        TrackDepacketizer::create(i, described[i].codec, described[i].media.clock_rate);
    if (!depacketizer.ok()) continue;
    Track t;
    t.index = i;
    t.depacketizer = *std::move(depacketizer);
    t.reception = reception_for(t);
    tracks_.push_back(std::move(t));
  }
  if (tracks_.empty()) {
    return absl::FailedPreconditionError(base::cat(session_.url(),
                                                   ": no track this receiver can play",
                                                   options_.video_only ? " (video)" : ""));
  }
  for (size_t n = 0; n < tracks_.size(); ++n) {
    Track& t = tracks_[n];
    auto offer = offer_for(t, n);
    if (!offer.ok()) return offer.status();
    auto reaction = exchange_with_auth([&] { return session_.setup(t.index, *offer); });
    if (!reaction.ok()) return reaction.status();
    const auto& answered = session_.tracks()[t.index].transport;
    if (!answered) return absl::InvalidArgumentError("SETUP answered without a Transport");
    if (auto st = apply_answer(t, *answered); !st.ok()) return st;
    active_.push_back(t.index);
  }
  return absl::OkStatus();
}

absl::StatusOr<rtsp::Transport> RtspReceiver::offer_for(Track& track, size_t ordinal) {
  rtsp::Transport offer;
  offer.mode = rtsp::TransportMode::Play;
  switch (options_.lower) {
    case Lower::Tcp:
      offer.lower = rtsp::LowerTransport::Tcp;
      offer.delivery = rtsp::Delivery::Unicast;
      offer.interleaved = rtsp::ChannelPair{static_cast<uint8_t>(2 * ordinal),
                                            static_cast<uint8_t>(2 * ordinal + 1)};
      break;
    case Lower::Udp: {
      auto pair = bind_udp_pair(base::local_host(control_.get()));
      if (!pair.ok()) return pair.status();
      track.udp = std::move(*pair);
      offer.delivery = rtsp::Delivery::Unicast;
      offer.client_ports =
          rtsp::PortPair{track.udp.rtp_port, static_cast<uint16_t>(track.udp.rtp_port + 1)};
      break;
    }
    case Lower::Multicast:
      offer.delivery = rtsp::Delivery::Multicast;
      break;
  }
  return offer;
}

absl::Status RtspReceiver::apply_answer(Track& track, const rtsp::Transport& answer) {
  if (options_.lower == Lower::Tcp) {
    if (answer.lower != rtsp::LowerTransport::Tcp) {
      return absl::FailedPreconditionError("the server answered a UDP transport to a TCP offer");
    }
    const auto channels =
        answer.interleaved.value_or(rtsp::ChannelPair{track.rtp_channel, track.rtcp_channel});
    track.rtp_channel = channels.rtp;
    track.rtcp_channel = channels.rtcp;
    return absl::OkStatus();
  }
  track.reorder = std::make_unique<RtpReorderBuffer>(
      RtpReorderBuffer::kDefaultWindow,
      std::chrono::duration_cast<std::chrono::microseconds>(options_.reorder_hold));
  if (options_.lower == Lower::Multicast) {
    if (!answer.destination || !(answer.ports || answer.client_ports)) {
      return absl::InvalidArgumentError("multicast SETUP answered without destination and port");
    }
    auto joined = join_multicast(*answer.destination,
                                 answer.ports ? answer.ports->rtp : answer.client_ports->rtp);
    if (!joined.ok()) return joined.status();
    track.udp = std::move(*joined);
    return absl::OkStatus();
  }
  track.server_address = answer.source.value_or(peer_address_of(control_.get()));
  if (answer.server_ports) track.server_rtcp_port = answer.server_ports->rtcp;
  return absl::OkStatus();
}

absl::Status RtspReceiver::read_tcp(bool* got_data) {
  char buffer[kReadChunk];
  while (true) {
    const ssize_t n = ::recv(control_.get(), buffer, sizeof buffer, 0);
    if (n > 0) {
      *got_data = true;
      for (auto& item : reader_.feed(std::string_view(buffer, static_cast<size_t>(n)))) {
        if (auto* error = std::get_if<rtsp::ReaderError>(&item)) {
          closed_ = true;
          return absl::DataLossError(
              base::cat("the server broke the RTSP framing: ", error->message));
        }
        on_item(item);
      }
      if (static_cast<size_t>(n) < sizeof buffer) return absl::OkStatus();
      continue;
    }
    if (n == 0) {
      closed_ = true;
      return absl::UnavailableError("the server closed the connection");
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return absl::OkStatus();
    closed_ = true;
    return absl::UnavailableError(base::cat("read: ", std::strerror(errno)));
  }
}

RtspReceiver::Track* RtspReceiver::track_by_channel(uint8_t channel, bool* rtcp) {
  for (Track& t : tracks_) {
    if (t.rtp_channel == channel || t.rtcp_channel == channel) {
      *rtcp = t.rtcp_channel == channel;
      return &t;
    }
  }
  return nullptr;
}

void RtspReceiver::on_item(rtsp::ReaderItem& item) {
  if (auto* frame = std::get_if<rtsp::InterleavedFrame>(&item)) {
    bool rtcp = false;
    Track* t = options_.lower == Lower::Tcp ? track_by_channel(frame->channel, &rtcp) : nullptr;
    if (t == nullptr || rtcp) {
      ++stats_.rtcp_packets;  // RTCP, or a stray channel (cameras send some before PLAY)
      return;
    }
    on_rtp(*t, frame->payload, base::monotonic_us());
  } else if (auto* response = std::get_if<rtsp::Response>(&item)) {
    on_response(std::move(*response));
  }
}

void RtspReceiver::on_response(rtsp::Response response) {
  if (session_.state() != rtsp::ClientState::Playing) {
    responses_.push_back(std::move(response));  // exchange() takes it
    return;
  }
  // While playing: answers to queries are kept for take_answer(); the session sees every answer
  // so that its pending requests stay matched (keep-alives included).
  if (auto cseq = cseq_of(response); cseq && queries_.contains(*cseq)) queries_[*cseq] = response;
  (void)session_.on_response(response);
}

void RtspReceiver::on_rtp(Track& track, std::string_view packet, int64_t now_us) {
  ++stats_.packets;
  stats_.bytes += packet.size();
  if (packet.size() < media::kRtpHeaderSize) {
    if (!track.reorder) deliver(track, packet);  // the depacketizer counts it as an error
    return;
  }
  const FixedFields rtp = fixed_fields(packet);
  if (!track.reception.empty() && rtp.ssrc != track.ssrc) restart_source(track);
  track.ssrc = rtp.ssrc;
  track.reception.on_packet(rtp.sequence, rtp.timestamp, now_us);
  if (!track.reorder) {
    deliver(track, packet);
    return;
  }
  std::vector<std::string> ready;
  track.reorder->push(rtp.sequence, std::string(packet), now_us, ready);
  for (const auto& p : ready) deliver(track, p);
}

// A camera that restarted its encoder sends a new SSRC with unrelated sequence numbers. RFC 3550
// counts per source (6.4.1: "The total number of RTP data packets from source SSRC_n that have
// been lost since the beginning of reception"), and its A.1 re-syncs on a restart ("assume that
// the other side restarted without telling us so just re-sync (i.e., pretend this was the first
// packet)"). So the reception statistics and the reorder window start over for the new source;
// otherwise its packets were dropped as duplicates (sequence numbers behind the old ones) or
// counted as thousands lost (far ahead): receiver_quirks_test UnitsContinueAcrossAnSsrcChange.
// The old source's held packets go out first. (Late stragglers of the old source after the new
// one started would restart again; a restarting encoder leaves no such overlap.)
void RtspReceiver::restart_source(Track& track) {
  track.lost_before += track.reception.lost();
  track.reception = reception_for(track);
  if (!track.reorder) return;
  std::vector<std::string> held;
  track.reorder->restart(held);
  for (const auto& p : held) deliver(track, p);
}

void RtspReceiver::deliver(Track& track, std::string_view packet) {
  std::vector<MediaUnit> units;
  const auto bytes =
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(packet.data()), packet.size());
  if (!track.depacketizer->feed(bytes, base::wall_clock_us(), units).ok()) ++stats_.errors;
  for (auto& u : units) {
    ++stats_.units;
    if (sink_ != nullptr) {
      (*sink_)(std::move(u));
    } else {
      early_units_.push_back(std::move(u));
    }
  }
}

media::RtpReception RtspReceiver::reception_for(const Track& track) const {
  return media::RtpReception(session_.tracks()[track.index].media.clock_rate);
}

void RtspReceiver::read_udp(Track& track, int64_t now_us) {
  char buffer[65536];
  for (int i = 0; i < 256; ++i) {
    const ssize_t n = ::recv(track.udp.rtp.get(), buffer, sizeof buffer, MSG_DONTWAIT);
    if (n <= 0) break;
    on_rtp(track, std::string_view(buffer, static_cast<size_t>(n)), now_us);
  }
  while (::recv(track.udp.rtcp.get(), buffer, sizeof buffer, MSG_DONTWAIT) > 0)
    ++stats_.rtcp_packets;
}

int64_t RtspReceiver::next_timer_us() const {
  int64_t next = std::min(next_keepalive_us_, next_report_us_);
  for (const Track& t : tracks_) {
    if (t.reorder) {
      if (auto due = t.reorder->next_due_us()) next = std::min(next, *due);
    }
  }
  return next;
}

absl::Status RtspReceiver::poll(int64_t until_us, const UnitSink& sink) {
  sink_ = &sink;
  for (auto& u : early_units_) sink(std::move(u));
  early_units_.clear();
  std::vector<pollfd> fds{{control_.get(), POLLIN, 0}};
  for (const Track& t : tracks_) {
    if (t.udp.rtp.valid()) fds.push_back({t.udp.rtp.get(), POLLIN, 0});
    if (t.udp.rtcp.valid()) fds.push_back({t.udp.rtcp.get(), POLLIN, 0});
  }
  const int64_t now = base::monotonic_us();
  const int64_t wake = std::min({until_us, next_timer_us(), now + kPollSliceUs});
  const int n =
      ::poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(0, wake - now) / 1000));
  absl::Status status;
  const int64_t after = base::monotonic_us();
  if (n > 0) {
    bool got = false;
    if (fds[0].revents != 0) status = read_tcp(&got);
    for (Track& t : tracks_) {
      if (t.udp.rtp.valid()) read_udp(t, after);
    }
  }
  std::vector<std::string> ready;
  for (Track& t : tracks_) {
    if (!t.reorder) continue;
    ready.clear();
    t.reorder->flush_due(after, ready);
    for (const auto& p : ready) deliver(t, p);
  }
  if (status.ok()) {
    maybe_keepalive(after);
    maybe_report(after);
  }
  sink_ = nullptr;
  return status;
}

void RtspReceiver::maybe_keepalive(int64_t now_us) {
  if (now_us < next_keepalive_us_) return;
  const int64_t half = std::max<int64_t>(session_.session_timeout().count() * 500'000, 1'000'000);
  next_keepalive_us_ = now_us + half;
  // RFC 2326 10.8: GET_PARAMETER with no body is a keep-alive; servers that do not list it in
  // Public get OPTIONS instead (older cameras).
  ++stats_.keepalives;
  (void)send(session_.supports_get_parameter() ? session_.get_parameter() : session_.options());
}

void RtspReceiver::maybe_report(int64_t now_us) {
  if (now_us < next_report_us_) return;
  next_report_us_ = now_us + options_.receiver_report_interval.count() * 1'000'000;
  for (Track& t : tracks_) {
    if (t.reception.empty()) continue;
    const media::ReportBlock block = t.reception.report(t.ssrc);
    send_rtcp(t, media::make_receiver_report(own_ssrc_, std::span(&block, 1)));
  }
}

void RtspReceiver::send_rtcp(Track& track, const std::vector<uint8_t>& packet) {
  if (options_.lower == Lower::Tcp) {
    // RFC 2326 10.12: '$', channel, 16-bit length, then the packet.
    std::string framed = {'$', static_cast<char>(track.rtcp_channel),
                          static_cast<char>(packet.size() >> 8),
                          static_cast<char>(packet.size() & 0xFF)};
    framed.append(packet.begin(), packet.end());
    (void)send_all(control_.get(), framed, base::monotonic_us() + 1'000'000, cancelled_);
    return;
  }
  if (options_.lower != Lower::Udp || track.server_rtcp_port == 0) return;
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(track.server_rtcp_port);
  if (inet_pton(AF_INET, track.server_address.c_str(), &to.sin_addr) != 1) return;
  (void)::sendto(track.udp.rtcp.get(), packet.data(), packet.size(), MSG_DONTWAIT,
                 reinterpret_cast<const sockaddr*>(&to), sizeof to);
}

absl::StatusOr<int64_t> RtspReceiver::query(std::string_view body) {
  const rtsp::Request request = session_.get_parameter(body);
  const auto cseq = request.cseq();
  if (!cseq) return absl::InternalError("GET_PARAMETER without CSeq");
  queries_[*cseq] = std::nullopt;
  if (auto st = send(request); !st.ok()) return st;
  return *cseq;
}

std::optional<rtsp::Response> RtspReceiver::take_answer(int64_t cseq) {
  auto it = queries_.find(cseq);
  if (it == queries_.end() || !it->second) return std::nullopt;
  std::optional<rtsp::Response> answer = std::move(it->second);
  queries_.erase(it);
  return answer;
}

ReceiverStats RtspReceiver::stats() const {
  ReceiverStats s = stats_;
  for (const Track& t : tracks_) {
    if (t.reorder) {
      s.lost_packets += t.reorder->stats().lost;
      s.reordered += t.reorder->stats().reordered;
    } else {
      s.lost_packets += t.lost_before + t.reception.lost();
    }
  }
  return s;
}

}  // namespace receiver
