// Tests for RTSP request/response parse and serialize (RFC 2326 sections 6 and 7), with the
// bytes real clients and cameras send.
#include "rtsp/message.hpp"
#include "tests/unit/table_test.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace rtsp {
namespace {

using namespace std::string_view_literals;

using Fields = std::initializer_list<std::pair<std::string_view, std::string_view>>;

Headers make_headers(Fields fields) {
  Headers h;
  for (const auto& [name, value] : fields) h.add(name, value);
  return h;
}

Request make_request(std::string method, std::string uri, Fields fields, std::string body = "") {
  Request r;
  r.method = std::move(method);
  r.uri = std::move(uri);
  r.headers = make_headers(fields);
  r.body = std::move(body);
  return r;
}

Response make_response(int status, std::string reason, Fields fields, std::string body = "") {
  Response r;
  r.status = status;
  r.reason = std::move(reason);
  r.headers = make_headers(fields);
  r.body = std::move(body);
  return r;
}

constexpr std::string_view kFfmpegUa = "Lavf59.27.100";
constexpr std::string_view kVlcUa = "LibVLC/3.0.18 (LIVE555 Streaming Media v2022.06.16)";
constexpr std::string_view kGstUa = "GStreamer/1.22.0";

const std::string kSdp =
    "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=No Name\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
    "a=tool:libavformat 59.27.100\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n"
    "a=control:streamid=0\r\n";

struct RequestCase {
  std::string name;  // peer + situation
  std::string in;    // bytes as the peer sent them
  Request want;
  std::string out = {};  // our canonical serialization; empty: `in` byte for byte
};

const std::vector<RequestCase>& request_cases() {
  static const std::vector<RequestCase> kCases = {
      {"ffmpeg 5.1: OPTIONS",
       "OPTIONS rtsp://127.0.0.1:8554/cam1 RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: "
       "Lavf59.27.100\r\n\r\n",
       make_request("OPTIONS", "rtsp://127.0.0.1:8554/cam1",
                    {{"CSeq", "1"}, {"User-Agent", kFfmpegUa}})},
      {"ffmpeg 5.1: DESCRIBE puts Accept before CSeq",
       "DESCRIBE rtsp://127.0.0.1:8554/cam1 RTSP/1.0\r\nAccept: application/sdp\r\nCSeq: 2\r\n"
       "User-Agent: Lavf59.27.100\r\n\r\n",
       make_request("DESCRIBE", "rtsp://127.0.0.1:8554/cam1",
                    {{"Accept", "application/sdp"}, {"CSeq", "2"}, {"User-Agent", kFfmpegUa}})},
      {"ffmpeg 5.1: SETUP over UDP",
       "SETUP rtsp://127.0.0.1:8554/cam1/trackID=0 RTSP/1.0\r\n"
       "Transport: RTP/AVP/UDP;unicast;client_port=5000-5001\r\nCSeq: 3\r\n"
       "User-Agent: Lavf59.27.100\r\n\r\n",
       make_request("SETUP", "rtsp://127.0.0.1:8554/cam1/trackID=0",
                    {{"Transport", "RTP/AVP/UDP;unicast;client_port=5000-5001"},
                     {"CSeq", "3"},
                     {"User-Agent", kFfmpegUa}})},
      {"ffmpeg 5.1: PLAY with session",
       "PLAY rtsp://127.0.0.1:8554/cam1/ RTSP/1.0\r\nRange: npt=0.000-\r\nCSeq: 5\r\n"
       "User-Agent: Lavf59.27.100\r\nSession: 5E1A0C7B\r\n\r\n",
       make_request("PLAY", "rtsp://127.0.0.1:8554/cam1/",
                    {{"Range", "npt=0.000-"},
                     {"CSeq", "5"},
                     {"User-Agent", kFfmpegUa},
                     {"Session", "5E1A0C7B"}})},
      {"ffmpeg 5.1: ANNOUNCE with an SDP body",
       "ANNOUNCE rtsp://127.0.0.1:8554/live RTSP/1.0\r\nContent-Type: application/sdp\r\n"
       "CSeq: 2\r\nUser-Agent: Lavf59.27.100\r\nContent-Length: " +
           std::to_string(kSdp.size()) + "\r\n\r\n" + kSdp,
       make_request("ANNOUNCE", "rtsp://127.0.0.1:8554/live",
                    {{"Content-Type", "application/sdp"},
                     {"CSeq", "2"},
                     {"User-Agent", kFfmpegUa},
                     {"Content-Length", std::to_string(kSdp.size())}},
                    kSdp)},
      {"vlc 3 (live555): SETUP over UDP",
       "SETUP rtsp://192.168.1.10:8554/cam1/trackID=0 RTSP/1.0\r\nCSeq: 4\r\n"
       "User-Agent: LibVLC/3.0.18 (LIVE555 Streaming Media v2022.06.16)\r\n"
       "Transport: RTP/AVP;unicast;client_port=56120-56121\r\n\r\n",
       make_request("SETUP", "rtsp://192.168.1.10:8554/cam1/trackID=0",
                    {{"CSeq", "4"},
                     {"User-Agent", kVlcUa},
                     {"Transport", "RTP/AVP;unicast;client_port=56120-56121"}})},
      {"vlc 3 (live555): PLAY puts Range after Session",
       "PLAY rtsp://192.168.1.10:8554/cam1/ RTSP/1.0\r\nCSeq: 5\r\n"
       "User-Agent: LibVLC/3.0.18 (LIVE555 Streaming Media v2022.06.16)\r\n"
       "Session: 9A1B2C3D\r\nRange: npt=0.000-\r\n\r\n",
       make_request("PLAY", "rtsp://192.168.1.10:8554/cam1/",
                    {{"CSeq", "5"},
                     {"User-Agent", kVlcUa},
                     {"Session", "9A1B2C3D"},
                     {"Range", "npt=0.000-"}})},
      {"vlc 3 (live555): GET_PARAMETER keep-alive",
       "GET_PARAMETER rtsp://192.168.1.10:8554/cam1/ RTSP/1.0\r\nCSeq: 6\r\n"
       "User-Agent: LibVLC/3.0.18 (LIVE555 Streaming Media v2022.06.16)\r\n"
       "Session: 9A1B2C3D\r\n\r\n",
       make_request("GET_PARAMETER", "rtsp://192.168.1.10:8554/cam1/",
                    {{"CSeq", "6"}, {"User-Agent", kVlcUa}, {"Session", "9A1B2C3D"}})},
      {"gstreamer 1.22 rtspsrc: SETUP with a transport list and x- headers",
       "SETUP rtsp://127.0.0.1:8554/cam1/trackID=0 RTSP/1.0\r\nCSeq: 3\r\n"
       "User-Agent: GStreamer/1.22.0\r\n"
       "Transport: RTP/AVP;unicast;client_port=47098-47099,RTP/AVP/TCP;unicast;interleaved=0-1\r\n"
       "x-Dynamic-Rate: 0\r\nx-Accept-Dynamic-Rate: 1\r\n"
       "Date: Thu, 01 Jun 2023 10:00:00 GMT\r\n\r\n",
       make_request(
           "SETUP", "rtsp://127.0.0.1:8554/cam1/trackID=0",
           {{"CSeq", "3"},
            {"User-Agent", kGstUa},
            {"Transport",
             "RTP/AVP;unicast;client_port=47098-47099,RTP/AVP/TCP;unicast;interleaved=0-1"},
            {"x-Dynamic-Rate", "0"},
            {"x-Accept-Dynamic-Rate", "1"},
            {"Date", "Thu, 01 Jun 2023 10:00:00 GMT"}})},
      {"gstreamer 1.22 rtspsrc: TEARDOWN",
       "TEARDOWN rtsp://127.0.0.1:8554/cam1/ RTSP/1.0\r\nCSeq: 7\r\n"
       "User-Agent: GStreamer/1.22.0\r\nSession: 1F2E3D4C\r\n"
       "Date: Thu, 01 Jun 2023 10:00:09 GMT\r\n\r\n",
       make_request("TEARDOWN", "rtsp://127.0.0.1:8554/cam1/",
                    {{"CSeq", "7"},
                     {"User-Agent", kGstUa},
                     {"Session", "1F2E3D4C"},
                     {"Date", "Thu, 01 Jun 2023 10:00:09 GMT"}})},
      {"ip camera client: bare LF line endings",
       "DESCRIBE rtsp://10.0.0.5:554/Streaming/Channels/101 RTSP/1.0\nCSeq: 2\n"
       "Accept: application/sdp\n\n",
       make_request("DESCRIBE", "rtsp://10.0.0.5:554/Streaming/Channels/101",
                    {{"CSeq", "2"}, {"Accept", "application/sdp"}}),
       "DESCRIBE rtsp://10.0.0.5:554/Streaming/Channels/101 RTSP/1.0\r\nCSeq: 2\r\n"
       "Accept: application/sdp\r\n\r\n"},
      {"hikvision nvr: padded header values and digest authorization",
       "DESCRIBE rtsp://10.0.0.5:554/cam1 RTSP/1.0\r\nCSeq:3\r\n"
       "Authorization: Digest username=\"admin\", realm=\"IP Camera(C6258)\", "
       "nonce=\"a1b2c3\", uri=\"rtsp://10.0.0.5:554/cam1\", response=\"0f1e2d\"  \r\n"
       "User-Agent:\tHikvision NVR \r\n\r\n",
       make_request("DESCRIBE", "rtsp://10.0.0.5:554/cam1",
                    {{"CSeq", "3"},
                     {"Authorization",
                      "Digest username=\"admin\", realm=\"IP Camera(C6258)\", nonce=\"a1b2c3\", "
                      "uri=\"rtsp://10.0.0.5:554/cam1\", response=\"0f1e2d\""},
                     {"User-Agent", "Hikvision NVR"}}),
       "DESCRIBE rtsp://10.0.0.5:554/cam1 RTSP/1.0\r\nCSeq: 3\r\n"
       "Authorization: Digest username=\"admin\", realm=\"IP Camera(C6258)\", "
       "nonce=\"a1b2c3\", uri=\"rtsp://10.0.0.5:554/cam1\", response=\"0f1e2d\"\r\n"
       "User-Agent: Hikvision NVR\r\n\r\n"},
      {"folded header continuation (RFC 2326 4.2 via RFC 2616 2.2)",
       "OPTIONS * RTSP/1.0\r\nCSeq: 9\r\nRequire: implicit-play,\r\n\tcom.example.feature\r\n\r\n",
       make_request("OPTIONS", "*",
                    {{"CSeq", "9"}, {"Require", "implicit-play, com.example.feature"}}),
       "OPTIONS * RTSP/1.0\r\nCSeq: 9\r\nRequire: implicit-play, com.example.feature\r\n\r\n"},
  };
  return kCases;
}

TEST(Request, ParsesRealClients) {
  rstest::expect_each_parses(request_cases(), [](const auto& c) { return Request::parse(c.in); });
}

TEST(Request, SerializesCanonicallyAndRoundTrips) {
  rstest::expect_each_round_trips(request_cases(),
                                  [](std::string_view out) { return Request::parse(out); });
}

TEST(Request, SerializeAddsContentLengthForBody) {
  Request r = make_request("SET_PARAMETER", "rtsp://h/s", {{"CSeq", "4"}}, "a: b\r\n");
  EXPECT_EQ(r.serialize(),
            "SET_PARAMETER rtsp://h/s RTSP/1.0\r\nCSeq: 4\r\nContent-Length: 6\r\n\r\na: b\r\n");
}

TEST(Request, RejectsMalformed) {
  struct Bad {
    std::string_view name;
    std::string_view in;
  };
  const Bad kBad[] = {
      {"empty", ""},
      {"no version", "OPTIONS rtsp://h/s\r\nCSeq: 1\r\n\r\n"},
      {"4 tokens", "OPTIONS rtsp://h/s RTSP/1.0 extra\r\nCSeq: 1\r\n\r\n"},
      {"double space", "OPTIONS  rtsp://h/s RTSP/1.0\r\nCSeq: 1\r\n\r\n"},
      {"HTTP/1.1 version", "GET /cam1 HTTP/1.1\r\nHost: h\r\n\r\n"},
      {"RTSP version without minor", "OPTIONS * RTSP/1\r\nCSeq: 1\r\n\r\n"},
      {"tspecial in method", "OPT(IONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n"},
      {"control byte in URI", "OPTIONS rtsp://h/\x01 RTSP/1.0\r\nCSeq: 1\r\n\r\n"},
      {"header without colon", "OPTIONS * RTSP/1.0\r\nCSeq 1\r\n\r\n"},
      {"empty header name", "OPTIONS * RTSP/1.0\r\n: 1\r\n\r\n"},
      {"NUL in value", "OPTIONS * RTSP/1.0\r\nCSeq: 1\0\r\n\r\n"sv},
      {"continuation before any header", "OPTIONS * RTSP/1.0\r\n  CSeq: 1\r\n\r\n"},
      {"no empty line", "OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n"},
      {"bad Content-Length",
       "ANNOUNCE rtsp://h/s RTSP/1.0\r\nCSeq: 1\r\nContent-Length: abc\r\n\r\n"},
      {"negative Content-Length",
       "ANNOUNCE rtsp://h/s RTSP/1.0\r\nCSeq: 1\r\nContent-Length: -1\r\n\r\n"},
      {"conflicting Content-Length",
       "ANNOUNCE rtsp://h/s RTSP/1.0\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"},
      {"body shorter than Content-Length",
       "ANNOUNCE rtsp://h/s RTSP/1.0\r\nContent-Length: 10\r\n\r\nv=0\r\n"},
      {"body without Content-Length", "ANNOUNCE rtsp://h/s RTSP/1.0\r\nCSeq: 1\r\n\r\nv=0\r\n"},
  };
  for (const auto& b : kBad) {
    SCOPED_TRACE(b.name);
    EXPECT_FALSE(Request::parse(std::string(b.in.data(), b.in.size())).ok());
  }
}

TEST(Request, OtherMajorVersionIsUnimplemented) {
  auto got = Request::parse("OPTIONS * RTSP/2.0\r\nCSeq: 1\r\n\r\n");
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_TRUE(Request::parse("OPTIONS * RTSP/1.1\r\nCSeq: 1\r\n\r\n").ok());
}

TEST(Request, CSeq) {
  struct Case {
    std::string_view name;
    Fields fields;
    std::optional<int64_t> want;
  };
  const Case kCases[] = {
      {"plain", {{"CSeq", "42"}}, 42},
      {"lower-case name (GStreamer servers echo cseq)", {{"cseq", "7"}}, 7},
      {"missing", {{"Session", "1"}}, std::nullopt},
      {"not a number", {{"CSeq", "abc"}}, std::nullopt},
      {"negative", {{"CSeq", "-1"}}, std::nullopt},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(make_request("OPTIONS", "*", c.fields).cseq(), c.want);
  }
}

TEST(Headers, NamesAreCaseInsensitive) {
  Headers h = make_headers({{"CSeq", "1"}, {"Session", "a"}, {"session", "b"}});
  EXPECT_EQ(h.get("cseq"), "1");
  EXPECT_EQ(h.get("SESSION"), "a");
  EXPECT_EQ(h.get("Range"), std::nullopt);

  h.set("SESSION", "c");  // replaces both, at the first one's place
  EXPECT_EQ(h, make_headers({{"CSeq", "1"}, {"SESSION", "c"}}));
  h.set("Range", "npt=0-");
  h.add("range", "clock=x");
  EXPECT_EQ(h.size(), 4u);
  h.remove("RANGE");
  EXPECT_EQ(h, make_headers({{"CSeq", "1"}, {"SESSION", "c"}}));
}

struct ResponseCase {
  std::string name;
  std::string in;
  Response want;
  std::string out = {};  // our canonical serialization; empty: `in` byte for byte
};

const std::vector<ResponseCase>& response_cases() {
  static const std::vector<ResponseCase> kCases = {
      {"hikvision camera: OPTIONS reply",
       "RTSP/1.0 200 OK\r\nCSeq: 1\r\n"
       "Public: OPTIONS, DESCRIBE, PLAY, PAUSE, SETUP, TEARDOWN, SET_PARAMETER, GET_PARAMETER\r\n"
       "Date:  Thu, Jun 01 2023 10:00:00 GMT\r\n\r\n",
       make_response(200, "OK",
                     {{"CSeq", "1"},
                      {"Public",
                       "OPTIONS, DESCRIBE, PLAY, PAUSE, SETUP, TEARDOWN, SET_PARAMETER, "
                       "GET_PARAMETER"},
                      {"Date", "Thu, Jun 01 2023 10:00:00 GMT"}}),
       "RTSP/1.0 200 OK\r\nCSeq: 1\r\n"
       "Public: OPTIONS, DESCRIBE, PLAY, PAUSE, SETUP, TEARDOWN, SET_PARAMETER, GET_PARAMETER\r\n"
       "Date: Thu, Jun 01 2023 10:00:00 GMT\r\n\r\n"},
      {"dahua camera: 401 with digest challenge",
       "RTSP/1.0 401 Unauthorized\r\nCSeq: 2\r\n"
       "WWW-Authenticate: Digest realm=\"Login to 4K05DCAPAZ\", nonce=\"e4f5a6\"\r\n\r\n",
       make_response(
           401, "Unauthorized",
           {{"CSeq", "2"},
            {"WWW-Authenticate", "Digest realm=\"Login to 4K05DCAPAZ\", nonce=\"e4f5a6\""}})},
      {"live555 server: DESCRIBE reply with SDP",
       "RTSP/1.0 200 OK\r\nCSeq: 3\r\nContent-Base: rtsp://10.0.0.9:8554/cam1/\r\n"
       "Content-Type: application/sdp\r\nContent-Length: " +
           std::to_string(kSdp.size()) + "\r\n\r\n" + kSdp,
       make_response(200, "OK",
                     {{"CSeq", "3"},
                      {"Content-Base", "rtsp://10.0.0.9:8554/cam1/"},
                      {"Content-Type", "application/sdp"},
                      {"Content-Length", std::to_string(kSdp.size())}},
                     kSdp)},
      {"camera: status without reason phrase gets the standard one", "RTSP/1.0 454\nCSeq: 8\n\n",
       make_response(454, "", {{"CSeq", "8"}}),
       "RTSP/1.0 454 Session Not Found\r\nCSeq: 8\r\n\r\n"},
      {"gstreamer rtsp-server: reason phrase with spaces",
       "RTSP/1.0 455 Method Not Valid In This State\r\nCSeq: 4\r\n\r\n",
       make_response(455, "Method Not Valid In This State", {{"CSeq", "4"}})},
  };
  return kCases;
}

TEST(Response, ParsesRealServers) {
  rstest::expect_each_parses(response_cases(), [](const auto& c) { return Response::parse(c.in); });
}

TEST(Response, SerializesCanonically) {
  rstest::expect_each_round_trips(
      response_cases(), [](std::string_view out) { return Response::parse(out); },
      rstest::RoundTrip::Text);
}

TEST(Response, RejectsMalformed) {
  for (std::string_view bad : {
           "",
           "RTSP/1.0\r\n\r\n",
           "RTSP/1.0 20 OK\r\n\r\n",
           "RTSP/1.0 2000 OK\r\n\r\n",
           "RTSP/1.0 099 Odd\r\n\r\n",
           "HTTP/1.1 200 OK\r\n\r\n",
           "RTSP/1.0 200 OK\r\nCSeq 1\r\n\r\n",
           "RTSP/1.0 200 OK\r\nContent-Length: 5\r\n\r\nab",
       }) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(Response::parse(bad).ok());
  }
}

TEST(ReasonPhrase, StandardCodes) {
  const std::pair<int, std::string_view> kCases[] = {
      {200, "OK"},
      {400, "Bad Request"},
      {413, "Request Entity Too Large"},
      {431, "Request Header Fields Too Large"},
      {454, "Session Not Found"},
      {455, "Method Not Valid in This State"},
      {457, "Invalid Range"},
      {459, "Aggregate operation not allowed"},
      {461, "Unsupported transport"},
      {501, "Not Implemented"},
      {503, "Service Unavailable"},
      {505, "RTSP Version not supported"},
      {299, "Unknown"},
  };
  for (const auto& [code, phrase] : kCases) EXPECT_EQ(reason_phrase(code), phrase) << code;
}

}  // namespace
}  // namespace rtsp
