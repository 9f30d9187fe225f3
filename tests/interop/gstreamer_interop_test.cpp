// GStreamer's rtspsrc (a client no one here wrote) decodes 90 frames over TCP and over UDP.
#include <chrono>
#include <string>

#include "gtest/gtest.h"
#include "tests/support/cluster.hpp"
#include "tests/support/edge_probe.hpp"

namespace rstest {
namespace {

using std::chrono::milliseconds;

class GstreamerInterop : public SharedClusterTest<GstreamerInterop>,
                         public ::testing::WithParamInterface<const char*> {
 public:
  static std::unique_ptr<Cluster> start_cluster(std::string* error) {
    // Debug logging on the edge: a failure then shows why it closed a connection.
    return Cluster::start({.edge_args = {"--log_level=debug"}}, error);
  }
};

TEST_P(GstreamerInterop, RtspsrcDecodes90Frames) {
  const auto start = std::chrono::steady_clock::now();
  const GstPlayback r =
      gst_play({"rtspsrc", "location=" + cluster_->url(), std::string("protocols=") + GetParam(),
                "latency=200", "!", "rtph264depay", "!", "h264parse", "!", "avdec_h264", "!",
                "fakesink", "num-buffers=90"},
               milliseconds(40000), {"GST_DEBUG=1"});
  EXPECT_TRUE(r.played()) << cluster_->logs();
  std::printf("gst-launch %s: %lld ms\n", GetParam(),
              static_cast<long long>(
                  std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start)
                      .count()));
}

INSTANTIATE_TEST_SUITE_P(Transports, GstreamerInterop, ::testing::Values("tcp", "udp"),
                         [](const auto& info) { return std::string(info.param); });

}  // namespace
}  // namespace rstest
