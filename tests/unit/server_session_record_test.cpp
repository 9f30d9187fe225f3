// rtsp::ServerSession publishing (RFC 2326 10.3 ANNOUNCE, 10.4 SETUP mode=record, 10.11 RECORD)
// without sockets: the flows ffmpeg and GStreamer's rtspclientsink use to push a stream into the
// origin, byte-exact, and every refusal a publisher can meet.
#include "rtsp/server_session.hpp"
#include "tests/unit/rtsp_server_test_util.hpp"

#include <gtest/gtest.h>

#include "base/strings.hpp"
#include "test_bytes.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rtsp {
namespace {

using test_bytes::crlf;

constexpr std::string_view kPlayOnlyAllow = "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN";

// The origin's ingest port as the session sees it: "live" (and any other stream) takes
// publishers, "cam1" is play-only.
class PublishHost : public ServerSessionHost {
 public:
  absl::Status announce_result = absl::OkStatus();
  absl::Status record_result = absl::OkStatus();
  int announces = 0, records = 0, teardowns = 0;
  std::string announced_stream;
  std::string announced_body;
  size_t announced_media = 0;
  std::vector<size_t> set_up;  // media indexes, in the order set up

  absl::StatusOr<std::string> describe(std::string_view /*stream*/) override {
    return absl::UnimplementedError("this port takes publishers");
  }
  absl::StatusOr<Transport> setup(std::string_view /*stream*/, uint32_t /*track*/,
                                  const std::vector<Transport>& /*offered*/) override {
    return absl::UnimplementedError("this port takes publishers");
  }
  absl::StatusOr<std::vector<PlayStart>> play() override {
    return absl::UnimplementedError("this port takes publishers");
  }
  void pause() override {}
  void teardown() override { ++teardowns; }

