// Helpers shared by rtsp-client's integration tests: JSON field extraction from the client's
// headless lines, log-line matching, percentiles.
#pragma once

#include <algorithm>
#include <cmath>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace rstest::client {

// The number after "key": (first match; keys are unique enough in our lines). nullopt for null.
inline std::optional<double> json_number(const std::string& line, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(line, m, std::regex("\"" + key + "\":(-?[0-9.]+)"))) return std::nullopt;
  return std::stod(m[1]);
}

// The number at "outer":{..."inner":N...}.
inline std::optional<double> json_nested(const std::string& line, const std::string& outer,
                                         const std::string& inner) {
  std::smatch m;
  if (!std::regex_search(line, m, std::regex("\"" + outer + "\":\\{([^}]*)\\}"))) {
    return std::nullopt;
  }
  return json_number(m[1].str(), inner);
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
