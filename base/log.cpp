// Implementation of the line logger declared in log.hpp.
#include "base/log.hpp"

#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/lookup.hpp"
#include "base/strings.hpp"

namespace base {
namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::Info)};

constexpr Row<LogLevel, std::string_view> kLevelNames[] = {{LogLevel::Debug, "DEBUG"},
                                                           {LogLevel::Info, "INFO "},
                                                           {LogLevel::Warn, "WARN "},
                                                           {LogLevel::Error, "ERROR"}};

std::string_view level_name(LogLevel level) {
  return lookup(kLevelNames, level, "?");
}
}  // namespace

void set_log_level(LogLevel level) {
  g_level.store(static_cast<int>(level));
}
LogLevel log_level() {
  return static_cast<LogLevel>(g_level.load(std::memory_order_relaxed));
}

bool parse_log_level(std::string_view text, LogLevel* out) {
  static constexpr Row<LogLevel, std::string_view> kFlagWords[] = {{LogLevel::Debug, "debug"},
                                                                   {LogLevel::Info, "info"},
                                                                   {LogLevel::Warn, "warn"},
                                                                   {LogLevel::Error, "error"}};
  const auto* row = find_row(kFlagWords, [&](const auto& r) { return r.second == text; });
  if (row == nullptr) return false;
  *out = row->first;
  return true;
}

absl::Status set_log_level_flag(std::string_view text) {
  LogLevel level;
  if (!parse_log_level(text, &level)) {
    return absl::InvalidArgumentError("--log_level must be debug, info, warn or error");
  }
  set_log_level(level);
  return absl::OkStatus();
}

void log_line(LogLevel level, std::string_view tag, std::string_view message) {
  std::string line =
      absl::StrCat(absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()), " ",
                   av(level_name(level)), " [", av(tag), "] ", av(message), "\n");
  // One write(2) per line keeps lines from different threads whole.
  ssize_t ignored = ::write(STDERR_FILENO, line.data(), line.size());
  (void)ignored;
}

bool RateLimiter::allow(uint64_t* suppressed_since_last) {
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch())
                          .count();
  int64_t next = next_allowed_ns_.load();
  if (now >= next &&
      next_allowed_ns_.compare_exchange_strong(
          next, now + std::chrono::duration_cast<std::chrono::nanoseconds>(interval_).count())) {
    const uint64_t n = suppressed_.exchange(0);
    if (suppressed_since_last) *suppressed_since_last = n;
    return true;
  }
  suppressed_.fetch_add(1);
  return false;
}

}  // namespace base
