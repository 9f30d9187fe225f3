// Fuzz target for the RTSP request path: MessageReader (Kind::Requests) fed in chunk sizes
// derived from the input, Request::parse and Transport::parse_list on the raw input.
//
// Oracles: the reader's items do not depend on how the input was split; it never holds more
// than the limits allow; whatever parses serializes to something that parses back equal.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "rtsp/limits.hpp"
#include "rtsp/message.hpp"
#include "rtsp/message_reader.hpp"
#include "rtsp/transport.hpp"
#include "tests/fuzz/rtsp_chunks.hpp"

namespace {

using fuzz::check;

void check_request_round_trip(const rtsp::Request& request) {
  auto again = rtsp::Request::parse(request.serialize());
  check(again.ok(), "serialized request does not parse");
  check(*again == request, "request round trip differs");
}

void check_reader(std::string_view input) {
  rtsp::MessageReader whole(rtsp::MessageReader::Kind::Requests);
  std::vector<rtsp::ReaderItem> want = whole.feed(input);
  check(fuzz::feed_chunked(rtsp::MessageReader::Kind::Requests, input) == want,
        "items depend on how the input was split");
  for (size_t i = 0; i < want.size(); ++i) {
    if (const auto* error = std::get_if<rtsp::ReaderError>(&want[i])) {
      check(i + 1 == want.size(), "items after an error");
      check(error->status == 400 || error->status == 413 || error->status == 431 ||
                error->status == 505,
            "unexpected error status");
    } else if (const auto* request = std::get_if<rtsp::Request>(&want[i])) {
      check_request_round_trip(*request);
    }
    check(!std::holds_alternative<rtsp::Response>(want[i]), "response from a request reader");
  }
}

void check_parsers(std::string_view input) {
  if (auto request = rtsp::Request::parse(input); request.ok()) check_request_round_trip(*request);
  if (auto list = rtsp::Transport::parse_list(input); list.ok()) {
    check(!list->empty(), "empty transport list");
    for (const auto& t : *list) {
      auto again = rtsp::Transport::parse(t.serialize());
      check(again.ok() && *again == t, "transport round trip differs");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  check_reader(input);
  check_parsers(input);
  return 0;
}