  std::string_view public_methods() const override { return kRecordMethods; }
  std::string allowed_methods(std::string_view stream) const override {
    return stream == "cam1" ? std::string(kPlayOnlyAllow) : std::string(kRecordMethods);
  }
  absl::Status announce(std::string_view stream, const media::SdpDescription& sdp,
                        std::string_view peer_sdp) override {
    ++announces;
    announced_stream = std::string(stream);
    announced_body = std::string(peer_sdp);
    announced_media = sdp.media.size();
    return announce_result;
  }
  // Takes the publisher's first offer, interleaved channels included.
  absl::StatusOr<Transport> setup_record(size_t media_index,
                                         const std::vector<Transport>& offered) override {
    set_up.push_back(media_index);
    return offered.front();
  }
  absl::Status record() override {
    ++records;
    return record_result;
  }
};

// A play-only server (the edge): none of the publishing virtuals overridden.
class PlayOnlyHost : public ServerSessionHost {
 public:
  absl::StatusOr<std::string> describe(std::string_view /*stream*/) override {
    return std::string("v=0\r\n");
  }
  absl::StatusOr<Transport> setup(std::string_view /*stream*/, uint32_t /*track*/,
                                  const std::vector<Transport>& offered) override {
    return offered.front();
  }
  absl::StatusOr<std::vector<PlayStart>> play() override { return std::vector<PlayStart>{}; }
  void pause() override {}
  void teardown() override {}
};

constexpr std::string_view kSessionId = "A1B2C3D4E5F60708";
constexpr char kTcp0[] = "RTP/AVP/TCP;unicast;interleaved=0-1;mode=record";
constexpr char kTcp1[] = "RTP/AVP/TCP;unicast;interleaved=2-3;mode=record";

// ffmpeg 6 (libavformat 60) `-f rtsp -rtsp_transport tcp`: H.264 + AAC, a=control:streamid=N.
const std::string kFfmpegSdp = crlf(
    "v=0\n"
    "o=- 0 0 IN IP4 127.0.0.1\n"
    "s=No Name\n"
    "c=IN IP4 127.0.0.1\n"
    "t=0 0\n"
    "a=tool:libavformat 60.16.100\n"
    "m=video 0 RTP/AVP 96\n"
    "b=AS:2500\n"
    "a=rtpmap:96 H264/90000\n"
    "a=fmtp:96 packetization-mode=1; sprop-parameter-sets=Z2QAM6zoAoALWQ==,aO48MA==; "
    "profile-level-id=640033\n"
    "a=control:streamid=0\n"
    "m=audio 0 RTP/AVP 97\n"
    "b=AS:128\n"
    "a=rtpmap:97 MPEG4-GENERIC/44100/2\n"
    "a=fmtp:97 profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3; "
    "config=121056E500\n"
    "a=control:streamid=1\n");

// GStreamer 1.22 rtspclientsink: a=control:stream=N, c= per media.
const std::string kGstreamerSdp = crlf(
    "v=0\n"
    "o=- 1188340656180883 1 IN IP4 127.0.0.1\n"
    "s=Session streamed with GStreamer\n"
    "i=rtsp-server\n"
    "t=0 0\n"
    "a=tool:GStreamer\n"
    "a=type:broadcast\n"
    "m=video 0 RTP/AVP 96\n"
    "c=IN IP4 0.0.0.0\n"
    "a=rtpmap:96 H264/90000\n"
    "a=framerate:30\n"
    "a=fmtp:96 packetization-mode=1;profile-level-id=640033;"
    "sprop-parameter-sets=Z2QAM6zoAoALWQ==,aO48MA==\n"
    "a=control:stream=0\n"
    "a=ts-refclk:local\n"
    "a=mediaclk:sender\n"
    "m=audio 0 RTP/AVP 97\n"
    "c=IN IP4 0.0.0.0\n"
    "a=rtpmap:97 MPEG4-GENERIC/48000/2\n"
    "a=fmtp:97 streamtype=5;profile-level-id=2;mode=AAC-hbr;config=1190;sizelength=13;"
    "indexlength=3;indexdeltalength=3\n"
    "a=control:stream=1\n"
    "a=ts-refclk:local\n"
    "a=mediaclk:sender\n");

// A hand-written description without any a=control: the media are trackID=0 and trackID=1.
const std::string kNoControlSdp = crlf(
    "v=0\n"
    "o=- 0 0 IN IP4 127.0.0.1\n"
    "s=push\n"
    "t=0 0\n"
    "m=video 0 RTP/AVP 96\n"
    "a=rtpmap:96 H264/90000\n"
    "a=fmtp:96 packetization-mode=1\n"
    "m=audio 0 RTP/AVP 97\n"
    "a=rtpmap:97 MPEG4-GENERIC/48000/2\n"
    "a=fmtp:97 streamtype=5;profile-level-id=2;mode=AAC-hbr;config=1190;sizelength=13;"
    "indexlength=3;indexdeltalength=3\n");

using rtsp::testing::request;

Request announce(std::string uri, int cseq, std::string body,
                 std::optional<std::string> content_type = "application/sdp") {
  Request r = request("ANNOUNCE", std::move(uri), cseq);
  if (content_type) r.headers.set("Content-Type", *content_type);
  r.headers.set("Content-Length", std::to_string(body.size()));
  r.body = std::move(body);
  return r;
}

Request with_session(Request r, std::string_view id = kSessionId) {
  r.headers.set("Session", id);
  return r;
}

class ServerSessionRecordTest : public ::testing::Test {
 protected:
  PublishHost host;
  ServerSession session{host, std::string(kSessionId), std::chrono::seconds(60)};

  Response handle(const Request& r) {
    Outcome out = session.handle(r);
    EXPECT_FALSE(out.park);
    EXPECT_FALSE(out.close);
    return out.response;
  }

  // ANNOUNCE of ffmpeg's SDP, then SETUP of its media `first` (CSeq 3) and `second` (CSeq 4),
  // each with its own interleaved channels.
  void announce_and_set_up(int first, int second) {
    const std::string_view transports[] = {kTcp0, kTcp1};
    ASSERT_EQ(handle(announce("rtsp://o:8554/live", 2, kFfmpegSdp)).status, 200);
    ASSERT_EQ(handle(request("SETUP", base::cat("rtsp://o:8554/live/streamid=", first), 3,
                             {{"Transport", std::string(transports[first])}}))
                  .status,
              200);
    ASSERT_EQ(
        handle(with_session(request("SETUP", base::cat("rtsp://o:8554/live/streamid=", second), 4,
                                    {{"Transport", std::string(transports[second])}})))
            .status,
        200);
  }

