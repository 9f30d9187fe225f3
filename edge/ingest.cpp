// The edge's ingest thread: live frames, catch-up answers, events to the loops.
#include "edge/ingest.hpp"

#include <algorithm>
#include <random>

#include "absl/strings/str_join.h"

#include "base/clock.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"

namespace edge {
namespace {

constexpr std::chrono::milliseconds kPoll{50};
constexpr std::chrono::milliseconds kCatchupRetry{250};

const std::string& stream_of(const relay::Received& message) {
  if (auto* frame = std::get_if<media::FramePtr>(&message)) return (*frame)->stream;
  return std::get<1>(message)->stream();
}

}  // namespace

absl::StatusOr<std::unique_ptr<Ingest>> Ingest::create(zmq::context_t& context,
                                                       const IngestOptions& options, Sink sink) {
  std::unique_ptr<Ingest> ingest(new Ingest(std::move(sink), options));
  ingest->random_state_ = std::random_device{}();
  relay::SubscriberOptions sub;
  sub.endpoints = options.origins;
  std::optional<relay::CurveKeyPair> keys;
  if (!options.curve_key_file.empty()) {
    auto read = relay::read_secret_key_file(options.curve_key_file);
    if (!read.ok()) return read.status();
    keys = *read;
    sub.curve_keys = keys;
    sub.curve_server_public_z85 = options.origin_public_key;
  }
  auto subscriber = relay::FrameSubscriber::create(context, sub);
  if (!subscriber.ok()) return subscriber.status();
  ingest->connected_origins_ = options.origins;
  ingest->connected_catchup_ = options.catchup_endpoints;
  ingest->subscriber_ = *std::move(subscriber);
  for (const auto& name : options.preload) {
    if (name == "*") {
      ingest->subscribe_all_ = true;
      ingest->subscriber_->subscribe_all();
      continue;
    }
    Stream& s = ingest->stream(name);
    s.preloaded = true;
    ingest->mark_subscribed(name, s, base::monotonic_us());
    ingest->subscriber_->subscribe(name);
  }
  if (!options.catchup_endpoints.empty() || options.catchup_auto) {
    auto client = relay::CatchupClient::create(context, options.catchup_endpoints,
                                               keys ? &*keys : nullptr, options.origin_public_key);
    if (!client.ok()) return client.status();
    ingest->catchup_ = *std::move(client);
  }
  return ingest;
}

Ingest::Stream& Ingest::stream(const std::string& name) {
  Stream& s = streams_[name];
  if (!s.ingest) {
    auto next = [this] {
      random_state_ = random_state_ * 1664525u + 1013904223u;
      return random_state_ ^ static_cast<uint32_t>(base::monotonic_us());
    };
    s.ingest = std::make_unique<StreamIngest>(name, next(), static_cast<uint16_t>(next()), next());
    LOG_INFO("edge", "stream ", name, ": receiving from the origin");
    if (subscribe_all_) mark_subscribed(name, s, base::monotonic_us());
  }
  return s;
}

void Ingest::mark_subscribed(const std::string& name, Stream& s, int64_t now_us) {
  s.subscribed = true;
  if (options_.health) options_.health->on_subscribed(name, now_us);
}

void Ingest::run(const std::atomic<bool>& stopping) {
  int64_t next_origin_check_us = 0;  // the earliest switch decision due (0: none)
  int64_t next_origin_scan_us = 0;   // streams are looked over at most every 10 ms
  while (!stopping.load()) {
    zmq::pollitem_t items[3] = {
        {subscriber_->socket().handle(), 0, ZMQ_POLLIN, 0},
        {nullptr, interest_.fd(), ZMQ_POLLIN, 0},
        {catchup_ ? catchup_->socket().handle() : nullptr, 0, ZMQ_POLLIN, 0}};
    auto timeout = kPoll;
    if (next_origin_check_us != 0) {
      const int64_t wait_ms = (next_origin_check_us - base::monotonic_us()) / 1000 + 1;
      timeout = std::clamp(std::chrono::milliseconds(wait_ms), std::chrono::milliseconds(1), kPoll);
    }
    zmq::poll(items, catchup_ ? 3 : 2, timeout);
    if (items[1].revents & ZMQ_POLLIN) on_interest();
    if (items[0].revents & ZMQ_POLLIN) {
      // Drain what is there, a bounded number at a time, so catch-up answers are not starved.
      for (int i = 0; i < 64; ++i) {
        auto message = subscriber_->receive(std::chrono::milliseconds(0));
        if (!message) break;
        on_live(*std::move(message));
      }
    }
    if (catchup_ && (items[2].revents & ZMQ_POLLIN)) {
      while (auto reply = catchup_->receive()) on_catchup(*std::move(reply));
    }
    if (const int64_t now = base::monotonic_us();
        now >= next_origin_scan_us || (next_origin_check_us != 0 && now >= next_origin_check_us)) {
      next_origin_check_us = check_origins(now);
      next_origin_scan_us = now + 10'000;
    }
    check_deadlines();
    update_counters();
    expire_idle(base::monotonic_us());
  }
}

void Ingest::on_interest() {
  const int64_t now = base::monotonic_us();
  for (Command& command : interest_.drain()) {
    if (command.origins) {
      apply_origins(command.endpoints);
      continue;
    }
    const std::string& name = command.stream;
    if (subscribe_all_) continue;
    auto it = streams_.find(name);
    if (it == streams_.end() && subscriptions_ >= kMaxSubscriptions) continue;
    Stream& s = stream(name);
    s.last_interest_us = now;
    if (s.subscribed) continue;
    mark_subscribed(name, s, now);
    ++subscriptions_;
    subscriber_->subscribe(name);
    LOG_INFO("edge", "stream ", name, ": subscribed on demand");
  }
}

void Ingest::apply_origins(const std::vector<std::string>& endpoints) {
  auto changed = [](std::vector<std::string>& current, const std::vector<std::string>& next,
                    auto&& connect, auto&& disconnect) {
    for (const auto& e : current) {
      if (std::find(next.begin(), next.end(), e) == next.end()) disconnect(e);
    }
    for (const auto& e : next) {
      if (std::find(current.begin(), current.end(), e) == current.end()) connect(e);
    }
    current = next;
  };
  changed(
      connected_origins_, endpoints, [this](const std::string& e) { subscriber_->connect(e); },
      [this](const std::string& e) { subscriber_->disconnect(e); });
  if (catchup_ && options_.catchup_auto) {
    std::vector<std::string> catchup;
    for (const auto& e : endpoints) {
      if (auto derived = relay::default_catchup_endpoint(e); !derived.empty())
        catchup.push_back(derived);
    }
    changed(
        connected_catchup_, catchup, [this](const std::string& e) { catchup_->connect(e); },
        [this](const std::string& e) { catchup_->disconnect(e); });
  }
  LOG_INFO("edge", "origins now: ",
           endpoints.empty() ? std::string("(none)") : absl::StrJoin(endpoints, ","));
}

void Ingest::expire_idle(int64_t now_us) {
  if (now_us < next_idle_check_us_) return;
  next_idle_check_us_ = now_us + 1'000'000;
  const int64_t idle_us = std::chrono::microseconds(options_.idle_timeout).count();
  for (auto& [name, s] : streams_) {
    if (!s.subscribed || s.preloaded || now_us - s.last_interest_us < idle_us) continue;
    s.subscribed = false;
    --subscriptions_;
    subscriber_->unsubscribe(name);
    s.catchup_pending = false;
    s.held.clear();
    s.ingest->reset_position();
    s.origins.reset();
    if (options_.health) options_.health->on_unsubscribed(name);
    // Loops drop their cached GOP: it would be stale when a reader comes back.
    emit({StreamEvent{.kind = StreamEvent::Kind::Idle, .stream = name}});
    LOG_INFO("edge", "stream ", name, ": unsubscribed after ", options_.idle_timeout.count(),
             " ms without readers");
  }
}

void Ingest::on_live(relay::Received message) {
  // Prefix subscriptions also match longer names ("cam1" matches "cam10"): drop the strangers.
  auto found = streams_.find(stream_of(message));
  if (!subscribe_all_ && (found == streams_.end() || !found->second.subscribed)) return;
  Stream& s = stream(stream_of(message));
  std::vector<relay::Received> selected;
  s.origins.on_message(message, base::monotonic_us(), selected);
  note_switching(s);
  for (auto& m : selected) on_selected(s, std::move(m));
}

void Ingest::note_switching(Stream& s) {
  if (s.origins.switching() == s.switching) return;
  s.switching = s.origins.switching();
  if (options_.health) {
    options_.health->on_switching(s.ingest->stream(), s.switching, base::monotonic_us());
  }
}

int64_t Ingest::check_origins(int64_t now_us) {
  int64_t next = 0;
  for (auto& [name, s] : streams_) {
    auto due = s.origins.next_check_us();
    if (!due) continue;
    if (*due <= now_us) {
      std::vector<relay::Received> selected;
      s.origins.poll(now_us, selected);
      note_switching(s);
      for (auto& m : selected) on_selected(s, std::move(m));
      due = s.origins.next_check_us();
      if (!due) continue;
      // Still silent with nobody to take over: look again at the poll interval.
      *due = std::max(*due, now_us + 10'000);
    }
    next = next == 0 ? *due : std::min(next, *due);
  }
  return next;
}

void Ingest::on_selected(Stream& s, relay::Received message) {
  if (options_.health) {
    // What the active origin sends: frames say the upstream is alive, StreamInfo whether its
    // source is up.
    if (auto* f = std::get_if<media::FramePtr>(&message)) {
      options_.health->on_frame((*f)->stream, base::monotonic_us());
    } else {
      options_.health->on_info(*std::get<1>(message), base::monotonic_us());
    }
  }
  std::vector<StreamEvent> events;
  if (s.catchup_pending) {
    if (s.held.size() >= kMaxCatchupBufferedFrames) {
      s.catchup_pending = false;  // the answer is too late to help
      release(s, events);
    } else {
      s.held.push_back(std::move(message));
      return;
    }
  }
  auto* frame = std::get_if<media::FramePtr>(&message);
  if (frame && (*frame)->publish_time_us > 0) {
    counters_.origin_delay.observe(base::wall_clock_us() - (*frame)->publish_time_us);
  }
  const int64_t now = base::monotonic_us();
  const bool must_wait = frame && s.ingest->must_wait(**frame);
  if (catchup_ && must_wait && now >= s.next_catchup_allowed_us) {
    // Ask for the current GOP rather than wait up to a whole GOP for the next keyframe.
    catchup_->request((*frame)->stream);
    counters_.catchup_requests.fetch_add(1, std::memory_order_relaxed);
    s.catchup_pending = true;
    s.catchup_deadline_us = now + std::chrono::microseconds(kCatchupTimeout).count();
    s.next_catchup_allowed_us = now + std::chrono::microseconds(kCatchupRetry).count();
    s.held.push_back(std::move(message));
    emit(std::move(events));
    return;
  }
  feed(s, message, events);
  emit(std::move(events));
}

void Ingest::on_catchup(relay::CatchupReply reply) {
  auto it = streams_.find(reply.stream);
  if (it == streams_.end() || !it->second.catchup_pending) return;
  // With several origins, those without the stream say NOT_FOUND; the wait ends with an OK or
  // at its deadline.
  if (!reply.found) return;
  Stream& s = it->second;
  // Only the active origin's answer fits the frames that go out, and only while they go out
  // unchanged (no warm switch yet); another answer is ignored and the wait ends at its deadline.
  if (!reply.info ||
      !s.origins.accept_catchup(reply.info->origin_epoch(), reply.frames, base::monotonic_us())) {
    return;
  }
  std::vector<StreamEvent> events;
  if (reply.found) {
    LOG_DEBUG("edge", "stream ", reply.stream, ": catch-up answered with ", reply.frames.size(),
              " frames");
    s.ingest->on_info(*reply.info, events);
    for (const auto& frame : reply.frames) {
      s.ingest->on_frame(*frame, events);
      counters_.catchup_frames.fetch_add(1, std::memory_order_relaxed);
    }
  }
  s.catchup_pending = false;
  release(s, events);
  emit(std::move(events));
}

void Ingest::release(Stream& s, std::vector<StreamEvent>& events) {
  // Live frames the answer already covered are recognised by their sequence numbers.
  for (const auto& message : s.held) feed(s, message, events);
  s.held.clear();
}

void Ingest::feed(Stream& s, const relay::Received& message, std::vector<StreamEvent>& events) {
  if (auto* frame = std::get_if<media::FramePtr>(&message)) {
    s.ingest->on_frame(**frame, events);
    counters_.frames.fetch_add(1, std::memory_order_relaxed);
  } else {
    s.ingest->on_info(*std::get<1>(message), events);
  }
}

void Ingest::check_deadlines() {
  const int64_t now = base::monotonic_us();
  for (auto& [name, s] : streams_) {
    if (!s.catchup_pending || now < s.catchup_deadline_us) continue;
    s.catchup_pending = false;
    std::vector<StreamEvent> events;
    release(s, events);
    emit(std::move(events));
  }
}

void Ingest::emit(std::vector<StreamEvent> events) {
  if (events.empty()) return;
  sink_(std::make_shared<const std::vector<StreamEvent>>(std::move(events)));
}

void Ingest::update_counters() {
  uint64_t gaps = 0, lost = 0;
  for (const auto& [name, s] : streams_) {
    gaps += s.ingest->stats().gaps;
    lost += s.ingest->stats().lost_frames;
  }
  counters_.gaps.store(gaps, std::memory_order_relaxed);
  counters_.lost_frames.store(lost, std::memory_order_relaxed);
  counters_.rejected.store(subscriber_->stats().rejected, std::memory_order_relaxed);
  const int64_t now = base::monotonic_us();
  if (now < next_snapshot_us_) return;
  next_snapshot_us_ = now + 500'000;
  IngestSnapshot snapshot;
  for (const auto& [name, s] : streams_) {
    snapshot[name] = {.stats = s.ingest->stats(),
                      .subscribed = subscribe_all_ || s.subscribed,
                      .waiting_for_keyframe = s.ingest->waiting_for_keyframe(),
                      .origins = s.origins.stats()};
  }
  std::lock_guard lock(snapshot_mutex_);
  snapshot_ = std::move(snapshot);
}

}  // namespace edge
