// Command lines of rtsp-edge and rtsp-origin: --help, usage errors (exit 2, one line on stderr),
// a busy RTSP port, and clean shutdown on SIGINT/SIGTERM.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/cluster.hpp"
#include "tests/support/process.hpp"
#include "tests/support/rtsp_test_client.hpp"

namespace rstest {
namespace {

using std::chrono::milliseconds;

size_t count_lines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(CommandLine, HelpExitsZeroForBothPrograms) {
  for (const char* program : {"rtsp-edge", "rtsp-origin"}) {
    SCOPED_TRACE(program);
    RunResult r = run_command({bin_path(program), "--help"}, milliseconds(10000));
    ASSERT_TRUE(r.error.empty()) << r.error;
    ASSERT_TRUE(r.status.has_value()) << "timed out";
    EXPECT_TRUE(r.status->exited && r.status->code == 0) << r.status->describe() << "\n" << r.err;
    EXPECT_NE((r.out + r.err).find("--"), std::string::npos) << "no flags listed";
  }
}

struct BadFlagCase {
  const char* name;
  std::vector<std::string> args;  // args[0]: program name
};

TEST(CommandLine, BadFlagsExitTwoWithOneLineOnStderr) {
  const uint16_t unused = free_tcp_port();
  const std::string origin = "--origin=tcp://127.0.0.1:" + std::to_string(unused);
  const BadFlagCase cases[] = {
      {"edge rtsp not host:port", {"rtsp-edge", origin, "--rtsp=nonsense"}},
      {"edge origin not an endpoint", {"rtsp-edge", "--origin=nonsense", "--rtsp=127.0.0.1:0"}},
      {"origin publish not an endpoint", {"rtsp-origin", "--publish=nonsense"}},
      {"origin odd picture size",
       {"rtsp-origin", "--size=13x7", "--publish=tcp://127.0.0.1:" + std::to_string(unused)}},
  };
  for (const BadFlagCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::vector<std::string> argv = c.args;
    argv[0] = bin_path(argv[0]);
    RunResult r = run_command(argv, milliseconds(10000));
    ASSERT_TRUE(r.error.empty()) << r.error;
    ASSERT_TRUE(r.status.has_value()) << "did not exit within 10 s";
    EXPECT_TRUE(r.status->exited && r.status->code == 2)
        << r.status->describe() << "\nstderr: " << r.err;
    EXPECT_EQ(count_lines(r.err), 1u) << "want exactly one line on stderr, got:\n" << r.err;
    EXPECT_EQ(r.out, "") << "nothing on stdout";
  }
}

// An unknown flag is a usage error too (docs/config.md: usage errors exit 2).
TEST(CommandLine, UnknownFlagExitsTwoWithOneLineOnStderr) {
  for (const char* program : {"rtsp-edge", "rtsp-origin"}) {
    SCOPED_TRACE(program);
    RunResult r = run_command({bin_path(program), "--no_such_flag=1"}, milliseconds(10000));
    ASSERT_TRUE(r.status.has_value()) << "did not exit within 10 s";
    EXPECT_TRUE(r.status->exited && r.status->code == 2)
        << r.status->describe() << "\nstderr: " << r.err;
    EXPECT_EQ(count_lines(r.err), 1u) << r.err;
  }
}

TEST(CommandLine, EdgeRtspPortInUseExitsTwoWithCannotListen) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 4), 0);
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const uint16_t busy = ntohs(addr.sin_port);
  RunResult r = run_command(
      {bin_path("rtsp-edge"), "--origin=tcp://127.0.0.1:" + std::to_string(free_tcp_port()),
       "--rtsp=127.0.0.1:" + std::to_string(busy)},
      milliseconds(10000));
  close(fd);
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_TRUE(r.status.has_value()) << "edge kept running on a busy port";
  EXPECT_TRUE(r.status->exited && r.status->code == 2)
      << r.status->describe() << "\nstderr: " << r.err;
  EXPECT_NE(r.err.find("cannot listen"), std::string::npos) << r.err;
  EXPECT_EQ(count_lines(r.err), 1u) << r.err;
}

// Sends `sig` to the edge (while a reader plays) and then to the origin; both exit 0 within 2 s.
void expect_clean_shutdown(int sig) {
  std::string error;
  auto cluster = Cluster::start({}, &error);
  ASSERT_NE(cluster, nullptr) << error;
  RtspTestClient reader(cluster->url());
  ASSERT_TRUE(reader.start_playing(RtspTestClient::Lower::Tcp).ok());
  reader.receive_for(milliseconds(300));
  ASSERT_FALSE(reader.access_units().empty()) << reader.summary();

  for (Process* p : {&cluster->edge(), &cluster->origin()}) {
    SCOPED_TRACE(p->name());
    ASSERT_TRUE(p->send_signal(sig)) << "not running before the signal";
    const auto start = std::chrono::steady_clock::now();
    auto status = p->wait(milliseconds(2000));
    ASSERT_TRUE(status.has_value()) << "still running 2 s after signal " << sig << "\n"
                                    << p->stderr_tail();
    EXPECT_TRUE(status->exited && status->code == 0) << status->describe() << "\n"
                                                     << p->stderr_tail();
    std::printf("%s exited %d ms after signal %d\n", p->name().c_str(),
                static_cast<int>(std::chrono::duration_cast<milliseconds>(
                                     std::chrono::steady_clock::now() - start)
                                     .count()),
                sig);
  }
  // The reader saw its connection end (the edge closed it, not a hang).
  reader.receive_for(milliseconds(200));
  EXPECT_TRUE(reader.connection_closed()) << reader.summary();
}

TEST(Shutdown, SigintStopsEdgeAndOriginWithExitZeroWithin2s) {
  expect_clean_shutdown(SIGINT);
}

TEST(Shutdown, SigtermStopsEdgeAndOriginWithExitZeroWithin2s) {
  expect_clean_shutdown(SIGTERM);
}

}  // namespace
}  // namespace rstest