  // ffmpeg's order: ANNOUNCE, SETUP of each media, RECORD.
  void announce_setup_and_record() {
    announce_and_set_up(0, 1);
    ASSERT_EQ(handle(with_session(request("RECORD", "rtsp://o:8554/live", 5))).status, 200);
    ASSERT_EQ(session.state(), SessionState::Recording);
  }
};

TEST_F(ServerSessionRecordTest, OptionsListsTheHostsPublicMethods) {
  EXPECT_EQ(handle(request("OPTIONS", "rtsp://o:8554/live", 1)).serialize(),
            "RTSP/1.0 200 OK\r\nCSeq: 1\r\nServer: rtsp-streamer/0.1\r\n"
            "Public: OPTIONS, ANNOUNCE, SETUP, RECORD, TEARDOWN, GET_PARAMETER, "
            "SET_PARAMETER\r\n\r\n");
}

struct PublisherCase {
  std::string_view name;
  const std::string* sdp;
  std::string_view controls[2];  // the media URLs, relative to the announced stream
};

const PublisherCase kPublishers[] = {
    {"ffmpeg: a=control:streamid=N", &kFfmpegSdp, {"streamid=0", "streamid=1"}},
    {"gstreamer rtspclientsink: a=control:stream=N", &kGstreamerSdp, {"stream=0", "stream=1"}},
    {"no a=control: trackID=N by media index", &kNoControlSdp, {"trackID=0", "trackID=1"}},
};

TEST_F(ServerSessionRecordTest, PublisherAnnouncesSetsUpEachMediaAndRecords) {
  for (const PublisherCase& c : kPublishers) {
    SCOPED_TRACE(c.name);
    PublishHost h;
    ServerSession s(h, std::string(kSessionId), std::chrono::seconds(60));
    EXPECT_EQ(s.handle(announce("rtsp://o:8554/live", 2, *c.sdp)).response.serialize(),
              "RTSP/1.0 200 OK\r\nCSeq: 2\r\nServer: rtsp-streamer/0.1\r\n\r\n");
    EXPECT_EQ(h.announces, 1);
    EXPECT_EQ(h.announced_stream, "live");
    EXPECT_EQ(h.announced_body, *c.sdp) << "the host gets the publisher's SDP as sent";
    EXPECT_EQ(h.announced_media, 2u);
    EXPECT_EQ(s.state(), SessionState::Init);
    EXPECT_EQ(s.stream(), "live");

    const std::string video = base::cat("rtsp://o:8554/live/", c.controls[0]);
    EXPECT_EQ(s.handle(request("SETUP", video, 3, {{"Transport", kTcp0}})).response.serialize(),
              "RTSP/1.0 200 OK\r\nCSeq: 3\r\nServer: rtsp-streamer/0.1\r\n"
              "Transport: RTP/AVP/TCP;unicast;interleaved=0-1;mode=record\r\n"
              "Session: A1B2C3D4E5F60708;timeout=60\r\n\r\n");
    EXPECT_EQ(s.state(), SessionState::Ready);
    const std::string audio = base::cat("rtsp://o:8554/live/", c.controls[1]);
    EXPECT_EQ(s.handle(with_session(request("SETUP", audio, 4, {{"Transport", kTcp1}})))
                  .response.serialize(),
              "RTSP/1.0 200 OK\r\nCSeq: 4\r\nServer: rtsp-streamer/0.1\r\n"
              "Transport: RTP/AVP/TCP;unicast;interleaved=2-3;mode=record\r\n"
              "Session: A1B2C3D4E5F60708;timeout=60\r\n\r\n");
    EXPECT_EQ(h.set_up, (std::vector<size_t>{0, 1}));

    EXPECT_EQ(s.handle(with_session(
                           request("RECORD", "rtsp://o:8554/live/", 5, {{"Range", "npt=0.000-"}})))
                  .response.serialize(),
              "RTSP/1.0 200 OK\r\nCSeq: 5\r\nServer: rtsp-streamer/0.1\r\n"
              "Session: A1B2C3D4E5F60708;timeout=60\r\n\r\n");
    EXPECT_EQ(s.state(), SessionState::Recording);
    EXPECT_EQ(h.records, 1);
  }
}

// Media set up in another order than announced map to their own index.
TEST_F(ServerSessionRecordTest, MediaSetUpOutOfOrderKeepTheirIndex) {
  announce_and_set_up(1, 0);
  EXPECT_EQ(host.set_up, (std::vector<size_t>{1, 0}));
}

TEST_F(ServerSessionRecordTest, AnnounceWithoutSdpContentTypeIs415) {
  struct Case {
    std::string_view name;
    std::optional<std::string> content_type;
  };
  for (const Case& c : {Case{"no Content-Type", std::nullopt}, Case{"text/plain", "text/plain"}}) {
    SCOPED_TRACE(c.name);
    const Response r = handle(announce("rtsp://o/live", 2, kFfmpegSdp, c.content_type));
    EXPECT_EQ(r.status, 415);
    EXPECT_EQ(r.headers.get("X-Reason").value_or(""),
              "ANNOUNCE needs Content-Type: application/sdp");
  }
  EXPECT_EQ(host.announces, 0);
}

TEST_F(ServerSessionRecordTest, AnnounceAcceptsSdpContentTypeWithParametersAnyCase) {
  EXPECT_EQ(
      handle(announce("rtsp://o/live", 2, kFfmpegSdp, "Application/SDP; charset=utf-8")).status,
      200);
  EXPECT_EQ(host.announces, 1);
}

TEST_F(ServerSessionRecordTest, MalformedSdpIs400WithoutAskingTheHost) {
  const Response r = handle(announce("rtsp://o/live", 2, crlf("o=- 0 0 IN IP4 1.2.3.4\ns=x\n")));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.headers.get("X-Reason").value_or("").find("v=0"), std::string_view::npos);
  EXPECT_EQ(host.announces, 0);
  // Nothing was announced: a SETUP is a play SETUP, which this host refuses.
  EXPECT_EQ(handle(request("SETUP", "rtsp://o/live/trackID=0", 3, {{"Transport", kTcp0}})).status,
            461);
}

