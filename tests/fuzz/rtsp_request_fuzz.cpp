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

namespace {

void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "rtsp_request_fuzz: %s\n", what);
  std::abort();
}

// Deterministic chunk sizes from the input itself (xorshift32 seeded by its length and bytes).
class Chunker {
 public:
  explicit Chunker(std::string_view input) : state_(static_cast<uint32_t>(input.size()) | 1u) {
    for (size_t i = 0; i < input.size() && i < 8; ++i) {
      state_ = state_ * 31u + static_cast<uint8_t>(input[i]);
    }
    if (state_ == 0) state_ = 1;
  }
  size_t next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    return 1 + (state_ % ((state_ >> 8) % 4 == 0 ? 4096 : 16));
  }

 private:
  uint32_t state_;
};

std::vector<rtsp::ReaderItem> feed_chunked(std::string_view input) {
  rtsp::MessageReader reader(rtsp::MessageReader::Kind::Requests);
  Chunker chunker(input);
  std::vector<rtsp::ReaderItem> items;
  for (size_t pos = 0; pos < input.size();) {
    size_t n = chunker.next();
    for (auto& item : reader.feed(input.substr(pos, n))) items.push_back(std::move(item));
    pos += n;
    check(reader.buffered() <= rtsp::kMaxHeadBytes + rtsp::kMaxBodyBytes, "buffer past limits");
    if (reader.closed()) check(reader.buffered() == 0, "closed reader holds bytes");
  }
  return items;
}

void check_request_round_trip(const rtsp::Request& request) {
  auto again = rtsp::Request::parse(request.serialize());
  check(again.ok(), "serialized request does not parse");
  check(*again == request, "request round trip differs");
}

void check_reader(std::string_view input) {
  rtsp::MessageReader whole(rtsp::MessageReader::Kind::Requests);
  std::vector<rtsp::ReaderItem> want = whole.feed(input);
  check(feed_chunked(input) == want, "items depend on how the input was split");
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
