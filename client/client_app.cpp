// ClientApp (client_app.hpp).
#include "client/client_app.hpp"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <thread>

#include <opencv2/imgcodecs.hpp>

#include "absl/strings/str_format.h"
#include "base/clock.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "client/overlay.hpp"
#include "cluster/stream_health.hpp"

extern "C" {
#include <libavutil/frame.h>
}

namespace client {
namespace {

constexpr char kTag[] = "client";
std::atomic<bool> g_stop{false};

// "rtsp://127.0.0.1:8554/cam1" -> "127.0.0.1:8554"
std::string host_of(const std::string& url) {
  const size_t start = url.find("://");
  if (start == std::string::npos) return url;
  const std::string rest = url.substr(start + 3);
  return rest.substr(0, rest.find_first_of("/?"));
}

std::string timestamp_name() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y%m%d-%H%M%S", &tm);
  return absl::StrFormat("rtsp-client-%s-%03d.png", buf,
                         static_cast<int>((base::wall_clock_us() / 1000) % 1000));
}

SelectorOptions selector_options(const ClientOptions& o) {
  SelectorOptions s;
  s.stream = o.stream;
  s.direct_url = o.url;
  s.coordinator = o.coordinator;
  s.connect_retries = o.connect_retries;
  s.backoff = {o.backoff_initial, o.backoff_max};
  s.seed = static_cast<uint64_t>(base::wall_clock_us()) ^ static_cast<uint64_t>(::getpid());
  return s;
}

}  // namespace

void request_stop() {
  g_stop.store(true);
}

ClientApp::ClientApp(ClientOptions options)
    : options_(std::move(options)),
      start_us_(base::monotonic_us()),
      stats_(start_us_),
      selector_(selector_options(options_)),
      overlay_on_(options_.overlay) {}

ClientApp::~ClientApp() = default;

bool ClientApp::stop_requested() {
  if (g_stop.load() || quit_ || !limit_reason_.empty()) return true;
  return options_.duration.count() > 0 &&
         base::monotonic_us() - start_us_ >= options_.duration.count() * 1000;
}

bool ClientApp::wait(std::chrono::milliseconds delay) {
  const int64_t until = base::monotonic_us() + delay.count() * 1000;
  while (base::monotonic_us() < until) {
    if (stop_requested()) return false;
    if (display_ && display_->poll() == Key::Quit) quit_ = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(display_ ? 5 : 10));
  }
  return !stop_requested();
}

void ClientApp::on_opened(const std::string& decoder, const std::string& codec) {
  stats_.set_decoder(decoder);
  stats_.set_video(0, 0, codec);
  LOG_INFO(kTag, "connected to ", edge_, " ", url_, " over ", options_.transport, " in ",
           (base::monotonic_us() - session_start_us_) / 1000, " ms; decoder ", decoder);
}

void ClientApp::on_packet(size_t bytes, std::optional<int64_t> capture_us,
                          int64_t received_wall_us) {
  std::optional<int64_t> latency;
  if (capture_us) latency = received_wall_us - *capture_us;
  stats_.on_packet(base::monotonic_us(), bytes, latency);
}

void ClientApp::on_drops(uint64_t count) {
  stats_.add_drops(count);
}

bool ClientApp::on_frame(const DecodedFrame& f) {
  FrameTimes times;
  times.decode_us = f.decode_us;
  if (f.capture_us) times.decoded_latency_us = f.decoded_wall_us - *f.capture_us;
  const auto video = stats_.video();
  if (f.frame && (video.width != f.frame->width || video.height != f.frame->height)) {
    stats_.set_video(f.frame->width, f.frame->height, video.codec);
  }
  int64_t shown_wall = f.decoded_wall_us;
  const bool go_on = f.frame == nullptr || present(f, &shown_wall);
  if (f.capture_us) times.shown_latency_us = shown_wall - *f.capture_us;
  stats_.on_frame(base::monotonic_us(), times);
  if (!session_has_frame_) {
    session_has_frame_ = true;
    selector_.on_first_frame();
    stats_.on_session_playing();
    LOG_INFO(kTag, "first frame from ", edge_, " ", f.frame ? f.frame->width : 0, "x",
             f.frame ? f.frame->height : 0, " after ",
             (base::monotonic_us() - session_start_us_) / 1000, " ms (wall_us=", f.decoded_wall_us,
             ")");
  }
  if (options_.max_frames > 0 && stats_.frames() >= options_.max_frames) {
    limit_reason_ = base::cat(options_.max_frames, " frames decoded");
  }
  return go_on && !stop_requested();
}

