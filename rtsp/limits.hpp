// Every limit the RTSP parser, server and client session enforce, as named constants (tested at
// the boundary in rtsp_message_reader_test and rtsp_client_session_test).
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

// ClientSession: redirects (3xx with Location) followed in one session. More: an error.
inline constexpr int kMaxRedirects = 5;
// ClientSession: 401s with stale=true answered by a retry in a row (RFC 7616 3.3). More: an error.
inline constexpr int kMaxStaleRetries = 3;
// ClientSession: requests awaiting a response. Building one more forgets the oldest (its response,
// should it come, is then Ignored).
inline constexpr size_t kMaxPendingRequests = 32;
// Parameters named in one GET_PARAMETER body. More: 400.
inline constexpr size_t kMaxQueriedParameters = 16;

}  // namespace rtsp
