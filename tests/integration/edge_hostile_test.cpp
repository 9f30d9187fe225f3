// Hostile input while a normal TCP reader plays on the same edge: a 1 MB request line, binary
// garbage, slowloris, interleaved frames with absurd lengths, 200 pipelined requests, PLAY
// without SETUP, forged sessions, path traversal, HTTP tunnel abuse, abrupt disconnects mid-write
// and 500 connections opened and closed. After each: the edge is alive, and once the hostile
// connections are gone its descriptors and RSS are back near where they started. Last: the
// normal reader lost nothing.
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "tests/support/cluster.hpp"
#include "tests/support/edge_probe.hpp"
#include "tests/support/rtsp_test_client.hpp"
#include "tests/support/time_scale.hpp"

namespace rstest {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Descriptors the edge may hold above its baseline once hostile connections are closed.
constexpr int kFdSlack = 4;
// RSS growth over the whole suite (allocator caches, GOP size changes).
constexpr long kRssSlackKib = 24 * 1024;
// edge/edge_options.hpp kPartialRequestTimeout, plus the loop's tick.
constexpr auto kSlowlorisDeadline = milliseconds(13'000);

class EdgeHostileTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    // Unknown stream names wait --describe_timeout for the stream before 404: keep it short.
    cluster_ = Cluster::start({.size = "320x180",
                               .bitrate = "500k",
                               .gop = 30,
                               .edge_args = {"--describe_timeout=1s"}},
                              &error)
                   .release();
    if (!cluster_) {
      start_error_ = error;
      return;
    }
    reader_ = BackgroundReader::start(cluster_->url(), milliseconds(170'000), &error).release();
    if (!reader_) {
      start_error_ = error;
      return;
    }
    // Slowloris: partial requests held open from the start; checked near the end.
    slowloris_opened_ = Clock::now();
    for (const char* partial : {"OPTIONS rtsp://127.0.0.1/cam1 RTSP/1.0\r\nCSeq: 1\r\nUser-Ag",
                                "GET /x HT", "DESCRIBE rtsp://127.0.0.1/cam1 RTSP/1.0\r\n"}) {
      auto c = std::make_unique<RtspTestClient>(cluster_->url());
      if (!c->connect().ok() || !c->send_raw(partial).ok()) {
        start_error_ = "slowloris connect";
        return;
      }
      slowloris_.push_back(c.release());
    }
    std::this_thread::sleep_for(milliseconds(800));
    base_fds_ = open_fd_count(cluster_->edge().pid());
    base_rss_kib_ = rss_kib(cluster_->edge().pid());
    std::printf("edge baseline: %d fds (3 slowloris connections open), VmRSS %ld KiB\n", base_fds_,
                base_rss_kib_);
  }
  static void TearDownTestSuite() {
    delete reader_;
    reader_ = nullptr;
    for (auto* c : slowloris_) delete c;
    slowloris_.clear();
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(cluster_ != nullptr && start_error_.empty()) << "setup failed: " << start_error_;
    ASSERT_TRUE(cluster_->edge().running()) << "edge died" << cluster_->logs();
  }
  void TearDown() override {
    if (!cluster_) return;
    EXPECT_TRUE(cluster_->edge().running()) << "edge died" << cluster_->logs();
    if (!cluster_->edge().running()) return;
    // Descriptors settle back once the hostile connections are closed.
    const pid_t pid = cluster_->edge().pid();
    int fds = open_fd_count(pid);
    for (auto until = Clock::now() + milliseconds(3000);
         fds > base_fds_ + kFdSlack && Clock::now() < until;) {
      std::this_thread::sleep_for(milliseconds(100));
      fds = open_fd_count(pid);
    }
    const long rss = rss_kib(pid);
    std::printf("after %s: edge %d fds (baseline %d), VmRSS %ld KiB (baseline %ld)\n",
                ::testing::UnitTest::GetInstance()->current_test_info()->name(), fds, base_fds_,
                rss, base_rss_kib_);
    EXPECT_LE(fds, base_fds_ + kFdSlack) << "edge descriptors grew";
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    // Under a sanitizer, freed memory sits in quarantine: RSS says nothing there, and the
    // sanitizer itself reports leaks and misuse.
    EXPECT_LE(rss, base_rss_kib_ + kRssSlackKib) << "edge RSS grew";
#endif
    if (HasFailure()) std::fprintf(stderr, "%s\n", cluster_->logs().c_str());
  }

  std::string url(const std::string& path = "cam1") const {
    return "rtsp://127.0.0.1:" + std::to_string(cluster_->rtsp_port()) + "/" + path;
  }
  // A raw request on a fresh connection; the response, or the error.
  absl::StatusOr<rtsp::Response> raw_request(const std::string& bytes) {
    RtspTestClient c(url());
    if (auto st = c.connect(); !st.ok()) return st;
    if (auto st = c.send_raw(bytes); !st.ok()) {
      auto r = c.read_response(milliseconds(2000));
      if (r.ok()) return r;
      return st;
    }
    return c.read_response(milliseconds(4000));
  }

  static Cluster* cluster_;
  static std::string start_error_;
  static BackgroundReader* reader_;
  static std::vector<RtspTestClient*> slowloris_;
  static Clock::time_point slowloris_opened_;
  static int base_fds_;
  static long base_rss_kib_;
};

Cluster* EdgeHostileTest::cluster_ = nullptr;
std::string EdgeHostileTest::start_error_;
BackgroundReader* EdgeHostileTest::reader_ = nullptr;
std::vector<RtspTestClient*> EdgeHostileTest::slowloris_;
Clock::time_point EdgeHostileTest::slowloris_opened_;
int EdgeHostileTest::base_fds_ = 0;
long EdgeHostileTest::base_rss_kib_ = 0;

TEST_F(EdgeHostileTest, OneMegabyteRequestLineGets400AndClose) {
  RtspTestClient c(url());
  ASSERT_TRUE(c.connect().ok());
  const std::string request =
      "DESCRIBE rtsp://127.0.0.1/" + std::string(1024 * 1024, 'a') + " RTSP/1.0\r\nCSeq: 1\r\n\r\n";
  c.send_raw(request).IgnoreError();  // the edge closes before reading it all
  std::string bytes;
  EXPECT_TRUE(c.wait_closed(milliseconds(3000), &bytes)) << "still open after a 1 MB line";
  EXPECT_EQ(bytes.substr(0, 12), "RTSP/1.0 400") << bytes.substr(0, 200);
}

TEST_F(EdgeHostileTest, BinaryGarbageIsRefusedAndClosed) {
  std::mt19937 random(42);
  for (int round = 0; round < 20; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    std::string garbage(1024 + random() % 65536, '\0');
    for (char& ch : garbage) ch = static_cast<char>(random() & 0xff);
    if (garbage[0] == '$') garbage[0] = 'X';
    RtspTestClient c(url());
    ASSERT_TRUE(c.connect().ok());
    c.send_raw(garbage).IgnoreError();
    std::string bytes;
    EXPECT_TRUE(c.wait_closed(milliseconds(3000), &bytes)) << "open after binary garbage";
    if (!bytes.empty()) {
      // An RTSP or an HTTP (tunnel) error status, nothing else.
      EXPECT_TRUE(bytes.rfind("RTSP/1.0 4", 0) == 0 || bytes.rfind("HTTP/1.0 4", 0) == 0)
          << bytes.substr(0, 100);
    }
  }
}

TEST_F(EdgeHostileTest, InterleavedFramesWithAbsurdLengths) {
  // 1) Length 65535 announced, 10 bytes sent, connection closed.
  {
    RtspTestClient c(url());
    ASSERT_TRUE(c.connect().ok());
    ASSERT_TRUE(c.send_raw(std::string("$\x01\xff\xff", 4) + "0123456789").ok());
  }
  // 2) A whole 65535-byte frame of garbage on an unknown channel, then a valid request on the
  //    same connection: the frame is skipped, the request answered.
  {
    RtspTestClient c(url());
    ASSERT_TRUE(c.connect().ok());
    std::string frame = std::string("$\xc8\xff\xff", 4) + std::string(65535, '\x5a');
    ASSERT_TRUE(c.send_raw(frame).ok());
    auto r = c.request("OPTIONS", url());
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 200);
  }
  // 3) A playing session's RTCP channel flooded with absurd "RTCP": 2000 frames, then zero
  //    length frames, then garbage lengths with garbage: the session survives or is closed,
  //    and the edge does not crash.
  {
    RtspTestClient c(url());
    ASSERT_TRUE(c.start_playing(Lower::Tcp).ok());
    std::string flood;
    std::mt19937 random(7);
    for (int i = 0; i < 2000; ++i) {
      const size_t n = random() % 200;
      flood += std::string("$\x01", 2) + static_cast<char>(n >> 8) + static_cast<char>(n & 0xff);
      for (size_t k = 0; k < n; ++k) flood += static_cast<char>(random() & 0xff);
    }
    for (int i = 0; i < 100; ++i) flood += std::string("$\x01\x00\x00", 4);
    c.send_raw(flood).IgnoreError();
    c.receive_for(milliseconds(300));
    if (!c.connection_closed()) {
      auto r = c.request("GET_PARAMETER", url());
      ASSERT_TRUE(r.ok()) << r.status();
      EXPECT_EQ(r->status, 200);
    }
  }
  // 4) '$' then an absurd length and the connection held without sending the payload: the
  //    edge keeps serving others (checked by the normal reader); closed here by us.
  {
    RtspTestClient c(url());
    ASSERT_TRUE(c.connect().ok());
    ASSERT_TRUE(c.send_raw(std::string("$\x00\xff\xff", 4)).ok());
    std::this_thread::sleep_for(milliseconds(200));
  }
}

TEST_F(EdgeHostileTest, TwoHundredPipelinedOptionsAreAnsweredInOrder) {
  RtspTestClient c(url());
  ASSERT_TRUE(c.connect().ok());
  std::string batch;
  for (int i = 1; i <= 200; ++i) {
    batch += "OPTIONS " + url() + " RTSP/1.0\r\nCSeq: " + std::to_string(i) + "\r\n\r\n";
  }
  ASSERT_TRUE(c.send_raw(batch).ok());
  for (int i = 1; i <= 200; ++i) {
    auto r = c.read_response(milliseconds(3000));
    ASSERT_TRUE(r.ok()) << "response " << i << ": " << r.status();
    ASSERT_EQ(r->status, 200) << "response " << i;
    ASSERT_EQ(r->headers.get("CSeq").value_or(""), std::to_string(i)) << "out of order";
  }
}

TEST_F(EdgeHostileTest, PlayWithoutSetupAndForgedSessions) {
  RtspTestClient c(url());
  ASSERT_TRUE(c.connect().ok());
  auto play = c.request("PLAY", url());
  ASSERT_TRUE(play.ok()) << play.status();
  EXPECT_TRUE(play->status == 455 || play->status == 454) << play->status;
  for (const std::string& forged :
       std::vector<std::string>{"DEADBEEF", "0", std::string(300, '7'), "a;timeout=1",
                                "../../etc/passwd", "%00%00", "\xff\xfe"}) {
    SCOPED_TRACE("Session: " + forged);
    for (const char* method : {"PLAY", "PAUSE", "TEARDOWN", "GET_PARAMETER"}) {
      RtspTestClient f(url());  // a 400 may close the connection: one each
      ASSERT_TRUE(f.connect().ok());
      auto r = f.request(method, url(), {{"Session", forged}});
      ASSERT_TRUE(r.ok()) << method << ": " << r.status();
      EXPECT_TRUE(r->status == 454 || r->status == 400 || r->status == 455)
          << method << " got " << r->status;
    }
  }
  // Another connection's real session id is not accepted either.
  RtspTestClient owner(url());
  ASSERT_TRUE(owner.connect().ok());
  auto setup = owner.setup(Lower::Tcp);
  ASSERT_TRUE(setup.ok() && setup->status == 200);
  auto hijack = c.request("PLAY", url(), {{"Session", owner.session()}});
  ASSERT_TRUE(hijack.ok());
  EXPECT_TRUE(hijack->status == 454 || hijack->status == 455) << hijack->status;
  auto teardown = c.request("TEARDOWN", url(), {{"Session", owner.session()}});
  ASSERT_TRUE(teardown.ok());
  EXPECT_EQ(teardown->status, 454);
  // The owner's session still works.
  auto owner_play = owner.play();
  ASSERT_TRUE(owner_play.ok());
  EXPECT_EQ(owner_play->status, 200);
}

TEST_F(EdgeHostileTest, PathTraversalAndOddUrls) {
  const std::string host = "rtsp://127.0.0.1:" + std::to_string(cluster_->rtsp_port());
  for (const std::string& path : std::vector<std::string>{
           "/../../etc/passwd", "/cam1/../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
           "/..%2f..%2fetc%2fpasswd", "/cam1%00.sdp", "//etc/passwd", "/cam1/../cam1",
           "/" + std::string(3000, 'x'), "/\x01\x02", "/cam1?x=../../etc/passwd"}) {
    SCOPED_TRACE(path.substr(0, 60));
    auto r = raw_request("DESCRIBE " + host + path + " RTSP/1.0\r\nCSeq: 5\r\n\r\n");
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(r->status == 400 || r->status == 404 || r->status == 200) << r->status;
    EXPECT_EQ(r->body.find("root:"), std::string::npos);
    if (r->status == 200) {
      // Only a real stream may be described (e.g. a normalised /cam1).
      EXPECT_NE(r->body.find("s=cam1"), std::string::npos) << r->body;
    }
  }
  // SETUP of a traversal control URL.
  RtspTestClient c(url());
  ASSERT_TRUE(c.connect().ok());
  auto r = c.request("SETUP", host + "/../../etc/passwd/trackID=0",
                     {{"Transport", "RTP/AVP/TCP;unicast;interleaved=0-1"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->status == 400 || r->status == 404 || r->status == 454 || r->status == 455)
      << r->status;
}

TEST_F(EdgeHostileTest, AbruptDisconnectsMidWrite) {
  // 50 readers that PLAY and vanish while the edge writes the cached GOP: half with a FIN,
  // half with a reset, some without reading the PLAY response at all.
  for (int i = 0; i < 50; ++i) {
    SCOPED_TRACE("reader " + std::to_string(i));
    RtspTestClient c(url());
    c.set_receive_buffer(4096);
    ASSERT_TRUE(c.connect().ok());
    auto d = c.describe();
    ASSERT_TRUE(d.ok() && d->status == 200);
    auto s = c.setup(i % 3 == 0 ? Lower::Udp : Lower::Tcp);
    ASSERT_TRUE(s.ok() && s->status == 200);
    if (i % 5 == 0) {
      // PLAY sent, response never read.
      ASSERT_TRUE(c.send_raw("PLAY " + url() + " RTSP/1.0\r\nCSeq: 9\r\nSession: " + c.session() +
                             "\r\n\r\n")
                      .ok());
    } else {
      auto p = c.play();
      ASSERT_TRUE(p.ok() && p->status == 200);
    }
    if (i % 2 == 0) {
      const int fd = dup(c.fd());
      c.close();
      close_with_reset(fd);
    } else {
      c.close();
    }
  }
  // Readers that stop reading (tiny window) then reset while the edge has queued data.
  std::vector<std::unique_ptr<RtspTestClient>> stalled;
  for (int i = 0; i < 10; ++i) {
    stalled.push_back(std::make_unique<RtspTestClient>(url()));
    stalled.back()->set_receive_buffer(2048);
    ASSERT_TRUE(stalled.back()->start_playing(Lower::Tcp).ok());
  }
  std::this_thread::sleep_for(milliseconds(700));
  for (auto& c : stalled) {
    const int fd = dup(c->fd());
    c->close();
    close_with_reset(fd);
  }
}

TEST_F(EdgeHostileTest, FiveHundredConnectionsOpenedAndClosed) {
  std::vector<int> fds;
  for (int i = 0; i < 500; ++i) {
    const int fd = tcp_connect(cluster_->rtsp_port());
    ASSERT_GE(fd, 0) << "connect " << i;
    if (i % 4 == 1) {
      const std::string partial = "OPTIONS " + url() + " RTSP/1.0\r\nCSe";
      ASSERT_GT(::send(fd, partial.data(), partial.size(), MSG_NOSIGNAL), 0);
    }
    fds.push_back(fd);
  }
  // All open at once; the edge still answers a new client meanwhile.
  {
    RtspTestClient c(url());
    ASSERT_TRUE(c.connect().ok());
    auto r = c.options();
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_EQ(r->status, 200);
  }
  for (size_t i = 0; i < fds.size(); ++i) {
    if (i % 2 == 0) {
      close_with_reset(fds[i]);
    } else {
      ::close(fds[i]);
    }
  }
}

TEST_F(EdgeHostileTest, HttpTunnelAbuse) {
  auto tunnel_head = [&](const std::string& method, const std::string& cookie) {
    return method + " /cam1 HTTP/1.0\r\nx-sessioncookie: " + cookie +
           "\r\nAccept: application/x-rtsp-tunnelled\r\nContent-Type: "
           "application/x-rtsp-tunnelled\r\nContent-Length: 32767\r\n\r\n";
  };
  auto b64 = [](const std::string& text) { return absl::Base64Escape(text); };
  // A GET half, and a second GET with the same cookie: 409.
  RtspTestClient get(url());
  ASSERT_TRUE(get.connect().ok());
  ASSERT_TRUE(get.send_raw(tunnel_head("GET", "cookieA")).ok());
  RawRead reply = get.read_raw(milliseconds(500));
  EXPECT_EQ(reply.bytes.substr(0, 12), "HTTP/1.0 200") << reply.bytes;
  {
    RtspTestClient twin(url());
    ASSERT_TRUE(twin.connect().ok());
    twin.send_raw(tunnel_head("GET", "cookieA")).IgnoreError();
    std::string bytes;
    EXPECT_TRUE(twin.wait_closed(milliseconds(2000), &bytes));
    EXPECT_EQ(bytes.substr(0, 12), "HTTP/1.0 409") << bytes;
  }
  // A POST for a cookie nobody opened: 404 and close.
  {
    RtspTestClient post(url());
    ASSERT_TRUE(post.connect().ok());
    post.send_raw(tunnel_head("POST", "nosuchcookie") +
                  b64("OPTIONS * RTSP/1.0\r\nCSeq: 1\r\n\r\n"))
        .IgnoreError();
    std::string bytes;
    EXPECT_TRUE(post.wait_closed(milliseconds(2000), &bytes));
    EXPECT_EQ(bytes.substr(0, 12), "HTTP/1.0 404") << bytes;
  }
  // Oversized cookie and oversized head.
  for (const std::string& bad : {tunnel_head("GET", std::string(300, 'c')),
                                 "GET /cam1 HTTP/1.0\r\nx-sessioncookie: k\r\nX-Pad: " +
                                     std::string(10'000, 'p') + "\r\n\r\n"}) {
    RtspTestClient c(url());
    ASSERT_TRUE(c.connect().ok());
    c.send_raw(bad).IgnoreError();
    std::string bytes;
    EXPECT_TRUE(c.wait_closed(milliseconds(2000), &bytes)) << bad.substr(0, 80);
    EXPECT_EQ(bytes.substr(0, 10), "HTTP/1.0 4") << bytes;
  }
  // The real POST half works, then sends junk that is not base64: only the POST is closed.
  {
    RtspTestClient post(url());
    ASSERT_TRUE(post.connect().ok());
    ASSERT_TRUE(post.send_raw(tunnel_head("POST", "cookieA") +
                              b64("OPTIONS " + url() + " RTSP/1.0\r\nCSeq: 11\r\n\r\n"))
                    .ok());
    RawRead answer = get.read_raw(milliseconds(1000));
    EXPECT_NE(answer.bytes.find("CSeq: 11"), std::string::npos) << answer.bytes;
    post.send_raw("!!!! not base64 \x01\x02").IgnoreError();
    EXPECT_TRUE(post.wait_closed(milliseconds(2000)));
  }
  // The GET half goes away; its fd number is reused by a new plain RTSP connection; a POST
  // still holding the old cookie must not reach that new connection.
  RtspTestClient post(url());
  ASSERT_TRUE(post.connect().ok());
  ASSERT_TRUE(post.send_raw(tunnel_head("POST", "cookieA")).ok());
  std::this_thread::sleep_for(milliseconds(100));
  get.close();
  std::this_thread::sleep_for(milliseconds(100));
  RtspTestClient bystander(url());
  ASSERT_TRUE(bystander.connect().ok());
  post.send_raw(b64("OPTIONS " + url() + " RTSP/1.0\r\nCSeq: 66\r\n\r\n")).IgnoreError();
  RawRead leaked = bystander.read_raw(milliseconds(500));
  EXPECT_EQ(leaked.bytes.find("CSeq: 66"), std::string::npos)
      << "a tunnel POST was answered on another client's connection: " << leaked.bytes;
  auto own = bystander.options();
  ASSERT_TRUE(own.ok()) << own.status();
  EXPECT_EQ(own->status, 200);
}

TEST_F(EdgeHostileTest, SlowlorisConnectionsAreClosedAfterThePartialRequestTimeout) {
  for (size_t i = 0; i < slowloris_.size(); ++i) {
    SCOPED_TRACE("slowloris " + std::to_string(i));
    const auto left = std::chrono::duration_cast<milliseconds>(slowloris_opened_ +
                                                               kSlowlorisDeadline - Clock::now());
    const bool closed = slowloris_[i]->wait_closed(std::max(left, milliseconds(1)));
    const double after_s = std::chrono::duration<double>(Clock::now() - slowloris_opened_).count();
    EXPECT_TRUE(closed) << "partial request still held open after " << after_s << " s";
    if (closed) std::printf("slowloris %zu closed by the edge after <= %.1f s\n", i, after_s);
  }
}

// Declared last.
TEST_F(EdgeHostileTest, NormalReaderLostNothingThroughout) {
  std::this_thread::sleep_for(milliseconds(300));
  reader_->stop_and_expect_lost_nothing(150);
  const RtspTestClient& r = reader_->client();
  // Every frame of the time it played: ~30 per second of RTP time.
  const auto& units = r.access_units();
  const double span_s =
      static_cast<uint32_t>(units.back().rtp_timestamp - units.front().rtp_timestamp) / 90000.0;
  // (A sanitizer run's origin may encode slower than 30 fps: then at least 30 / RS_TIME_SCALE.)
  const double fps = static_cast<double>(units.size() - 1) / span_s;
  if (rstest::time_scale() == 1.0) {
    EXPECT_NEAR(fps, 30.0, 1.0) << r.summary();
  } else {
    EXPECT_GE(fps, 30.0 / rstest::time_scale()) << r.summary();
  }
  std::printf("normal reader: %s over %.1f s\n", r.summary().c_str(), span_s);
}

}  // namespace
}  // namespace rstest
