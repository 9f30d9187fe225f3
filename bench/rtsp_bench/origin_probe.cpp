// Reads the origin -> edge wire (docs/wire.md): multipart [topic][header][payload], with the
// Annex-B access unit (and so our capture-time SEI) in the last part.
#include "bench/rtsp_bench/origin_probe.hpp"

#include <span>
#include <utility>
#include <vector>

#include <zmq.hpp>

#include "base/clock.hpp"
#include "media/sei.hpp"
#include "proto/media.pb.h"

namespace rtsp_bench {

OriginProbe::OriginProbe(std::string endpoint, std::string stream)
    : endpoint_(std::move(endpoint)), topic_("v1/" + std::move(stream)) {}

OriginProbe::~OriginProbe() {
  stop();
}

void OriginProbe::start() {
  thread_ = std::thread([this] { run(); });
}

void OriginProbe::stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void OriginProbe::run() {
  zmq::context_t context(1);
  zmq::socket_t socket(context, zmq::socket_type::sub);
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::subscribe, topic_);
  socket.connect(endpoint_);
  std::vector<zmq::message_t> parts;
  while (!stop_) {
    zmq::pollitem_t item{socket.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::milliseconds(100)) <= 0) continue;
    while (true) {
      parts.clear();
      zmq::message_t part;
      bool got = false;
      do {
        if (!socket.recv(part, zmq::recv_flags::dontwait)) break;
        got = true;
        parts.push_back(std::move(part));
      } while (parts.back().more());
      if (!got) break;
      const int64_t now = base::wall_clock_us();
      if (parts.size() < 3 || parts.front().to_string_view() != topic_) continue;
      const auto& body = parts.back();
      auto t = media::find_capture_time(
          std::span<const uint8_t>(static_cast<const uint8_t*>(body.data()), body.size()));
      if (!t) continue;
      // The origin's own publish time when it sends one (wire minor 1), else our arrival time.
      rs::media::FrameHeader header;
      const bool stamped =
          header.ParseFromArray(parts[1].data(), static_cast<int>(parts[1].size())) &&
          header.publish_time_us() > 0;
      arrivals_.emplace(*t, stamped ? header.publish_time_us() : now);
      if (stamped) stamped_ = true;
    }
  }
}

}  // namespace rtsp_bench
