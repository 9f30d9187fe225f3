// Implementation of the line logger declared in log.hpp.
#include "base/log.hpp"

#include <unistd.h>

#include <cstdio>
#include <ctime>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "base/strings.hpp"

namespace base {
namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::Info)};

std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::Debug:
      return "DEBUG";
    case LogLevel::Info:
      return "INFO ";
    case LogLevel::Warn:
      return "WARN ";
    case LogLevel::Error:
      return "ERROR";
  }
  return "?";
}
}  // namespace

void set_log_level(LogLevel level) {
  g_level.store(static_cast<int>(level));
}
LogLevel log_level() {
  return static_cast<LogLevel>(g_level.load(std::memory_order_relaxed));
}

bool parse_log_level(std::string_view text, LogLevel* out) {
  if (text == "debug")
    *out = LogLevel::Debug;
  else if (text == "info")
    *out = LogLevel::Info;
  else if (text == "warn")
    *out = LogLevel::Warn;
  else if (text == "error")
    *out = LogLevel::Error;
  else
    return false;
  return true;
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
