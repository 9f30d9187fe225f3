// Usage errors and termination signal handling shared by the programs.
#include "base/cli.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"

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

const std::atomic<bool>& stop_flag_on_termination() {
  static std::atomic<bool> stop{false};
  block_termination_signals();
  std::thread([] {
    wait_for_termination();
    stop.store(true);
  }).detach();
  return stop;
}

void configure_runtime() {
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
}

}  // namespace base

#include <iostream>
#include <vector>

#include "absl/flags/internal/program_name.h"
#include "absl/flags/internal/usage.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"

namespace base {

void parse_flags(int argc, char** argv, std::string_view program, std::string_view usage,
                 std::string_view flags_file_part) {
  configure_runtime();
  static std::string file_part;
  file_part = std::string(flags_file_part);
  absl::FlagsUsageConfig config;
  config.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, file_part);
  };
  config.contains_helpshort_flags = config.contains_help_flags;
  absl::SetFlagsUsageConfig(config);
  absl::flags_internal::SetProgramInvocationName(absl::string_view(program.data(), program.size()));
  absl::SetProgramUsageMessage(absl::string_view(usage.data(), usage.size()));
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const bool full = arg == "--helpfull" || arg == "-helpfull";
    if (full || arg == "--help" || arg == "-help" || arg == "-h" || arg == "--helpshort") {
      // Abseil exits 1 after --help; a successful help request exits 0 here. --helpfull also
      // lists Abseil's own flags (--fromenv, --tryfromenv, --flagfile, ...).
      absl::flags_internal::FlagsHelp(std::cout, full ? "" : file_part,
                                      absl::flags_internal::HelpFormat::kHumanReadable,
                                      absl::ProgramUsageMessage());
      std::exit(0);
    }
  }
  // Abseil exits 1 on an unknown flag; usage errors exit 2 here, with one line.
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--") break;
    if (!arg.starts_with("-") || arg == "-") continue;
    arg.remove_prefix(arg.starts_with("--") ? 2 : 1);
    std::string_view name = arg.substr(0, arg.find('='));
    if (absl::FindCommandLineFlag(absl::string_view(name.data(), name.size())) != nullptr) continue;
    if (name.starts_with("no") &&
        absl::FindCommandLineFlag(absl::string_view(name.data() + 2, name.size() - 2)) != nullptr) {
      continue;
    }
    fail_usage(program, std::string("unknown flag '--") + std::string(name) + "' (see --help)");
  }
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() > 1) {
    fail_usage(program,
               std::string("unexpected argument '") + rest[1] + "' (flags look like --name=value)");
  }
}

}  // namespace base
