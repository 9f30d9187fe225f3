// A tiny, thread-safe line logger: one line per event on stderr, with time, level and tag.
// The project logs one way only (see docs/adr/003-logging.md).
#pragma once

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "base/strings.hpp"

namespace base {

enum class LogLevel { Debug = 0, Info = 1, Warn = 2, Error = 3 };

// Sets the lowest level that is printed. Thread-safe.
void set_log_level(LogLevel level);
LogLevel log_level();
// Parses "debug", "info", "warn", "error".
bool parse_log_level(std::string_view text, LogLevel* out);
// Sets the level named by a program's --log_level value; an error naming the flag and the
// accepted words when it names none.
absl::Status set_log_level_flag(std::string_view text);

// Writes one line "2026-11-30T09:30:00.123Z INFO  [tag] message" to stderr atomically.
void log_line(LogLevel level, std::string_view tag, std::string_view message);

// Allows at most one event per interval; thread-safe. Used for rate-limited log lines.
class RateLimiter {
 public:
  explicit RateLimiter(std::chrono::milliseconds interval) : interval_(interval) {}
  // True when the caller may log now; counts suppressed events otherwise.
  bool allow(uint64_t* suppressed_since_last = nullptr);

 private:
  std::chrono::milliseconds interval_;
  std::atomic<int64_t> next_allowed_ns_{0};
  std::atomic<uint64_t> suppressed_{0};
};

}  // namespace base

#define RS_LOG(level, tag, ...)                                             \
  do {                                                                      \
    if (static_cast<int>(level) >= static_cast<int>(::base::log_level())) { \
      ::base::log_line(level, tag, ::base::cat(__VA_ARGS__));               \
    }                                                                       \
  } while (0)
#define LOG_DEBUG(tag, ...) RS_LOG(::base::LogLevel::Debug, tag, __VA_ARGS__)
#define LOG_INFO(tag, ...) RS_LOG(::base::LogLevel::Info, tag, __VA_ARGS__)
#define LOG_WARN(tag, ...) RS_LOG(::base::LogLevel::Warn, tag, __VA_ARGS__)
#define LOG_ERROR(tag, ...) RS_LOG(::base::LogLevel::Error, tag, __VA_ARGS__)
