// rtsp::Authenticator: Basic and Digest (MD5, SHA-256) as ffmpeg, VLC and cameras send them,
// per-stream permissions, nonce expiry and the failed-attempt limiter.
#include "rtsp/auth.hpp"

#include <gtest/gtest.h>

#include "absl/strings/escaping.h"
#include "base/strings.hpp"

namespace rtsp {
namespace {

constexpr int64_t kNow = 1'000'000'000;

AuthConfig config() {
  auto parsed = AuthConfig::parse(
      "# viewers\nrealm cams\nuser alice wonderland\nuser bob builder\nstream cam1 alice\n",
      "auth.conf");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return *parsed;
}

Request describe(std::string uri = "rtsp://e/cam1") {
  Request r;
  r.method = "DESCRIBE";
  r.uri = std::move(uri);
  r.headers.set("CSeq", "2");
  return r;
}

std::string digest_header(const std::string& user, const std::string& password,
                          const std::string& nonce, const std::string& method,
                          const std::string& uri, bool sha256) {
  auto h = [&](const std::string& s) { return sha256 ? sha256_hex(s) : md5_hex(s); };
  const std::string ha1 = h(user + ":cams:" + password);
  const std::string ha2 = h(method + ":" + uri);
  return "Digest username=\"" + user + "\", realm=\"cams\", nonce=\"" + nonce + "\", uri=\"" + uri +
         "\", response=\"" + h(ha1 + ":" + nonce + ":" + ha2) + "\"" +
         (sha256 ? ", algorithm=SHA-256" : "");
}

TEST(Digest, KnownVectors) {
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Authenticator, OpenStreamNeedsNothing) {
  Authenticator auth(config(), "secret");
  EXPECT_TRUE(auth.check(describe("rtsp://e/cam2"), "cam2", "10.0.0.1", kNow).allowed);
}

TEST(Authenticator, ChallengeOffersSha256ThenMd5ThenBasic) {
  Authenticator auth(config(), "secret");
  auto d = auth.check(describe(), "cam1", "10.0.0.1", kNow);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.status, 401);
  ASSERT_EQ(d.www_authenticate.size(), 3u);
  EXPECT_NE(d.www_authenticate[0].find("algorithm=SHA-256"), std::string::npos);
  EXPECT_NE(d.www_authenticate[1].find("algorithm=MD5"), std::string::npos);
  EXPECT_EQ(d.www_authenticate[2], "Basic realm=\"cams\"");
}

TEST(Authenticator, DigestMd5LikeFfmpegAndSha256) {
  Authenticator auth(config(), "secret");
  const std::string nonce = auth.make_nonce(kNow);
  for (bool sha : {false, true}) {
    SCOPED_TRACE(sha);
    Request r = describe();
    r.headers.set("Authorization",
                  digest_header("alice", "wonderland", nonce, "DESCRIBE", "rtsp://e/cam1", sha));
    auto d = auth.check(r, "cam1", "10.0.0.1", kNow + 1000);
    EXPECT_TRUE(d.allowed) << d.reason;
    EXPECT_EQ(d.user, "alice");
  }
}

TEST(Authenticator, DigestWithQopAuth) {
  Authenticator auth(config(), "secret");
  const std::string nonce = auth.make_nonce(kNow);
  const std::string ha1 = md5_hex("alice:cams:wonderland");
  const std::string ha2 = md5_hex("DESCRIBE:rtsp://e/cam1");
  const std::string response = md5_hex(ha1 + ":" + nonce + ":00000001:abcd:auth:" + ha2);
  Request r = describe();
  r.headers.set(
      "Authorization",
      "Digest username=\"alice\", realm=\"cams\", nonce=\"" + nonce +
          "\", uri=\"rtsp://e/cam1\", qop=auth, nc=00000001, cnonce=\"abcd\", response=\"" +
          response + "\"");
  EXPECT_TRUE(auth.check(r, "cam1", "10.0.0.1", kNow).allowed);
}

TEST(Authenticator, RejectsWrongPasswordExpiredNonceAndForeignNonce) {
  Authenticator auth(config(), "secret");
  const std::string nonce = auth.make_nonce(kNow);
  struct Case {
    std::string name;
    std::string header;
    int64_t at;
  };
  Authenticator other(config(), "other-secret");
  const Case cases[] = {
      {"wrong password", digest_header("alice", "nope", nonce, "DESCRIBE", "rtsp://e/cam1", false),
       kNow},
      {"expired nonce",
       digest_header("alice", "wonderland", nonce, "DESCRIBE", "rtsp://e/cam1", false),
       kNow + kNonceLifetimeUs + 1},
      {"nonce from another server",
       digest_header("alice", "wonderland", other.make_nonce(kNow), "DESCRIBE", "rtsp://e/cam1",
                     false),
       kNow},
      {"unknown user", digest_header("mallory", "x", nonce, "DESCRIBE", "rtsp://e/cam1", false),
       kNow},
      {"basic wrong password", "Basic " + std::string(absl::Base64Escape("alice:nope")), kNow},
      {"garbage", "Bearer xyz", kNow},
  };
  int address = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Request r = describe();
    r.headers.set("Authorization", c.header);
    auto d = auth.check(r, "cam1", "10.0.0." + std::to_string(++address), c.at);
    EXPECT_FALSE(d.allowed);
    EXPECT_EQ(d.status, 401);
    EXPECT_FALSE(d.www_authenticate.empty()) << "a fresh challenge comes with every 401";
  }
}

