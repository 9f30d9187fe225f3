// Every limit the RTSP parser and server enforce, as named constants (tested at the boundary
// in tests/unit/rtsp_limits_test.cpp).
#pragma once

#include <cstddef>

namespace rtsp {

// Request or status line, without CRLF. Longer: 400 and close.
inline constexpr size_t kMaxStartLineBytes = 4096;
// Start line plus all headers plus the empty line. Longer: 431 and close.
inline constexpr size_t kMaxHeadBytes = 16 * 1024;
// Number of header fields. More: 431 and close.
inline constexpr size_t kMaxHeaderCount = 64;
// Content-Length. Larger: 413 and close.
inline constexpr size_t kMaxBodyBytes = 64 * 1024;

}  // namespace rtsp
