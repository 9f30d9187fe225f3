// rtsp::ServerSession without sockets: request in, exact response out, for the flows ffmpeg,
// GStreamer and VLC use, and for every error the foundation promises.
#include "rtsp/server_session.hpp"
#include "tests/unit/rtsp_server_test_util.hpp"

#include "rtsp/limits.hpp"

#include <gtest/gtest.h>

namespace rtsp {
namespace {

class FakeHost : public ServerSessionHost {
 public:
  bool ready = true;
  int plays = 0, pauses = 0, teardowns = 0;

  absl::StatusOr<std::string> describe(std::string_view stream) override {
    if (stream != "cam1") return absl::NotFoundError("no such stream");
    if (!ready) return absl::UnavailableError("not yet");
    return std::string("v=0\r\n");
  }
  absl::StatusOr<Transport> setup(std::string_view stream, uint32_t track,
                                  const std::vector<Transport>& offered) override {
    if (stream != "cam1" || track != 0) return absl::NotFoundError("no such track");
    for (const Transport& t : offered) {
      if (t.lower == LowerTransport::Tcp) {
        Transport answer = t;
        answer.interleaved = t.interleaved.value_or(ChannelPair{0, 1});
        return answer;
      }
    }
    return absl::UnimplementedError("no supported transport");
  }
  absl::StatusOr<std::vector<PlayStart>> play() override {
    ++plays;
    return std::vector<PlayStart>{{0, 1234, 567890}};
  }
  void pause() override { ++pauses; }
  void teardown() override { ++teardowns; }
  std::optional<std::string> get_parameter(std::string_view stream,
                                           std::string_view name) override {
    asked_stream = std::string(stream);
    if (name == "stream_state") return std::string("source-down; reason=camera gone");
    if (name == "edge_state") return std::string("ready");
    return std::nullopt;
  }
  std::string asked_stream;
  std::string new_session_id() override { return "0F1E2D3C4B5A6978"; }
};

using rtsp::testing::request;

class ServerSessionTest : public ::testing::Test {
 protected:
  FakeHost host;
  ServerSession session{host, "A1B2C3D4E5F60708", std::chrono::seconds(60)};

