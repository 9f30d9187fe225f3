// relay::PublisherThread over real loopback sockets: frames reach subscribers, the catch-up
// endpoint answers with the current GOP, and CURVE keeps strangers out.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "relay/catchup.hpp"
#include "relay/catchup_request.hpp"
#include "relay/frame_subscriber.hpp"
#include "relay/publisher_thread.hpp"
#include "relay/topic.hpp"
#include "tests/support/temp_dir.hpp"

namespace relay {
namespace {

using namespace std::chrono_literals;

rs::media::FrameHeader header(uint64_t seq, bool key) {
  rs::media::FrameHeader h;
  h.set_format_version(1);
  h.set_stream("cam1");
  h.set_codec(rs::media::CODEC_H264);
  h.set_sequence(seq);
  h.set_pts_90k(static_cast<int64_t>(seq) * 3000);
  h.set_keyframe(key);
  h.set_origin_epoch(9);
  return h;
}

rs::media::StreamInfo info() {
  rs::media::StreamInfo i;
  i.set_format_version(1);
  i.set_stream("cam1");
  i.set_state(rs::media::STREAM_STATE_LIVE);
  return i;
}

std::shared_ptr<const std::vector<uint8_t>> payload(uint64_t seq) {
  return std::make_shared<const std::vector<uint8_t>>(2000, static_cast<uint8_t>(seq));
}

// `name` in this run's folder for key files (removed at exit).
std::string tmp_prefix(const std::string& name) {
  static const rstest::TempDir dir("curve");
  return dir.path() + "/" + name;
}

// The origin's reading of requests, part by part (no sockets).
TEST(CatchupRequestReader, ReadsRequestsAndDropsEveryOtherMessageWhole) {
  CatchupRequestReader reader;
  auto feed = [&](std::vector<std::string> parts) {
    std::optional<CatchupRequest> got;
    for (size_t i = 0; i < parts.size(); ++i) {
      got = reader.feed(parts[i], i + 1 < parts.size());
      if (i + 1 < parts.size()) {
        EXPECT_FALSE(got) << "answered before the last part";
      }
    }
    EXPECT_EQ(reader.pending_parts(), 0u);
    return got;
  };
  auto got = feed({"id-1", "CATCHUP/1", "cam1"});
  ASSERT_TRUE(got);
  EXPECT_EQ(got->identity, "id-1");
  EXPECT_EQ(got->stream, "cam1");
  EXPECT_FALSE(feed({"id-1", "CATCHUP/2", "cam1"})) << "another version";
  EXPECT_FALSE(feed({"id-1", "CATCHUP/1"})) << "two parts";
  EXPECT_FALSE(feed({"id-1", "CATCHUP/1", ""})) << "no stream name";
  EXPECT_FALSE(feed({"id-1", "CATCHUP/1", std::string(kMaxStreamNameBytes + 1, 's')}));
  EXPECT_TRUE(feed({"id-1", "CATCHUP/1", std::string(kMaxStreamNameBytes, 's')}));
  // A long message keeps at most three parts while it is read, and is dropped whole.
  for (int i = 0; i < 1000; ++i) {
    reader.feed(i == 1 ? "CATCHUP/1" : "part", true);
    ASSERT_LE(reader.pending_parts(), 3u);
  }
  EXPECT_FALSE(reader.feed("cam1", false));
  EXPECT_TRUE(feed({"id-2", "CATCHUP/1", "cam1"})) << "the next message is read on its own";
}

// Asks for `stream` (again every 400 ms) until an answer comes, for up to 2 s.
std::optional<CatchupReply> ask(CatchupClient& client, const std::string& stream) {
  std::optional<CatchupReply> reply;
  for (int i = 0; i < 100 && !reply; ++i) {
    if (i % 20 == 0) client.request(stream);
    std::this_thread::sleep_for(20ms);
    reply = client.receive();
  }
  return reply;
}

TEST(PublisherThread, CatchupAnswersWithCurrentGopFromKeyframe) {
  zmq::context_t context;
  PublisherOptions options{.endpoint = "tcp://127.0.0.1:*",
                           .catchup_endpoint = "tcp://127.0.0.1:*"};
  auto publisher = PublisherThread::create(context, options);
  ASSERT_TRUE(publisher.ok()) << publisher.status();
  (*publisher)->publish_info(info());
  for (uint64_t s = 0; s < 12; ++s) (*publisher)->publish(header(s, s % 5 == 0), payload(s));
  auto client = CatchupClient::create(context, {(*publisher)->bound_catchup_endpoint()});
  ASSERT_TRUE(client.ok());
  const auto reply = ask(**client, "cam1");
  ASSERT_TRUE(reply);
  ASSERT_TRUE(reply->found);
  ASSERT_EQ(reply->frames.size(), 2u) << "frames 10 and 11: the GOP since keyframe 10";
  EXPECT_EQ(reply->frames[0]->sequence, 10u);
  EXPECT_TRUE(reply->frames[0]->keyframe);
  EXPECT_EQ(reply->frames[1]->sequence, 11u);
  EXPECT_EQ(reply->frames[1]->payload.size(), 2000u);
  EXPECT_EQ(reply->frames[1]->payload[0], 11);
  EXPECT_EQ(reply->info->stream(), "cam1");
  EXPECT_EQ((*publisher)->stats().catchup_requests, 1u);
}

TEST(PublisherThread, CatchupForUnknownStreamSaysNotFound) {
  zmq::context_t context;
  auto publisher = PublisherThread::create(
      context, {.endpoint = "tcp://127.0.0.1:*", .catchup_endpoint = "tcp://127.0.0.1:*"});
  ASSERT_TRUE(publisher.ok());
  auto client = CatchupClient::create(context, {(*publisher)->bound_catchup_endpoint()});
  ASSERT_TRUE(client.ok());
  const auto reply = ask(**client, "nope");
  ASSERT_TRUE(reply);
  EXPECT_FALSE(reply->found);
  EXPECT_EQ(reply->stream, "nope");
}

// Publishes frames until `subscriber` got one or `timeout` passed; returns frames received.
int pump(PublisherThread& publisher, FrameSubscriber& subscriber,
         std::chrono::milliseconds timeout) {
  int received = 0;
  uint64_t seq = 0;
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end && received == 0) {
    publisher.publish(header(seq, true), payload(seq));
    ++seq;
    if (auto m = subscriber.receive(50ms); m && std::holds_alternative<media::FramePtr>(*m))
      ++received;
  }
  return received;
}

TEST(Curve, AuthorizedEdgeReceivesAndStrangerGetsNothing) {
  ASSERT_TRUE(write_keypair_files(tmp_prefix("origin")).ok());
  ASSERT_TRUE(write_keypair_files(tmp_prefix("edge")).ok());
  ASSERT_TRUE(write_keypair_files(tmp_prefix("stranger")).ok());
  std::filesystem::copy_file(tmp_prefix("edge") + ".pub", tmp_prefix("authorized"),
                             std::filesystem::copy_options::overwrite_existing);
  zmq::context_t origin_context;
  auto publisher = PublisherThread::create(
      origin_context, {.endpoint = "tcp://127.0.0.1:*",
                       .curve_secret_key_file = tmp_prefix("origin") + ".key",
                       .curve_authorized_keys_file = tmp_prefix("authorized")});
  ASSERT_TRUE(publisher.ok()) << publisher.status();
  const auto origin_public = read_public_key_file(tmp_prefix("origin") + ".pub");
  ASSERT_TRUE(origin_public.ok());

  zmq::context_t edge_context;
  auto subscribe_as = [&](const std::string& who) {
    SubscriberOptions options;
    options.endpoints = {(*publisher)->bound_endpoint()};
    options.curve_keys = read_secret_key_file(tmp_prefix(who) + ".key").value();
    options.curve_server_public_z85 = *origin_public;
    auto sub = FrameSubscriber::create(edge_context, options).value();
    sub->subscribe_all();
    return sub;
  };
  auto edge = subscribe_as("edge");
  EXPECT_GT(pump(**publisher, *edge, 5s), 0) << "the authorized edge receives frames";
  auto stranger = subscribe_as("stranger");
  EXPECT_EQ(pump(**publisher, *stranger, 1500ms), 0) << "a wrong key gets nothing";
  SubscriberOptions plain;
  plain.endpoints = {(*publisher)->bound_endpoint()};
  auto plaintext = FrameSubscriber::create(edge_context, plain).value();
  plaintext->subscribe_all();
  EXPECT_EQ(pump(**publisher, *plaintext, 1500ms), 0) << "no encryption gets nothing";
}

TEST(Curve, KeyFilesRoundTripAndRejectGarbage) {
  const std::string prefix = tmp_prefix("rt");
  ASSERT_TRUE(write_keypair_files(prefix).ok());
  auto pair = read_secret_key_file(prefix + ".key");
  ASSERT_TRUE(pair.ok()) << pair.status();
  EXPECT_EQ(pair->public_z85, read_public_key_file(prefix + ".pub").value());
  EXPECT_EQ(pair->secret_z85.size(), 40u);
  EXPECT_FALSE(read_public_key_file(prefix + ".missing").ok());
  { std::ofstream(prefix + ".bad") << "not-a-key\n"; }
  EXPECT_FALSE(read_public_key_file(prefix + ".bad").ok());
  EXPECT_FALSE(read_authorized_keys(prefix + ".bad").ok());
}

TEST(Catchup, DefaultEndpointIsPublishPortPlusOne) {
  EXPECT_EQ(default_catchup_endpoint("tcp://127.0.0.1:5556"), "tcp://127.0.0.1:5557");
  EXPECT_EQ(default_catchup_endpoint("tcp://[::1]:5556"), "tcp://[::1]:5557");
  EXPECT_EQ(default_catchup_endpoint("ipc:///tmp/x"), "");
}

}  // namespace
}  // namespace relay
