// Child processes for tests: fork/exec with captured output (see process.hpp).
#include "tests/support/process.hpp"
#include "tests/support/time_scale.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>

#include <gtest/gtest.h>

extern char** environ;

namespace rstest {
namespace {

using Clock = std::chrono::steady_clock;

ExitStatus from_wait_status(int status) {
  ExitStatus s;
  if (WIFEXITED(status)) {
    s.exited = true;
    s.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    s.signal = WTERMSIG(status);
  }
  return s;
}

std::vector<std::string> merged_environment(const std::vector<std::string>& extra) {
  std::map<std::string, std::string> vars;
  std::vector<std::string> order;
  auto put = [&](const std::string& entry) {
    const size_t eq = entry.find('=');
    const std::string key = entry.substr(0, eq);
    if (!vars.contains(key)) order.push_back(key);
    vars[key] = entry;
  };
  for (char** e = environ; e && *e; ++e) put(*e);
  for (const std::string& entry : extra) put(entry);
  std::vector<std::string> out;
  out.reserve(order.size());
  for (const std::string& key : order) out.push_back(vars[key]);
  return out;
}

std::string base_name(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::string ExitStatus::describe() const {
  if (exited) return "exit code " + std::to_string(code);
  return std::string("killed by signal ") + std::to_string(signal) + " (" + strsignal(signal) + ")";
}

std::unique_ptr<Process> Process::start(Options options, std::string* error) {
  if (options.argv.empty()) {
    *error = "empty argv";
    return nullptr;
  }
  std::unique_ptr<Process> p(new Process());
  p->name_ = options.name.empty() ? base_name(options.argv[0]) : options.name;

  int out_pipe[2], err_pipe[2], exec_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0 ||
      pipe2(exec_pipe, O_CLOEXEC) != 0) {
    *error = std::string("pipe2: ") + std::strerror(errno);
    return nullptr;
  }
  // Everything the child touches is prepared before fork (only async-signal-safe calls after).
  std::vector<std::string> env = merged_environment(options.extra_env);
  std::vector<char*> argv_ptrs, env_ptrs;
  for (std::string& a : options.argv) argv_ptrs.push_back(a.data());
  argv_ptrs.push_back(nullptr);
  for (std::string& e : env) env_ptrs.push_back(e.data());
  env_ptrs.push_back(nullptr);
  const pid_t parent = getpid();

  const pid_t pid = fork();
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    return nullptr;
  }
  if (pid == 0) {
    // Child. Dies with the spawning thread so that a killed test leaves no stray servers.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    dup2(out_pipe[1], STDOUT_FILENO);
    dup2(err_pipe[1], STDERR_FILENO);
    const int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    execve(argv_ptrs[0], argv_ptrs.data(), env_ptrs.data());
    const int e = errno;
    ssize_t ignored = write(exec_pipe[1], &e, sizeof e);
    (void)ignored;
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  close(exec_pipe[1]);
  p->pid_ = pid;
  int exec_errno = 0;
  ssize_t n;
  do {
    n = read(exec_pipe[0], &exec_errno, sizeof exec_errno);
  } while (n < 0 && errno == EINTR);
  close(exec_pipe[0]);
  p->out_reader_ =
      std::thread([raw = p.get(), fd = out_pipe[0]] { raw->read_loop(fd, &raw->out_); });
  p->err_reader_ =
      std::thread([raw = p.get(), fd = err_pipe[0]] { raw->read_loop(fd, &raw->err_); });
  if (n > 0) {
    *error = "exec " + options.argv[0] + ": " + std::strerror(exec_errno);
    p->wait(std::chrono::seconds(5));
    return nullptr;
  }
  return p;
}

Process::~Process() {
  if (pid_ > 0 && !exit_) kill();
  join_readers();
  if (auto report = sanitizer_report(err_.text)) {
    ADD_FAILURE() << name_ << " (pid " << pid_ << ") reported:\n" << *report;
  }
}

std::optional<std::string> sanitizer_report(std::string_view log) {
  // The line each sanitizer starts a report with; UBSan's is "file:line:col: runtime error: ...".
  static constexpr std::string_view kMarkers[] = {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                                                  "WARNING: ThreadSanitizer", ": runtime error: "};
  size_t first = std::string_view::npos;
  for (std::string_view marker : kMarkers) first = std::min(first, log.find(marker));
  if (first == std::string_view::npos) return std::nullopt;
  const size_t line = log.rfind('\n', first);
  const size_t from = line == std::string_view::npos ? 0 : line + 1;
  return std::string(log.substr(from, 3000));
}

void Process::join_readers() {
  if (out_reader_.joinable()) out_reader_.join();
  if (err_reader_.joinable()) err_reader_.join();
}

void Process::read_loop(int fd, Stream* stream) {
  char buffer[4096];
  for (;;) {
    const ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    std::lock_guard lock(mu_);
    if (n <= 0) {
      stream->closed = true;
      cv_.notify_all();
      break;
    }
    stream->text.append(buffer, static_cast<size_t>(n));
    stream->partial.append(buffer, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = stream->partial.find('\n', start)) != std::string::npos; start = nl + 1) {
      stream->lines.push_back(stream->partial.substr(start, nl - start));
    }
    stream->partial.erase(0, start);
    cv_.notify_all();
  }
  close(fd);
}

std::optional<Process::Match> Process::wait_for_line(Stream* stream, const std::regex& pattern,
                                                     bool full, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + scaled(timeout);
  std::unique_lock lock(mu_);
  size_t checked = 0;
  for (;;) {
    for (; checked < stream->lines.size(); ++checked) {
      const std::string& line = stream->lines[checked];
      std::smatch m;
      const bool ok =
          full ? std::regex_match(line, m, pattern) : std::regex_search(line, m, pattern);
      if (ok) {
        Match out;
        for (const auto& sub : m) out.push_back(sub.str());
        if (!out.empty()) out[0] = line;
        return out;
      }
    }
    if (stream->closed) return std::nullopt;
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout &&
        checked == stream->lines.size()) {
      return std::nullopt;
    }
  }
}

