// An RTSP MessageReader fed the fuzz input in chunk sizes the input itself chooses, for the
// targets' first oracle: the items must not depend on how the bytes were split.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "rtsp/limits.hpp"
#include "rtsp/message_reader.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace fuzz {

// Deterministic chunk sizes from the input (xorshift32 seeded by its length and first bytes):
// mostly 1..16 bytes, a quarter up to 4096.
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

// Feeds `input` in Chunker pieces; after each, the reader holds no more than the limits allow
// and, once closed, nothing at all.
inline std::vector<rtsp::ReaderItem> feed_chunked(rtsp::MessageReader::Kind kind,
                                                  std::string_view input) {
  rtsp::MessageReader reader(kind);
  Chunker chunker(input);
  std::vector<rtsp::ReaderItem> items;
  for (size_t pos = 0; pos < input.size();) {
    const size_t n = chunker.next();
    for (auto& item : reader.feed(input.substr(pos, n))) items.push_back(std::move(item));
    pos += n;
    check(reader.buffered() <= rtsp::kMaxHeadBytes + rtsp::kMaxBodyBytes, "buffer past limits");
    if (reader.closed()) check(reader.buffered() == 0, "closed reader holds bytes");
  }
  return items;
}

}  // namespace fuzz
