// TempDir: a test's scratch folder in the temp dir (rs-test-<name>.XXXXXX), removed with
// everything in it when the object goes, so that a run leaves nothing behind
// (scripts/check-leftovers looks for rs-test-* after `make test`).
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

#include "gtest/gtest.h"

namespace rstest {

class TempDir {
 public:
  explicit TempDir(const std::string& name = "tmp") {
    std::string pattern = ::testing::TempDir() + "rs-test-" + name + ".XXXXXX";
    if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Empty when the folder could not be made.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace rstest
