// IngestHub and the gate around every published session (ingest_hub.hpp).
#include "origin/ingest_hub.hpp"

#include <deque>
#include <thread>

#include "base/clock.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "origin/parameter_sets.hpp"
#include "origin/sdp_tracks.hpp"

namespace origin {
namespace {

std::string describe(const PublisherInfo& info) {
  return base::cat(info.protocol, " from ", info.address);
}

}  // namespace

void PublisherLink::end(std::string reason) {
  std::lock_guard lock(mu_);
  if (ended_.load()) return;
  reason_ = std::move(reason);
  ended_.store(true);
}

void PublisherLink::end_by_publisher(std::string reason) {
  std::lock_guard lock(mu_);
  if (ended_.load()) return;
  reason_ = std::move(reason);
  by_publisher_.store(true);
  ended_.store(true);
}

std::string PublisherLink::reason() const {
  std::lock_guard lock(mu_);
  return reason_;
}

// The publisher's session as the runner reads it: the publisher's limits, the end of the
// session on either side, and the slot released when the runner lets go.
class GatedSource final : public Source {
 public:
  GatedSource(IngestHub& hub, std::string stream, std::shared_ptr<PublisherLink> link,
              std::unique_ptr<Source> inner, PublishLimits limits)
      : hub_(hub),
        stream_(std::move(stream)),
        link_(std::move(link)),
        inner_(std::move(inner)),
        limits_(limits) {}

  ~GatedSource() override {
    link_->end("the stream's session ended");
    hub_.release(stream_, link_.get());
  }

  absl::StatusOr<SourceUnit> read() override {
    // Ended by the publisher: the inner source delivers what it already has, then its end.
    if (link_->ended() && !link_->ended_by_publisher()) {
      return absl::UnavailableError(link_->reason());
    }
    if (!checked_tracks_) {
      checked_tracks_ = true;
      const auto t = inner_->tracks();
      if (!t.empty()) {
        if (auto st = check_size(t[0].width, t[0].height); !st.ok()) return fail(st);
      }
    }
    auto unit = inner_->read();
    if (!unit.ok()) {
      // A takeover or shut-down ends the link first; its reason is the one worth telling.
      if (link_->ended()) return absl::UnavailableError(link_->reason());
      link_->end(std::string(unit.status().message()));
      return unit.status();
    }
    if (auto st = check_bitrate(unit->data->size()); !st.ok()) return fail(st);
    if (unit->track == kVideoTrack) {
      if (auto st = check_sps(*unit->data); !st.ok()) return fail(st);
    }
    return unit;
  }
  std::vector<TrackDesc> tracks() const override {
    auto t = inner_->tracks();
    if (!t.empty() && width_ != 0) {
      t[0].width = width_;
      t[0].height = height_;
    }
    return t;
  }
  bool paced_by_timestamps() const override { return false; }
  uint64_t corrupt_skipped() const override { return inner_->corrupt_skipped(); }
  std::vector<uint8_t> announced_parameter_sets() const override {
    return inner_->announced_parameter_sets();
  }
  const PublisherInfo* publisher() const override { return &link_->info(); }

 private:
  absl::Status fail(const absl::Status& st) {
    LOG_WARN("ingest", "stream ", stream_, ": dropping the publisher (", describe(link_->info()),
             "): ", base::sv(st.message()));
    link_->end(std::string(st.message()));
    return st;
  }

  absl::Status check_size(uint32_t width, uint32_t height) const {
    if ((limits_.max_width != 0 && width > limits_.max_width) ||
        (limits_.max_height != 0 && height > limits_.max_height)) {
      auto limit = [](uint32_t v) { return v == 0 ? std::string("any") : std::to_string(v); };
      return absl::ResourceExhaustedError(base::cat(
          "publisher's picture ", width, "x", height, " exceeds the limit ",
          limit(limits_.max_width), "x", limit(limits_.max_height), " (--ingest_max_size)"));
    }
    return absl::OkStatus();
  }

  // Parses a new SPS in a video unit for the picture size (limits and StreamInfo).
  absl::Status check_sps(const std::vector<uint8_t>& annex_b) {
    const auto codec =
        inner_->tracks().empty() || inner_->tracks()[0].codec != rs::media::CODEC_H265
            ? VideoCodec::H264
            : VideoCodec::H265;
    if (!sets_ || sets_->codec() != codec) sets_.emplace(codec);
    const auto scan = sets_->scan(annex_b);
    if (!scan.changed && width_ != 0) return absl::OkStatus();
    const std::string& sps = sets_->sets().sps;
    if (sps.empty()) return absl::OkStatus();
    const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(sps.data()), sps.size());
    if (auto size = picture_size(
            codec == VideoCodec::H264 ? media::Codec::H264 : media::Codec::H265, bytes)) {
      std::tie(width_, height_) = *size;
    }
    return check_size(width_, height_);
  }