StallDecision ClientApp::on_stall(const EdgeAnswer& answer) {
  stats_.on_stall();
  const StallDecision d = stall_policy_.on_answer(answer);
  const int64_t now = base::monotonic_us();
  if (d.kind == StallDecision::Kind::Failover) {
    LOG_INFO(kTag, edge_, " ", url_, ": ", d.reason, "; leaving this edge");
    emit_event({.event = "failover",
                .t_s = static_cast<double>(now - start_us_) / 1e6,
                .wall_us = base::wall_clock_us(),
                .edge = edge_,
                .reason = d.reason});
    return d;
  }
  const bool first = d.source_offline && !stats_.offline();
  if (d.source_offline) stats_.on_offline(now, d.reason);
  LOG_INFO(kTag, edge_, ": ", d.reason, "; asking again in ", d.recheck_in.count(), " ms");
  if (first) {
    std::string state;
    if (answer.stream) state = std::string(cluster::health_name(answer.stream->health()));
    emit_event({.event = "source_offline",
                .t_s = static_cast<double>(now - start_us_) / 1e6,
                .wall_us = base::wall_clock_us(),
                .edge = edge_,
                .state = state,
                .reason = answer.stream ? cluster::format_stream_state(*answer.stream) : d.reason});
    redraw_last_frame();
  }
  return d;
}

void ClientApp::on_resumed() {
  const bool was_offline = stall_policy_.source_offline();
  stall_policy_.on_media();
  const int64_t now = base::monotonic_us();
  const int64_t waited_us = stats_.on_back(now);
  if (!was_offline) return;
  LOG_INFO(kTag, "media from ", edge_, " again after ", waited_us / 1000,
           " ms offline (wall_us=", base::wall_clock_us(), ")");
  emit_event({.event = "source_back",
              .t_s = static_cast<double>(now - start_us_) / 1e6,
              .wall_us = base::wall_clock_us(),
              .edge = edge_,
              .offline_ms = static_cast<double>(waited_us) / 1000.0});
}

void ClientApp::on_idle() {
  if (display_ && display_->poll() == Key::Quit) quit_ = true;
}

