// RTMP and SRT publishers through libavformat's listeners (listen_ingest.hpp).
#include "origin/listen_ingest.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <cstdlib>

#include "base/clock.hpp"
#include "base/endpoint.hpp"
#include "base/log.hpp"
#include "base/socket_address.hpp"
#include "base/strings.hpp"
#include "origin/av_source.hpp"

namespace origin {
namespace {

// After a failed open (a publisher that connected and sent garbage), before listening again.
constexpr std::chrono::milliseconds kRelistenDelay{200};

// The peer of our connected TCP socket on local port `port` (libavformat does not say who
// connected): "host:port", or "" when none is found.
std::string tcp_peer_on_port(uint16_t port) {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return {};
  std::string found;
  while (dirent* entry = readdir(dir)) {
    const int fd = std::atoi(entry->d_name);
    if (fd <= 2) continue;
    sockaddr_storage local{}, peer{};
    socklen_t ll = sizeof local, pl = sizeof peer;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &ll) != 0) continue;
    if (base::address_port(local) != port) continue;
    if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &pl) != 0) continue;
    found = base::address_text(peer);
    break;
  }
  closedir(dir);
  return found;
}

}  // namespace

std::string ListenIngest::listen_url(const std::string& protocol, const std::string& listen,
                                     const std::string& stream) {
  auto where = base::parse_host_port(listen);
  const std::string host = where.ok() ? where->host : "0.0.0.0";
  const std::string hostport = where.ok() && host.find(':') != std::string::npos
                                   ? base::cat("[", host, "]:", where->port)
                                   : base::cat(host, ":", where.ok() ? where->port : 0);
  if (protocol == "srt") return base::cat("srt://", hostport, "?mode=listener");
  return base::cat("rtmp://", hostport, "/live/", stream);
}

ListenIngest::ListenIngest(ListenIngestOptions options, IngestHub& hub)
    : options_(std::move(options)), hub_(hub) {
  options_.stream.source = listen_url(options_.protocol, options_.listen, options_.stream.stream);
  options_.stream.source_url =
      SourceUrl{.kind = SourceKind::Network, .location = options_.stream.source};
  options_.stream.listen = true;
  options_.stream.transcode = false;
  thread_ = std::thread([this] { run(); });
}

ListenIngest::~ListenIngest() {
  stop_.store(true);
  {
    std::lock_guard lock(mu_);
    if (current_) current_->end("the origin is stopping");
  }
  if (thread_.joinable()) thread_.join();
}

void ListenIngest::run() {
  const auto where = base::parse_host_port(options_.listen);
  const uint16_t port = where.ok() ? where->port : 0;
  LOG_INFO("ingest", "stream ", options_.stream.stream, ": ", options_.protocol,
           " publishers: ", options_.stream.source);
  while (!stop_.load()) {
    // SRT: libsrt's peer is not visible through libavformat; the listener is named instead.
    auto link = std::make_shared<PublisherLink>(PublisherInfo{
        .protocol = options_.protocol, .address = base::cat("via listener ", options_.listen)});
    {
      std::lock_guard lock(mu_);
      if (stop_.load()) break;
      current_ = link;
    }
    // The link's flag interrupts the wait (stopping) and later the runner's reads (the session
    // ended on either side).
    auto source = AvSource::open(options_.stream, link->ended_flag());
    if (stop_.load()) break;
    if (!source.ok()) {
      LOG_WARN("ingest", "stream ", options_.stream.stream, ": ", options_.protocol,
               " publisher failed: ", base::sv(source.status().message()));
      std::this_thread::sleep_for(kRelistenDelay);
      continue;
    }
    if (options_.protocol == "rtmp") {
      if (std::string peer = tcp_peer_on_port(port); !peer.empty()) link->set_address(peer);
    }
    link->set_since(base::wall_clock_us());
    if (auto st = hub_.offer(options_.stream.stream, link, *std::move(source)); !st.ok()) {
      LOG_WARN("ingest", "stream ", options_.stream.stream, ": ", options_.protocol, " publisher ",
               link->info().address, " refused: ", base::sv(st.message()));
      link->end(std::string(st.message()));
      continue;  // the source (and its connection) is gone with the refused offer
    }
    LOG_INFO("ingest", "stream ", options_.stream.stream, ": ", options_.protocol, " publisher ",
             link->info().address, " connected");
    while (!link->ended() && !stop_.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    LOG_INFO("ingest", "stream ", options_.stream.stream, ": ", options_.protocol, " publisher ",
             link->info().address, " gone: ", link->reason());
  }
}

}  // namespace origin
