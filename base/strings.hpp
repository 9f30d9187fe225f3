// Bridges between std::string_view and absl::string_view. Debian's Abseil 20220623 is built
// with ABSL_OPTION_USE_STD_STRING_VIEW 0, so the two are distinct types
// (docs/adr/002-abseil-string-view.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace base {

inline absl::string_view av(std::string_view s) {
  return absl::string_view(s.data(), s.size());
}
inline std::string_view sv(absl::string_view s) {
  return std::string_view(s.data(), s.size());
}

// Arguments for absl::StrCat: std::string_view becomes absl::string_view, the rest passes.
inline absl::string_view piece(std::string_view s) {
  return av(s);
}
template <typename T>
const T& piece(const T& value) {
  return value;
}

// absl::StrCat that also takes std::string_view.
template <typename... Args>
std::string cat(const Args&... args) {
  return absl::StrCat(piece(args)...);
}

// `s` without leading and trailing ASCII whitespace.
inline std::string_view trim(std::string_view s) {
  return sv(absl::StripAsciiWhitespace(av(s)));
}

// ASCII case-insensitive equality (RTSP and HTTP header names, methods, SDP encodings).
inline bool equals_ignore_case(std::string_view a, std::string_view b) {
  return absl::EqualsIgnoreCase(av(a), av(b));
}

// `s` as an unsigned decimal number of 1..max_digits ASCII digits (no sign, no spaces), or
// nullopt. Callers choose max_digits so the value cannot overflow (at most 19).
inline std::optional<uint64_t> parse_decimal(std::string_view s, size_t max_digits) {
  if (s.empty() || s.size() > max_digits) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

}  // namespace base