TEST_F(ServerSessionRecordTest, StreamWithAPublisherIs409) {
  host.announce_result = absl::AlreadyExistsError(
      "stream 'live' already has a publisher (rtsp from 10.0.0.7:50000); one publisher per stream");
  const Response r = handle(announce("rtsp://o/live", 2, kFfmpegSdp));
  EXPECT_EQ(r.serialize(),
            "RTSP/1.0 409 Conflict\r\nCSeq: 2\r\nServer: rtsp-streamer/0.1\r\n"
            "X-Reason: stream 'live' already has a publisher (rtsp from 10.0.0.7:50000); one "
            "publisher per stream\r\n\r\n");
  // Refused: the session announced nothing (the media URL is no stream a player could set up
  // either) and may try again.
  EXPECT_EQ(handle(request("SETUP", "rtsp://o/live/streamid=0", 3, {{"Transport", kTcp0}})).status,
            404);
  EXPECT_TRUE(host.set_up.empty());
  host.announce_result = absl::OkStatus();
  EXPECT_EQ(handle(announce("rtsp://o/live", 4, kFfmpegSdp)).status, 200);
}

TEST_F(ServerSessionRecordTest, PlayOnlyStreamAnswersAnnounceWith405AndAllow) {
  host.announce_result =
      absl::UnimplementedError("stream 'cam1' is play-only (its source is not publish:)");
  EXPECT_EQ(handle(announce("rtsp://o/cam1", 2, kFfmpegSdp)).serialize(),
            "RTSP/1.0 405 Method Not Allowed\r\nCSeq: 2\r\nServer: rtsp-streamer/0.1\r\n"
            "X-Reason: stream 'cam1' is play-only (its source is not publish:)\r\n"
            "Allow: OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN\r\n\r\n");
}

TEST_F(ServerSessionRecordTest, RecordOnAPlayOnlyStreamIs405WithAllow) {
  const Response r = handle(request("RECORD", "rtsp://o/cam1", 2));
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.headers.get("Allow").value_or(""), kPlayOnlyAllow);
  EXPECT_EQ(host.records, 0);
}

TEST_F(ServerSessionRecordTest, RecordBeforeAnnounceOnAPublishableStreamIs455) {
  const Response r = handle(request("RECORD", "rtsp://o/live", 2));
  EXPECT_EQ(r.status, 455);
  EXPECT_FALSE(r.headers.get("Allow").has_value());
  EXPECT_EQ(host.records, 0);
}

