// rstest::sanitizer_report (tests/support/process.hpp): how a test tells that a program it
// started reported under `make asan` / `make tsan`, even when the test killed that program.
#include <gtest/gtest.h>

#include <string>

#include "tests/support/process.hpp"

namespace {

struct Row {
  const char* name;
  std::string log;
  const char* report;  // what sanitizer_report returns; nullptr: none
};

TEST(SanitizerReport, FindsEachSanitizersFirstLineAndKeepsTheReportFromThere) {
  const Row rows[] = {
      {"clean log", "2026-12-06T17:02:50Z INFO  [edge] listening on 8554\n", nullptr},
      {"the word runtime alone", "WARN  [origin] source runtime error budget spent\n", nullptr},
      {"TSan",
       "2026-12-06T17:02:50Z INFO  [coordinator] up\n==================\n"
       "WARNING: ThreadSanitizer: data race (pid=20104)\n  Read of size 8 at 0x7b74 by thread "
       "T8:\n",
       "WARNING: ThreadSanitizer: data race (pid=20104)\n  Read of size 8 at 0x7b74 by thread "
       "T8:\n"},
      {"ASan at the very start", "==4242==ERROR: AddressSanitizer: heap-use-after-free\n",
       "==4242==ERROR: AddressSanitizer: heap-use-after-free\n"},
      {"LSan", "INFO  bye\n==77==ERROR: LeakSanitizer: detected memory leaks\n",
       "==77==ERROR: LeakSanitizer: detected memory leaks\n"},
      {"UBSan", "INFO  x\nedge/reader_queue.cpp:88:17: runtime error: signed integer overflow\n",
       "edge/reader_queue.cpp:88:17: runtime error: signed integer overflow\n"},
      {"the earliest of two", "WARNING: ThreadSanitizer: race\nERROR: AddressSanitizer: x\n",
       "WARNING: ThreadSanitizer: race\nERROR: AddressSanitizer: x\n"},
  };
  for (const Row& row : rows) {
    const auto got = rstest::sanitizer_report(row.log);
    if (row.report == nullptr) {
      EXPECT_FALSE(got) << row.name << ": " << *got;
    } else {
      ASSERT_TRUE(got) << row.name;
      EXPECT_EQ(*got, row.report) << row.name;
    }
  }
}

TEST(SanitizerReport, KeepsAtMostThreeKilobytes) {
  const std::string log = "WARNING: ThreadSanitizer: data race\n" + std::string(10'000, 'x');
  const auto got = rstest::sanitizer_report(log);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->size(), 3000u);
  EXPECT_TRUE(got->starts_with("WARNING: ThreadSanitizer: data race\n"));
}

}  // namespace
