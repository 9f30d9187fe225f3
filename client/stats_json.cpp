// JSON lines for headless mode (stats_json.hpp).
#include "client/stats_json.hpp"

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "base/strings.hpp"

namespace client {
namespace {

std::string number(double v) {
  return absl::StrFormat("%.1f", v);
}

std::string latency(const LatencySummary& s) {
  if (s.count == 0) return R"({"p50":null,"p95":null,"max":null})";
  return absl::StrFormat(R"({"p50":%.1f,"p95":%.1f,"max":%.1f})", s.p50_ms, s.p95_ms, s.max_ms);
}

}  // namespace

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string format_second(const SecondReport& r) {
  return base::cat(
      "{\"t\":", number(r.t_s), ",\"fps\":", number(r.fps), ",\"kbps\":", number(r.kbps),
      ",\"latency_ms\":", latency(r.latency), ",\"receive_latency_ms\":", latency(r.receive),
      ",\"decode_ms\":", absl::StrFormat("%.2f", r.decode_ms), ",\"frames\":", r.frames,
      ",\"drops\":", r.drops, ",\"reconnects\":", r.reconnects, ",\"edge\":", json_string(r.edge),
      ",\"url\":", json_string(r.url), ",\"decoder\":", json_string(r.decoder),
      ",\"state\":", json_string(r.state),
      r.state_reason.empty() ? "" : base::cat(",\"state_reason\":", json_string(r.state_reason)),
      ",\"assign_requests\":", r.assign_requests, ",\"stalls\":", r.stalls,
      ",\"max_frame_gap_ms\":", number(r.max_frame_gap_ms), "}");
}

std::string format_event(const EventReport& e) {
  std::string out = base::cat("{\"event\":", json_string(e.event), ",\"t\":", number(e.t_s),
                              ",\"wall_us\":", e.wall_us, ",\"edge\":", json_string(e.edge));
  if (!e.state.empty()) out += base::cat(",\"state\":", json_string(e.state));
  if (!e.reason.empty()) out += base::cat(",\"reason\":", json_string(e.reason));
  if (e.offline_ms) out += base::cat(",\"offline_ms\":", number(*e.offline_ms));
  return out + "}";
}

std::string format_summary(const SummaryReport& r) {
  std::vector<std::string> edges;
  for (const auto& e : r.edges) edges.push_back(json_string(e));
  return base::cat(
      "{\"summary\":true,\"duration_s\":", absl::StrFormat("%.2f", r.duration_s),
      ",\"frames\":", r.frames, ",\"drops\":", r.drops, ",\"reconnects\":", r.reconnects,
      ",\"fps\":", number(r.fps), ",\"kbps\":", number(r.kbps),
      ",\"latency_ms\":", latency(r.latency), ",\"steady_latency_ms\":", latency(r.steady),
      ",\"receive_latency_ms\":", latency(r.receive),
      ",\"decoded_latency_ms\":", latency(r.decoded), ",\"decode_ms\":", latency(r.decode),
      ",\"first_frame_ms\":", r.first_frame_ms ? number(*r.first_frame_ms) : std::string("null"),
      ",\"edges\":[", absl::StrJoin(edges, ","), "],\"decoder\":", json_string(r.decoder),
      ",\"assign_requests\":", r.assign_requests, ",\"offline_waits\":", r.offline_waits,
      ",\"offline_s\":", absl::StrFormat("%.2f", r.offline_s), ",\"exit_code\":", r.exit_code,
      ",\"exit_reason\":", json_string(r.exit_reason), "}");
}

}  // namespace client