std::optional<Process::Match> Process::wait_for_stdout_line(const std::regex& pattern,
                                                            std::chrono::milliseconds timeout) {
  return wait_for_line(&out_, pattern, /*full=*/true, timeout);
}

std::optional<Process::Match> Process::wait_for_stderr_line(const std::regex& pattern,
                                                            std::chrono::milliseconds timeout) {
  return wait_for_line(&err_, pattern, /*full=*/false, timeout);
}

bool Process::send_signal(int sig) {
  if (pid_ <= 0 || exit_) return false;
  if (!running()) return false;
  return ::kill(pid_, sig) == 0;
}

bool Process::running() {
  if (pid_ <= 0 || exit_) return false;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_ = from_wait_status(status);
    return false;
  }
  return r == 0;
}

std::optional<ExitStatus> Process::wait(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + scaled(timeout);
  while (!exit_) {
    if (!running()) break;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!exit_) return std::nullopt;
  // The child is gone; its pipes reach EOF unless a grandchild holds them.
  join_readers();
  return exit_;
}

void Process::kill() {
  if (pid_ <= 0 || exit_) return;
  if (running()) ::kill(pid_, SIGKILL);
  int status = 0;
  while (!exit_) {
    const pid_t r = waitpid(pid_, &status, 0);
    if (r == pid_) exit_ = from_wait_status(status);
    if (r < 0 && errno != EINTR) break;
  }
  join_readers();
}

std::string Process::stdout_text() const {
  std::lock_guard lock(mu_);
  return out_.text;
}

std::string Process::stderr_text() const {
  std::lock_guard lock(mu_);
  return err_.text;
}

std::string Process::stderr_tail(size_t max_bytes) const {
  std::lock_guard lock(mu_);
  if (err_.text.size() <= max_bytes) return err_.text;
  return "..." + err_.text.substr(err_.text.size() - max_bytes);
}

namespace {

// Binds 127.0.0.1:`port` (0: any) and returns the bound port, or 0; the socket is closed.
uint16_t try_bind(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  uint16_t bound = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    bound = ntohs(addr.sin_port);
  }
  close(fd);
  return bound;
}

}  // namespace

uint16_t free_tcp_port() {
  constexpr uint16_t kLow = 20000, kHigh = 32700;  // below the ephemeral range (32768..60999)
  thread_local std::mt19937 random(std::random_device{}() ^ static_cast<unsigned>(getpid()));
  std::uniform_int_distribution<int> pick(kLow, kHigh);
  for (int attempt = 0; attempt < 200; ++attempt) {
    const auto port = static_cast<uint16_t>(pick(random));
    if (try_bind(port) == port && try_bind(static_cast<uint16_t>(port + 1)) == port + 1) {
      return port;
    }
  }
  return try_bind(0);
}

std::string bin_dir() {
  const char* dir = std::getenv("RS_BIN_DIR");
  return dir ? std::string(dir) : std::string();
}

std::string bin_path(std::string_view program) {
  return bin_dir() + "/" + std::string(program);
}

RunResult run_command(std::vector<std::string> argv, std::chrono::milliseconds timeout,
                      std::vector<std::string> extra_env) {
  RunResult result;
  auto p =
      Process::start({.argv = std::move(argv), .extra_env = std::move(extra_env)}, &result.error);
  if (!p) return result;
  result.status = p->wait(timeout);
  if (!result.status) p->kill();
  result.out = p->stdout_text();
  result.err = p->stderr_text();
  return result;
}

}  // namespace rstest
