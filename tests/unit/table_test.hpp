// Table tests: each row of a table through one parser, the row's name in every failure.
#pragma once

#include <gtest/gtest.h>

namespace rstest {

// `parse(row)` is ok for every row and equals row.want.
template <typename Rows, typename Parse>
void expect_each_parses(const Rows& rows, Parse parse) {
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    auto got = parse(row);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, row.want);
  }
}

}  // namespace rstest
