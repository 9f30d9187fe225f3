// Helpers every program's main() shares: usage errors and termination signals.
#pragma once

#include <atomic>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace base {

// Prints "<program>: <message>" on one line to stderr and exits with status 2 (bad usage).
[[noreturn]] void fail_usage(std::string_view program, absl::string_view message);

// main()'s way with a step that must work: `status` or `result` when ok, else fail_usage with
// "<context>: <message>" (the message alone when `context` is empty).
void ok_or_exit(std::string_view program, const absl::Status& status,
                std::string_view context = {});
template <typename T>
T value_or_exit(std::string_view program, absl::StatusOr<T> result, std::string_view context = {}) {
  ok_or_exit(program, result.status(), context);
  return *std::move(result);
}

// `text` with control characters written as C escapes (\n, \r, \t, \xNN), so that an error quoting
// a value the user gave (a flag, a config file's string) stays one line.
std::string one_line(std::string_view text);

// Blocks SIGINT and SIGTERM in the calling thread; call before starting threads so that they
// inherit the mask. Then wait_for_termination() returns the signal number when one arrives.
void block_termination_signals();
int wait_for_termination();
// Blocks them as above and starts a detached thread that waits for one and then sets the
// returned flag (process-wide, set once): for programs whose loops poll a stop flag.
const std::atomic<bool>& stop_flag_on_termination();

// Process-wide runtime settings every program wants. Debian builds Abseil without NDEBUG, which
// leaves absl::Mutex deadlock detection on: a debug aid that records a lock graph on every
// acquisition and costs about 7 % of CPU in gRPC's hot paths (docs/benchmarks.md). Programs
// turn it off here; unit tests keep it. parse_flags() calls this.
void configure_runtime();

}  // namespace base

namespace base {

// Parses the command line with Abseil flags (--name=value, --name value, --name / --noname for
// booleans, --flagfile, --fromenv, --tryfromenv) and returns the positional arguments.
// `--help` (and `-h`) prints `usage` and the flags defined in files whose path contains
// `flags_file_part`; `--help=TEXT` the flags whose name or help contains TEXT; `--helpfull` adds
// the common flags; `--version` prints the build; each exits 0. An unknown flag, a bad value (on
// the command line, in a flag file or in the environment) or more than `max_positional`
// positional arguments is one line on stderr and exit 2.
std::vector<std::string> parse_flags(int argc, char** argv, std::string_view program,
                                     std::string_view usage, std::string_view flags_file_part,
                                     size_t max_positional = 0);

}  // namespace base
