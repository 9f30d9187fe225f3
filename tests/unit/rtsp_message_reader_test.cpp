// Tests for the incremental RTSP stream reader: pipelining, interleaved frames (RFC 2326
// 10.12), every limit of rtsp/limits.hpp at its boundary, and how input splitting is handled.
#include "rtsp/message_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rtsp/limits.hpp"

namespace rtsp {
namespace {

using namespace std::string_literals;

// Feeds `input` in chunks of `chunk` bytes and collects every item.
std::vector<ReaderItem> feed_chunked(MessageReader& reader, std::string_view input, size_t chunk) {
  std::vector<ReaderItem> items;
  for (size_t pos = 0; pos < input.size(); pos += chunk) {
    for (auto& item : reader.feed(input.substr(pos, chunk))) items.push_back(std::move(item));
  }
  return items;
}

std::vector<ReaderItem> feed_requests(std::string_view input, size_t chunk = SIZE_MAX) {
  MessageReader reader(MessageReader::Kind::Requests);
  return feed_chunked(reader, input, chunk);
}

std::string frame_bytes(uint8_t channel, std::string_view payload) {
  std::string out = "$";
  out += static_cast<char>(channel);
  out += static_cast<char>(payload.size() >> 8);
  out += static_cast<char>(payload.size() & 0xff);
  out += payload;
  return out;
}

const Request& as_request(const ReaderItem& item) {
  return std::get<Request>(item);
}

int error_status(const std::vector<ReaderItem>& items) {
  if (items.empty() || !std::holds_alternative<ReaderError>(items.back())) return 0;
  return std::get<ReaderError>(items.back()).status;
}

// ffmpeg 5.1 over TCP: SETUP, then (after PLAY) an RTCP receiver report interleaved on channel
// 1, a stray CRLF, then a SET_PARAMETER with a body; then one more RTP packet.
const std::string kSetup =
    "SETUP rtsp://127.0.0.1:8554/cam1/trackID=0 RTSP/1.0\r\n"
    "Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\nCSeq: 3\r\n"
    "User-Agent: Lavf59.27.100\r\n\r\n";
const std::string kRtcp = "\x81\xc9\x00\x07\x12\x34\x56\x78 $\r\n\r\n tail"s;
const std::string kSetParameter =
    "SET_PARAMETER rtsp://127.0.0.1:8554/cam1/ RTSP/1.0\r\nContent-Type: text/parameters\r\n"
    "CSeq: 6\r\nUser-Agent: Lavf59.27.100\r\nSession: 5E1A0C7B\r\nContent-Length: 12\r\n\r\n"
    "barparam: x\n";
const std::string kPipelined = kSetup + frame_bytes(1, kRtcp) + "\r\n" + kSetParameter +
                               frame_bytes(0, std::string("\x80\x60\x00\x01", 4));

std::vector<ReaderItem> pipelined_want() {
  return {*Request::parse(kSetup), InterleavedFrame{1, kRtcp}, *Request::parse(kSetParameter),
          InterleavedFrame{0, std::string("\x80\x60\x00\x01", 4)}};
}

TEST(MessageReader, PipelinedInputWhole) {
  EXPECT_EQ(feed_requests(kPipelined), pipelined_want());
}

TEST(MessageReader, PipelinedInputSplitAtEveryByteBoundary) {
  const auto want = pipelined_want();
  for (size_t split = 0; split <= kPipelined.size(); ++split) {
    SCOPED_TRACE(split);
    MessageReader reader(MessageReader::Kind::Requests);
    auto items = reader.feed(std::string_view(kPipelined).substr(0, split));
    for (auto& item : reader.feed(std::string_view(kPipelined).substr(split))) {
      items.push_back(std::move(item));
    }
    EXPECT_EQ(items, want);
    EXPECT_EQ(reader.buffered(), 0u);
  }
}

TEST(MessageReader, PipelinedInputByteByByte) {
  MessageReader reader(MessageReader::Kind::Requests);
  EXPECT_EQ(feed_chunked(reader, kPipelined, 1), pipelined_want());
  EXPECT_EQ(reader.buffered(), 0u);
  EXPECT_FALSE(reader.closed());
}

TEST(MessageReader, StrayLineEndsBetweenMessages) {
  // Some clients (old VLC, NVRs) send an extra CRLF after each request.
  auto items = feed_requests("\r\n\n" + kSetup + "\r\n\r\n" + kSetup + "\n");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(as_request(items[1]).cseq(), 3);
}

TEST(MessageReader, ResponsesMode) {
  const std::string ok = "RTSP/1.0 200 OK\r\nCSeq: 4\r\nSession: 5E1A0C7B;timeout=60\r\n\r\n";
  const std::string rtp(1400, '\x55');
  MessageReader reader(MessageReader::Kind::Responses);
  auto items = feed_chunked(reader, ok + frame_bytes(0, rtp) + ok, 7);
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(std::get<Response>(items[0]).headers.get("Session"), "5E1A0C7B;timeout=60");
  EXPECT_EQ(std::get<InterleavedFrame>(items[1]), (InterleavedFrame{0, rtp}));
  EXPECT_EQ(std::get<Response>(items[2]).status, 200);
}

TEST(MessageReader, RequestInResponsesModeIsMalformed) {
  MessageReader reader(MessageReader::Kind::Responses);
  EXPECT_EQ(error_status(reader.feed(kSetup)), 400);
}

TEST(MessageReader, InterleavedFrameOfMaximumLength) {
  const std::string payload(65535, '\xab');
  const std::string bytes = frame_bytes(255, payload) + frame_bytes(0, "");
  for (size_t chunk : {size_t{1000}, size_t{65539}, bytes.size()}) {
    SCOPED_TRACE(chunk);
    MessageReader reader(MessageReader::Kind::Requests);
    auto items = feed_chunked(reader, bytes, chunk);
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(std::get<InterleavedFrame>(items[0]), (InterleavedFrame{255, payload}));
    EXPECT_EQ(std::get<InterleavedFrame>(items[1]), (InterleavedFrame{0, ""}));
  }
}

// A request whose start line is exactly `bytes` long (without CRLF).
std::string start_line_of(size_t bytes) {
  const std::string head = "OPTIONS rtsp://h/";
  const std::string tail = " RTSP/1.0";
  return head + std::string(bytes - head.size() - tail.size(), 'a') + tail;
}

TEST(MessageReader, StartLineLimit) {
  auto ok = feed_requests(start_line_of(kMaxStartLineBytes) + "\r\nCSeq: 1\r\n\r\n");
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<Request>(ok[0]));
  EXPECT_EQ(error_status(feed_requests(start_line_of(kMaxStartLineBytes + 1) + "\r\n\r\n")), 400);
  EXPECT_EQ(error_status(feed_requests(start_line_of(kMaxStartLineBytes + 1) + "\n\n", 1)), 400);

