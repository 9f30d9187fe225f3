// Helpers shared by rtsp-client's integration tests: JSON field extraction from the client's
// headless lines (parsed with nlohmann/json), log-line matching, percentiles.
#pragma once

#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rstest::client {

// The line as JSON; nullopt when it is not valid JSON (every line the client prints must be).
inline std::optional<nlohmann::json> parse_json_line(const std::string& line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

// The number at top-level "key" of the JSON line; nullopt when absent, null or not JSON.
inline std::optional<double> json_number(const std::string& line, const std::string& key) {
  const auto j = parse_json_line(line);
  if (!j || !j->is_object() || !j->contains(key) || !(*j)[key].is_number()) return std::nullopt;
  return (*j)[key].get<double>();
}

// The number at "outer":{..."inner":N...}.
inline std::optional<double> json_nested(const std::string& line, const std::string& outer,
                                         const std::string& inner) {
  const auto j = parse_json_line(line);
  if (!j || !j->is_object() || !j->contains(outer)) return std::nullopt;
  const nlohmann::json& o = (*j)[outer];
  if (!o.is_object() || !o.contains(inner) || !o[inner].is_number()) return std::nullopt;
  return o[inner].get<double>();
}

inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// The summary line ({"summary":true,...}) or "".
inline std::string summary_line(const std::string& out) {
  for (const auto& l : lines_of(out)) {
    if (l.rfind("{\"summary\":true", 0) == 0) return l;
  }
  return "";
}

// Per-second lines ({"t":...}).
inline std::vector<std::string> second_lines(const std::string& out) {
  std::vector<std::string> lines;
  for (const auto& l : lines_of(out)) {
    if (l.rfind("{\"t\":", 0) == 0) lines.push_back(l);
  }
  return lines;
}

// Nearest-rank percentile.
inline double percentile(std::vector<double> v, double p) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  rank = std::clamp<size_t>(rank, 1, v.size());
  return v[rank - 1];
}

}  // namespace rstest::client
