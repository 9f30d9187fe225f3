// FrameSink: where stream runners hand their frames and stream descriptions. Any thread may call
// it; it never blocks for long (the ZeroMQ sends are non-blocking).
#pragma once

#include <memory>
#include <vector>

#include "proto/media.pb.h"
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

}  // namespace origin
