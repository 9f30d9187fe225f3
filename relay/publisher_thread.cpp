// The origin's publishing thread: PUB socket, per-stream GOP cache and catch-up ROUTER.
#include "relay/publisher_thread.hpp"

#include "media/gop_cache.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <deque>
#include <mutex>
#include <thread>

#include <zmq_addon.hpp>

#include "absl/container/flat_hash_map.h"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "relay/catchup.hpp"
#include "relay/catchup_request.hpp"
#include "relay/topic.hpp"

namespace relay {
namespace {

using Payload = std::shared_ptr<const std::vector<uint8_t>>;

struct Pending {
  bool info = false;
  rs::media::FrameHeader header;
  rs::media::StreamInfo stream_info;
  Payload payload;
};

struct CachedFrame {
  std::string header_bytes;
  Payload payload;
};

struct StreamCache {
  std::string info_bytes;
  media::GopCache<CachedFrame> gop;  // from the last video keyframe, all tracks in publish order
};

void release_payload(void* /*data*/, void* hint) {
  delete static_cast<Payload*>(hint);
}

zmq::message_t zero_copy(const Payload& payload) {
  auto* hint = new Payload(payload);
  return zmq::message_t(const_cast<uint8_t*>(payload->data()), payload->size(), &release_payload,
                        hint);
}

}  // namespace

class PublisherThread::Impl {
 public:
  Impl(std::unique_ptr<FramePublisher> publisher, std::optional<zmq::socket_t> router,
       std::unique_ptr<ZapAuthenticator> zap, std::string catchup_bound)
      : publisher_(std::move(publisher)),
        router_(std::move(router)),
        zap_(std::move(zap)),
        catchup_bound_(std::move(catchup_bound)),
        wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
    thread_ = std::thread([this] { run(); });
  }
  ~Impl() {
    stopping_.store(true);
    wake();
    if (thread_.joinable()) thread_.join();
    ::close(wake_fd_);
  }

  void push(Pending item) {
    {
      std::lock_guard lock(mutex_);
      if (queue_.size() >= kMaxPendingFrames) {
        queue_.pop_front();
        ++stats_.dropped;
      }
      queue_.push_back(std::move(item));
    }
    wake();
  }

  PublisherThreadStats stats() const {
    std::lock_guard lock(mutex_);
    PublisherThreadStats out = stats_;
    out.queued = queue_.size();
    return out;
  }
  std::string bound() const { return publisher_->bound_endpoint(); }
  const std::string& catchup_bound() const { return catchup_bound_; }

 private:
  void wake() {
    const uint64_t one = 1;
    ssize_t ignored = ::write(wake_fd_, &one, sizeof one);
    (void)ignored;
  }

