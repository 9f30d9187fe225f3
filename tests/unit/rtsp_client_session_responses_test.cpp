// rtsp::ClientSession: how responses are matched and read. CSeq matching (stray, duplicate,
// provisional and CSeq-less answers), bad descriptions, failures, Session and RTP-Info headers,
// keep-alives and the pending-request limit.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "rtsp/client_session.hpp"
#include "rtsp/limits.hpp"
#include "tests/unit/rtsp_client_test_util.hpp"

namespace rtsp {
namespace {

using namespace client_test_names;

TEST(ClientSessionCSeq, IgnoresStrayDuplicateAndProvisionalResponses) {
  ClientSession s = make();
  EXPECT_EQ(answer(s, ok(1))->kind, Kind::Ignored) << "nothing pending";
  ASSERT_EQ(s.describe()->cseq(), 1);
  EXPECT_EQ(answer(s, ok(7, "", kSdp))->kind, Kind::Ignored) << "a CSeq we never sent";
  EXPECT_EQ(answer(s, "RTSP/1.0 100 Continue\nCSeq: 1\n\n")->kind, Kind::Ignored);
  EXPECT_EQ(s.state(), ClientState::Init);
  EXPECT_EQ(s.last_status(), 0);
  EXPECT_EQ(answer(s, ok(1, "", kSdp))->kind, Kind::Done) << "still pending after the 100";
  EXPECT_EQ(s.state(), ClientState::Described);
  EXPECT_EQ(answer(s, ok(1, "", kSdp))->kind, Kind::Ignored) << "duplicate";
}

TEST(ClientSessionCSeq, MatchesResponsesWithoutCSeqToTheOldestRequest) {
  // Some cameras omit CSeq; HiIpcam's Public list (openRTSP capture) has no GET_PARAMETER.
  ClientSession s = make();
  EXPECT_TRUE(s.supports_get_parameter()) << "until OPTIONS says otherwise";
  s.options();
  ASSERT_TRUE(s.describe().ok());
  auto got = answer(s, "RTSP/1.0 200 OK\nPublic: OPTIONS, DESCRIBE, SETUP, TEARDOWN, PLAY\n\n");
  ASSERT_EQ(got->kind, Kind::Done);
  EXPECT_FALSE(s.supports_get_parameter());
  ASSERT_EQ(answer(s, std::string("RTSP/1.0 200 OK\n\n") + std::string(kSdp))->kind, Kind::Done);
  EXPECT_EQ(s.state(), ClientState::Described);
}

TEST(ClientSessionCSeq, ForgetsTheOldestBeyondThePendingLimit) {
  ClientSession s = make();
  for (size_t i = 0; i <= kMaxPendingRequests; ++i) s.options();
  EXPECT_EQ(answer(s, ok(1))->kind, Kind::Ignored);
  EXPECT_EQ(answer(s, ok(2))->kind, Kind::Done);
}

TEST(ClientSessionDescribe, RejectsWhatIsNotAUsableDescription) {
  struct Bad {
    std::string_view name;
    std::string_view headers;
    std::string_view body;
    absl::StatusCode code;
    std::string_view message;
  };
  const Bad kBad[] = {
      {"html error page", "Content-Type: text/html\n", "<html>no</html>",
       absl::StatusCode::kInvalidArgument,
       "DESCRIBE rtsp://cam/live: Content-Type 'text/html', want application/sdp"},
      {"garbage without Content-Type", "", "<html>no</html>", absl::StatusCode::kInvalidArgument,
       "DESCRIBE rtsp://cam/live: bad SDP: SDP line 1: want v=0 first, got '<html>no</html>'"},
      {"empty body", "Content-Type: application/sdp\n", "", absl::StatusCode::kInvalidArgument,
       "DESCRIBE rtsp://cam/live: bad SDP: SDP is empty"},
      {"no usable track", "Content-Type: application/sdp; charset=utf-8\n",
       "v=0\nm=video 0 RTP/AVP 33\nm=video 0 RTP/AVP 96\na=rtpmap:96 H266/90000\n"
       "m=application 0 RTP/AVP 107\n",
       absl::StatusCode::kFailedPrecondition,
       "DESCRIBE rtsp://cam/live: no usable track (3 media: video/MP2T, video/H266, "
       "application/?)"},
  };
  for (const auto& b : kBad) {
    SCOPED_TRACE(b.name);
    ClientSession s = make();
    ASSERT_TRUE(s.describe().ok());
    auto got = answer(s, ok(1, b.headers, b.body));
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), b.code);
    EXPECT_EQ(std::string(got.status().message()), b.message);
    EXPECT_EQ(s.state(), ClientState::Init);
    EXPECT_EQ(s.last_status(), 200);
  }
}

