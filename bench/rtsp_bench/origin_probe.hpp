// Optional baseline: receives the stream straight from the origin's ZeroMQ PUB socket and
// records when each frame (identified by its SEI capture time) arrived. Reader latency minus
// this is the latency the RTSP server added (origin publish -> reader receive).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <unordered_map>

namespace rtsp_bench {

class OriginProbe {
 public:
  OriginProbe(std::string endpoint, std::string stream);
  ~OriginProbe();
  OriginProbe(const OriginProbe&) = delete;
  OriginProbe& operator=(const OriginProbe&) = delete;

  void start();
  // Stops the thread; afterwards arrivals() is stable.
  void stop();
  // Capture time (µs) -> wall clock (µs) when the frame arrived from the origin.
  // With a wire minor >= 1 origin the "arrival" is the origin's publish time from the frame
  // header (publish_time_us), so the probe's own scheduling delay does not count.
  const std::unordered_map<int64_t, int64_t>& arrivals() const { return arrivals_; }
  // Whether the origin stamped its publish time (then arrivals() holds publish times).
  bool publish_time_stamped() const { return stamped_; }

 private:
  void run();

  std::string endpoint_;
  std::string topic_;
  std::atomic<bool> stop_{false};
  std::unordered_map<int64_t, int64_t> arrivals_;
  bool stamped_ = false;
  std::thread thread_;
};

}  // namespace rtsp_bench
