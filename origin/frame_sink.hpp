// FrameSink: where stream runners hand their frames and stream descriptions. Any thread may call
// it; it never blocks for long (the ZeroMQ sends are non-blocking).
#pragma once

#include <memory>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "base/log.hpp"
#include "proto/media.pb.h"
#include "relay/frame_publisher.hpp"
#include "relay/publisher_thread.hpp"

namespace origin {

class FrameSink {
 public:
  virtual ~FrameSink() = default;
  virtual void publish(rs::media::FrameHeader header,
                       std::shared_ptr<const std::vector<uint8_t>> payload) = 0;
  virtual void publish_info(rs::media::StreamInfo info) = 0;
};

// The origin's publishing thread (GOP cache, catch-up endpoint, CURVE): thread-safe, never blocks.
class PublisherThreadSink final : public FrameSink {
 public:
  explicit PublisherThreadSink(relay::PublisherThread* publisher) : publisher_(publisher) {}
  void publish(rs::media::FrameHeader header,
               std::shared_ptr<const std::vector<uint8_t>> payload) override {
    publisher_->publish(std::move(header), std::move(payload));
  }
  void publish_info(rs::media::StreamInfo info) override {
    publisher_->publish_info(std::move(info));
  }

 private:
  relay::PublisherThread* publisher_;
};

// A FramePublisher shared by several stream threads under a mutex (ZeroMQ sockets are not
// thread-safe). Send errors are logged, rate-limited, and otherwise ignored: a failed send is a
// lost frame, which edges detect by the sequence gap.
class LockedPublisherSink final : public FrameSink {
 public:
  explicit LockedPublisherSink(relay::FramePublisher* publisher) : publisher_(publisher) {}

  void publish(rs::media::FrameHeader header,
               std::shared_ptr<const std::vector<uint8_t>> payload) override {
    const std::span<const uint8_t> bytes(*payload);
    absl::MutexLock lock(&mu_);
    report(publisher_->publish(header, bytes, std::move(payload)));
  }
  void publish_info(rs::media::StreamInfo info) override {
    absl::MutexLock lock(&mu_);
    report(publisher_->publish_info(info));
  }

 private:
  void report(const absl::Status& status) {
    if (!status.ok() && errors_.allow()) {
      LOG_WARN("origin", "publish failed: ", base::sv(status.message()));
    }
  }

  absl::Mutex mu_;
  relay::FramePublisher* publisher_;
  base::RateLimiter errors_{std::chrono::seconds(5)};
};

}  // namespace origin
