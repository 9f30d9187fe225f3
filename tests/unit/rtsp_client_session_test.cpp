// rtsp::ClientSession against the servers and cameras it meets: each transcript file
// (tests/unit/transcripts/cameras/ and servers/, one exchange after another; the format and the
// sources are in the README there) drives the session call by call, asserts every request byte
// our builders produce, replays the server's answer through MessageReader, and checks what the
// session understood.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "media/sdp.hpp"
#include "rtsp/auth.hpp"
#include "rtsp/client_session.hpp"
#include "rtsp/server_session.hpp"
#include "tests/unit/rtsp_client_test_util.hpp"

namespace rtsp {
namespace {

using testing::Exchange;
using testing::Transcript;
using testing::WantTrack;

absl::StatusOr<Request> call(ClientSession& session, std::string_view what) {
  const std::string_view method = what.substr(0, what.find(' '));
  if (method == "OPTIONS") return session.options();
  if (method == "DESCRIBE") return session.describe();
  if (method == "PLAY") return session.play();
  if (method == "GET_PARAMETER") return session.get_parameter();
  if (method == "TEARDOWN") return session.teardown();
  // "SETUP <track> <transport>"
  std::string_view rest = what.substr(method.size() + 1);
  const size_t track = static_cast<size_t>(rest[0] - '0');
  auto offer = Transport::parse(rest.substr(2));
  EXPECT_TRUE(offer.ok()) << offer.status();
  return session.setup(track, *offer);
}

void replay(const Transcript& t) {
  SCOPED_TRACE(t.file + ": " + t.name);
  auto session = ClientSession::create({.url = std::string(t.url)});
  ASSERT_TRUE(session.ok()) << session.status();
  std::string session_id;
  std::chrono::seconds timeout{0};
  for (size_t i = 0; i < t.exchanges.size(); ++i) {
    const Exchange& e = t.exchanges[i];
    SCOPED_TRACE(::testing::Message() << "exchange " << i << ": " << e.call);
    auto request = call(*session, e.call);
    ASSERT_TRUE(request.ok()) << request.status();
    EXPECT_EQ(request->serialize(), rtsp::testing::wire(e.request));
    auto reaction = session->on_response(rtsp::testing::read_response(e.response));
    ASSERT_TRUE(reaction.ok()) << reaction.status();
    EXPECT_EQ(reaction->kind, e.want) << reaction->note;
    if (!session->session_id().empty()) {
      session_id = session->session_id();
      timeout = session->session_timeout();
    }
  }
  EXPECT_EQ(session->state(), ClientState::Closed);
  EXPECT_EQ(session_id, t.session_id);
  EXPECT_EQ(timeout, std::chrono::seconds(t.timeout_s));
  EXPECT_EQ(session->control_url(), t.control_url);
  EXPECT_EQ(session->supports_get_parameter(), t.supports_get_parameter);
  ASSERT_EQ(session->tracks().size(), t.tracks.size());
  for (size_t i = 0; i < t.tracks.size(); ++i) {
    SCOPED_TRACE(::testing::Message() << "track " << i);
    const ClientTrack& got = session->tracks()[i];
    const WantTrack& want = t.tracks[i];
    EXPECT_EQ(got.codec, want.codec);
    EXPECT_EQ(got.control_url, want.control_url);
    ASSERT_TRUE(got.transport.has_value());
    EXPECT_EQ(got.transport->serialize(), want.transport);
    EXPECT_EQ(got.rtp_info_seq, want.seq);
    EXPECT_EQ(got.rtp_info_time, want.rtptime);
  }
}

// At least the transcripts each folder held when they moved out of C++ (hikvision, dahua, axis;
// live555, gst-rtsp-server, MediaMTX, ffmpeg's SDP, our edge): a file that fails to load fails
// the test and does not count.
TEST(ClientSession, ReplaysCameraTranscripts) {
  const std::vector<Transcript> transcripts = testing::load_transcripts("cameras");
  EXPECT_GE(transcripts.size(), 3u);
  for (const Transcript& t : transcripts) replay(t);
}

TEST(ClientSession, ReplaysServerTranscripts) {
  const std::vector<Transcript> transcripts = testing::load_transcripts("servers");
  EXPECT_GE(transcripts.size(), 5u);
  for (const Transcript& t : transcripts) replay(t);
}

// The transcript format keeps every byte of the text between its "@@" lines: blank lines,
// trailing spaces, and with "@@ no newline at end" no final LF; a malformed file names its line.
TEST(ClientSession, TranscriptFilesKeepEveryByte) {
  const std::string head =
      "# a comment\nname: n\nurl: rtsp://cam/live\nsession: 1\ntimeout: 60\ncontrol: c\n"
      "get_parameter: no\ntrack: codec=Pcma control=rtsp://cam/live/1 transport=RTP/AVP "
      "rtptime=7\n\n@@ call: OPTIONS\n@@ request\n";
  auto t = testing::parse_transcript(
      head + "OPTIONS x \n\n\n@@ response\nbody\n@@ no newline at end\n@@ reaction: Ignored\n");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_FALSE(t->supports_get_parameter);
  EXPECT_EQ(t->tracks.at(0).codec, media::Codec::Pcma);
  EXPECT_EQ(t->tracks.at(0).seq, std::nullopt);
  EXPECT_EQ(t->tracks.at(0).rtptime, 7u);
  ASSERT_EQ(t->exchanges.size(), 1u);
  EXPECT_EQ(t->exchanges[0].request, "OPTIONS x \n\n\n");
  EXPECT_EQ(t->exchanges[0].response, "body");
  EXPECT_EQ(t->exchanges[0].want, ClientReaction::Kind::Ignored);
  auto bad = testing::parse_transcript(head + "OPTIONS x\n\n@@ response\n\n@@ reaction: Fine\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(std::string(bad.status().message()),
            "line 16: expected '@@ reaction: Done|RetryWithAuth|Redirect|Ignored'");
}

// Our edge's session logic with viewer authentication, in process: every request and response
// crosses as bytes (serialize, parse, MessageReader), as over a socket.
class EdgeHost : public ServerSessionHost {
 public:
  explicit EdgeHost(Authenticator& auth) : auth_(auth) {}