  // Enforced as bytes arrive: one byte over the limit, no line end yet.
  MessageReader reader(MessageReader::Kind::Requests);
  EXPECT_TRUE(reader.feed(std::string(kMaxStartLineBytes, 'A')).empty());
  EXPECT_EQ(error_status(reader.feed("A")), 400);
  EXPECT_TRUE(reader.closed());
  EXPECT_EQ(reader.buffered(), 0u);
}

// A request whose head (start line, headers, empty line) is exactly `bytes` long.
std::string head_of(size_t bytes) {
  const std::string start = "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\nX-Pad: ";
  return start + std::string(bytes - start.size() - 4, 'p') + "\r\n\r\n";
}

TEST(MessageReader, HeadLimit) {
  ASSERT_EQ(head_of(kMaxHeadBytes).size(), kMaxHeadBytes);
  auto ok = feed_requests(head_of(kMaxHeadBytes));
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<Request>(ok[0]));
  EXPECT_EQ(error_status(feed_requests(head_of(kMaxHeadBytes + 1))), 431);
  EXPECT_EQ(error_status(feed_requests(head_of(kMaxHeadBytes + 1), 3)), 431);

  MessageReader reader(MessageReader::Kind::Requests);
  EXPECT_TRUE(reader.feed(head_of(kMaxHeadBytes + 1).substr(0, kMaxHeadBytes)).empty());
  EXPECT_EQ(error_status(reader.feed("p")), 431);
}

