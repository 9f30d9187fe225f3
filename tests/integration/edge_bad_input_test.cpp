// Hostile and invalid requests, each on its own connection, while a normal TCP reader plays on
// the same edge: each gets the right status, and the reader loses nothing.
#include <atomic>
#include <chrono>
#include <random>
#include <string>
#include <thread>

#include "gtest/gtest.h"
#include "tests/support/cluster.hpp"
#include "tests/support/rtsp_test_client.hpp"

namespace rstest {
namespace {

using std::chrono::milliseconds;

class EdgeBadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string error;
    cluster_ = Cluster::start({.edge_args = {"--describe_timeout=500ms"}}, &error).release();
    if (!cluster_) {
      start_error_ = error;
      return;
    }
    reader_ = BackgroundReader::start(cluster_->url(), milliseconds(100000), &error).release();
    if (!reader_) {
      start_error_ = error;
      return;
    }
  }
  static void TearDownTestSuite() {
    delete reader_;
    reader_ = nullptr;
    delete cluster_;
    cluster_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(cluster_ != nullptr && start_error_.empty()) << "setup failed: " << start_error_;
    ASSERT_TRUE(cluster_->edge().running()) << "edge died" << cluster_->logs();
    client_ = std::make_unique<RtspTestClient>(cluster_->url());
    ASSERT_TRUE(client_->connect().ok());
  }
  void TearDown() override {
    client_.reset();
    if (cluster_) {
      EXPECT_TRUE(cluster_->edge().running()) << "edge died" << cluster_->logs();
    }
  }

  std::string url(const std::string& path = "cam1") const {
    return "rtsp://127.0.0.1:" + std::to_string(cluster_->rtsp_port()) + "/" + path;
  }
  // Sends raw bytes and returns the parsed response.
  absl::StatusOr<rtsp::Response> raw_exchange(const std::string& bytes) {
    if (auto st = client_->send_raw(bytes); !st.ok()) {
      // The edge may answer and close before reading everything; keep what it said.
      auto r = client_->read_response(milliseconds(2000));
      if (r.ok()) return r;
      return st;
    }
    return client_->read_response(milliseconds(3000));
  }

  static Cluster* cluster_;
  static std::string start_error_;
  static BackgroundReader* reader_;
  std::unique_ptr<RtspTestClient> client_;
};

Cluster* EdgeBadInputTest::cluster_ = nullptr;
std::string EdgeBadInputTest::start_error_;
BackgroundReader* EdgeBadInputTest::reader_ = nullptr;

TEST_F(EdgeBadInputTest, MalformedRequestLineGets400) {
  auto r = raw_exchange("this is not rtsp\r\nCSeq: 1\r\n\r\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->version, "RTSP/1.0");
}

TEST_F(EdgeBadInputTest, MissingCSeqGets400) {
  auto r = raw_exchange("OPTIONS " + url() + " RTSP/1.0\r\nUser-Agent: test\r\n\r\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 400);
}

TEST_F(EdgeBadInputTest, UnknownMethodGets501WithCSeq) {
  auto r = raw_exchange("FOO " + url() + " RTSP/1.0\r\nCSeq: 7\r\n\r\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 501);
  EXPECT_EQ(r->headers.get("CSeq").value_or("<none>"), "7");
  // The connection stays usable after 501.
  auto options = client_->request("OPTIONS", url());
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->status, 200);
}

TEST_F(EdgeBadInputTest, HugeHeaderGets431AndClose) {
  const std::string request = "OPTIONS " + url() +
                              " RTSP/1.0\r\nCSeq: 1\r\nX-Big: " + std::string(100 * 1024, 'a') +
                              "\r\n\r\n";
  auto r = raw_exchange(request);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 431);
  EXPECT_TRUE(client_->wait_closed(milliseconds(3000))) << "connection still open after 431";
}

TEST_F(EdgeBadInputTest, BinaryGarbageGets400OrClose) {
  std::mt19937 random(1234);
  std::string garbage(4096, '\0');
  for (char& c : garbage) c = static_cast<char>(random() & 0xff);
  garbage[0] = '\x01';  // not '$' (an interleaved frame) on purpose
  garbage[100] = '\n';
  client_->send_raw(garbage).IgnoreError();  // the edge may close before reading all of it
  std::string bytes;
  const bool closed = client_->wait_closed(milliseconds(3000), &bytes);
  EXPECT_TRUE(closed) << "connection still open after binary garbage";
  if (!bytes.empty()) {
    EXPECT_EQ(bytes.substr(0, 12), "RTSP/1.0 400") << bytes;
  }
}

TEST_F(EdgeBadInputTest, PlayWithoutSetupGets455Or454) {
  auto r = client_->request("PLAY", url());
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->status == 455 || r->status == 454) << "got " << r->status;
}

