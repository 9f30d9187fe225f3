// Ingest: everything that lets publishers push into the origin, started from --ingest_* flags
// (docs/ingest.md): the IngestHub, the RTSP publishing port, and RTMP/SRT listeners for the
// "publish:" stream. Streams with other sources are registered as play-only, so a publisher that
// names one gets 405 instead of 404.
#pragma once

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "origin/ingest_hub.hpp"
#include "origin/listen_ingest.hpp"
#include "origin/origin_flags.hpp"
#include "origin/rtsp_ingest.hpp"
#include "origin/source_factory.hpp"

namespace origin {

struct IngestSettings {
  std::string rtsp;  // host:port or empty
  std::string rtmp;
  std::string srt;
  std::optional<rtsp::AuthConfig> auth;
  PublishRules rules;
  std::chrono::milliseconds timeout{5000};
};

// Validates the flags against the streams. Errors are one line naming the flag.
absl::StatusOr<IngestSettings> ingest_settings(const IngestFlags& flags,
                                               const std::vector<StreamSettings>& streams);

class Ingest {
 public:
  // Registers the streams and starts the listeners the settings name.
  static absl::StatusOr<std::unique_ptr<Ingest>> start(const IngestSettings& settings,
                                                       const std::vector<StreamSettings>& streams);
  ~Ingest();  // stop()

  // The runner's opener for `stream`: the hub for "publish:", open_source otherwise.
  SourceOpener opener_for(const StreamSettings& stream);
  // Ends every publisher's session and stops the listeners.
  void stop();
  IngestHub& hub() { return hub_; }
  uint16_t rtsp_port() const { return rtsp_ ? rtsp_->port() : 0; }

 private:
  IngestHub hub_;
  std::unique_ptr<RtspIngestServer> rtsp_;
  std::vector<std::unique_ptr<ListenIngest>> listeners_;
};

}  // namespace origin
