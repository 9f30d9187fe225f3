// RtspIngestServer: the origin's RTSP publishing port (--ingest_rtsp). Publishers (ffmpeg -f
// rtsp, GStreamer rtspclientsink, cameras that push) ANNOUNCE an SDP for a stream whose source is
// "publish:", SETUP each media with mode=record over TCP interleaved or UDP, RECORD and send RTP.
// The RTSP side is our sans-I/O rtsp::ServerSession; the media side the receiver's
// TrackDepacketizer, which completes access units on the marker bit so nothing waits a frame.
// Units go byte for byte to the stream's runner through the IngestHub (docs/ingest.md).
// One thread runs every publisher connection (poll).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "origin/ingest_hub.hpp"
#include "rtsp/auth.hpp"

namespace origin {

// Publisher connections at once; more are answered 503 and closed.
inline constexpr size_t kMaxIngestConnections = 64;
// A connection that has not announced a stream within this is closed (idle or slow clients).
inline constexpr std::chrono::seconds kIngestAnnounceTimeout{10};
// RTSP session timeout announced to publishers (Session: id;timeout=N): the control connection
// of a UDP publisher must show life (any request) this often.
inline constexpr std::chrono::seconds kIngestSessionTimeout{60};

struct RtspIngestOptions {
  std::string listen = "0.0.0.0:8654";            // host:port; port 0 picks one
  std::optional<rtsp::AuthConfig> auth;           // "publish" lines name who may publish what
  std::chrono::milliseconds stall_timeout{5000};  // a publisher silent this long is dropped
};

class RtspIngestServer {
 public:
  // Binds and starts the thread. Errors: the address in use or unusable, in words.
  static absl::StatusOr<std::unique_ptr<RtspIngestServer>> start(RtspIngestOptions options,
                                                                 IngestHub& hub);
  ~RtspIngestServer();  // stops the thread and closes every connection

  uint16_t port() const { return port_; }

 private:
  class Connection;
  RtspIngestServer(RtspIngestOptions options, IngestHub& hub);
  void run();

  RtspIngestOptions options_;
  IngestHub& hub_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace origin
