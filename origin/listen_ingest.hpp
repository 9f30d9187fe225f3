// ListenIngest: RTMP and SRT publishers (OBS, hardware encoders, ffmpeg -f flv / -f mpegts) for
// one "publish:" stream, through libavformat's listeners (--ingest_rtmp, --ingest_srt). One
// thread per listener: it waits for a publisher, probes it, offers its session to the IngestHub
// and, once that session is over, listens again. H.264/H.265 and AAC pass through untouched.
// libavformat's listeners take one connection per port and do not tell us the RTMP path or SRT
// stream id, so one listener serves one stream (docs/ingest.md).
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "origin/ingest_hub.hpp"
#include "origin/stream_settings.hpp"

namespace origin {

struct ListenIngestOptions {
  std::string protocol;   // "rtmp" or "srt"
  std::string listen;     // host:port
  StreamSettings stream;  // the stream it feeds; read_timeout is the stall timeout
};

class ListenIngest {
 public:
  ListenIngest(ListenIngestOptions options, IngestHub& hub);
  ~ListenIngest();  // stops: ends the current publisher's session and joins

  // The URL libavformat listens on ("rtmp://0.0.0.0:1935/live/cam1", "srt://...?mode=listener").
  static std::string listen_url(const std::string& protocol, const std::string& listen,
                                const std::string& stream);

 private:
  void run();

  ListenIngestOptions options_;
  IngestHub& hub_;
  std::atomic<bool> stop_{false};
  std::shared_ptr<PublisherLink> current_;
  std::mutex mu_;  // guards current_
  std::thread thread_;
};

}  // namespace origin
