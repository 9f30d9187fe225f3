// Publishers into the origin, started from flags (ingest.hpp).
#include "origin/ingest.hpp"

#include <fstream>
#include <sstream>

#include "absl/time/time.h"
#include "base/endpoint.hpp"
#include "base/strings.hpp"

namespace origin {
namespace {

absl::Status flag_error(std::string_view flag, absl::string_view why) {
  return absl::InvalidArgumentError(base::cat("--", flag, ": ", why));
}

}  // namespace

absl::StatusOr<IngestSettings> ingest_settings(const IngestFlags& flags,
                                               const std::vector<StreamSettings>& streams) {
  IngestSettings out{.rtsp = flags.rtsp, .rtmp = flags.rtmp, .srt = flags.srt};
  for (const auto& [flag, value] :
       {std::pair<std::string_view, const std::string&>{"ingest_rtsp", flags.rtsp},
        {"ingest_rtmp", flags.rtmp},
        {"ingest_srt", flags.srt}}) {
    if (value.empty()) continue;
    if (auto where = base::parse_host_port(value, flag == "ingest_rtsp"); !where.ok()) {
      return flag_error(flag, where.status().message());
    }
  }
  size_t pushed = 0;
  for (const auto& s : streams) pushed += s.source_url.kind == SourceKind::Publish ? 1 : 0;
  const bool any_listener = !out.rtsp.empty() || !out.rtmp.empty() || !out.srt.empty();
  if (pushed > 0 && !any_listener) {
    return flag_error("source", "publish: needs --ingest_rtsp, --ingest_rtmp or --ingest_srt");
  }
  for (const auto& [flag, value] :
       {std::pair<std::string_view, const std::string&>{"ingest_rtmp", flags.rtmp},
        {"ingest_srt", flags.srt}}) {
    if (value.empty() || pushed == 1) continue;
    return flag_error(flag, base::cat("takes the one stream whose source is publish:, and ", pushed,
                                      " streams have it (one listener per stream: use "
                                      "--ingest_rtsp for several)"));
  }
  if (!flags.auth_file.empty()) {
    std::ifstream file(flags.auth_file);
    if (!file) return flag_error("ingest_auth_file", base::cat("cannot read ", flags.auth_file));
    std::stringstream text;
    text << file.rdbuf();
    auto auth = rtsp::AuthConfig::parse(text.str(), flags.auth_file);
    if (!auth.ok()) return flag_error("ingest_auth_file", auth.status().message());
    out.auth = *std::move(auth);
  }
  out.rules.takeover = flags.takeover;
  if (flags.max_bitrate != "0") {
    auto bitrate = parse_bitrate(flags.max_bitrate);
    if (!bitrate.ok()) return flag_error("ingest_max_bitrate", bitrate.status().message());
    out.rules.limits.max_bitrate_bps = *bitrate;
  }
  auto size = parse_video_size(flags.max_size);
  if (!size.ok()) return flag_error("ingest_max_size", size.status().message());
  out.rules.limits.max_width = static_cast<uint32_t>(size->width);
  out.rules.limits.max_height = static_cast<uint32_t>(size->height);
  absl::Duration timeout;
  if (!absl::ParseDuration(flags.timeout, &timeout) || timeout < absl::Milliseconds(500) ||
      timeout > absl::Minutes(10)) {
    return flag_error("ingest_timeout",
                      base::cat("bad duration '", flags.timeout, "' (want 0.5s..10m, e.g. 5s)"));
  }
  out.timeout = std::chrono::milliseconds(absl::ToInt64Milliseconds(timeout));
  return out;
}

absl::StatusOr<std::unique_ptr<Ingest>> Ingest::start(const IngestSettings& settings,
                                                      const std::vector<StreamSettings>& streams) {
  auto ingest = std::make_unique<Ingest>();
  const StreamSettings* pushed = nullptr;
  for (const auto& s : streams) {
    const bool publishable = s.source_url.kind == SourceKind::Publish;
    if (publishable) pushed = &s;
    ingest->hub_.add_stream(s.stream, publishable, settings.rules);
  }
  if (!settings.rtsp.empty()) {
    auto server = RtspIngestServer::start(
        {.listen = settings.rtsp, .auth = settings.auth, .stall_timeout = settings.timeout},
        ingest->hub_);
    if (!server.ok()) return server.status();
    ingest->rtsp_ = *std::move(server);
  }
  for (const auto& [protocol, listen] :
       {std::pair<std::string, std::string>{"rtmp", settings.rtmp}, {"srt", settings.srt}}) {
    if (listen.empty() || pushed == nullptr) continue;
    StreamSettings stream = *pushed;
    stream.read_timeout = settings.timeout;
    ingest->listeners_.push_back(std::make_unique<ListenIngest>(
        ListenIngestOptions{.protocol = protocol, .listen = listen, .stream = stream},
        ingest->hub_));
  }
  return ingest;
}

Ingest::~Ingest() {
  stop();
}

void Ingest::stop() {
  hub_.shut_down();
  listeners_.clear();
  rtsp_.reset();
}

SourceOpener Ingest::opener_for(const StreamSettings& stream) {
  if (stream.source_url.kind == SourceKind::Publish) return publish_opener(hub_);
  return open_source;
}

}  // namespace origin
