// rtsp-client with a real window under Xvfb: the window appears (xwininfo), and a screenshot of
// the displayed frame shows the overlay (light text on a dark box) and the origin's test-pattern
// colour bars (origin/test_pattern.cpp). Checks pixels, not just that a file exists. Prints the
// screenshot's path.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include <opencv2/imgcodecs.hpp>

#include "tests/support/cluster.hpp"
#include "tests/support/process.hpp"

namespace {

using namespace std::chrono_literals;
using rstest::Process;

// Starts Xvfb on the first free display number from 91; nullptr when none starts.
std::unique_ptr<Process> start_xvfb(int* display) {
  for (int n = 91; n < 140; ++n) {
    const std::string lock = "/tmp/.X" + std::to_string(n) + "-lock";
    const std::string socket = "/tmp/.X11-unix/X" + std::to_string(n);
    if (std::filesystem::exists(lock) || std::filesystem::exists(socket)) continue;
    std::string error;
    auto p = Process::start({.argv = {"/usr/bin/Xvfb", ":" + std::to_string(n), "-screen", "0",
                                      "1280x1024x24", "-nolisten", "tcp"},
                             .name = "Xvfb"},
                            &error);
    if (!p) return nullptr;
    for (int i = 0; i < 100 && p->running(); ++i) {
      if (std::filesystem::exists(socket)) {
        *display = n;
        return p;
      }
      std::this_thread::sleep_for(50ms);
    }
  }
  return nullptr;
}

// 75 % colour bars, BGR, left to right (origin/test_pattern.cpp kBars).
const cv::Vec3b kBars[7] = {{191, 191, 191}, {0, 191, 191}, {191, 191, 0}, {0, 191, 0},
                            {191, 0, 191},   {0, 0, 191},   {191, 0, 0}};

bool close_to(const cv::Vec3b& a, const cv::Vec3b& b, int tolerance) {
  for (int i = 0; i < 3; ++i) {
    if (std::abs(int(a[i]) - int(b[i])) > tolerance) return false;
  }
  return true;
}

TEST(ClientXvfb, WindowShowsThePatternWithTheOverlay) {
  if (!std::filesystem::exists("/usr/bin/Xvfb")) GTEST_SKIP() << "Xvfb is not installed";
  int display = 0;
  auto xvfb = start_xvfb(&display);
  ASSERT_TRUE(xvfb) << "Xvfb did not start";
  std::string error;
  rstest::ClusterOptions o;
  o.size = "640x360";
  auto cluster = rstest::Cluster::start(o, &error);
  ASSERT_TRUE(cluster) << error;

  const std::filesystem::path dir =
      std::filesystem::path(rstest::bin_dir()) / ".." / "test-artifacts";
  std::filesystem::create_directories(dir);
  const std::string shot = std::filesystem::weakly_canonical(dir / "client_xvfb_screenshot.png");
  std::filesystem::remove(shot);
  const std::string env = "DISPLAY=:" + std::to_string(display);
  auto client =
      Process::start({.argv = {rstest::bin_path("rtsp-client"), cluster->url(), "--duration=6s",
                               "--screenshot_after=3s", "--screenshot=" + shot},
                      .extra_env = {env},
                      .name = "rtsp-client"},
                     &error);
  ASSERT_TRUE(client) << error;

  // The window exists while the client plays.
  std::this_thread::sleep_for(4s);
  const auto tree = rstest::run_command({"/usr/bin/xwininfo", "-root", "-tree"}, 5s, {env});
  EXPECT_NE(tree.out.find("rtsp-client " + cluster->url()), std::string::npos) << tree.out;

  auto status = client->wait(15s);
  ASSERT_TRUE(status) << client->stderr_tail();
  EXPECT_TRUE(status->exited && status->code == 0) << status->describe() << client->stderr_tail();
  EXPECT_NE(client->stdout_text().find("screenshot: " + shot), std::string::npos)
      << client->stdout_text();
  EXPECT_EQ(client->stdout_text().find("{\"t\":"), std::string::npos) << "not headless";
  std::printf("screenshot: %s\n", shot.c_str());

  const cv::Mat img = cv::imread(shot);
  ASSERT_FALSE(img.empty()) << "cannot read " << shot;
  ASSERT_EQ(img.cols, 640);
  ASSERT_EQ(img.rows, 360);

  // Overlay: a dark box in the bottom-left corner (8 px margin) with light text; at 360 lines its
  // seven lines span about 300 x 120 px. Sample the part every line reaches.
  const cv::Rect box(10, 360 - 8 - 110, 200, 100);
  int dark = 0;
  int light = 0;
  for (int y = box.y; y < box.y + box.height; ++y) {
    for (int x = box.x; x < box.x + box.width; ++x) {
      const cv::Vec3b p = img.at<cv::Vec3b>(y, x);
      if (p[0] < 90 && p[1] < 90 && p[2] < 90) ++dark;
      if (p[0] > 180 && p[1] > 180 && p[2] > 180) ++light;
    }
  }
  std::printf("overlay region %dx%d: %d dark, %d light pixels\n", box.width, box.height, dark,
              light);
  EXPECT_GT(dark, box.area() / 2);
  EXPECT_GT(light, 150);

  // Pattern: each bar's colour in the middle band (below the origin's text box, above the grey
  // ramp and the overlay).
  // The moving bar and the ball may cover a sample, so most, not all, must match.
  int matching = 0;
  for (int i = 0; i < 7; ++i) {
    const int x = 640 * i / 7 + 640 / 14;
    int hits = 0;
    for (int y : {60, 90, 120, 150}) {
      if (close_to(img.at<cv::Vec3b>(y, x), kBars[i], 40)) ++hits;
    }
    std::printf("bar %d at x=%d: %d/4 samples match\n", i, x, hits);
    if (hits >= 2) ++matching;
  }
  EXPECT_GE(matching, 5);  // the moving bar and the ball can hide one bar each
}

}  // namespace
