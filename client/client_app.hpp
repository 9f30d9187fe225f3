// ClientApp: rtsp-client's main loop. Runs the EdgeSelector's steps (ask the coordinator, play,
// back off, exit), plays with PlayerSession, measures with PlaybackStats, shows frames with the
// overlay (Display) or prints JSON lines (headless). One playback thread (the caller's) plus a
// reporter thread for the per-second JSON line.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

#include "client/client_options.hpp"
#include "client/display.hpp"
#include "client/edge_selector.hpp"
#include "client/playback_stats.hpp"
#include "client/player_session.hpp"
#include "client/stall_policy.hpp"
#include "cluster/coordinator_client.hpp"

namespace client {

// Async-signal-safe: asks every running ClientApp to stop (SIGINT/SIGTERM handler).
void request_stop();

class ClientApp : public FrameSink {
 public:
  explicit ClientApp(ClientOptions options);
  ~ClientApp() override;

  // Runs until done; returns the exit code (edge_selector.hpp lists them).
  int run();

  // FrameSink (playback thread).
  void on_opened(const std::string& decoder, const std::string& codec) override;
  void on_packet(size_t bytes, std::optional<int64_t> capture_us,
                 int64_t received_wall_us) override;
  bool on_frame(const DecodedFrame& frame) override;
  void on_drops(uint64_t count) override;
  bool stop_requested() override;
  StallDecision on_stall(const EdgeAnswer& answer) override;
  void on_resumed() override;
  void on_idle() override;

 private:
  Step execute(const Step& step);
  Step ask_coordinator(const Step& step);
  Step play_step(const Step& step);
  // Sleeps up to `delay`, keeping the window responsive; false when asked to stop.
  bool wait(std::chrono::milliseconds delay);
  // Converts, draws the overlay, shows; returns false when the user quits.
  bool present(const DecodedFrame& frame, int64_t* shown_wall_us);
  void maybe_screenshot(const cv::Mat& bgr, bool key_pressed);
  void handle_key(Key key, const cv::Mat& bgr);
  void reporter_loop();
  // Headless: one JSON event line at once (docs/client.md, "Events").
  void emit_event(EventReport event);
  // Shows the last frame again with the current overlay (the picture froze while waiting).
  void redraw_last_frame();
  void finish(int exit_code, const std::string& reason);

  ClientOptions options_;
  int64_t start_us_;
  PlaybackStats stats_;
  EdgeSelector selector_;
  StallPolicy stall_policy_;
  std::unique_ptr<cluster::CoordinatorClient> coordinator_;
  std::unique_ptr<Display> display_;
  std::string edge_;  // being played
  std::string url_;
  int64_t session_start_us_ = 0;
  bool session_has_frame_ = false;
  bool overlay_on_ = true;
  bool screenshot_done_ = false;
  bool quit_ = false;         // user pressed q
  std::string limit_reason_;  // --frames reached
  cv::Mat bgr_;
  std::atomic<bool> reporter_stop_{false};
};

}  // namespace client
