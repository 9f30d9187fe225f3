// Helpers shared by the interop tests: a shared cluster (and TempDir, from tests/support).
#pragma once

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/cluster.hpp"
#include "tests/support/temp_dir.hpp"

namespace rstest {

// Splits on newlines, dropping empty lines and trailing '\r'.
inline std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) lines.push_back(line);
    start = nl + 1;
  }
  return lines;
}

}  // namespace rstest
