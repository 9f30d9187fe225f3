// The origin's RTSP publishing port (rtsp_ingest.hpp).
#include "origin/rtsp_ingest.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <list>
#include <random>

#include "absl/strings/str_cat.h"
#include "base/clock.hpp"
#include "base/endpoint.hpp"
#include "base/log.hpp"
#include "base/socket_address.hpp"
#include "base/strings.hpp"
#include "origin/push_source.hpp"
#include "origin/sdp_tracks.hpp"
#include "receiver/sockets.hpp"
#include "receiver/track_depacketizer.hpp"
#include "rtsp/message_reader.hpp"
#include "rtsp/server_session.hpp"

namespace origin {
namespace {

constexpr int kPollMs = 50;
constexpr size_t kReadChunk = 64 * 1024;
constexpr int kUdpBurst = 64;  // datagrams read per socket per wake-up

std::string random_hex(std::mt19937_64& rng) {
  return absl::StrCat(absl::Hex(rng()));
}

}  // namespace

// One publisher's control connection, its RTSP session and its media.
class RtspIngestServer::Connection final : public rtsp::ServerSessionHost {
 public:
  Connection(RtspIngestServer& server, int fd, std::string peer, std::string peer_host,
             std::string session_id, rtsp::Authenticator* auth)
      : server_(server),
        fd_(fd),
        peer_(std::move(peer)),
        peer_host_(std::move(peer_host)),
        auth_(auth),
        reader_(rtsp::MessageReader::Kind::Requests),
        session_(*this, std::move(session_id), kIngestSessionTimeout),
        opened_us_(base::monotonic_us()) {}

  ~Connection() override {
    finish("the connection closed");
    for (const Media& m : media_) {
      if (!m.depacketizer) continue;
      const auto& st = m.depacketizer->stats();
      LOG_INFO("ingest", "publisher ", peer_, " track ", m.track, ": ", st.packets, " packets, ",
               st.units, " units, ", st.errors, " malformed, ", st.dropped_units,
               " dropped after loss");
    }
  }

  int fd() const { return fd_.get(); }
  const std::string& peer() const { return peer_; }
  bool closing() const { return closing_; }

  // poll() entries: the control socket, then each UDP socket.
  void add_polls(std::vector<pollfd>& polls) const {
    polls.push_back({fd_.get(), static_cast<short>(POLLIN | (out_.empty() ? 0 : POLLOUT)), 0});
    for (const auto& m : media_) {
      if (!m.udp) continue;
      polls.push_back({m.udp->rtp.get(), POLLIN, 0});
      polls.push_back({m.udp->rtcp.get(), POLLIN, 0});
    }
  }

  // Handles the events of the entries add_polls() made, starting at `polls[i]`; advances `i`.
  void on_events(const std::vector<pollfd>& polls, size_t& i) {
    const pollfd control = polls[i++];
    for (auto& m : media_) {
      if (!m.udp) continue;
      if (polls[i].revents & POLLIN) read_udp(m, m.udp->rtp.get(), true);
      if (polls[i + 1].revents & POLLIN) read_udp(m, m.udp->rtcp.get(), false);
      i += 2;
    }
    if (control.revents & (POLLIN | POLLHUP | POLLERR)) read_control();
    if (control.revents & POLLOUT) flush();
  }

  // Closes on the session's end (stall, limit, takeover, stop) and on idle connections.
  void check(int64_t now_us) {
    if (closing_) return;
    if (link_ && link_->ended()) {
      LOG_INFO("ingest", "stream ", stream_, ": closing the publisher ", peer_, ": ",
               link_->reason());
      close_now();
      return;
    }
    if (!link_ && now_us - opened_us_ > std::chrono::microseconds(kIngestAnnounceTimeout).count()) {
      LOG_INFO("ingest", "closing ", peer_, ": no stream announced within ",
               kIngestAnnounceTimeout.count(), " s");
      close_now();
    }
  }

  // ---- rtsp::ServerSessionHost ----
  std::string_view public_methods() const override { return rtsp::kRecordMethods; }
  std::string allowed_methods(std::string_view stream) const override {
    return server_.hub_.check_publishable(stream).ok() ? std::string(rtsp::kRecordMethods)
                                                       : std::string("OPTIONS");
  }
  absl::StatusOr<std::string> describe(std::string_view /*stream*/) override {
    return absl::UnimplementedError("this port takes publishers; play the stream at an edge");
  }
  absl::StatusOr<rtsp::Transport> setup(std::string_view /*stream*/, uint32_t /*track*/,
                                        const std::vector<rtsp::Transport>& /*offered*/) override {
    return absl::UnimplementedError("this port takes publishers (ANNOUNCE first)");
  }
  absl::StatusOr<std::vector<rtsp::PlayStart>> play() override {
    return absl::FailedPreconditionError("this port takes publishers");
  }
  void pause() override {}
  void teardown() override { finish("the publisher sent TEARDOWN"); }
  std::optional<Denial> authorize(const rtsp::Request& request, std::string_view stream) override;
  absl::Status announce(std::string_view stream, const media::SdpDescription& sdp,
                        std::string_view peer_sdp) override;
  absl::StatusOr<rtsp::Transport> setup_record(
      size_t index, const std::vector<rtsp::Transport>& offered) override;
  absl::Status record() override;