TEST_F(ServerSessionRecordTest, StreamKeyInTheQueryStaysOutOfTheMediaUrls) {
  // ffmpeg builds SETUP URLs as the ANNOUNCE URL + "/streamid=N", query included.
  ASSERT_EQ(handle(announce("rtsp://o:8554/live?key=abc", 2, kFfmpegSdp)).status, 200);
  EXPECT_EQ(
      handle(request("SETUP", "rtsp://o:8554/live?key=abc/streamid=0", 3, {{"Transport", kTcp0}}))
          .status,
      200);
  EXPECT_EQ(handle(with_session(request("SETUP", "rtsp://o:8554/live?key=abc/streamid=1", 4,
                                        {{"Transport", kTcp1}})))
                .status,
            200);
}

TEST_F(ServerSessionRecordTest, RecordWithoutSetupAfterAnnounceIs455) {
  ASSERT_EQ(handle(announce("rtsp://o/live", 2, kFfmpegSdp)).status, 200);
  EXPECT_EQ(handle(request("RECORD", "rtsp://o/live", 3)).status, 455);
  EXPECT_EQ(host.records, 0);
  EXPECT_EQ(session.state(), SessionState::Init);
}

TEST_F(ServerSessionRecordTest, RecordNamingAnotherSessionIs454) {
  ASSERT_EQ(handle(announce("rtsp://o/live", 2, kFfmpegSdp)).status, 200);
  ASSERT_EQ(handle(request("SETUP", "rtsp://o/live/streamid=0", 3, {{"Transport", kTcp0}})).status,
            200);
  EXPECT_EQ(handle(with_session(request("RECORD", "rtsp://o/live", 4), "FFFFFFFFFFFFFFFF")).status,
            454);
  EXPECT_EQ(handle(request("RECORD", "rtsp://o/live", 5)).status, 454) << "no Session header";
  EXPECT_EQ(host.records, 0);
  EXPECT_EQ(session.state(), SessionState::Ready);
}

TEST_F(ServerSessionRecordTest, SetupOfAUrlNotAnnouncedIs404) {
  ASSERT_EQ(handle(announce("rtsp://o/live", 2, kFfmpegSdp)).status, 200);
  for (const char* uri : {"rtsp://o/live/streamid=2", "rtsp://o/live/trackID=0",
                          "rtsp://o/other/streamid=0", "rtsp://o/live"}) {
    SCOPED_TRACE(uri);
    const Response r = handle(request("SETUP", uri, 3, {{"Transport", kTcp0}}));
    EXPECT_EQ(r.status, 404);
    EXPECT_EQ(r.headers.get("X-Reason").value_or(""),
              base::cat("no announced media at '", uri, "'"));
  }
  EXPECT_TRUE(host.set_up.empty());
}

TEST_F(ServerSessionRecordTest, SetupForPlayingInAPublishingSessionIs461) {
  ASSERT_EQ(handle(announce("rtsp://o/live", 2, kFfmpegSdp)).status, 200);
  const Response r =
      handle(request("SETUP", "rtsp://o/live/streamid=0", 3,
                     {{"Transport", "RTP/AVP/TCP;unicast;interleaved=0-1;mode=play"}}));
  EXPECT_EQ(r.status, 461);
  EXPECT_EQ(r.headers.get("X-Reason").value_or(""),
            "a publishing session sets up with mode=record");
  EXPECT_TRUE(host.set_up.empty());
}

TEST_F(ServerSessionRecordTest, TheSameMediaSetUpTwiceIs455) {
  ASSERT_EQ(handle(announce("rtsp://o/live", 2, kFfmpegSdp)).status, 200);
  ASSERT_EQ(handle(request("SETUP", "rtsp://o/live/streamid=0", 3, {{"Transport", kTcp0}})).status,
            200);
  const Response again =
      handle(with_session(request("SETUP", "rtsp://o/live/streamid=0", 4, {{"Transport", kTcp1}})));
  EXPECT_EQ(again.status, 455);
  EXPECT_EQ(again.headers.get("X-Reason").value_or(""), "media already set up");
  EXPECT_EQ(host.set_up, (std::vector<size_t>{0}));
}