  void run() {
    while (!stopping_.load()) {
      zmq::pollitem_t items[2] = {{nullptr, wake_fd_, ZMQ_POLLIN, 0},
                                  {router_ ? router_->handle() : nullptr, 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, router_ ? 2 : 1, std::chrono::milliseconds(100));
      if (items[0].revents & ZMQ_POLLIN) {
        uint64_t count;
        ssize_t ignored = ::read(wake_fd_, &count, sizeof count);
        (void)ignored;
      }
      drain();
      if (router_) serve_catchup();
    }
    drain();
  }

  void drain() {
    std::deque<Pending> items;
    {
      std::lock_guard lock(mutex_);
      items.swap(queue_);
    }
    for (Pending& item : items) {
      if (item.info) {
        publish_info(item.stream_info);
      } else {
        publish_frame(item.header, item.payload);
      }
    }
  }

  void publish_info(const rs::media::StreamInfo& info) {
    if (auto st = publisher_->publish_info(info); !st.ok()) LOG_WARN("relay", st.message());
    cache_[info.stream()].info_bytes = info.SerializeAsString();
    std::lock_guard lock(mutex_);
    ++stats_.infos;
    infos_[info.stream()] = info;
  }

 public:
  std::vector<rs::media::StreamInfo> infos() const {
    std::lock_guard lock(mutex_);
    std::vector<rs::media::StreamInfo> out;
    for (const auto& [name, info] : infos_) out.push_back(info);
    return out;
  }

 private:
  void publish_frame(const rs::media::FrameHeader& header, const Payload& payload) {
    if (auto st = publisher_->publish(header, *payload, payload); !st.ok()) {
      LOG_WARN("relay", st.message());
    }
    StreamCache& cache = cache_[header.stream()];
    const bool keyframe = header.track() == 0 && header.keyframe();
    if (keyframe || cache.gop.complete()) {
      cache.gop.add({header.SerializeAsString(), payload}, payload->size(), keyframe);
    }
    std::lock_guard lock(mutex_);
    ++stats_.frames;
  }

  // Answers at most kMaxCatchupPerPass requests, then goes back to publishing: a flood of
  // requests delays the answers, never the live frames.
  void serve_catchup() {
    int parts = 0;  // read in this pass: a message of 100,000 parts is read over many passes
    int messages = 0;
    while (messages < kMaxCatchupPerPass && parts < kMaxCatchupPartsPerPass) {
      zmq::message_t part;
      if (!router_->recv(part, zmq::recv_flags::dontwait)) return;
      ++parts;
      if (!part.more()) ++messages;
      std::optional<CatchupRequest> request = requests_.feed(part.to_string_view(), part.more());
      if (!request) continue;
      if (!take_catchup_token()) continue;  // over the answer rate: the edge asks again later
      {
        std::lock_guard lock(mutex_);
        ++stats_.catchup_requests;
      }
      const std::string& stream = request->stream;
      std::vector<zmq::message_t> reply;
      reply.emplace_back(request->identity);  // routing identity
      auto it = cache_.find(stream);
      if (it == cache_.end() || !it->second.gop.complete() || it->second.info_bytes.empty()) {
        reply.emplace_back(std::string(kCatchupNotFound));
        reply.emplace_back(stream);
      } else {
        reply.emplace_back(std::string(kCatchupOk));
        reply.emplace_back(stream);
        reply.emplace_back(it->second.info_bytes);
        for (const CachedFrame& f : it->second.gop.frames()) {
          reply.emplace_back(f.header_bytes);
          reply.push_back(zero_copy(f.payload));
        }
      }
      // dontwait: an edge whose pipe is full simply does not get its answer.
      (void)zmq::send_multipart(*router_, reply, zmq::send_flags::dontwait);
    }
  }

  std::unique_ptr<FramePublisher> publisher_;
  std::optional<zmq::socket_t> router_;
  // Token bucket of catch-up answers (kMaxCatchupAnswersPerSecond, burst of as many).
  bool take_catchup_token() {
    const auto now = std::chrono::steady_clock::now();
    const double refill =
        std::chrono::duration<double>(now - tokens_at_).count() * kMaxCatchupAnswersPerSecond;
    tokens_ = std::min<double>(kMaxCatchupAnswersPerSecond, tokens_ + refill);
    tokens_at_ = now;
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }
  double tokens_ = kMaxCatchupAnswersPerSecond;
  std::chrono::steady_clock::time_point tokens_at_ = std::chrono::steady_clock::now();
  CatchupRequestReader requests_;  // a catch-up message may be read over several passes
  std::unique_ptr<ZapAuthenticator> zap_;
  std::string catchup_bound_;
  int wake_fd_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::deque<Pending> queue_;
  PublisherThreadStats stats_;
  absl::flat_hash_map<std::string, rs::media::StreamInfo> infos_;  // guarded by mutex_
  absl::flat_hash_map<std::string, StreamCache> cache_;            // publishing thread only
  std::thread thread_;
};

absl::StatusOr<std::unique_ptr<PublisherThread>> PublisherThread::create(
    zmq::context_t& context, const PublisherOptions& options) {
  std::optional<CurveKeyPair> keys;
  std::unique_ptr<ZapAuthenticator> zap;
  if (!options.curve_secret_key_file.empty()) {
    auto read = read_secret_key_file(options.curve_secret_key_file);
    if (!read.ok()) return read.status();
    keys = *read;
    std::vector<std::string> authorized;
    if (!options.curve_authorized_keys_file.empty()) {
      auto list = read_authorized_keys(options.curve_authorized_keys_file);
      if (!list.ok()) return list.status();
      authorized = *std::move(list);
    }
    auto started = ZapAuthenticator::start(context, authorized);
    if (!started.ok()) return started.status();
    zap = *std::move(started);
  } else if (!options.curve_authorized_keys_file.empty()) {
    return absl::InvalidArgumentError(
        "an authorized-keys file needs the origin's secret key file too");
  }
  auto publisher = FramePublisher::create(context, options, keys ? &*keys : nullptr);
  if (!publisher.ok()) return publisher.status();
  std::optional<zmq::socket_t> router;
  std::string catchup_bound;
  if (!options.catchup_endpoint.empty()) {
    try {
      router.emplace(context, zmq::socket_type::router);
      router->set(zmq::sockopt::linger, 0);
      router->set(zmq::sockopt::sndhwm, 64);
      // A request is a few dozen bytes: a peer sending a bigger message is disconnected by libzmq
      // before the origin holds it.
      router->set(zmq::sockopt::maxmsgsize, kMaxCatchupRequestBytes);
      if (keys) make_curve_server(*router, *keys);
      router->bind(options.catchup_endpoint);
      catchup_bound = router->get(zmq::sockopt::last_endpoint);
    } catch (const zmq::error_t& e) {
      return absl::UnavailableError(
          base::cat("cannot bind catch-up endpoint '", options.catchup_endpoint, "': ", e.what()));
    }
  }
  auto impl = std::make_unique<Impl>(*std::move(publisher), std::move(router), std::move(zap),
                                     std::move(catchup_bound));
  return std::unique_ptr<PublisherThread>(new PublisherThread(std::move(impl)));
}

PublisherThread::PublisherThread(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PublisherThread::~PublisherThread() = default;

void PublisherThread::publish(rs::media::FrameHeader header,
                              std::shared_ptr<const std::vector<uint8_t>> payload) {
  impl_->push(Pending{.header = std::move(header), .payload = std::move(payload)});
}

void PublisherThread::publish_info(rs::media::StreamInfo info) {
  impl_->push(Pending{.info = true, .stream_info = std::move(info)});
}

PublisherThreadStats PublisherThread::stats() const {
  return impl_->stats();
}
std::vector<rs::media::StreamInfo> PublisherThread::stream_infos() const {
  return impl_->infos();
}
std::string PublisherThread::bound_endpoint() const {
  return impl_->bound();
}
std::string PublisherThread::bound_catchup_endpoint() const {
  return impl_->catchup_bound();
}

}  // namespace relay
