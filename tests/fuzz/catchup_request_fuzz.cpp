// Fuzz target for catch-up requests as the origin reads them (relay/catchup_request.hpp): any
// sequence of ROUTER message parts, each as [flags][length][bytes] (flags bit 0: another part of
// the same message follows; length: one byte).
//
// Oracles: no crash; the reader never keeps more than three parts; on a message's last part it
// gives a request exactly when a model of the wire rule says so (three parts, the version
// "CATCHUP/1", a stream name of 1..64 bytes), with that identity and stream; a message that was
// not a request leaves no state behind (the next message is read on its own).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "relay/catchup.hpp"
#include "relay/catchup_request.hpp"
#include "relay/topic.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using fuzz::check;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  relay::CatchupRequestReader reader;
  std::vector<std::string> message;  // the model: every part of the message being read
  size_t at = 0;
  while (at + 2 <= size) {
    const bool more = (data[at] & 1) != 0;
    const size_t length = std::min<size_t>(data[at + 1], size - at - 2);
    const std::string part(reinterpret_cast<const char*>(data + at + 2), length);
    at += 2 + length;
    message.push_back(part);
    auto got = reader.feed(part, more);
    check(reader.pending_parts() <= 3, "more than three parts kept");
    if (more) {
      check(!got.has_value(), "a request before the message's last part");
      continue;
    }
    const bool is_request = message.size() == 3 && message[1] == relay::kCatchupRequest &&
                            !message[2].empty() && message[2].size() <= relay::kMaxStreamNameBytes;
    check(got.has_value() == is_request, "request or not, against the wire rule");
    if (got) {
      check(got->identity == message[0], "identity");
      check(got->stream == message[2], "stream");
    }
    check(reader.pending_parts() == 0, "state left after a whole message");
    message.clear();
  }
  return 0;
}