  absl::StatusOr<std::string> describe(std::string_view stream) override {
    if (stream != "cam1") return absl::NotFoundError("no such stream");
    return media::build_sdp(
        {.session_id = 42,
         .tracks = {media::SdpVideoH264{.fps = 25}, media::SdpAudioOpus{.stereo = true}}});
  }
  absl::StatusOr<Transport> setup(std::string_view, uint32_t track,
                                  const std::vector<Transport>& offered) override {
    if (track > 1) return absl::NotFoundError("no such track");
    return offered.at(0);
  }
  absl::StatusOr<std::vector<PlayStart>> play() override {
    return std::vector<PlayStart>{{0, 1000, 90000}, {1, 2000, 48000}};
  }
  void pause() override {}
  void teardown() override {}
  std::optional<Denial> authorize(const Request& request, std::string_view stream) override {
    AuthDecision d = auth_.check(request, stream, "10.0.0.9", 1'000'000'000);
    if (d.allowed) return std::nullopt;
    return Denial{d.status, d.www_authenticate, d.reason};
  }

 private:
  Authenticator& auth_;
};

TEST(ClientSession, PlaysFromOurServerSessionWithDigestSha256) {
  auto config = AuthConfig::parse("user alice secret\nstream cam1 alice\n", "auth.conf");
  ASSERT_TRUE(config.ok()) << config.status();
  Authenticator auth(*config, "key");
  EdgeHost host(auth);
  ServerSession server(host, "A1B2C3D4E5F60708", std::chrono::seconds(30));
  auto client = ClientSession::create({.url = "rtsp://alice:secret@edge-a:8554/cam1"});
  ASSERT_TRUE(client.ok()) << client.status();
  const auto exchange = [&](absl::StatusOr<Request> request) {
    EXPECT_TRUE(request.ok()) << request.status();
    auto parsed = Request::parse(request->serialize());
    EXPECT_TRUE(parsed.ok()) << parsed.status();
    MessageReader reader(MessageReader::Kind::Responses);
    auto items = reader.feed(server.handle(*parsed).response.serialize());
    EXPECT_EQ(items.size(), 1u);
    auto reaction = client->on_response(std::get<Response>(items.at(0)));
    EXPECT_TRUE(reaction.ok()) << reaction.status();
    return reaction.ok() ? reaction->kind : ClientReaction::Kind::Ignored;
  };
  using Kind = ClientReaction::Kind;
  EXPECT_EQ(exchange(client->options()), Kind::Done);
  EXPECT_EQ(exchange(client->describe()), Kind::RetryWithAuth);
  Request describe = client->describe().value();
  EXPECT_TRUE(describe.headers.get("Authorization")->find("algorithm=SHA-256") !=
              std::string_view::npos);
  EXPECT_EQ(exchange(describe), Kind::Done);
  const Transport tcp = Transport::parse("RTP/AVP/TCP;unicast;interleaved=0-1").value();
  const Transport tcp2 = Transport::parse("RTP/AVP/TCP;unicast;interleaved=2-3").value();
  EXPECT_EQ(exchange(client->setup(0, tcp)), Kind::Done);
  EXPECT_EQ(exchange(client->setup(1, tcp2)), Kind::Done);
  EXPECT_EQ(exchange(client->play()), Kind::Done);
  EXPECT_EQ(client->state(), ClientState::Playing);
  EXPECT_EQ(client->session_id(), "A1B2C3D4E5F60708");
  EXPECT_EQ(client->session_timeout(), std::chrono::seconds(30));
  ASSERT_EQ(client->tracks().size(), 2u);
  EXPECT_EQ(client->tracks()[0].codec, media::Codec::H264);
  EXPECT_EQ(client->tracks()[1].codec, media::Codec::Opus);
  EXPECT_EQ(client->tracks()[1].control_url, "rtsp://edge-a:8554/cam1/trackID=1");
  EXPECT_EQ(client->tracks()[1].transport, tcp2);
  EXPECT_EQ(client->tracks()[0].rtp_info_seq, 1000);
  EXPECT_EQ(client->tracks()[1].rtp_info_time, 48000u);
  EXPECT_EQ(exchange(client->get_parameter()), Kind::Done);
  EXPECT_EQ(exchange(client->teardown()), Kind::Done);
  EXPECT_EQ(client->state(), ClientState::Closed);
}

}  // namespace
}  // namespace rtsp
