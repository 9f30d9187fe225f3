// The headless output: one JSON object per line on stdout, one a second, and a summary at exit
// (docs/client.md lists every field). Pure formatting; no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "client/latency_meter.hpp"

namespace client {

// One second of playback.
struct SecondReport {
  double t_s = 0;  // seconds since the client started
  double fps = 0;
  double kbps = 0;
  LatencySummary latency;   // end to end, capture -> displayed (headless: decoded)
  LatencySummary receive;   // capture -> packet received
  double decode_ms = 0;     // mean decode time of the second's frames
  uint64_t frames = 0;      // total frames shown so far
  uint64_t drops = 0;       // total frames lost or undecodable so far
  uint64_t reconnects = 0;  // playbacks started after the first
  std::string edge;         // edge name, or the URL in direct mode
  std::string url;
  std::string decoder;  // e.g. "h264 (software)"
  // "playing", "offline" (the edge says the source is down: waiting on it) or "connecting".
  std::string state = "connecting";
  std::string state_reason;      // offline: what the edge said
  uint64_t assign_requests = 0;  // AssignEdge calls so far
  uint64_t stalls = 0;           // stalls so far (no packet for the stall timeout)
  double max_frame_gap_ms = 0;   // longest wait between decoded frames in this second
};

// Something that happened, printed at once as its own JSON line (headless).
struct EventReport {
  std::string event;  // "source_offline", "source_back", "failover"
  double t_s = 0;
  int64_t wall_us = 0;
  std::string edge;
  std::string state;                 // source_offline: the edge's stream_state health name
  std::string reason;                // source_offline / failover: why
  std::optional<double> offline_ms;  // source_back: how long the wait lasted
};

// Whole run.
struct SummaryReport {
  double duration_s = 0;
  uint64_t frames = 0;
  uint64_t drops = 0;
  uint64_t reconnects = 0;
  double fps = 0;
  double kbps = 0;
  LatencySummary latency;  // capture -> displayed (headless: decoded)
  // The same without each playback's first second, when the edge's cached GOP (a late joiner's
  // instant start) arrives in a burst and is older by design.
  LatencySummary steady;
  LatencySummary receive;                // capture -> packet received
  LatencySummary decoded;                // capture -> decoded
  LatencySummary decode;                 // decode time alone (send packet -> frame out)
  std::optional<double> first_frame_ms;  // client start -> first decoded frame
  std::vector<std::string> edges;        // every edge (or URL) played, in order
  std::string decoder;
  uint64_t assign_requests = 0;  // AssignEdge calls
  uint64_t offline_waits = 0;    // stalls the edge explained as an upstream fault (stayed)
  double offline_s = 0;          // time spent waiting on them
  int exit_code = 0;
  std::string exit_reason;
};

// JSON string literal with quotes, escaping ", \ and control characters.
std::string json_string(std::string_view s);

// {"t":1.0,"fps":30.0,"kbps":812.4,"latency_ms":{"p50":..,"p95":..,"max":..},"frames":30,...}
// Latency fields are null when the second had no capture-time sample.
std::string format_second(const SecondReport& r);
// {"summary":true,"duration_s":..,...}
std::string format_summary(const SummaryReport& r);
// {"event":"source_offline","t":12.3,"wall_us":..,"edge":"edge-1","state":"source-down",
//  "reason":"..."}; fields that do not apply are left out.
std::string format_event(const EventReport& e);

}  // namespace client