  Response handle(const Request& r) {
    Outcome out = session.handle(r);
    EXPECT_FALSE(out.park);
    return out.response;
  }
  void setup_and_play() {
    ASSERT_EQ(handle(request("SETUP", "rtsp://e/cam1/trackID=0", 3,
                             {{"Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"}}))
                  .status,
              200);
    ASSERT_EQ(
        handle(request("PLAY", "rtsp://e/cam1/", 4, {{"Session", "A1B2C3D4E5F60708"}})).status,
        200);
  }
};

TEST_F(ServerSessionTest, OptionsListsMethodsAndEchoesCSeq) {
  EXPECT_EQ(handle(request("OPTIONS", "rtsp://e:8554/cam1", 1)).serialize(),
            "RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: rtsp-streamer/0.1\r\n"
            "Public: OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, "
            "SET_PARAMETER\r\n\r\n");
}

TEST_F(ServerSessionTest, DescribeAnswersSdpWithContentBase) {
  Response r =
      handle(request("DESCRIBE", "rtsp://e:8554/cam1", 2, {{"Accept", "application/sdp"}}));
  EXPECT_EQ(r.serialize(),
            "RTSP/1.0 200 OK\r\nCSeq: 2\r\nServer: rtsp-streamer/0.1\r\n"
            "Content-Base: rtsp://e:8554/cam1/\r\nContent-Type: application/sdp\r\n"
            "Content-Length: 5\r\n\r\nv=0\r\n");
}

TEST_F(ServerSessionTest, DescribeParksUntilReadyThen404WhenOutOfTime) {
  host.ready = false;
  Request r = request("DESCRIBE", "rtsp://e/cam1", 2);
  EXPECT_TRUE(session.handle(r).park);
  EXPECT_EQ(session.handle(r, /*final_attempt=*/true).response.status, 404);
  host.ready = true;
  EXPECT_EQ(session.handle(r).response.status, 200);
}

TEST_F(ServerSessionTest, FullPlayFlowLikeFfmpeg) {
  Response setup = handle(request("SETUP", "rtsp://e:8554/cam1/trackID=0", 3,
                                  {{"Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"}}));
  EXPECT_EQ(setup.status, 200);
  EXPECT_EQ(setup.headers.get("Session"), "A1B2C3D4E5F60708;timeout=60");
  EXPECT_EQ(setup.headers.get("Transport"), "RTP/AVP/TCP;unicast;interleaved=0-1");
  EXPECT_EQ(session.state(), SessionState::Ready);
  Response play = handle(request("PLAY", "rtsp://e:8554/cam1/", 4,
                                 {{"Session", "A1B2C3D4E5F60708"}, {"Range", "npt=0.000-"}}));
  EXPECT_EQ(play.status, 200);
  EXPECT_EQ(play.headers.get("RTP-Info"),
            "url=rtsp://e:8554/cam1/trackID=0;seq=1234;rtptime=567890");
  EXPECT_EQ(play.headers.get("Range"), "npt=now-");
  EXPECT_EQ(session.state(), SessionState::Playing);
  EXPECT_EQ(
      handle(request("GET_PARAMETER", "rtsp://e:8554/cam1/", 5, {{"Session", "A1B2C3D4E5F60708"}}))
          .status,
      200);
  EXPECT_EQ(
      handle(request("PAUSE", "rtsp://e:8554/cam1/", 6, {{"Session", "A1B2C3D4E5F60708"}})).status,
      200);
  EXPECT_EQ(session.state(), SessionState::Ready);
  EXPECT_EQ(handle(request("TEARDOWN", "rtsp://e:8554/cam1/", 7, {{"Session", "A1B2C3D4E5F60708"}}))
                .status,
            200);
  EXPECT_EQ(session.state(), SessionState::Init);
  EXPECT_EQ(host.plays, 1);
  EXPECT_EQ(host.pauses, 1);
  EXPECT_EQ(host.teardowns, 1);
}

// After TEARDOWN the session id is gone: any later request naming it is 454, and a new SETUP
// starts a session with a new id.
TEST_F(ServerSessionTest, TornDownSessionIsNotFoundAndANewSetupGetsANewId) {
  setup_and_play();
  ASSERT_EQ(
      handle(request("TEARDOWN", "rtsp://e/cam1/", 5, {{"Session", "A1B2C3D4E5F60708"}})).status,
      200);
  for (const char* method : {"PLAY", "PAUSE", "TEARDOWN", "GET_PARAMETER"}) {
    SCOPED_TRACE(method);
    EXPECT_EQ(
        handle(request(method, "rtsp://e/cam1/", 6, {{"Session", "A1B2C3D4E5F60708"}})).status,
        454);
  }
  const Response setup = handle(request("SETUP", "rtsp://e/cam1/trackID=0", 7,
                                        {{"Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"}}));
  ASSERT_EQ(setup.status, 200);
  EXPECT_EQ(setup.headers.get("Session").value_or(""), "0F1E2D3C4B5A6978;timeout=60");
}

TEST_F(ServerSessionTest, SessionHeaderWithTimeoutSuffixIsAccepted) {
  setup_and_play();
  // VLC echoes the timeout parameter back.
  EXPECT_EQ(handle(request("GET_PARAMETER", "rtsp://e/cam1/", 9,
                           {{"Session", "A1B2C3D4E5F60708;timeout=60"}}))
                .status,
            200);
}

struct ErrorCase {
  std::string_view name;
  Request request;
  int want_status;
};

TEST_F(ServerSessionTest, ErrorsCarryTheRightStatusAndCSeq) {
  const ErrorCase cases[] = {
      {"unknown method", request("FOO", "rtsp://e/cam1", 11), 501},
      {"unknown stream", request("DESCRIBE", "rtsp://e/nope", 12), 404},
      {"path traversal", request("DESCRIBE", "rtsp://e/../../etc/passwd", 13), 400},
      {"play naming a session we do not have",
       request("PLAY", "rtsp://e/cam1", 14, {{"Session", "X"}}), 454},
      {"play without setup or session", request("PLAY", "rtsp://e/cam1", 17), 455},
      {"pause without setup", request("PAUSE", "rtsp://e/cam1", 15), 455},
      {"teardown without setup", request("TEARDOWN", "rtsp://e/cam1", 16), 454},
      {"setup without transport", request("SETUP", "rtsp://e/cam1/trackID=0", 17), 400},
      {"setup multicast only",
       request("SETUP", "rtsp://e/cam1/trackID=0", 18, {{"Transport", "RTP/AVP;multicast"}}), 461},
      {"setup unknown track",
       request("SETUP", "rtsp://e/cam1/trackID=5", 19,
               {{"Transport", "RTP/AVP/TCP;interleaved=0-1"}}),
       404},
      {"bad uri", request("DESCRIBE", "cam1", 20), 400},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.name);
    Response r = handle(c.request);
    EXPECT_EQ(r.status, c.want_status);
    EXPECT_EQ(r.headers.get("CSeq"), c.request.headers.get("CSeq"));
  }
}

TEST_F(ServerSessionTest, ForgedSessionIs454) {
  setup_and_play();
  Response r = handle(request("PLAY", "rtsp://e/cam1/", 20, {{"Session", "FFFFFFFFFFFFFFFF"}}));
  EXPECT_EQ(r.status, 454);
  r = handle(request("TEARDOWN", "rtsp://e/cam1/", 21));
  EXPECT_EQ(r.status, 454);
  EXPECT_EQ(session.state(), SessionState::Playing);
}

TEST_F(ServerSessionTest, MissingCSeqIs400AndCloses) {
  Request r;
  r.method = "OPTIONS";
  r.uri = "rtsp://e/cam1";
  Outcome out = session.handle(r);
  EXPECT_EQ(out.response.status, 400);
  EXPECT_FALSE(out.response.headers.get("CSeq"));
  EXPECT_TRUE(out.close);
}

}  // namespace
}  // namespace rtsp

