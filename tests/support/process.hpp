// Child processes for integration and interop tests: spawn, capture output, wait, signal.
// Only processes this object started are ever signalled (by their own PID).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace rstest {

// How a child ended: exit code, or the signal that killed it.
struct ExitStatus {
  bool exited = false;  // normal exit: `code` is valid
  int code = 0;
  int signal = 0;  // set when killed by a signal
  std::string describe() const;
};

class Process {
 public:
  struct Options {
    std::vector<std::string> argv;       // argv[0] is the program path
    std::vector<std::string> extra_env;  // "NAME=value", added to (or overriding) our environment
    std::string name;                    // for messages; defaults to the program's base name
  };

  // Starts the program with stdout and stderr captured by reader threads. The child gets
  // SIGKILL if the spawning thread dies (PR_SET_PDEATHSIG), so spawn from a thread that
  // outlives the child (the test's main thread). Returns nullptr and sets *error on failure
  // (including exec failure, e.g. a wrong path).
  static std::unique_ptr<Process> start(Options options, std::string* error);

  // Kills (SIGKILL) and reaps the child if it is still running.
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& name() const { return name_; }

  // Every timeout of a Process (and run_command) is stretched by RS_TIME_SCALE (time_scale.hpp).
  // Waits until a complete stdout line (any since the start) fully matches `pattern`; returns
  // the line and the submatches ([0] = the line), or nullopt on timeout or when the child
  // closed stdout first.
  using Match = std::vector<std::string>;
  std::optional<Match> wait_for_stdout_line(const std::regex& pattern,
                                            std::chrono::milliseconds timeout);
  // Same, on stderr (log lines); the pattern may match part of the line (regex_search).
  std::optional<Match> wait_for_stderr_line(const std::regex& pattern,
                                            std::chrono::milliseconds timeout);

  // Sends `sig` to the child if it has not been reaped yet. Returns false if it already ended.
  bool send_signal(int sig);
  // Non-blocking: true while the child has not exited.
  bool running();
  // Waits for the child to end; nullopt on timeout (the child keeps running).
  std::optional<ExitStatus> wait(std::chrono::milliseconds timeout);
  // Kills with SIGKILL and reaps.
  void kill();

  // Output captured so far (complete once the child has ended and wait() returned).
  std::string stdout_text() const;
  std::string stderr_text() const;
  // The last `max_bytes` of stderr, for failure messages.
  std::string stderr_tail(size_t max_bytes = 4000) const;

 private:
  struct Stream {
    std::string text;
    bool closed = false;
    std::string partial;             // bytes after the last newline
    std::vector<std::string> lines;  // complete lines so far
  };
  Process() = default;
  void read_loop(int fd, Stream* stream);
  std::optional<Match> wait_for_line(Stream* stream, const std::regex& pattern, bool full,
                                     std::chrono::milliseconds timeout);
  void join_readers();

  std::string name_;
  pid_t pid_ = -1;
  std::optional<ExitStatus> exit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  Stream out_;
  Stream err_;
  std::thread out_reader_;
  std::thread err_reader_;
};

// A TCP port P on 127.0.0.1 that was free a moment ago, with P + 1 free too (an origin binds
// its catch-up endpoint at its publish port + 1). Chosen below the kernel's ephemeral range
// (32768..), so no outgoing connection can take it before the test binds it; after 200 tries it
// falls back to a port the kernel picks.
uint16_t free_tcp_port();

// The first sanitizer report (ASan, LSan, TSan, UBSan) in a program's log, from its first line
// on (up to ~3 KiB), or nullopt. Every Process checks its stderr with it when it is destroyed and
// fails the running test on a report: a program a test kills never reaches the sanitizer's exit
// code, so its report would otherwise go unseen (`make asan`, `make tsan`).
std::optional<std::string> sanitizer_report(std::string_view log);

// Directory with rtsp-origin and rtsp-edge: $RS_BIN_DIR (set by rs_test()).
std::string bin_dir();
std::string bin_path(std::string_view program);

// Runs a program to completion with a timeout; output captured. Kills it on timeout.
struct RunResult {
  std::optional<ExitStatus> status;  // nullopt: timed out (and killed)
  std::string out;
  std::string err;
  std::string error;  // spawn error
};
RunResult run_command(std::vector<std::string> argv, std::chrono::milliseconds timeout,
                      std::vector<std::string> extra_env = {});

}  // namespace rstest
