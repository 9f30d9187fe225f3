// rtsp::ClientSession rule by rule: URLs and credentials, state errors, authentication retries,
// redirects, CSeq matching, bad descriptions, failures, sessions and keep-alives.
#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "rtsp/client_session.hpp"
#include "rtsp/limits.hpp"
#include "tests/unit/rtsp_client_test_util.hpp"

namespace rtsp {
namespace {

using namespace client_test_names;

std::string authorization_after_basic_challenge(ClientSession& s) {
  const int64_t cseq = s.describe().value().cseq().value();
  EXPECT_EQ(answer(s, "RTSP/1.0 401 Unauthorized\nCSeq: " + std::to_string(cseq) +
                          "\nWWW-Authenticate: Basic realm=\"r\"\n\n")
                ->kind,
            Kind::RetryWithAuth);
  return std::string(s.describe().value().headers.get("Authorization").value_or(""));
}

TEST(ClientSessionUrl, RejectsWhatCannotBeDialed) {
  for (std::string_view bad :
       {"http://cam/live", "rtsps://cam/live", "rtsp:///live", "rtsp://cam:0/live",
        "rtsp://cam:99999/", "rtsp://us%zz:pw@cam/", "rtsp://cam/a b", "/just/a/path", "*", ""}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(ClientSession::create({.url = std::string(bad)}).ok());
  }
}

struct CredentialCase {
  std::string_view name;
  ClientSessionConfig config;
  std::string_view url, host;
  uint16_t port;
  std::string_view authorization;  // after a Basic challenge
};
const CredentialCase kCredentialCases[] = {
    {"percent-encoded '@' in the password",
     {.url = "rtsp://admin:p%40ss@cam:8554/live?x=1"},
     "rtsp://cam:8554/live?x=1",
     "cam",
     8554,
     "Basic YWRtaW46cEBzcw=="},
    {"raw '@' in the password (camera URLs written by hand)",
     {.url = "rtsp://admin:p@ss@cam/live"},
     "rtsp://cam/live",
     "cam",
     554,
     "Basic YWRtaW46cEBzcw=="},
    {"user without password",
     {.url = "rtsp://viewer@cam/"},
     "rtsp://cam/",
     "cam",
     554,
     "Basic dmlld2VyOg=="},
    {"ipv6 host, no credentials: no Authorization",
     {.url = "rtsp://[fe80::1]:10554/x"},
     "rtsp://[fe80::1]:10554/x",
     "fe80::1",
     10554,
     ""},
    {"configured user and password override the URL's",
     {.url = "rtsp://admin:p%40ss@cam/live", .username = "ops", .password = "pw"},
     "rtsp://cam/live",
     "cam",
     554,
     "Basic b3BzOnB3"},
    {"configured password alone overrides the URL's",
     {.url = "rtsp://admin:old@cam/live", .password = "p@ss"},
     "rtsp://cam/live",
     "cam",
     554,
     "Basic YWRtaW46cEBzcw=="},
};

TEST(ClientSessionUrl, SplitsCredentialsOffTheRequestUrl) {
  for (const auto& c : kCredentialCases) {
    SCOPED_TRACE(c.name);
    auto s = ClientSession::create(c.config);
    ASSERT_TRUE(s.ok()) << s.status();
    EXPECT_EQ(s->url(), c.url);
    EXPECT_EQ(s->host(), c.host);
    EXPECT_EQ(s->port(), c.port);
    if (c.authorization.empty()) {
      EXPECT_EQ(s->describe()->uri, c.url);
      EXPECT_FALSE(answer(*s,
                          "RTSP/1.0 401 Unauthorized\nCSeq: 1\n"
                          "WWW-Authenticate: Basic realm=\"r\"\n\n")
                       .ok());
    } else {
      EXPECT_EQ(authorization_after_basic_challenge(*s), c.authorization);
    }
  }
}

TEST(ClientSessionState, ErrorsNameTheAllowedStates) {
  ClientSession s = make();
  EXPECT_EQ(s.play().status().message(), "PLAY not allowed in state Init (allowed: Ready)");
  EXPECT_EQ(s.setup(0, {}).status().message(),
            "SETUP not allowed in state Init (allowed: Described, Ready)");
  EXPECT_EQ(s.teardown().status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(s.teardown().status().message(),
            "TEARDOWN not allowed in state Init (allowed: Ready, Playing)");
  EXPECT_EQ(s.describe()->cseq(), 1) << "refused builders take no CSeq";
  ASSERT_TRUE(answer(s, ok(1, "", kSdp)).ok());
  EXPECT_EQ(s.setup(5, {}).status().message(), "SETUP: no track 5 (2 tracks)");
  ASSERT_TRUE(s.setup(0, {}).ok());
  ASSERT_TRUE(
      answer(s, ok(2, "Session: S1\nTransport: RTP/AVP;unicast;client_port=5000-5001\n")).ok());
  ASSERT_TRUE(s.play().ok());
  ASSERT_TRUE(answer(s, ok(3)).ok());
  EXPECT_EQ(s.state(), ClientState::Playing);
  EXPECT_EQ(s.describe().status().message(),
            "DESCRIBE not allowed in state Playing (allowed: Init, Described)");
  ASSERT_TRUE(s.teardown().ok());
  ASSERT_TRUE(answer(s, ok(4)).ok());
  EXPECT_EQ(s.state(), ClientState::Closed);
  EXPECT_EQ(s.session_id(), "");
  EXPECT_FALSE(s.options().headers.get("Session")) << "the session ended";
}

TEST(ClientSessionAuth, FailsWithoutCredentialsOrUsableChallenge) {
  ClientSession s = make();
  ASSERT_TRUE(s.describe().ok());
  auto got = answer(s, R"(RTSP/1.0 401 Unauthorized
CSeq: 1
WWW-Authenticate: Digest realm="r", nonce="n"

)");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(got.status().message(), "DESCRIBE rtsp://cam/live: 401 Unauthorized (no credentials)");
  EXPECT_EQ(s.last_status(), 401);

  ClientSession t = make("rtsp://u:p@cam/live");
  ASSERT_TRUE(t.describe().ok());
  got = answer(t, "RTSP/1.0 401 Unauthorized\nCSeq: 1\nWWW-Authenticate: Bearer realm=\"r\"\n\n");
  EXPECT_EQ(got.status().message(),
            "DESCRIBE rtsp://cam/live: 401 Unauthorized (no usable WWW-Authenticate challenge)");
}

TEST(ClientSessionAuth, RetriesOnceThenFails) {
  ClientSession s = make("rtsp://u:wrong@cam/live");
  ASSERT_TRUE(s.describe().ok());
  EXPECT_EQ(answer(s,
                   "RTSP/1.0 401 Unauthorized\nCSeq: 1\n"
                   "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\"\n\n")
                ->kind,
            Kind::RetryWithAuth);
  ASSERT_TRUE(s.describe()->headers.get("Authorization"));
  auto got = answer(s,
                    "RTSP/1.0 401 Unauthorized\nCSeq: 2\n"
                    "WWW-Authenticate: Digest realm=\"r\", nonce=\"n3\"\n\n");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message(),
            "DESCRIBE rtsp://cam/live: 401 Unauthorized (credentials rejected)");
}

TEST(ClientSessionAuth, AnswersStaleNoncesAndCountsNonces) {
  ClientSession s = make("rtsp://u:p@cam/live", {.cnonce = "0a4f113b"});
  ASSERT_TRUE(s.describe().ok());
  const auto stale = [](int cseq, std::string_view nonce, bool is_stale) {
    return "RTSP/1.0 401 Unauthorized\nCSeq: " + std::to_string(cseq) +
           "\nWWW-Authenticate: Digest realm=\"r\", nonce=\"" + std::string(nonce) +
           "\", qop=\"auth\"" + (is_stale ? ", stale=TRUE" : "") + "\n\n";
  };
  ASSERT_EQ(answer(s, stale(1, "n1", false))->kind, Kind::RetryWithAuth);
  const auto auth = [](const Request& r) { return std::string(*r.headers.get("Authorization")); };
  Request describe = s.describe().value();
  EXPECT_NE(auth(describe).find(R"(nonce="n1")"), std::string::npos);
  EXPECT_NE(auth(describe).find(R"(qop=auth, nc=00000001, cnonce="0a4f113b")"), std::string::npos);
  ASSERT_EQ(answer(s, ok(2, "", kSdp))->kind, Kind::Done);
  Request setup = s.setup(0, {}).value();
  EXPECT_NE(auth(setup).find("nc=00000002"), std::string::npos) << "same nonce, next count";
  for (int i = 0; i < kMaxStaleRetries; ++i) {
    SCOPED_TRACE(i);
    const int64_t cseq = *setup.cseq();
    ASSERT_EQ(answer(s, stale(cseq, "n" + std::to_string(i + 2), true))->kind, Kind::RetryWithAuth);
    setup = s.setup(0, {}).value();
    EXPECT_NE(auth(setup).find("nonce=\"n" + std::to_string(i + 2) + "\""), std::string::npos);
    EXPECT_NE(auth(setup).find("nc=00000001"), std::string::npos) << "new nonce, count from 1";
  }
  auto got = answer(s, stale(*setup.cseq(), "n9", true));
  EXPECT_EQ(got.status().message(),
            "SETUP rtsp://cam/live/trackID=0: 401 Unauthorized (nonce stale too often)");
}

TEST(ClientSessionRedirect, RetargetsUpToTheLimit) {
  ClientSession s = make("rtsp://u:p@edge-a:8554/cam1");
  ASSERT_TRUE(s.describe().ok());
  auto got =
      answer(s, "RTSP/1.0 302 Moved Temporarily\nCSeq: 1\nLocation: rtsp://edge-b:9554/cam1\n\n");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->kind, Kind::Redirect);
  EXPECT_EQ(got->redirect_url, "rtsp://edge-b:9554/cam1");
  EXPECT_EQ(s.host(), "edge-b");
  EXPECT_EQ(s.port(), 9554);
  EXPECT_EQ(s.state(), ClientState::Init);
  EXPECT_EQ(s.describe()->serialize(),
            "DESCRIBE rtsp://edge-b:9554/cam1 RTSP/1.0\r\nCSeq: 2\r\nUser-Agent: "
            "rtsp-streamer/0.1\r\nAccept: application/sdp\r\n\r\n");
  EXPECT_EQ(authorization_after_basic_challenge(s), "Basic dTpw") << "credentials follow";
  for (std::string_view status :
       {"301 Moved Permanently", "303 See Other", "305 Use Proxy", "307 Temporary Redirect"}) {
    SCOPED_TRACE(status);
    const int64_t cseq = s.describe()->cseq().value();
    got = answer(s, "RTSP/1.0 " + std::string(status) + "\nCSeq: " + std::to_string(cseq) +
                        "\nLocation: /other\n\n");
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(got->redirect_url, "rtsp://edge-b:9554/other") << "a path stays on the server";
  }
  const int64_t cseq = s.describe()->cseq().value();
  got = answer(s, "RTSP/1.0 302 Moved\nCSeq: " + std::to_string(cseq) +
                      "\nLocation: rtsp://edge-c/cam1\n\n");
  EXPECT_EQ(got.status().message(), "DESCRIBE rtsp://edge-b:9554/other: more than 5 redirects");
}

TEST(ClientSessionRedirect, RejectsRedirectsWithoutUsableLocation) {
  ClientSession s = make();
  ASSERT_TRUE(s.describe().ok());
  EXPECT_EQ(answer(s, "RTSP/1.0 302 Moved\nCSeq: 1\n\n").status().message(),
            "DESCRIBE rtsp://cam/live: 302 without Location");
  ASSERT_TRUE(s.describe().ok());
  auto got = answer(s, "RTSP/1.0 301 Moved\nCSeq: 2\nLocation: http://cam/live\n\n");
  EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.url(), "rtsp://cam/live");
}

}  // namespace
}  // namespace rtsp