TEST(Authenticator, BasicAndPermissions) {
  Authenticator auth(config(), "secret");
  Request r = describe();
  r.headers.set("Authorization", "Basic " + std::string(absl::Base64Escape("alice:wonderland")));
  EXPECT_TRUE(auth.check(r, "cam1", "10.0.0.1", kNow).allowed);
  r.headers.set("Authorization", "Basic " + std::string(absl::Base64Escape("bob:builder")));
  auto d = auth.check(r, "cam1", "10.0.0.1", kNow);
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.status, 403) << "bob is a user but may not read cam1";
}

TEST(Authenticator, FailedAttemptsAreRateLimitedPerAddress) {
  Authenticator auth(config(), "secret");
  Request bad = describe();
  bad.headers.set("Authorization", "Basic " + std::string(absl::Base64Escape("alice:guess")));
  for (int i = 0; i < kMaxFailedAttempts; ++i) {
    EXPECT_EQ(auth.check(bad, "cam1", "10.0.0.9", kNow + i).status, 401) << i;
  }
  Request good = describe();
  good.headers.set("Authorization", "Basic " + std::string(absl::Base64Escape("alice:wonderland")));
  EXPECT_EQ(auth.check(good, "cam1", "10.0.0.9", kNow + 10).status, 403)
      << "limited, even when right";
  EXPECT_TRUE(auth.check(good, "cam1", "10.0.0.10", kNow + 10).allowed)
      << "other addresses unaffected";
  EXPECT_TRUE(auth.check(good, "cam1", "10.0.0.9", kNow + kFailureWindowUs + 100).allowed)
      << "window ends";
}

TEST(AuthConfig, LineNumberedErrors) {
  struct Bad {
    std::string text;
    std::string want;
  };
  for (const Bad& b : {Bad{"user alice\n", "auth.conf:1: want: user <name> <password>"},
                       Bad{"\n# c\nfoo bar\n", "auth.conf:3: unknown keyword 'foo'"},
                       Bad{"user a x\nuser a y\n", "auth.conf:2: user 'a' defined twice"},
                       Bad{"stream cam1 ghost\n", "stream 'cam1' names unknown user 'ghost'"}}) {
    auto got = AuthConfig::parse(b.text, "auth.conf");
    ASSERT_FALSE(got.ok()) << b.text;
    EXPECT_NE(std::string(got.status().message()).find(b.want), std::string::npos) << got.status();
  }
}

}  // namespace
}  // namespace rtsp
