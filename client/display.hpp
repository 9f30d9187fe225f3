// Display: the OpenCV window (cv::imshow) and its keys. Needs an X display.
#pragma once

#include <string>

#include <opencv2/core.hpp>

namespace client {

enum class Key { None, Quit, ToggleOverlay, Screenshot };

// Not thread-safe: create, show and destroy on one thread (the playback thread).
class Display {
 public:
  explicit Display(std::string title);
  ~Display();
  Display(const Display&) = delete;
  Display& operator=(const Display&) = delete;

  // Shows the frame and processes window events for 1 ms; returns the key pressed.
  Key show(const cv::Mat& bgr);
  // Keeps the window responsive while no frame arrives (reconnecting).
  Key poll();
  const std::string& title() const { return title_; }

 private:
  static Key to_key(int code);
  std::string title_;
  bool created_ = false;
};

}  // namespace client
