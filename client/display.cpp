// Display (display.hpp).
#include "client/display.hpp"

#include <opencv2/highgui.hpp>

namespace client {

Display::Display(std::string title) : title_(std::move(title)) {}

Display::~Display() {
  if (created_) cv::destroyWindow(title_);
}

Key Display::to_key(int code) {
  switch (code & 0xff) {
    case 'q':
    case 'Q':
    case 27:  // Esc
      return Key::Quit;
    case 'o':
    case 'O':
      return Key::ToggleOverlay;
    case 's':
    case 'S':
      return Key::Screenshot;
    default:
      return Key::None;
  }
}

Key Display::show(const cv::Mat& bgr) {
  if (!created_) {
    // GUI_NORMAL: no Qt toolbar or status bar, the window shows the frame only.
    cv::namedWindow(title_, cv::WINDOW_AUTOSIZE | cv::WINDOW_GUI_NORMAL);
    created_ = true;
  }
  cv::imshow(title_, bgr);
  const int code = cv::waitKey(1);
  return code < 0 ? Key::None : to_key(code);
}

Key Display::poll() {
  if (!created_) return Key::None;
  const int code = cv::waitKey(1);
  return code < 0 ? Key::None : to_key(code);
}

}  // namespace client
