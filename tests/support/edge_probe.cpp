// Probes for edge tests (see edge_probe.hpp).
#include "tests/support/edge_probe.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <mutex>
#include <sstream>

#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace rstest {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

int tcp_connect(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void close_with_reset(int fd) {
  linger l{.l_onoff = 1, .l_linger = 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

std::optional<std::string> http_get(uint16_t port, const std::string& path, milliseconds timeout) {
  const int fd = tcp_connect(port);
  if (fd < 0) return std::nullopt;
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  if (::send(fd, request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return std::nullopt;
  }
  const auto deadline = Clock::now() + timeout;
  std::string response;
  char buffer[16384];
  for (;;) {
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) break;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left)) <= 0) break;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    response.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  const size_t end = response.find("\r\n\r\n");
  if (end == std::string::npos || (response.compare(0, 12, "HTTP/1.0 200") != 0 &&
                                   response.compare(0, 12, "HTTP/1.1 200") != 0)) {
    return std::nullopt;
  }
  return response.substr(end + 4);
}

std::optional<double> metric_value(std::string_view text, std::string_view series) {
  size_t at = 0;
  while (at < text.size()) {
    size_t eol = text.find('\n', at);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(at, eol - at);
    at = eol + 1;
    if (line.size() > series.size() && line.substr(0, series.size()) == series &&
        line[series.size()] == ' ') {
      const std::string value(line.substr(series.size() + 1));
      char* end = nullptr;
      const double v = std::strtod(value.c_str(), &end);
      if (end != value.c_str()) return v;
    }
  }
  return std::nullopt;
}

int open_fd_count(pid_t pid) {
  DIR* dir = opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
  if (dir == nullptr) return -1;
  int count = 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++count;
  }
  closedir(dir);
  return count;
}

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return -1;
}

std::string ToolResult::describe() const {
  return (ok ? std::string("ok") : std::string("FAILED")) + "\n--- stdout ---\n" + out +
         "\n--- stderr ---\n" + err.substr(err.size() > 3000 ? err.size() - 3000 : 0);
}

ToolResult run_tool(std::vector<std::string> argv, milliseconds timeout,
                    std::vector<std::string> extra_env) {
  RunResult r = run_command(std::move(argv), timeout, std::move(extra_env));
  ToolResult t;
  t.ok = r.error.empty() && r.status && r.status->exited && r.status->code == 0;
  t.out = r.out;
  t.err = r.error.empty() ? r.err : r.error;
  if (!r.status)
    t.err += "\n(timed out and killed)";
  else if (!t.ok)
    t.err += "\n(" + r.status->describe() + ")";
  return t;
}

ToolResult ffprobe(std::vector<std::string> args, milliseconds timeout) {
  std::vector<std::string> argv = {"/usr/bin/ffprobe", "-hide_banner", "-v", "error"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_tool(std::move(argv), timeout);
}

GstPlayback gst_play(std::vector<std::string> pipeline, milliseconds timeout,
                     std::vector<std::string> extra_env) {
  std::vector<std::string> argv = {"/usr/bin/gst-launch-1.0"};  // not -q: it says when EOS came
  argv.insert(argv.end(), pipeline.begin(), pipeline.end());
  GstPlayback p;
  p.run = run_tool(std::move(argv), timeout, std::move(extra_env));
  p.eos = p.run.out.find("Got EOS from element \"pipeline0\"") != std::string::npos;
  for (size_t at = p.run.err.find("ERROR: from element"); at != std::string::npos;) {
    const size_t next = p.run.err.find("ERROR: from element", at + 1);
    p.errors.push_back(p.run.err.substr(at, next == std::string::npos ? next : next - at));
    at = next;
  }
  return p;
}

::testing::AssertionResult GstPlayback::played() const {
  const auto failure = [&](std::string_view why) {
    return ::testing::AssertionFailure() << why << "\n" << run.describe();
  };
  if (!eos) return failure("the pipeline did not reach EOS: a sink got fewer buffers than asked");
  if (run.ok) return ::testing::AssertionSuccess();
  // GStreamer's rtspsrc, going from PLAYING to NULL, queues PAUSE and then CLOSE on its own
  // thread; CLOSE flushes the connection while PAUSE is being sent, the PAUSE "fails" with
  // end-of-file on the client side, and gst-launch exits 1 though the server answers the
  // TEARDOWN that follows on the same connection. That error, after EOS, is the only one
  // forgiven: a server that closed the connection would fail the TEARDOWN (gst_rtspsrc_close).
  bool pause_interrupted = false;
  for (const std::string& e : errors) {
    const bool eof = e.find("Received end-of-file") != std::string::npos;
    const bool pause = e.find("gst_rtspsrc_pause") != std::string::npos;
    const bool send = e.find("gst_rtspsrc_try_send") != std::string::npos;
    if (!eof || !(pause || send)) return failure("gst reported an error");
    pause_interrupted = pause_interrupted || pause;
  }
  if (errors.empty() || !pause_interrupted) return failure("gst-launch failed");
  return ::testing::AssertionSuccess() << "rtspsrc's PAUSE was interrupted by its own CLOSE";
}

std::string temp_dir() {
  static std::mutex mu;
  static std::deque<TempDir> dirs;  // removed at exit
  std::lock_guard lock(mu);
  return dirs.emplace_back("edge").path();
}

std::string make_clip(const std::string& path, const std::string& video, bool audio, int seconds) {
  std::vector<std::string> argv = {
      "/usr/bin/ffmpeg", "-hide_banner", "-loglevel",
      "error",           "-y",           "-f",
      "lavfi",           "-i",           "testsrc2=size=320x180:rate=25"};
  if (audio) {
    for (const char* a : {"-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"})
      argv.push_back(a);
  }
  argv.push_back("-t");
  argv.push_back(std::to_string(seconds));
  if (video == "h265") {
    for (const char* a : {"-c:v", "libx265", "-preset", "ultrafast", "-x265-params",
                          "log-level=error:keyint=25:bframes=0:repeat-headers=1", "-tag:v", "hvc1"})
      argv.push_back(a);
  } else {
    for (const char* a : {"-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-bf", "0"})
      argv.push_back(a);
  }
  for (const char* a : {"-pix_fmt", "yuv420p"}) argv.push_back(a);
  if (audio) {
    for (const char* a : {"-c:a", "aac", "-shortest"}) argv.push_back(a);
  }
  argv.push_back(path);
  ToolResult r = run_tool(argv, milliseconds(60'000));
  return r.ok ? "" : "ffmpeg failed: " + r.err;
}

}  // namespace rstest
