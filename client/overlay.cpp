// Overlay drawing with OpenCV (overlay.hpp).
#include "client/overlay.hpp"

#include <algorithm>

#include <opencv2/imgproc.hpp>

#include "absl/strings/str_format.h"

namespace client {
namespace {

constexpr int kFont = cv::FONT_HERSHEY_SIMPLEX;
constexpr int kMargin = 8;
constexpr double kBoxAlpha = 0.6;  // share of black mixed into the picture under the box

double font_scale(cv::Size frame) {
  return std::clamp(frame.height / 720.0 * 0.6, 0.4, 0.9);
}
int line_height(double scale) {
  return static_cast<int>(30 * scale) + 4;
}

std::string latency_text(const LatencySummary& s) {
  if (s.count == 0) return "latency  n/a (no capture-time SEI)";
  return absl::StrFormat("latency  %.0f ms p50 (p95 %.0f, max %.0f)", s.p50_ms, s.p95_ms, s.max_ms);
}

}  // namespace

std::vector<std::string> overlay_lines(const OverlayInfo& info) {
  const SecondReport& s = info.stats;
  std::vector<std::string> lines;
  if (s.state == "offline") {
    lines.push_back("SOURCE OFFLINE - waiting");
    lines.push_back(absl::StrFormat("         %s", s.state_reason.substr(0, 80)));
  }
  std::vector<std::string> rest = {
      absl::StrFormat("edge     %s", s.edge.empty() ? "-" : s.edge),
      absl::StrFormat("url      %s", s.url),
      absl::StrFormat("video    %dx%d %s, decoder %s", info.width, info.height, info.codec,
                      s.decoder),
      absl::StrFormat("rate     %.1f fps, %.0f kb/s", s.fps, s.kbps),
      latency_text(s.latency),
      absl::StrFormat("decode   %.1f ms", s.decode_ms),
      absl::StrFormat("dropped  %d   reconnects %d", s.drops, s.reconnects),
  };
  lines.insert(lines.end(), rest.begin(), rest.end());
  return lines;
}

cv::Rect overlay_box(cv::Size frame_size, const std::vector<std::string>& lines) {
  const double scale = font_scale(frame_size);
  int width = 0;
  for (const auto& line : lines) {
    int baseline = 0;
    width = std::max(width, cv::getTextSize(line, kFont, scale, 1, &baseline).width);
  }
  const int height = line_height(scale) * static_cast<int>(lines.size()) + kMargin;
  // Bottom-left: the top of many pictures carries a camera's own burned-in time and name.
  const cv::Rect box(kMargin, frame_size.height - height - kMargin, width + 2 * kMargin, height);
  return box & cv::Rect(0, 0, frame_size.width, frame_size.height);
}

void draw_overlay(cv::Mat& bgr, const std::vector<std::string>& lines) {
  const cv::Rect box = overlay_box(bgr.size(), lines);
  if (box.area() <= 0) return;
  cv::Mat region = bgr(box);
  region.convertTo(region, -1, 1.0 - kBoxAlpha, 0);  // darken: semi-transparent black
  const double scale = font_scale(bgr.size());
  const int step = line_height(scale);
  const int thickness = scale >= 0.7 ? 2 : 1;
  int y = box.y + step;
  for (const auto& line : lines) {
    cv::putText(bgr, line, cv::Point(box.x + kMargin, y), kFont, scale, cv::Scalar(235, 235, 235),
                thickness, cv::LINE_AA);
    y += step;
  }
}

}  // namespace client
