// Fuzz target for RTSP streams that mix interleaved binary frames (RFC 2326 10.12) with text
// messages: the input is one TCP byte stream, fed to a Responses reader (client side) and a
// Requests reader (server side).
//
// Oracles: splitting does not change the items; buffering stays within the limits; the items,
// written back out, read back as the same stream (serialization is a fixed point).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "rtsp/limits.hpp"
#include "rtsp/message.hpp"
#include "rtsp/message_reader.hpp"
#include "tests/fuzz/rtsp_chunks.hpp"

namespace {

using fuzz::check;
using rtsp::MessageReader;
using rtsp::ReaderItem;

// The wire form of the items before the first error; false when there was an error.
bool encode(const std::vector<ReaderItem>& items, std::string& out) {
  for (const auto& item : items) {
    if (const auto* frame = std::get_if<rtsp::InterleavedFrame>(&item)) {
      check(frame->payload.size() <= 0xffff, "frame longer than 65535");
      out += '$';
      out += static_cast<char>(frame->channel);
      out += static_cast<char>(frame->payload.size() >> 8);
      out += static_cast<char>(frame->payload.size() & 0xff);
      out += frame->payload;
    } else if (const auto* request = std::get_if<rtsp::Request>(&item)) {
      out += request->serialize();
    } else if (const auto* response = std::get_if<rtsp::Response>(&item)) {
      out += response->serialize();
    } else {
      return false;
    }
  }
  return true;
}

void check_stream(MessageReader::Kind kind, std::string_view input) {
  MessageReader whole(kind);
  std::vector<ReaderItem> items = whole.feed(input);
  check(fuzz::feed_chunked(kind, input) == items, "items depend on how the input was split");

  std::string wire;
  encode(items, wire);
  MessageReader again(kind);
  std::vector<ReaderItem> reread = again.feed(wire);
  std::string rewire;
  check(encode(reread, rewire), "re-encoded stream does not read back");
  check(rewire == wire, "re-encoded stream differs");
  check(again.buffered() == 0, "re-encoded stream leaves bytes behind");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  check_stream(MessageReader::Kind::Responses, input);
  check_stream(MessageReader::Kind::Requests, input);
  return 0;
}
