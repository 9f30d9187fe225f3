// Test data kept as files in the source tree (peer captures, transcripts), found through
// $RS_SOURCE_DIR, which ctest sets for every test (cmake/rs.cmake).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

namespace rstest {

// The path of `relative` (e.g. "tests/unit/captures") in the source tree; nullopt and a test
// failure when RS_SOURCE_DIR is not set.
inline std::optional<std::filesystem::path> source_path(const std::string& relative) {
  const char* root = std::getenv("RS_SOURCE_DIR");
  if (root == nullptr || *root == '\0') {
    ADD_FAILURE() << "RS_SOURCE_DIR is not set: run the test through ctest, or set it to the "
                     "repository root";
    return std::nullopt;
  }
  return std::filesystem::path(root) / relative;
}

// The bytes of `file`; nullopt when it cannot be read.
inline std::optional<std::string> read_file_bytes(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return std::nullopt;
  return text.str();
}

// The text of `folder`/`file` in the source tree (e.g. "tests/unit/captures", "axis.sdp"); a test
// failure and "" when it cannot be read.
inline std::string source_text(const std::string& folder, const std::string& file) {
  const auto dir = source_path(folder);
  if (!dir) return "";
  const auto text = read_file_bytes(*dir / file);
  if (!text) ADD_FAILURE() << "cannot read " << folder << "/" << file;
  return text.value_or("");
}

}  // namespace rstest