namespace rtsp {
namespace {

Request get_parameter(std::string uri, int cseq, std::string body, bool with_session) {
  Request r = request("GET_PARAMETER", std::move(uri), cseq, {{"Content-Type", "text/parameters"}});
  if (with_session) r.headers.set("Session", "A1B2C3D4E5F60708");
  r.body = std::move(body);
  return r;
}

// RFC 2326 10.8: a player asks its edge about the stream on the open session.
TEST_F(ServerSessionTest, GetParameterAnswersEachNamedParameterOnTheSession) {
  setup_and_play();
  EXPECT_EQ(handle(get_parameter("rtsp://e/cam1/", 5, "stream_state\r\nedge_state\r\n", true))
                .serialize(),
            "RTSP/1.0 200 OK\r\nCSeq: 5\r\nServer: rtsp-streamer/0.1\r\n"
            "Session: A1B2C3D4E5F60708;timeout=60\r\nContent-Type: text/parameters\r\n"
            "Content-Length: 66\r\n\r\n"
            "stream_state: source-down; reason=camera gone\r\nedge_state: ready\r\n");
  EXPECT_EQ(host.asked_stream, "cam1");
}

TEST_F(ServerSessionTest, GetParameterWithoutSessionUsesTheUriStream) {
  const Response r = handle(get_parameter("rtsp://e/cam7", 2, "stream_state\n", false));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "stream_state: source-down; reason=camera gone\r\n");
  EXPECT_EQ(host.asked_stream, "cam7");
}

TEST_F(ServerSessionTest, GetParameterUnknownIs451AndEmptyBodyIsAKeepAlive) {
  setup_and_play();
  const Response unknown =
      handle(get_parameter("rtsp://e/cam1/", 5, "stream_state\njitter\n", true));
  EXPECT_EQ(unknown.status, 451);
  EXPECT_EQ(unknown.headers.get("X-Reason").value_or(""), "unknown parameter: jitter");
  EXPECT_TRUE(unknown.body.empty());
  const Response ping = handle(get_parameter("rtsp://e/cam1/", 6, "", true));
  EXPECT_EQ(ping.status, 200);
  EXPECT_TRUE(ping.body.empty());
  EXPECT_FALSE(ping.headers.get("Content-Type").has_value());
}

TEST_F(ServerSessionTest, GetParameterAtTheLimitAnswersAndOneMoreIs400) {
  std::string body;
  for (size_t i = 0; i < kMaxQueriedParameters; ++i) body += "edge_state\n";
  EXPECT_EQ(handle(get_parameter("rtsp://e/cam1", 2, body, false)).status, 200);
  EXPECT_EQ(handle(get_parameter("rtsp://e/cam1", 3, body + "edge_state\n", false)).status, 400);
}

}  // namespace
}  // namespace rtsp
