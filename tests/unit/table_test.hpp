// Table tests: each row of a table through one parser, the row's name in every failure.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace rstest {

// A row's canonical text: row.out, or row.in itself where the row leaves `out` empty (the peer's
// bytes are already what we would write).
template <typename Row>
std::string_view canonical_text(const Row& row) {
  return row.out.empty() ? std::string_view(row.in) : std::string_view(row.out);
}

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

// What a round trip must give back: the same value, or (where parsing fills in what
// serializing left out, such as a standard reason phrase) the same text.
enum class RoundTrip { Value, Text };

// row.want serializes to the row's canonical text, and `parse` reads that back (see RoundTrip).
template <typename Rows, typename Parse>
void expect_each_round_trips(const Rows& rows, Parse parse, RoundTrip same = RoundTrip::Value) {
  for (const auto& row : rows) {
    SCOPED_TRACE(row.name);
    const std::string_view text = canonical_text(row);
    EXPECT_EQ(row.want.serialize(), text);
    auto again = parse(text);
    ASSERT_TRUE(again.ok()) << again.status();
    if (same == RoundTrip::Value) {
      EXPECT_EQ(*again, row.want);
    } else {
      EXPECT_EQ(again->serialize(), text);
    }
  }
}

// A row of input a parser must refuse, and what the user must read about it.
struct Rejection {
  std::string_view name;   // what is wrong with the input; empty: the input names the row
  std::string_view in;     // the input
  std::string_view error;  // the error message, or a part of it (see ErrorText)
};

// How a row's `error` is matched against the message.
enum class ErrorText { Contains, Prefix, Whole };

// `parse(row.in)` fails for every row, with a message that contains, begins with or is row.error.
template <typename Rows, typename Parse>
void expect_each_rejected(const Rows& rows, Parse parse, ErrorText match = ErrorText::Contains) {
  for (const Rejection& row : rows) {
    SCOPED_TRACE(row.name.empty() ? row.in : row.name);
    const auto got = parse(row.in);
    ASSERT_FALSE(got.ok()) << "accepted: " << row.in;
    const std::string message(got.status().message());
    switch (match) {
      case ErrorText::Contains:
        EXPECT_NE(message.find(row.error), std::string::npos) << message;
        break;
      case ErrorText::Prefix:
        EXPECT_TRUE(message.starts_with(row.error)) << message;
        break;
      case ErrorText::Whole:
        EXPECT_EQ(message, row.error);
        break;
    }
  }
}

}  // namespace rstest