  // Bytes over the last kBitrateWindow, judged once the session is that old.
  absl::Status check_bitrate(size_t bytes) {
    if (limits_.max_bitrate_bps <= 0) return absl::OkStatus();
    const int64_t now = base::monotonic_us();
    const int64_t window_us = std::chrono::microseconds(kBitrateWindow).count();
    if (started_us_ == 0) started_us_ = now;
    window_.push_back({now, bytes});
    window_bytes_ += bytes;
    while (!window_.empty() && window_.front().first < now - window_us) {
      window_bytes_ -= window_.front().second;
      window_.pop_front();
    }
    if (now - started_us_ < window_us) return absl::OkStatus();
    const double bps = static_cast<double>(window_bytes_) * 8e6 / static_cast<double>(window_us);
    if (bps <= static_cast<double>(limits_.max_bitrate_bps)) return absl::OkStatus();
    return absl::ResourceExhaustedError(
        base::cat("publisher's bitrate ", static_cast<int64_t>(bps / 1000), " kb/s over ",
                  kBitrateWindow.count(), " s exceeds the limit ", limits_.max_bitrate_bps / 1000,
                  " kb/s (--ingest_max_bitrate)"));
  }

  IngestHub& hub_;
  std::string stream_;
  std::shared_ptr<PublisherLink> link_;
  std::unique_ptr<Source> inner_;
  PublishLimits limits_;
  bool checked_tracks_ = false;
  std::optional<ParameterSetCache> sets_;
  uint32_t width_ = 0;
  uint32_t height_ = 0;
  int64_t started_us_ = 0;
  std::deque<std::pair<int64_t, size_t>> window_;
  size_t window_bytes_ = 0;
};

void IngestHub::add_stream(const std::string& stream, bool publishable, PublishRules rules) {
  std::lock_guard lock(mu_);
  Slot& slot = slots_[stream];
  slot.publishable = publishable;
  slot.rules = rules;
}

absl::Status IngestHub::check_publishable(std::string_view stream) const {
  std::lock_guard lock(mu_);
  auto it = slots_.find(stream);
  if (it == slots_.end()) {
    return absl::NotFoundError(base::cat("no stream '", stream, "' at this origin"));
  }
  if (!it->second.publishable) {
    return absl::UnimplementedError(
        base::cat("stream '", stream, "' is play-only (its source is not publish:)"));
  }
  return absl::OkStatus();
}

absl::Status IngestHub::offer(std::string_view stream, std::shared_ptr<PublisherLink> link,
                              std::unique_ptr<Source> source) {
  if (auto st = check_publishable(stream); !st.ok()) return st;
  std::shared_ptr<PublisherLink> replaced;
  std::unique_ptr<Source> dropped;  // destroyed outside the lock (its gate releases the slot)
  {
    std::lock_guard lock(mu_);
    if (shut_down_) return absl::CancelledError("the origin is stopping");
    Slot& slot = slots_.find(stream)->second;
    if (slot.active && !slot.active->ended()) {
      if (!slot.rules.takeover) {
        return absl::AlreadyExistsError(base::cat("stream '", stream, "' already has a publisher (",
                                                  describe(slot.active->info()),
                                                  "); one publisher per stream"));
      }
      replaced = slot.active;
    }
    slot.active = link;
    dropped = std::move(slot.pending);
    slot.pending = std::make_unique<GatedSource>(*this, std::string(stream), link,
                                                 std::move(source), slot.rules.limits);
  }
  if (replaced) {
    LOG_INFO("ingest", "stream ", stream, ": ", describe(link->info()), " takes over from ",
             describe(replaced->info()));
    replaced->end(base::cat("taken over by ", describe(link->info())));
  }
  offered_.notify_all();
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Source>> IngestHub::wait(std::string_view stream,
                                                        const std::atomic<bool>& stop,
                                                        std::chrono::milliseconds patience) {
  const auto until = std::chrono::steady_clock::now() + patience;
  std::unique_lock lock(mu_);
  auto it = slots_.find(stream);
  if (it == slots_.end()) return absl::NotFoundError(base::cat("no stream '", stream, "'"));
  Slot& slot = it->second;
  while (!slot.pending) {
    if (stop.load() || shut_down_) return absl::CancelledError("stopped");
    if (std::chrono::steady_clock::now() >= until) {
      return absl::UnavailableError("waiting for a publisher");
    }
    offered_.wait_for(lock, std::chrono::milliseconds(50));
  }
  return std::unique_ptr<Source>(std::move(slot.pending));
}

void IngestHub::release(const std::string& stream, const PublisherLink* link) {
  std::lock_guard lock(mu_);
  auto it = slots_.find(stream);
  if (it != slots_.end() && it->second.active.get() == link) it->second.active.reset();
}

std::optional<PublisherInfo> IngestHub::publisher(std::string_view stream) const {
  std::lock_guard lock(mu_);
  auto it = slots_.find(stream);
  if (it == slots_.end() || !it->second.active) return std::nullopt;
  return it->second.active->info();
}

void IngestHub::shut_down() {
  std::vector<std::unique_ptr<Source>> pending;
  {
    std::lock_guard lock(mu_);
    shut_down_ = true;
    for (auto& [name, slot] : slots_) {
      if (slot.active) slot.active->end("the origin is stopping");
      if (slot.pending) pending.push_back(std::move(slot.pending));
    }
  }
  offered_.notify_all();
  // Destroyed outside the lock: a gate's destructor releases its slot.
}

SourceOpener publish_opener(IngestHub& hub) {
  return [&hub](const StreamSettings& settings, const std::atomic<bool>& stop) {
    return hub.wait(settings.stream, stop, kPublisherWaitSlice);
  };
}

}  // namespace origin
