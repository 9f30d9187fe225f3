// Stream health, the cluster-wide fact that is separate from node health (docs/coordinator.md,
// "Stream health"): its names, and the `stream_state` parameter an edge answers to
// GET_PARAMETER (docs/interop.md, "Asking an edge about its stream"). Pure; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proto/cluster.pb.h"

namespace cluster {

// The GET_PARAMETER parameter names an edge answers (RFC 2326 10.8, text/parameters).
inline constexpr std::string_view kStreamStateParameter = "stream_state";
inline constexpr std::string_view kEdgeStateParameter = "edge_state";  // "ready" or "draining"
inline constexpr std::string_view kEdgeReady = "ready";
inline constexpr std::string_view kEdgeDraining = "draining";
// Longest reason carried in a status (longer ones are cut at this many bytes).
inline constexpr size_t kMaxReasonBytes = 200;

// "live", "starting", "source-down", "origin-silent", "edge-local"; "unknown" for UNSPECIFIED
// (a stream the answering node does not carry) and anything else.
std::string_view health_name(rs::cluster::StreamHealth health);
// The inverse of health_name(); nullopt for anything else.
std::optional<rs::cluster::StreamHealth> parse_health_name(std::string_view name);

// True when a viewer should stay where it is and wait: nothing arrives upstream of its edge
// (the source is down, the origin is silent, or the edge is still starting the stream).
bool upstream_fault(rs::cluster::StreamHealth health);

// The value of the stream_state parameter:
//   "source-down; since=2026-12-05T22:30:00.123Z; reason=cannot open the source: ..."
// `since` is left out when unknown (0), `reason` when empty. The reason comes last and runs to
// the end of the line (it may contain ';'); control characters become '?'.
std::string format_stream_state(const rs::cluster::StreamStatus& status);
// Parses a stream_state value; unknown health names and malformed times are errors (nullopt).
std::optional<rs::cluster::StreamStatus> parse_stream_state(std::string_view value);

// "2026-12-05T22:30:00.123Z" for a Unix time in milliseconds; nullopt when unparsable.
std::string format_utc_ms(int64_t unix_ms);
std::optional<int64_t> parse_utc_ms(std::string_view text);

// A printable, single-line reason of at most kMaxReasonBytes.
std::string clean_reason(std::string_view reason);

}  // namespace cluster