TEST_F(EdgeBadInputTest, SetupWithSecureProfileGets461) {
  auto r = client_->request("SETUP", url() + "/trackID=0",
                            {{"Transport", "RTP/SAVP;unicast;client_port=40000-40001"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 461);
}

TEST_F(EdgeBadInputTest, SetupWithOnlyMulticastOverTcpGets461) {
  auto r = client_->request("SETUP", url() + "/trackID=0",
                            {{"Transport", "RTP/AVP/TCP;multicast;interleaved=0-1"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 461);
}

TEST_F(EdgeBadInputTest, MulticastSetupAnswersTheEdgesGroupNotTheClients) {
  // A client cannot make the edge send to an address of its choosing (RFC 2326 15.4).
  auto r =
      client_->request("SETUP", url() + "/trackID=0",
                       {{"Transport", "RTP/AVP;multicast;destination=232.1.1.1;port=40000-40001"}});
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->status, 200);
  const std::string transport(r->headers.get("Transport").value_or(""));
  EXPECT_EQ(transport.find("232.1.1.1"), std::string::npos) << transport;
  EXPECT_NE(transport.find("destination=239.255.42."), std::string::npos) << transport;
}

TEST_F(EdgeBadInputTest, DescribeUnknownStreamGets404AfterDescribeTimeout) {
  const auto start = std::chrono::steady_clock::now();
  auto r = client_->request("DESCRIBE", url("nosuchstream"), {}, milliseconds(5000));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 404);
  EXPECT_LT(elapsed, milliseconds(2500)) << "--describe_timeout=500ms not honoured";
}

TEST_F(EdgeBadInputTest, DescribePathTraversalGets400Or404) {
  auto r = raw_exchange("DESCRIBE rtsp://127.0.0.1:" + std::to_string(cluster_->rtsp_port()) +
                        "/../../etc/passwd RTSP/1.0\r\nCSeq: 3\r\n\r\n");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_TRUE(r->status == 400 || r->status == 404) << "got " << r->status;
  EXPECT_EQ(r->body.find("root:"), std::string::npos);
}

TEST_F(EdgeBadInputTest, ForgedSessionGets454) {
  auto setup = client_->setup(Lower::Tcp);
  ASSERT_TRUE(setup.ok()) << setup.status();
  ASSERT_EQ(setup->status, 200);
  ASSERT_NE(client_->session(), "DEADBEEF");
  auto r = client_->request("PLAY", url(), {{"Session", "DEADBEEF"}});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->status, 454);
  // A session id with nothing set up on this connection either.
  RtspTestClient other(url());
  ASSERT_TRUE(other.connect().ok());
  auto r2 = other.request("GET_PARAMETER", url(), {{"Session", client_->session()}});
  ASSERT_TRUE(r2.ok()) << r2.status();
  EXPECT_EQ(r2->status, 454) << "another connection's session id was accepted";
}

// Declared last: runs after the hostile requests above.
TEST_F(EdgeBadInputTest, NormalReaderLostNothingAndEdgeStaysUp) {
  // Let the reader run a little past the last hostile request.
  std::this_thread::sleep_for(milliseconds(500));
  reader_->stop_and_expect_lost_nothing(30);
  EXPECT_TRUE(cluster_->edge().running()) << cluster_->logs();
  // And a new reader can still play.
  RtspTestClient fresh(cluster_->url());
  ASSERT_TRUE(fresh.start_playing(Lower::Tcp).ok());
  EXPECT_TRUE(
      fresh.receive_until([&] { return fresh.access_units().size() >= 5; }, milliseconds(3000)))
      << fresh.summary();
}

}  // namespace
}  // namespace rstest