 private:
  struct Media {
    std::unique_ptr<receiver::TrackDepacketizer> depacketizer;  // null: not published
    uint32_t track = kVideoTrack;                               // ours: 0 video, 1 audio
    std::optional<rtsp::ChannelPair> channels;                  // TCP interleaved
    std::optional<receiver::UdpPair> udp;
    bool set_up = false;
  };

  void read_control();
  void handle(const rtsp::Request& request);
  void on_interleaved(const rtsp::InterleavedFrame& frame);
  void read_udp(Media& m, int fd, bool rtp);
  void deliver(Media& m, std::span<const uint8_t> packet);
  void send(std::string bytes);
  void close_now() { closing_ = true; }

 public:
  void flush();

 private:
  // Ends the publisher's session (the runner sees `reason`).
  void finish(const std::string& reason) {
    if (queue_) queue_->close(reason);
    if (link_) link_->end_by_publisher(reason);
  }

  RtspIngestServer& server_;
  receiver::Fd fd_;
  std::string peer_;       // host:port
  std::string peer_host_;  // UDP media must come from here
  rtsp::Authenticator* auth_;
  rtsp::MessageReader reader_;
  rtsp::ServerSession session_;
  int64_t opened_us_;
  std::string out_;
  bool closing_ = false;
  bool recording_ = false;
  std::string stream_;
  std::vector<Media> media_;
  std::shared_ptr<PushQueue> queue_;
  std::shared_ptr<PublisherLink> link_;
  std::vector<receiver::MediaUnit> units_;  // scratch
  uint64_t stray_frames_ = 0;               // interleaved data on channels nobody set up
};

std::optional<rtsp::ServerSessionHost::Denial> RtspIngestServer::Connection::authorize(
    const rtsp::Request& request, std::string_view stream) {
  if (auth_ == nullptr) return std::nullopt;
  const std::string& m = request.method;
  if (m != "ANNOUNCE" && m != "SETUP" && m != "RECORD") return std::nullopt;
  const auto decision =
      auth_->check(request, stream, peer_host_, base::monotonic_us(), rtsp::Permission::Publish);
  if (decision.allowed) return std::nullopt;
  LOG_INFO("ingest", "publisher ", peer_, " refused for '", stream, "': ", decision.reason);
  return Denial{decision.status, decision.www_authenticate, decision.reason};
}

absl::Status RtspIngestServer::Connection::announce(std::string_view stream,
                                                    const media::SdpDescription& sdp,
                                                    std::string_view /*peer_sdp*/) {
  if (auto st = server_.hub_.check_publishable(stream); !st.ok()) return st;
  std::vector<std::pair<size_t, const media::SdpMedia*>> usable;
  for (size_t i = 0; i < sdp.media.size(); ++i) usable.emplace_back(i, &sdp.media[i]);
  SdpTracks mapped = map_sdp_tracks(usable);
  if (!mapped.video) {
    return absl::InvalidArgumentError(
        "the SDP announces no H.264 or H.265 video (publish H.264/H.265, with AAC, Opus or G.711 "
        "audio)");
  }
  media_.clear();
  media_.resize(sdp.media.size());
  for (auto [index, track] : {std::pair{mapped.video, kVideoTrack}, {mapped.audio, kAudioTrack}}) {
    if (!index) continue;
    const media::SdpMedia& m = sdp.media[*index];
    auto depacketizer =
        receiver::TrackDepacketizer::create(*index, media::codec_of(m), m.clock_rate);
    if (!depacketizer.ok()) return absl::InvalidArgumentError(depacketizer.status().message());
    media_[*index].depacketizer = *std::move(depacketizer);
    media_[*index].track = track;
  }
  PublisherInfo info{.protocol = "rtsp", .address = peer_, .since_us = base::wall_clock_us()};
  auto link = std::make_shared<PublisherLink>(info);
  auto queue = std::make_shared<PushQueue>();
  auto source =
      std::make_unique<PushSource>(queue, link, std::move(mapped.tracks),
                                   std::move(mapped.announced), server_.options_.stall_timeout);
  if (auto st = server_.hub_.offer(stream, link, std::move(source)); !st.ok()) {
    LOG_INFO("ingest", "publisher ", peer_, " refused for '", stream,
             "': ", base::sv(st.message()));
    return st;
  }
  stream_ = std::string(stream);
  link_ = std::move(link);
  queue_ = std::move(queue);
  LOG_INFO("ingest", "stream ", stream_, ": publisher ", peer_, " announced ", sdp.media.size(),
           " media");
  return absl::OkStatus();
}

absl::StatusOr<rtsp::Transport> RtspIngestServer::Connection::setup_record(
    size_t index, const std::vector<rtsp::Transport>& offered) {
  Media& m = media_.at(index);
  for (const rtsp::Transport& t : offered) {
    rtsp::Transport answer = t;
    answer.mode = rtsp::TransportMode::Record;
    if (t.lower == rtsp::LowerTransport::Tcp) {
      rtsp::ChannelPair channels = t.interleaved.value_or(
          rtsp::ChannelPair{static_cast<uint8_t>(2 * index), static_cast<uint8_t>(2 * index + 1)});
      for (const Media& other : media_) {
        if (other.channels &&
            (other.channels->rtp == channels.rtp || other.channels->rtcp == channels.rtp)) {
          return absl::InvalidArgumentError("interleaved channel already in use");
        }
      }
      m.channels = channels;
      answer.interleaved = channels;
      m.set_up = true;
      return answer;
    }
    if (t.lower == rtsp::LowerTransport::Udp && t.delivery != rtsp::Delivery::Multicast &&
        t.client_ports) {
      auto pair = receiver::bind_udp_pair(base::local_host(fd_.get()));
      if (!pair.ok()) return absl::ResourceExhaustedError(pair.status().message());
      answer.server_ports =
          rtsp::PortPair{pair->rtp_port, static_cast<uint16_t>(pair->rtp_port + 1)};
      answer.destination.reset();
      m.udp = *std::move(pair);
      m.set_up = true;
      return answer;
    }
  }
  return absl::UnimplementedError(
      "want RTP/AVP/TCP;interleaved=N-M or RTP/AVP;unicast;client_port=N-M, with mode=record");
}

absl::Status RtspIngestServer::Connection::record() {
  recording_ = true;
  LOG_INFO("ingest", "stream ", stream_, ": publisher ", peer_, " recording");
  return absl::OkStatus();
}

void RtspIngestServer::Connection::read_control() {
  char buffer[kReadChunk];
  while (!closing_) {
    const ssize_t n = ::recv(fd_.get(), buffer, sizeof buffer, 0);
    if (n == 0) {
      finish("the publisher disconnected");
      close_now();
      return;
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      finish(base::cat("the publisher's connection failed: ", std::strerror(errno)));
      close_now();
      return;
    }
    for (auto& item : reader_.feed(std::string_view(buffer, static_cast<size_t>(n)))) {
      if (auto* request = std::get_if<rtsp::Request>(&item)) {
        handle(*request);
      } else if (auto* frame = std::get_if<rtsp::InterleavedFrame>(&item)) {
        on_interleaved(*frame);
      } else if (auto* error = std::get_if<rtsp::ReaderError>(&item)) {
        LOG_INFO("ingest", "closing ", peer_, ": ", error->message);
        if (error->status != 0) {
          rtsp::Response response;
          response.status = error->status;
          response.headers.set("Server", rtsp::kServerName);
          send(response.serialize());
        }
        finish(base::cat("the publisher sent a malformed message: ", error->message));
        close_now();
        return;
      }
      // Responses from a publisher (to nothing we asked) are ignored.
      if (closing_) return;
    }
  }
}

void RtspIngestServer::Connection::handle(const rtsp::Request& request) {
  rtsp::Outcome outcome = session_.handle(request);
  send(outcome.response.serialize());
  if (outcome.close) {
    finish("closed after an error");
    close_now();
  }
}

void RtspIngestServer::Connection::on_interleaved(const rtsp::InterleavedFrame& frame) {
  for (Media& m : media_) {
    if (!m.channels) continue;
    if (frame.channel == m.channels->rtcp) return;  // sender reports: not needed
    if (frame.channel == m.channels->rtp) {
      if (recording_)
        deliver(m, {reinterpret_cast<const uint8_t*>(frame.payload.data()), frame.payload.size()});
      return;
    }
  }
  if (stray_frames_++ == 0) {
    LOG_WARN("ingest", "publisher ", peer_, ": interleaved data on channel ",
             static_cast<int>(frame.channel), ", which no SETUP gave; ignored");
  }
}

void RtspIngestServer::Connection::read_udp(Media& m, int fd, bool rtp) {
  uint8_t buffer[65536];
  for (int i = 0; i < kUdpBurst; ++i) {
    sockaddr_storage from{};
    socklen_t from_len = sizeof from;
    const ssize_t n =
        ::recvfrom(fd, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < 0) return;
    // Only the publisher may feed its session (no injection from other hosts).
    if (!rtp || !recording_ || base::address_host(from) != peer_host_) continue;
    deliver(m, {buffer, static_cast<size_t>(n)});
    if (closing_) return;
  }
}

void RtspIngestServer::Connection::deliver(Media& m, std::span<const uint8_t> packet) {
  if (!m.depacketizer || closing_) return;
  units_.clear();
  (void)m.depacketizer->feed(packet, base::wall_clock_us(), units_);  // errors are counted
  for (auto& unit : units_) {
    if (!queue_->push(source_unit_of(std::move(unit), m.track))) {
      finish("the origin is not keeping up with the publisher (queue full)");
      close_now();
      return;
    }
  }
}

void RtspIngestServer::Connection::send(std::string bytes) {
  out_ += bytes;
  flush();
}

void RtspIngestServer::Connection::flush() {
  while (!out_.empty()) {
    const ssize_t n = ::send(fd_.get(), out_.data(), out_.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) {
        finish("the publisher's connection failed");
        close_now();
      }
      return;
    }
    out_.erase(0, static_cast<size_t>(n));
  }
}

