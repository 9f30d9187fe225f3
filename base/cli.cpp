// Usage errors and termination signal handling shared by the programs.
#include "base/cli.hpp"

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"

namespace base {

std::string one_line(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

void fail_usage(std::string_view program, absl::string_view message) {
  std::string line(program);
  line.append(": ").append(one_line(std::string_view(message.data(), message.size()))).append("\n");
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
  std::exit(2);
}

void ok_or_exit(std::string_view program, const absl::Status& status, std::string_view context) {
  if (status.ok()) return;
  if (context.empty()) fail_usage(program, status.message());
  std::string message(context);
  message.append(": ").append(status.message().data(), status.message().size());
  fail_usage(program, message);
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

#include <algorithm>
#include <fstream>
#include <iostream>
#include <vector>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/parse.h"
#include "absl/flags/reflection.h"
#include "absl/flags/usage.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "base/build_info.hpp"
#include "base/strings.hpp"

namespace base {
namespace {

// The flags every program has besides its own: Abseil's built-in ones that parse_flags() keeps.
constexpr std::string_view kCommonFlags[] = {"help",     "helpfull", "version",
                                             "flagfile", "fromenv",  "tryfromenv"};

bool is_common(std::string_view name) {
  for (std::string_view c : kCommonFlags) {
    if (c == name) return true;
  }
  return false;
}

// What a value of the flag looks like, for help and error lines.
std::string_view value_hint(const absl::CommandLineFlag& f) {
  if (f.IsOfType<bool>()) return "true or false";
  if (f.IsOfType<absl::Duration>()) return "a duration such as 250ms, 5s or 1m30s";
  if (f.IsOfType<int32_t>() || f.IsOfType<int64_t>() || f.IsOfType<int16_t>()) return "an integer";
  if (f.IsOfType<uint32_t>() || f.IsOfType<uint64_t>() || f.IsOfType<uint16_t>()) {
    return "a non-negative integer";
  }
  if (f.IsOfType<double>() || f.IsOfType<float>()) return "a number";
  if (f.IsOfType<std::vector<std::string>>()) return "a comma-separated list";
  return "text";
}

// Flags sorted by name: the program's own (their file path contains `file_part`) and, with
// `full`, the common ones.
std::vector<const absl::CommandLineFlag*> listed_flags(std::string_view file_part, bool full) {
  std::vector<const absl::CommandLineFlag*> out;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (flag->Filename().find(file_part) != std::string::npos || (full && is_common(sv(name)))) {
      out.push_back(flag);
    }
  }
  std::sort(out.begin(), out.end(),
            [](const auto* a, const auto* b) { return a->Name() < b->Name(); });
  return out;
}

void print_help(std::string_view usage, std::string_view file_part, bool full,
                std::string_view match) {
  std::string out(usage);
  out += "\n\nFlags (--name=value or --name value):\n";
  size_t shown = 0;
  for (const auto* f : listed_flags(file_part, full || !match.empty())) {
    const std::string name(f->Name());
    if (!match.empty() && name.find(match) == std::string::npos &&
        f->Help().find(match) == std::string::npos) {
      continue;
    }
    const std::string def = f->DefaultValue();
    out += "  --" + name + "  (" + std::string(value_hint(*f)) +
           (def.empty() ? std::string(", default empty)") : ", default " + def + ")") + "\n      " +
           f->Help() + "\n";
    ++shown;
  }
  if (!match.empty() && shown == 0) out += "  (no flag matches '" + std::string(match) + "')\n";
  out += full ? ""
              : "\n--helpfull also lists the flags every program has; --help=TEXT lists the "
                "flags whose name or help contains TEXT; --version prints the build.\n";
  std::cout << out;
}

struct Pending {
  absl::CommandLineFlag* flag;
  std::string value;
  std::string origin;  // where the value came from, for the error line
};

[[noreturn]] void bad_value(std::string_view program, const Pending& p, const std::string& error) {
  std::string line = "invalid value '" + p.value + "' for --" + std::string(p.flag->Name()) +
                     p.origin + ": expected " + std::string(value_hint(*p.flag));
  if (!error.empty() && !absl::StrContains(error, "Illegal value")) line += " (" + error + ")";
  fail_usage(program, line);
}

// Checks every value a flag would get, from the command line, a --flagfile or the environment
// (--fromenv/--tryfromenv), with the flag's own parser, before Abseil applies them: a bad value
// is one line and exit 2 rather than Abseil's exit 1.
void check_values(std::string_view program, const std::vector<std::string>& args);

absl::CommandLineFlag* find_flag(std::string_view name) {
  return absl::FindCommandLineFlag(absl::string_view(name.data(), name.size()));
}

void check_one(std::string_view program, const Pending& p) {
  // ParseFrom() sets the flag; Abseil's own parse sets the same value again afterwards.
  std::string error;
  if (!p.flag->ParseFrom(p.value, &error)) {
    bad_value(program, p, error);
  }
}

void check_env(std::string_view program, std::string_view list, bool required) {
  for (absl::string_view name : absl::StrSplit(av(list), ',', absl::SkipEmpty())) {
    absl::CommandLineFlag* flag = find_flag(sv(name));
    if (flag == nullptr)
      fail_usage(program, "unknown flag '--" + std::string(name) + "' in --fromenv");
    const std::string var = "FLAGS_" + std::string(name);
    const char* value = std::getenv(var.c_str());
    if (value == nullptr) {
      if (required) fail_usage(program, "--fromenv: environment variable " + var + " is not set");
      continue;
    }
    check_one(program, {flag, value, " (from $" + var + ")"});
  }
}

void check_file(std::string_view program, const std::string& path) {
  std::ifstream in(path);
  if (!in) fail_usage(program, "--flagfile: cannot read " + path);
  std::vector<std::string> args{""};
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    args.push_back(line);
  }
  check_values(program, args);
}

void check_values(std::string_view program, const std::vector<std::string>& args) {
  for (size_t i = 1; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--") break;
    if (!arg.starts_with("-") || arg == "-") continue;
    arg.remove_prefix(arg.starts_with("--") ? 2 : 1);
    const size_t eq = arg.find('=');
    const std::string_view name = arg.substr(0, eq);
    absl::CommandLineFlag* flag = find_flag(name);
    std::string value;
    if (flag == nullptr && name.starts_with("no") && eq == std::string_view::npos) {
      flag = find_flag(name.substr(2));
      if (flag != nullptr && flag->IsOfType<bool>()) continue;  // --noname: false
      flag = nullptr;
    }
    if (flag == nullptr) {
      fail_usage(program, "unknown flag '--" + std::string(name) + "' (see --help)");
    }
    if (eq != std::string_view::npos) {
      value = std::string(arg.substr(eq + 1));
    } else if (flag->IsOfType<bool>()) {
      continue;  // --name: true
    } else if (i + 1 < args.size()) {
      value = args[++i];  // --name value
    } else {
      fail_usage(program, "flag '--" + std::string(name) + "' is missing its value (" +
                              std::string(value_hint(*flag)) + ")");
    }
    if (name == "flagfile") {
      for (absl::string_view file : absl::StrSplit(value, ',', absl::SkipEmpty())) {
        check_file(program, std::string(file));
      }
    } else if (name == "fromenv" || name == "tryfromenv") {
      check_env(program, value, name == "fromenv");
    } else {
      check_one(program, {flag, value, ""});
    }
  }
}

}  // namespace

std::vector<std::string> parse_flags(int argc, char** argv, std::string_view program,
                                     std::string_view usage, std::string_view flags_file_part,
                                     size_t max_positional) {
  configure_runtime();
  absl::SetProgramUsageMessage(absl::string_view(usage.data(), usage.size()));
  std::vector<std::string> args(argv, argv + argc);
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--") break;
    if (arg == "--version" || arg == "-version") {
      std::cout << version_line(program) << "\n";
      std::exit(0);
    }
    const bool full = arg == "--helpfull" || arg == "-helpfull";
    if (full || arg == "--help" || arg == "-help" || arg == "-h" || arg == "--helpshort") {
      print_help(usage, flags_file_part, full, "");
      std::exit(0);
    }
    if (arg.starts_with("--help=") || arg.starts_with("-help=")) {
      print_help(usage, flags_file_part, false, arg.substr(arg.find('=') + 1));
      std::exit(0);
    }
  }
  check_values(program, args);
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  std::vector<std::string> positional(rest.begin() + 1, rest.end());
  if (positional.size() > max_positional) {
    fail_usage(program, "unexpected argument '" + positional[max_positional] +
                            "' (flags look like --name=value)");
  }
  return positional;
}

}  // namespace base