TEST(ClientSessionDescribe, KeepsKnownCodecsAndNotesTheRest) {
  // ONVIF cameras add a metadata track (gortsplib sdp_test "unordered global attributes").
  ClientSession s = make();
  ASSERT_TRUE(s.describe().ok());
  auto got =
      answer(s, ok(1, "Content-Location: rtsp://cam/live/\n",
                   "v=0\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000\na=control:?ctype=video\n"
                   "m=application 0 RTP/AVP 106\na=rtpmap:106 vnd.onvif.metadata/90000\n"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->note, "ignored media: application/vnd.onvif.metadata");
  ASSERT_EQ(s.tracks().size(), 1u);
  EXPECT_EQ(s.tracks()[0].control_url, "rtsp://cam/live/?ctype=video") << "Content-Location";
  EXPECT_EQ(s.control_url(), "rtsp://cam/live/");
}

TEST(ClientSessionFailure, NamesRequestStatusAndReason) {
  struct Case {
    std::string_view response;
    absl::StatusCode code;
    std::string_view message;
  };
  const Case kCases[] = {
      {"RTSP/1.0 404 Not Found\nCSeq: 1\nX-Reason: stream not available\n\n",
       absl::StatusCode::kNotFound,
       "DESCRIBE rtsp://cam/live: 404 Not Found (X-Reason: stream not available)"},
      {"RTSP/1.0 454 Session Not Found\nCSeq: 1\n\n", absl::StatusCode::kNotFound,
       "DESCRIBE rtsp://cam/live: 454 Session Not Found"},
      {"RTSP/1.0 403 Forbidden\nCSeq: 1\n\n", absl::StatusCode::kPermissionDenied,
       "DESCRIBE rtsp://cam/live: 403 Forbidden"},
      {"RTSP/1.0 503 Service Unavailable\nCSeq: 1\n\n", absl::StatusCode::kUnavailable,
       "DESCRIBE rtsp://cam/live: 503 Service Unavailable"},
      {"RTSP/1.0 461 Unsupported transport\nCSeq: 1\n\n", absl::StatusCode::kFailedPrecondition,
       "DESCRIBE rtsp://cam/live: 461 Unsupported transport"},
      {"RTSP/1.0 500\nCSeq: 1\n\n", absl::StatusCode::kUnavailable,
       "DESCRIBE rtsp://cam/live: 500 Internal Server Error"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.response);
    ClientSession s = make();
    ASSERT_TRUE(s.describe().ok());
    auto got = answer(s, c.response);
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), c.code);
    EXPECT_EQ(std::string(got.status().message()), c.message);
    EXPECT_EQ(s.last_status(), std::stoi(std::string(c.response.substr(9, 3))));
  }
}

