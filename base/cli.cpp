// Usage errors and termination signal handling shared by the programs.
#include "base/cli.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace base {

void fail_usage(std::string_view program, absl::string_view message) {
  std::string line(program);
  line.append(": ").append(message.data(), message.size()).append("\n");
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
  std::exit(2);
}

namespace {
sigset_t termination_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}
}  // namespace

void block_termination_signals() {
  sigset_t set = termination_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int wait_for_termination() {
  sigset_t set = termination_set();
  int signal_number = 0;
  sigwait(&set, &signal_number);
  return signal_number;
}

}  // namespace base