void ClientApp::emit_event(EventReport event) {
  if (!options_.headless) return;
  const std::string line = format_event(event);
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

void ClientApp::redraw_last_frame() {
  if (!display_ || bgr_.empty() || !overlay_on_) return;
  cv::Mat frame = bgr_.clone();
  const auto video = stats_.video();
  OverlayInfo info{stats_.second(base::monotonic_us()), video.width, video.height, video.codec};
  draw_overlay(frame, overlay_lines(info));
  handle_key(display_->show(frame), frame);
}

bool ClientApp::present(const DecodedFrame& f, int64_t* shown_wall_us) {
  const bool want_shot =
      !options_.screenshot.empty() && !screenshot_done_ &&
      base::monotonic_us() - start_us_ >= options_.screenshot_after.count() * 1000;
  if (options_.headless && !want_shot) return true;
  if (auto st = f.decoder->to_bgr(f.frame, bgr_); !st.ok()) {
    LOG_WARN(kTag, "cannot convert frame: ", st.message());
    return true;
  }
  if (overlay_on_) {
    const auto video = stats_.video();
    OverlayInfo info{stats_.second(base::monotonic_us()), video.width, video.height, video.codec};
    draw_overlay(bgr_, overlay_lines(info));
  }
  if (display_) {
    const Key key = display_->show(bgr_);
    *shown_wall_us = base::wall_clock_us();
    handle_key(key, bgr_);
  }
  if (want_shot) maybe_screenshot(bgr_, false);
  return !quit_;
}

void ClientApp::maybe_screenshot(const cv::Mat& bgr, bool key_pressed) {
  std::string path =
      key_pressed ? (std::filesystem::path(options_.screenshot_dir) / timestamp_name()).string()
                  : options_.screenshot;
  if (!key_pressed) screenshot_done_ = true;
  if (!cv::imwrite(path, bgr)) {
    LOG_ERROR(kTag, "cannot write screenshot ", path);
    return;
  }
  path = std::filesystem::absolute(path).string();
  LOG_INFO(kTag, "screenshot saved: ", path);
  if (!options_.headless) {
    std::printf("screenshot: %s\n", path.c_str());
    std::fflush(stdout);
  }
}

void ClientApp::handle_key(Key key, const cv::Mat& bgr) {
  switch (key) {
    case Key::Quit:
      quit_ = true;
      break;
    case Key::ToggleOverlay:
      overlay_on_ = !overlay_on_;
      break;
    case Key::Screenshot:
      maybe_screenshot(bgr, true);
      break;
    case Key::None:
      break;
  }
}

Step ClientApp::ask_coordinator(const Step& step) {
  rs::cluster::AssignRequest request;
  request.set_stream(options_.stream);
  request.set_client_zone(options_.zone);
  for (const auto& e : step.excluded) request.add_excluded_edges(e);
  stats_.on_assign_request();
  auto reply = coordinator_->assign_edge_once(request);
  return selector_.on_assigned(reply, std::chrono::steady_clock::now(),
                               reply.ok() || coordinator_->connected());
}

Step ClientApp::play_step(const Step& step) {
  edge_ = step.edge.empty() ? host_of(step.url) : step.edge;
  url_ = step.url;
  session_start_us_ = base::monotonic_us();
  session_has_frame_ = false;
  stall_policy_.on_media();
  stats_.on_session_start(edge_, url_);
  SessionOptions s;
  s.url = step.url;
  s.transport = options_.transport;
  s.open_timeout = options_.open_timeout;
  s.stall_timeout = options_.stall_timeout;
  s.hwdec = options_.hwdec;
  s.decoder_threads = options_.decoder_threads;
  s.decode = options_.decode;
  const PlayOutcome outcome = play(s, *this);
  return selector_.on_play_ended(outcome, std::chrono::steady_clock::now());
}

Step ClientApp::execute(const Step& step) {
  if (step.kind == Step::Kind::AskCoordinator) return ask_coordinator(step);
  return play_step(step);
}

void ClientApp::reporter_loop() {
  int64_t next = start_us_ + 1'000'000;
  while (!reporter_stop_.load()) {
    const int64_t now = base::monotonic_us();
    if (now < next) {
      std::this_thread::sleep_for(std::chrono::microseconds(std::min<int64_t>(next - now, 50'000)));
      continue;
    }
    next += 1'000'000;
    const std::string line = format_second(stats_.second(now));
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }
}

void ClientApp::finish(int exit_code, const std::string& reason) {
  SummaryReport summary = stats_.summary(base::monotonic_us());
  summary.exit_code = exit_code;
  summary.exit_reason = reason;
  std::printf("%s\n", format_summary(summary).c_str());
  std::fflush(stdout);
}

int ClientApp::run() {
  if (!options_.coordinator.empty()) {
    cluster::CoordinatorClientOptions co;
    co.coordinator = options_.coordinator;
    co.tls = {options_.tls_cert, options_.tls_key, options_.tls_ca, options_.tls_server_name};
    co.rpc_timeout = options_.coordinator_timeout;
    co.max_attempts = 1;  // the EdgeSelector does the retrying
    auto c = cluster::CoordinatorClient::create(co);
    if (!c.ok()) {
      LOG_ERROR(kTag, "coordinator ", options_.coordinator, ": ", c.status().message());
      return kExitUsage;
    }
    coordinator_ = std::move(*c);
  }
  if (!options_.headless)
    display_ = std::make_unique<Display>(
        base::cat("rtsp-client ", options_.url.empty() ? options_.stream : options_.url));
  std::thread reporter;
  if (options_.headless) reporter = std::thread([this] { reporter_loop(); });
  Step step = selector_.start(std::chrono::steady_clock::now());
  int code = kExitOk;
  std::string reason;
  while (true) {
    if (!step.message.empty()) {
      if (step.kind == Step::Kind::Exit && step.exit_code != kExitOk) {
        LOG_ERROR(kTag, step.message);
      } else {
        LOG_INFO(kTag, step.message);
      }
    }
    if (step.kind == Step::Kind::Exit) {
      code = step.exit_code;
      reason = step.message;
      break;
    }
    if (!wait(step.delay)) break;
    step = execute(step);
  }
  if (reason.empty()) {
    reason = quit_                    ? "quit"
             : g_stop.load()          ? "signal"
             : !limit_reason_.empty() ? limit_reason_
                                      : "duration reached";
    if (stats_.frames() == 0) {
      code = kExitNoFrames;
      reason = base::cat("no frame decoded (", reason, ")");
      LOG_ERROR(kTag, reason);
    }
  }
  reporter_stop_.store(true);
  if (reporter.joinable()) reporter.join();
  display_.reset();
  finish(code, reason);
  return code;
}

}  // namespace client