TEST(ClientSessionSetup, KeepsTheFirstSessionIdAndTimeout) {
  ClientSession s = make();
  ASSERT_TRUE(s.describe().ok());
  ASSERT_TRUE(answer(s, ok(1, "", kSdp)).ok());
  EXPECT_EQ(s.session_timeout(), std::chrono::seconds(60)) << "RFC 2326 12.37 default";
  ASSERT_TRUE(s.setup(0, {}).ok());
  ASSERT_TRUE(answer(s, ok(2, "Session: AAA ; Timeout = 30\nTransport: RTP/AVP;unicast\n")).ok());
  EXPECT_EQ(s.session_id(), "AAA");
  EXPECT_EQ(s.session_timeout(), std::chrono::seconds(30));
  EXPECT_EQ(s.state(), ClientState::Ready);
  ASSERT_TRUE(s.setup(1, {}).ok());
  auto got = answer(s, ok(3, "Session: BBB;timeout=abc\nTransport: RTP/AVP;unicast\n"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->note, "server changed the session id to 'BBB'; keeping 'AAA'");
  EXPECT_EQ(s.session_id(), "AAA");
  EXPECT_EQ(s.session_timeout(), std::chrono::seconds(30));
  EXPECT_EQ(s.play()->headers.get("Session"), "AAA");
}

TEST(ClientSessionSetup, RejectsAnswersWithoutSessionOrTransport) {
  struct Bad {
    std::string_view headers;
    std::string_view message;
  };
  for (const Bad& b :
       {Bad{"Transport: RTP/AVP;unicast\n", "200 without Session header"},
        Bad{"Session: ;timeout=60\nTransport: RTP/AVP;unicast\n", "200 without Session header"},
        Bad{"Session: S\n", "200 without Transport header"},
        Bad{"Session: S\nTransport: RTP/AVP;client_port=a-b\n", "bad Transport: "}}) {
    SCOPED_TRACE(b.headers);
    ClientSession s = make();
    ASSERT_TRUE(s.describe().ok());
    ASSERT_TRUE(answer(s, ok(1, "", kSdp)).ok());
    ASSERT_TRUE(s.setup(0, {}).ok());
    auto got = answer(s, ok(2, b.headers));
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(std::string(got.status().message()).find(b.message), std::string::npos)
        << got.status();
    EXPECT_EQ(s.state(), ClientState::Described);
  }
}

TEST(ClientSessionPlay, MatchesRtpInfoEntriesToTracks) {
  ClientSession s = make();
  ASSERT_TRUE(s.describe().ok());
  ASSERT_TRUE(answer(s, ok(1, "Content-Base: rtsp://cam/live/\n", kSdp)).ok());
  for (size_t track : {0, 1}) {
    ASSERT_TRUE(s.setup(track, {}).ok());
    ASSERT_TRUE(
        answer(s, ok(static_cast<int>(track) + 2, "Session: S\nTransport: RTP/AVP\n")).ok());
  }
  ASSERT_TRUE(s.play().ok());
  // Relative url, a NAT'ed camera reporting its own address, unknown and partial entries.
  auto got = answer(s, ok(4,
                          "RTP-Info: url=trackID=0;seq=10, "
                          "url=rtsp://192.168.1.2:554/live/trackID=1/;rtptime=99;x=1, "
                          "url=rtsp://cam/live/trackID=9;seq=5;rtptime=6\n"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(s.state(), ClientState::Playing);
  EXPECT_EQ(s.tracks()[0].rtp_info_seq, 10);
  EXPECT_EQ(s.tracks()[0].rtp_info_time, std::nullopt);
  EXPECT_EQ(s.tracks()[1].rtp_info_seq, std::nullopt);
  EXPECT_EQ(s.tracks()[1].rtp_info_time, 99u);

  ClientSession t = make();
  ASSERT_TRUE(t.describe().ok());
  ASSERT_TRUE(answer(t, ok(1, "", kSdp)).ok());
  ASSERT_TRUE(t.setup(0, {}).ok());
  ASSERT_TRUE(answer(t, ok(2, "Session: S\nTransport: RTP/AVP\n")).ok());
  ASSERT_TRUE(t.play().ok());
  EXPECT_EQ(answer(t, ok(3, "RTP-Info: seq=1;rtptime=2\n")).status().message(),
            "PLAY rtsp://cam/live: bad RTP-Info: RTP-Info entry without url: 'seq=1;rtptime=2'");
}

TEST(ClientSessionKeepAlive, SendsParametersAndReadsTheAnswer) {
  ClientSession s = make("rtsp://cam/live", {.user_agent = ""});
  Request r = s.get_parameter("position\njitter\n");
  EXPECT_EQ(r.serialize(),
            "GET_PARAMETER rtsp://cam/live RTSP/1.0\r\nCSeq: 1\r\n"
            "Content-Type: text/parameters\r\nContent-Length: 16\r\n\r\nposition\njitter\n");
  auto got = answer(s, ok(1, "Content-Type: text/parameters\n", "position: 10\njitter: 0.3\n"));
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->kind, Kind::Done);
  EXPECT_EQ(parse_parameters(got->response.body), (std::vector<std::pair<std::string, std::string>>{
                                                      {"position", "10"}, {"jitter", "0.3"}}));
}

TEST(ParseParameters, ReadsNameValueLines) {
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(parse_parameters(""), Pairs{});
  EXPECT_EQ(parse_parameters("a: 1\r\n\r\n b :2 \nflag\nurl: rtsp://h:554/x\n"),
            (Pairs{{"a", "1"}, {"b", "2"}, {"flag", ""}, {"url", "rtsp://h:554/x"}}));
}

}  // namespace
}  // namespace rtsp