std::string request_with_headers(size_t count) {
  std::string out = "OPTIONS * RTSP/1.0\r\n";
  for (size_t i = 0; i < count; ++i) out += "X-H" + std::to_string(i) + ": v\r\n";
  return out + "\r\n";
}

TEST(MessageReader, HeaderCountLimit) {
  auto ok = feed_requests(request_with_headers(kMaxHeaderCount));
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(as_request(ok[0]).headers.size(), kMaxHeaderCount);
  EXPECT_EQ(error_status(feed_requests(request_with_headers(kMaxHeaderCount + 1))), 431);
}

std::string announce_head(size_t content_length) {
  return "ANNOUNCE rtsp://h/live RTSP/1.0\r\nCSeq: 2\r\nContent-Type: application/sdp\r\n"
         "Content-Length: " +
         std::to_string(content_length) + "\r\n\r\n";
}

TEST(MessageReader, BodyLimit) {
  const std::string body(kMaxBodyBytes, 'b');
  auto ok = feed_requests(announce_head(kMaxBodyBytes) + body, 4096);
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_EQ(as_request(ok[0]).body, body);

  // Refused as soon as the header arrives, before any body byte is buffered.
  MessageReader reader(MessageReader::Kind::Requests);
  auto items = reader.feed(announce_head(kMaxBodyBytes + 1));
  EXPECT_EQ(error_status(items), 413);
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(MessageReader, HugeHeaderStaysBounded) {
  const std::string attack = "OPTIONS * RTSP/1.0\r\nX-Big: " + std::string(100 * 1024, 'x');
  constexpr size_t kChunk = 1024;
  MessageReader reader(MessageReader::Kind::Requests);
  std::vector<ReaderItem> items;
  for (size_t pos = 0; pos < attack.size() && items.empty(); pos += kChunk) {
    items = reader.feed(std::string_view(attack).substr(pos, kChunk));
    EXPECT_LE(reader.buffered(), kMaxHeadBytes + kChunk);
  }
  EXPECT_EQ(error_status(items), 431);
  EXPECT_EQ(reader.buffered(), 0u);
  EXPECT_TRUE(reader.feed(kSetup).empty()) << "a closed reader ignores input";
}

TEST(MessageReader, FatalErrors) {
  struct Case {
    std::string name;
    std::string in;
    int want;
  };
  const Case kCases[] = {
      {"TLS ClientHello on the plain port", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"s, 400},
      {"binary garbage", "\xde\xad\xbe\xef\x00\x00"s, 400},
      {"HTTP request", "GET /cam1 HTTP/1.1\r\nHost: edge\r\n\r\n", 400},
      {"header without colon", "OPTIONS * RTSP/1.0\r\nCSeq 1\r\n\r\n", 400},
      {"bad Content-Length", "ANNOUNCE rtsp://h/s RTSP/1.0\r\nContent-Length: 1x\r\n\r\n", 400},
      {"conflicting Content-Length",
       "ANNOUNCE rtsp://h/s RTSP/1.0\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
      {"RTSP/2.0", "OPTIONS * RTSP/2.0\r\nCSeq: 1\r\n\r\n", 505},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    MessageReader reader(MessageReader::Kind::Requests);
    auto items = reader.feed(c.in + kSetup);
    ASSERT_EQ(items.size(), 1u) << "nothing after the error";
    EXPECT_EQ(error_status(items), c.want);
    EXPECT_TRUE(reader.closed());
    EXPECT_EQ(reader.buffered(), 0u);
  }
}

TEST(MessageReader, BinaryGarbageIsRefusedAtOnce) {
  MessageReader reader(MessageReader::Kind::Requests);
  EXPECT_EQ(error_status(reader.feed("\x16\x03")), 400);
}

}  // namespace
}  // namespace rtsp
