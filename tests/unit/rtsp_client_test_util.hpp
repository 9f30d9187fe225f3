// Helpers for the rtsp::ClientSession tests: the transcript shape; transcripts are written with LF
// line ends and without Content-Length, wire() makes the bytes a server sends, and read_response()
// parses them the way the socket driver does, through MessageReader.
#pragma once

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "media/frame.hpp"
#include "rtsp/client_session.hpp"
#include "rtsp/message_reader.hpp"
#include "tests/unit/test_bytes.hpp"

namespace rtsp::testing {

// A transcript (rtsp_client_transcripts_*.hpp): what a player calls, the exact requests
// ClientSession must write, the server's answers and what the session must understand.
struct Exchange {
  // "OPTIONS", "DESCRIBE", "SETUP <track> <transport offer>", "PLAY", "GET_PARAMETER",
  // "TEARDOWN".
  std::string_view call;
  std::string_view request;   // what our builder must write
  std::string_view response;  // what the server answered (Content-Length is added)
  ClientReaction::Kind want = ClientReaction::Kind::Done;
};

struct WantTrack {
  media::Codec codec;
  std::string_view control_url;
  std::string_view transport;  // canonical serialization of the server's answer
  std::optional<uint16_t> seq;
  std::optional<uint32_t> rtptime;
};

struct Transcript {
  std::string_view name;
  std::string_view url;
  std::vector<Exchange> exchanges;
  std::vector<WantTrack> tracks;
  std::string_view session_id;  // as known before TEARDOWN
  int timeout_s = 60;
  std::string_view control_url;
  bool supports_get_parameter = true;
};

// LF -> CRLF in the head and the body; adds Content-Length after the last header when there is a
// body and no Content-Length is written.
inline std::string wire(std::string_view lf) {
  using test_bytes::crlf;
  const size_t blank = lf.find("\n\n");
  if (blank == std::string_view::npos) return crlf(lf);
  std::string head = crlf(lf.substr(0, blank + 1));
  const std::string body = crlf(lf.substr(blank + 2));
  if (!body.empty() && head.find("Content-Length:") == std::string::npos) {
    head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  return head + "\r\n" + body;
}

// One response through MessageReader(Kind::Responses); fails the test unless exactly one comes out.
inline Response read_response(std::string_view lf) {
  MessageReader reader(MessageReader::Kind::Responses);
  auto items = reader.feed(wire(lf));
  EXPECT_EQ(items.size(), 1u) << lf;
  if (items.size() != 1 || !std::holds_alternative<Response>(items[0])) {
    ADD_FAILURE() << "not one response: " << lf;
    return Response{.status = 599};
  }
  return std::get<Response>(items[0]);
}

// One H.264 track (trackID=0) and one PCMU track (trackID=1), relative to the request URL.
inline constexpr std::string_view kSdp = R"(v=0
o=- 1 1 IN IP4 10.0.0.1
s=cam
t=0 0
m=video 0 RTP/AVP 96
a=rtpmap:96 H264/90000
a=control:trackID=0
m=audio 0 RTP/AVP 0
a=control:trackID=1
)";

// A session for `url`; fails the test when create() does.
inline ClientSession make(std::string url = "rtsp://cam/live", ClientSessionConfig config = {}) {
  config.url = std::move(url);
  auto session = ClientSession::create(std::move(config));
  EXPECT_TRUE(session.ok()) << session.status();
  return *std::move(session);
}

// The session's reaction to a response written as LF text.
inline absl::StatusOr<ClientReaction> answer(ClientSession& s, std::string_view lf) {
  return s.on_response(read_response(lf));
}

// "200 OK" with `headers` (each ending in LF) and `body`.
inline std::string ok(int cseq, std::string_view headers = "", std::string_view body = "") {
  return "RTSP/1.0 200 OK\nCSeq: " + std::to_string(cseq) + "\n" + std::string(headers) + "\n" +
         std::string(body);
}

}  // namespace rtsp::testing

// The names the rule-by-rule ClientSession suites use unqualified (`using namespace`).
namespace rtsp::client_test_names {
using Kind = ClientReaction::Kind;
using rtsp::testing::answer;
using rtsp::testing::kSdp;
using rtsp::testing::make;
using rtsp::testing::ok;
}  // namespace rtsp::client_test_names