RtspIngestServer::RtspIngestServer(RtspIngestOptions options, IngestHub& hub)
    : options_(std::move(options)), hub_(hub) {}

absl::StatusOr<std::unique_ptr<RtspIngestServer>> RtspIngestServer::start(RtspIngestOptions options,
                                                                          IngestHub& hub) {
  auto where = base::parse_host_port(options.listen, /*allow_zero=*/true);
  if (!where.ok()) return where.status();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
  addrinfo* found = nullptr;
  if (const int rc =
          getaddrinfo(where->host.c_str(), std::to_string(where->port).c_str(), &hints, &found);
      rc != 0) {
    return absl::InvalidArgumentError(
        base::cat("--ingest_rtsp: bad address '", options.listen, "': ", gai_strerror(rc)));
  }
  const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  const int one = 1;
  if (fd >= 0) ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const bool ok =
      fd >= 0 && ::bind(fd, found->ai_addr, found->ai_addrlen) == 0 && ::listen(fd, 128) == 0;
  const int err = errno;
  freeaddrinfo(found);
  if (!ok) {
    if (fd >= 0) ::close(fd);
    return absl::UnavailableError(
        base::cat("--ingest_rtsp: cannot listen on ", options.listen, ": ", std::strerror(err)));
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  std::unique_ptr<RtspIngestServer> server(new RtspIngestServer(std::move(options), hub));
  server->listen_fd_ = fd;
  server->port_ = bound.ss_family == AF_INET6
                      ? ntohs(reinterpret_cast<sockaddr_in6&>(bound).sin6_port)
                      : ntohs(reinterpret_cast<sockaddr_in&>(bound).sin_port);
  server->thread_ = std::thread([s = server.get()] { s->run(); });
  LOG_INFO("ingest", "RTSP publishers: rtsp://", server->options_.listen, "/<stream>");
  return server;
}

RtspIngestServer::~RtspIngestServer() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void RtspIngestServer::run() {
  std::mt19937_64 rng(std::random_device{}());
  std::optional<rtsp::Authenticator> auth;
  if (options_.auth) auth.emplace(*options_.auth, random_hex(rng) + random_hex(rng));
  std::list<std::unique_ptr<Connection>> connections;
  std::vector<pollfd> polls;
  while (!stop_.load()) {
    polls.clear();
    polls.push_back({listen_fd_, POLLIN, 0});
    for (const auto& c : connections) c->add_polls(polls);
    const int ready = ::poll(polls.data(), polls.size(), kPollMs);
    if (ready < 0 && errno != EINTR) {
      LOG_ERROR("ingest", "poll failed: ", std::strerror(errno));
      break;
    }
    size_t i = 1;
    for (auto& c : connections) c->on_events(polls, i);
    if (polls[0].revents & POLLIN) {
      for (int n = 0; n < 16; ++n) {
        sockaddr_storage peer{};
        socklen_t len = sizeof peer;
        const int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &len,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) break;
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connections.size() >= kMaxIngestConnections) {
          static constexpr std::string_view kBusy =
              "RTSP/1.0 503 Service Unavailable\r\nServer: rtsp-streamer\r\n\r\n";
          (void)::send(fd, kBusy.data(), kBusy.size(), MSG_NOSIGNAL);
          ::close(fd);
          continue;
        }
        connections.push_back(std::make_unique<Connection>(
            *this, fd, base::address_text(peer), base::address_host(peer), random_hex(rng),
            auth ? &*auth : nullptr));
      }
    }
    const int64_t now = base::monotonic_us();
    for (auto it = connections.begin(); it != connections.end();) {
      (*it)->check(now);
      if ((*it)->closing()) {
        (*it)->flush();  // a last error response, if the socket takes it now
        it = connections.erase(it);
      } else {
        ++it;
      }
    }
  }
}

}  // namespace origin