TEST_F(ServerSessionRecordTest, PlayInAPublishingSessionIs455) {
  ASSERT_EQ(handle(announce("rtsp://o/live", 2, kFfmpegSdp)).status, 200);
  ASSERT_EQ(handle(request("SETUP", "rtsp://o/live/streamid=0", 3, {{"Transport", kTcp0}})).status,
            200);
  const Response r = handle(with_session(request("PLAY", "rtsp://o/live", 4)));
  EXPECT_EQ(r.status, 455);
  EXPECT_EQ(session.state(), SessionState::Ready);
}

TEST_F(ServerSessionRecordTest, TeardownEndsThePublishingAndForgetsTheSession) {
  announce_setup_and_record();
  EXPECT_EQ(handle(with_session(request("TEARDOWN", "rtsp://o:8554/live", 6))).serialize(),
            "RTSP/1.0 200 OK\r\nCSeq: 6\r\nServer: rtsp-streamer/0.1\r\n\r\n");
  EXPECT_EQ(host.teardowns, 1);
  EXPECT_EQ(session.state(), SessionState::Init);
  EXPECT_EQ(handle(with_session(request("RECORD", "rtsp://o:8554/live", 7))).status, 454);
  EXPECT_EQ(host.records, 1);
  // The media are no longer announced either.
  EXPECT_EQ(
      handle(request("SETUP", "rtsp://o:8554/live/streamid=0", 8, {{"Transport", kTcp0}})).status,
      404);
  EXPECT_EQ(host.set_up.size(), 2u);
}

TEST_F(ServerSessionRecordTest, TeardownAfterAnnounceOnlyWithdrawsIt) {
  ASSERT_EQ(handle(announce("rtsp://o/live", 2, kFfmpegSdp)).status, 200);
  EXPECT_EQ(handle(request("TEARDOWN", "rtsp://o/live", 3)).status, 200);
  EXPECT_EQ(host.teardowns, 1);
  EXPECT_EQ(handle(announce("rtsp://o/live", 4, kFfmpegSdp)).status, 200) << "may announce again";
}

TEST_F(ServerSessionRecordTest, SecondAnnounceOnTheSessionIs455) {
  announce_setup_and_record();
  EXPECT_EQ(handle(with_session(announce("rtsp://o:8554/live", 6, kFfmpegSdp))).status, 455);
  EXPECT_EQ(host.announces, 1);
}

TEST_F(ServerSessionRecordTest, HostRefusingRecordKeepsTheSessionReady) {
  host.record_result = absl::FailedPreconditionError("the stream is not waiting for a publisher");
  ASSERT_EQ(handle(announce("rtsp://o/live", 2, kFfmpegSdp)).status, 200);
  ASSERT_EQ(handle(request("SETUP", "rtsp://o/live/streamid=0", 3, {{"Transport", kTcp0}})).status,
            200);
  EXPECT_EQ(handle(with_session(request("RECORD", "rtsp://o/live", 4))).status, 455);
  EXPECT_EQ(session.state(), SessionState::Ready);
}

TEST_F(ServerSessionRecordTest, AnnounceOfATrackUrlIs400) {
  EXPECT_EQ(handle(announce("rtsp://o/live/trackID=0", 2, kFfmpegSdp)).status, 400);
  EXPECT_EQ(host.announces, 0);
}

// The edge and every play-only server keep the default publishing virtuals.
TEST(ServerSessionPlayOnly, AnnounceIs405WithThePlayMethods) {
  PlayOnlyHost host;
  ServerSession session(host, "A1B2C3D4E5F60708", std::chrono::seconds(60));
  EXPECT_EQ(session.handle(announce("rtsp://e:8554/cam1", 2, kFfmpegSdp)).response.serialize(),
            "RTSP/1.0 405 Method Not Allowed\r\nCSeq: 2\r\nServer: rtsp-streamer/0.1\r\n"
            "X-Reason: this server does not take publishers\r\n"
            "Allow: OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, "
            "SET_PARAMETER\r\n\r\n");
  const Response record = session.handle(request("RECORD", "rtsp://e:8554/cam1", 3)).response;
  EXPECT_EQ(record.status, 405);
  EXPECT_EQ(record.headers.get("Allow").value_or(""), kPublicMethods);
  EXPECT_EQ(session.handle(request("OPTIONS", "rtsp://e:8554/cam1", 4))
                .response.headers.get("Public")
                .value_or(""),
            kPublicMethods);
}

}  // namespace
}  // namespace rtsp
