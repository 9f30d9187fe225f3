// The on-screen overlay: a semi-transparent dark box in the bottom-left corner with light text
// (edge and URL, resolution, codec, FPS, bitrate, latency p50, decode time, drops, reconnects).
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "client/stats_json.hpp"

namespace client {

struct OverlayInfo {
  SecondReport stats;  // the last second
  int width = 0;
  int height = 0;
  std::string codec;
};

// The text lines, top to bottom. Pure.
std::vector<std::string> overlay_lines(const OverlayInfo& info);

// Where draw_overlay puts its box on a frame of `frame_size` for `lines` (clipped to the frame).
cv::Rect overlay_box(cv::Size frame_size, const std::vector<std::string>& lines);

// Draws the box and the lines on a BGR frame in place.
void draw_overlay(cv::Mat& bgr, const std::vector<std::string>& lines);

}  // namespace client
