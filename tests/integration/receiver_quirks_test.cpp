// receiver::RtspReceiver (the socket driver the player and the origin pull cameras with) against
// a scripted fake camera on 127.0.0.1 (tests/support/fake_rtsp_camera.hpp). Each case models how
// a real peer behaves or misbehaves, names it, and asserts what the receiver's user sees: units
// with their bytes, keyframe flags and extended timestamps, statistics, errors and their text,
// and what the camera was sent (keep-alives, RTCP receiver reports).
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "base/clock.hpp"
#include "base/strings.hpp"
#include "gtest/gtest.h"
#include "media/rtp.hpp"
#include "receiver/rtsp_receiver.hpp"
#include "tests/support/fake_rtsp_camera.hpp"

namespace rstest {
namespace {

using namespace std::chrono_literals;
using receiver::Lower;
using receiver::MediaUnit;
using receiver::ReceiverOptions;
using receiver::RtspReceiver;
using Clock = std::chrono::steady_clock;
using ReceiverPtr = std::unique_ptr<RtspReceiver>;

constexpr uint32_t kSsrc = 0x1234ABCD;  // as the SETUP answers' ssrc= says
constexpr uint32_t kFrameTicks = 3000;  // 30 fps on the 90 kHz clock
constexpr std::string_view kPublicAll =
    "OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER";
constexpr std::string_view kPlay60 = "6C1A3F09;timeout=60";
constexpr auto kWait = 2s;  // bound of every wait for something that should take milliseconds

// ---- The camera's side ----

// One H.264 track (sprop-parameter-sets from the MediaMTX transcript); an empty
// `session_control` leaves the session-level a=control out.
std::string h264_sdp(std::string_view session_control, std::string_view track_control) {
  std::string sdp = "v=0\no=- 0 0 IN IP4 127.0.0.1\ns=Fake camera\nc=IN IP4 0.0.0.0\nt=0 0\n";
  if (!session_control.empty()) sdp += base::cat("a=control:", session_control, "\n");
  return base::cat(sdp, "m=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000\n",
                   "a=fmtp:96 packetization-mode=1;profile-level-id=42001f;",
                   "sprop-parameter-sets=Z2QAM6zoAoALWQ==,aO48MA==\n", "a=control:", track_control,
                   "\n");
}

FakeStep options_ok(std::string_view public_methods = kPublicAll) {
  return {.method = "OPTIONS",
          .response = base::cat("RTSP/1.0 200 OK\nCSeq: {cseq}\nPublic: ", public_methods, "\n\n")};
}

FakeStep describe_ok(std::string_view content_base, std::string_view sdp) {
  return {.method = "DESCRIBE",
          .response = base::cat("RTSP/1.0 200 OK\nCSeq: {cseq}\nContent-Base: ", content_base,
                                "\nContent-Type: application/sdp\n\n", sdp)};
}

// SETUP answered for `lower`: interleaved 0-1, or the client's UDP ports and the fake's.
FakeStep setup_ok(Lower lower, std::string_view session = kPlay60) {
  const std::string_view transport =
      lower == Lower::Tcp ? "RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=1234ABCD;mode=\"play\""
                          : "RTP/AVP;unicast;client_port={client_port};server_port={server_port};"
                            "ssrc=1234ABCD;mode=\"play\"";
  return {.method = "SETUP",
          .response = base::cat("RTSP/1.0 200 OK\nCSeq: {cseq}\nSession: ", session,
                                "\nTransport: ", transport, "\n\n")};
}

FakeStep play_ok() {
  return {.method = "PLAY",
          .response = "RTSP/1.0 200 OK\nCSeq: {cseq}\nSession: 6C1A3F09\nRange: npt=0.000-\n\n"};
}

// A camera that plays at once: OPTIONS, DESCRIBE (MediaMTX-style trackID=0 under the
// Content-Base {base}/stream/), SETUP, PLAY.
std::vector<FakeStep> camera_script(Lower lower, std::string_view session = kPlay60) {
  return {options_ok(), describe_ok("{base}/stream/", h264_sdp("", "trackID=0")),
          setup_ok(lower, session), play_ok()};
}

// One access unit of one NAL unit, and the extended timestamp the receiver must give it (the
// RTP timestamp is its low 32 bits).
struct Unit {
  Bytes nal;
  int64_t timestamp = 0;
};

// `count` units from `first_timestamp`, kFrameTicks apart: an IDR slice then non-IDR slices,
// each with first_mb_in_slice = 0 and bytes marked by `tag`.
std::vector<Unit> gop(size_t count, int64_t first_timestamp, uint8_t tag) {
  std::vector<Unit> out;
  for (size_t i = 0; i < count; ++i) {
    Bytes nal = {static_cast<uint8_t>(i == 0 ? 0x65 : 0x41), 0x88};
    for (size_t b = 0; b < 40 + i; ++b) nal.push_back(static_cast<uint8_t>(tag + b + 7 * i));
    out.push_back({std::move(nal), first_timestamp + static_cast<int64_t>(i * kFrameTicks)});
  }
  return out;
}

std::vector<Bytes> packetize(H264Sender& sender, const std::vector<Unit>& units, size_t fragments) {
  std::vector<Bytes> out;
  for (const Unit& u : units) {
    for (auto& p : sender.unit(u.nal, static_cast<uint32_t>(u.timestamp), fragments)) {
      out.push_back(std::move(p));
    }
  }
  return out;
}

void send_all(FakeRtspCamera& camera, const std::vector<Bytes>& packets) {
  for (const Bytes& p : packets) camera.send_rtp(p);
}

// The camera saw exactly the requests it was scripted for.
void expect_clean_script(const FakeRtspCamera& camera) {
  const auto errors = camera.errors();
  EXPECT_TRUE(errors.empty()) << absl::StrJoin(errors, "\n");
  EXPECT_EQ(camera.steps_left(), 0u);
}

// ---- The receiver's side ----

ReceiverOptions options_for(std::string url, Lower lower = Lower::Tcp) {
  ReceiverOptions o;
  o.url = std::move(url);
  o.lower = lower;
  o.open_timeout = 2000ms;
  return o;
}

absl::StatusOr<ReceiverPtr> open(ReceiverOptions options) {
  return RtspReceiver::open(std::move(options), nullptr);
}

// Polls until `done()`, an error, or `timeout`; units go to `units`. Returns the error, or
// DeadlineExceeded when `done()` never held.
absl::Status poll_until(RtspReceiver& r, std::vector<MediaUnit>& units,
                        const std::function<bool()>& done,
                        std::chrono::milliseconds timeout = kWait) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() >= deadline) return absl::DeadlineExceededError("not within the wait");
    auto st = r.poll(base::monotonic_us() + 10'000,
                     [&](MediaUnit&& u) { units.push_back(std::move(u)); });
    if (!st.ok()) return st;
  }
  return absl::OkStatus();
}

absl::Status receive(RtspReceiver& r, std::vector<MediaUnit>& units, size_t count) {
  return poll_until(r, units, [&] { return units.size() >= count; });
}

void expect_units(const std::vector<MediaUnit>& got, const std::vector<Unit>& want) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    SCOPED_TRACE(base::cat("unit ", i));
    EXPECT_EQ(got[i].codec, media::Codec::H264);
    EXPECT_EQ(got[i].data, annex_b(want[i].nal));
    EXPECT_EQ(got[i].timestamp, want[i].timestamp);
    EXPECT_EQ(got[i].keyframe, (want[i].nal[0] & 0x1F) == 5);
  }
}

// The camera sends `units` (`fragments` packets each) from `sender`; the receiver hands back
// exactly them.
void expect_delivered(FakeRtspCamera& camera, RtspReceiver& r, H264Sender& sender,
                      const std::vector<Unit>& units, size_t fragments) {
  send_all(camera, packetize(sender, units, fragments));
  std::vector<MediaUnit> got;
  ASSERT_TRUE(receive(r, got, units.size()).ok());
  expect_units(got, units);
}

std::vector<Unit> concat(std::vector<Unit> a, const std::vector<Unit>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// ---- Authentication ----

constexpr std::string_view kUser = "admin";
constexpr std::string_view kPassword = "12345";
constexpr std::string_view kRealm = "FakeCam";

struct Challenge {
  std::string www_authenticate;
  std::string nonce;
  std::string opaque;
};

// `step` answered as scripted only when its request carries the right Digest for `c`; else 403
// with the problem in X-Reason, which the receiver's error then shows.
FakeStep authorized(FakeStep step, const Challenge& c) {
  step.respond = [ok = step.response, c](const rtsp::Request& r) {
    const std::string why = check_digest(r, kUser, kPassword, kRealm, c.nonce, c.opaque);
    return why.empty() ? ok
                       : base::cat("RTSP/1.0 403 Forbidden\nCSeq: {cseq}\nX-Reason: ", why, "\n\n");
  };
  return step;
}

FakeStep unauthorized(std::string_view method, const Challenge& c) {
  return {.method = std::string(method),
          .response = base::cat("RTSP/1.0 401 Unauthorized\nCSeq: {cseq}\nWWW-Authenticate: ",
                                c.www_authenticate, "\n\n")};
}

// OPTIONS open; DESCRIBE challenged with challenges[0], then each further DESCRIBE (answering
// the previous challenge) challenged with the next one; the last challenge's nonce opens the
// camera and every later request must carry it.
std::vector<FakeStep> digest_script(const std::vector<Challenge>& challenges) {
  std::vector<FakeStep> s = {options_ok(), unauthorized("DESCRIBE", challenges[0])};
  for (size_t i = 1; i < challenges.size(); ++i) {
    s.push_back(authorized(unauthorized("DESCRIBE", challenges[i]), challenges[i - 1]));
  }
  const Challenge& last = challenges.back();
  s.push_back(authorized(describe_ok("{base}/stream/", h264_sdp("", "trackID=0")), last));
  s.push_back(authorized(setup_ok(Lower::Tcp), last));
  s.push_back(authorized(play_ok(), last));
  return s;
}

TEST(ReceiverQuirks, AnswersDigestChallengesWithTheUrlsCredentials) {
  struct Case {
    std::string_view name;
    std::vector<Challenge> challenges;
  };
  const Case cases[] = {
      {"Digest MD5 with qop=auth and opaque on DESCRIBE (RFC 7616 3.3)",
       {{R"(Digest realm="FakeCam", nonce="b2c4f1e0", qop="auth", algorithm=MD5, opaque="5ccc069c")",
         "b2c4f1e0", "5ccc069c"}}},
      {"hikvision-style nonce rotated once: stale=\"TRUE\" answers the first Authorization",
       {{R"(Digest realm="FakeCam", nonce="9f479ccb", stale="FALSE")", "9f479ccb", ""},
        {R"(Digest realm="FakeCam", nonce="0a1b2c3d", stale="TRUE")", "0a1b2c3d", ""}}},
      {"stale=true with qop=auth: the new nonce restarts nc",
       {{R"(Digest realm="FakeCam", nonce="aa01", qop="auth")", "aa01", ""},
        {R"(Digest realm="FakeCam", nonce="bb02", qop="auth", stale=true)", "bb02", ""}}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    FakeRtspCamera camera(digest_script(c.challenges));
    auto r =
        open(options_for(base::cat("rtsp://admin:12345@127.0.0.1:", camera.port(), "/stream")));
    ASSERT_TRUE(r.ok()) << r.status();
    const auto units = gop(2, 90000, 0x10);
    H264Sender sender{.next_sequence = 100, .ssrc = kSsrc};
    expect_delivered(camera, **r, sender, units, 2);
    EXPECT_EQ(camera.count("DESCRIBE"), c.challenges.size() + 1);
    expect_clean_script(camera);
  }
}

// ---- Where requests go ----

TEST(ReceiverQuirks, FollowsA302OnDescribeToAnotherPort) {
  // A load-balancing front (an NVR, or another edge of a cluster) sends the player elsewhere;
  // RFC 2326 11.3.3: "The request resource resides temporarily at the URI given by the Location
  // header".
  std::vector<FakeStep> script = {
      options_ok(),
      {.method = "DESCRIBE",
       .response = "RTSP/1.0 302 Moved Temporarily\nCSeq: {cseq}\nLocation: {base1}/cam1\n\n"}};
  for (auto& step : camera_script(Lower::Tcp)) script.push_back(std::move(step));
  FakeRtspCamera camera(std::move(script), {.listeners = 2});
  auto r = open(options_for(camera.base(0) + "/cam1"));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ((*r)->session().url(), camera.base(1) + "/cam1");
  const auto requests = camera.requests();
  ASSERT_GE(requests.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    SCOPED_TRACE(requests[i].request.method);
    EXPECT_EQ(requests[i].listener, i < 2 ? 0u : 1u);
  }
  EXPECT_EQ(requests[3].request.uri, camera.base(1) + "/cam1");  // DESCRIBE on the new port
  const auto units = gop(1, 0, 0x20);
  H264Sender sender{.ssrc = kSsrc};
  expect_delivered(camera, **r, sender, units, 1);
  expect_clean_script(camera);
}

TEST(ReceiverQuirks, ResolvesControlUrlsAsCamerasWriteThem) {
  struct Case {
    std::string_view name;
    std::string_view path;          // of the URL played
    std::string_view content_base;  // "" for none
    std::string_view session_control;
    std::string_view track_control;
    std::string_view want_setup;  // URIs the camera must see ({base} = rtsp://127.0.0.1:port)
    std::string_view want_play;
  };
  const Case cases[] = {
      {"dahua: Content-Base ending in '?...subtype=0/', relative trackID=0, a=control:*",
       "/cam/realmonitor?channel=1&subtype=0", "{base}/cam/realmonitor?channel=1&subtype=0/", "*",
       "trackID=0", "{base}/cam/realmonitor?channel=1&subtype=0/trackID=0",
       "{base}/cam/realmonitor?channel=1&subtype=0/"},
      {"axis: absolute control URLs with a query", "/axis-media/media.amp?videocodec=h264",
       "{base}/axis-media/media.amp/", "{base}/axis-media/media.amp?videocodec=h264",
       "{base}/axis-media/media.amp/stream=0?videocodec=h264",
       "{base}/axis-media/media.amp/stream=0?videocodec=h264",
       "{base}/axis-media/media.amp?videocodec=h264"},
      {"mediamtx / our edge: trackID=0 under a Content-Base with a trailing '/'", "/mystream",
       "{base}/mystream/", "", "trackID=0", "{base}/mystream/trackID=0", "{base}/mystream/"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    FakeRtspCamera camera(
        {options_ok(), describe_ok(c.content_base, h264_sdp(c.session_control, c.track_control)),
         setup_ok(Lower::Tcp), play_ok()});
    const auto expand = [&](std::string_view s) {
      std::string out(s);
      out.replace(out.find("{base}"), 6, camera.base());
      return out;
    };
    auto r = open(options_for(camera.base() + std::string(c.path)));
    ASSERT_TRUE(r.ok()) << r.status();
    const auto requests = camera.requests();
    ASSERT_EQ(requests.size(), 4u);
    EXPECT_EQ(requests[2].request.uri, expand(c.want_setup));
    EXPECT_EQ(requests[3].request.uri, expand(c.want_play));
    const auto units = gop(1, 1234, 0x30);
    H264Sender sender{.ssrc = kSsrc};
    expect_delivered(camera, **r, sender, units, 3);
    expect_clean_script(camera);
  }
}

// ---- Media timing and numbering ----

TEST(ReceiverQuirks, KeepsMediaThatArrivesBeforeThePlayAnswer) {
  struct Case {
    std::string_view name;
    bool before;  // the bytes go before the PLAY answer (else glued right after it)
  };
  const Case cases[] = {
      {"gst-rtsp-server / cameras: RTP and a stray RTCP SR written before the PLAY answer", true},
      {"RTP and RTCP glued after the PLAY answer in one segment", false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const auto units = gop(1, 45000, 0x40);
    H264Sender sender{.next_sequence = 500, .ssrc = kSsrc};
    std::string early = interleaved(0, sender.unit(units[0].nal, 45000)[0]);
    early += interleaved(1, sender_report(kSsrc));
    auto script = camera_script(Lower::Tcp);
    (c.before ? script.back().before : script.back().after) = early;
    FakeRtspCamera camera(std::move(script));
    auto r = open(options_for(camera.base() + "/stream"));
    ASSERT_TRUE(r.ok()) << r.status();
    std::vector<MediaUnit> got;
    // The first poll hands over the unit met before PLAY's answer, with nothing sent since.
    ASSERT_TRUE((*r)->poll(0, [&](MediaUnit&& u) { got.push_back(std::move(u)); }).ok());
    expect_units(got, units);
    EXPECT_EQ((*r)->stats().rtcp_packets, 1u);  // the SR: counted, not a media error
    EXPECT_EQ((*r)->stats().errors, 0u);
    expect_clean_script(camera);
  }
}

TEST(ReceiverQuirks, CompletesUnitsOnTimestampChangeWithoutMarkerBits) {
  // RFC 6184 5.1: the marker bit "is set for the very last packet of the access unit"; some
  // senders never set it, and a new timestamp must then close the unit.
  FakeRtspCamera camera(camera_script(Lower::Tcp));
  auto r = open(options_for(camera.base() + "/stream"));
  ASSERT_TRUE(r.ok()) << r.status();
  const auto units = gop(4, 3000, 0x50);
  H264Sender sender{.next_sequence = 7, .ssrc = kSsrc, .markers = false};
  send_all(camera, packetize(sender, {units.begin(), units.begin() + 3}, 2));
  std::vector<MediaUnit> got;
  ASSERT_TRUE(receive(**r, got, 2).ok());
  expect_units(got, {units.begin(), units.begin() + 2});  // the third waits for a new timestamp
  send_all(camera, packetize(sender, {units.begin() + 3, units.end()}, 1));
  ASSERT_TRUE(receive(**r, got, 3).ok());
  expect_units(got, {units.begin(), units.begin() + 3});
  EXPECT_EQ((*r)->stats().lost_packets, 0u);
  expect_clean_script(camera);
}

TEST(ReceiverQuirks, SequenceAndTimestampWrapMidStream) {
  // RFC 3550 A.1: sequence numbers wrap 65535 -> 0; timestamps wrap at 2^32 and the receiver's
  // extended ones keep increasing.
  for (Lower lower : {Lower::Tcp, Lower::Udp}) {
    SCOPED_TRACE(lower == Lower::Tcp ? "tcp interleaved" : "udp");
    FakeRtspCamera camera(camera_script(lower));
    auto r = open(options_for(camera.base() + "/stream", lower));
    ASSERT_TRUE(r.ok()) << r.status();
    const int64_t first = (int64_t{1} << 32) - 2 * kFrameTicks - 100;
    const auto units = gop(6, first, 0x60);
    H264Sender sender{.next_sequence = 65530, .ssrc = kSsrc};
    send_all(camera, packetize(sender, units, 3));  // 18 packets: 65530 ... 65535, 0 ... 11
    std::vector<MediaUnit> got;
    ASSERT_TRUE(receive(**r, got, units.size()).ok());
    expect_units(got, units);
    EXPECT_GT(got.back().timestamp, int64_t{1} << 32);
    EXPECT_EQ((*r)->stats().lost_packets, 0u);
    expect_clean_script(camera);
  }
}

TEST(ReceiverQuirks, UnitsContinueAcrossAnSsrcChange) {
  // A camera that restarted its encoder: new SSRC, unrelated sequence numbers and timestamps
  // (RFC 3550 8.2: a new SSRC is a new source). Nothing of the new source may be dropped or
  // counted lost because of the old source's numbers.
  struct Case {
    std::string_view name;
    Lower lower;
    uint16_t new_sequence;  // the old source ran 30000 ... 30005
  };
  const Case cases[] = {
      {"tcp: new sequence numbers behind the old ones", Lower::Tcp, 29000},
      {"tcp: new sequence numbers far ahead", Lower::Tcp, 50000},
      {"udp: new sequence numbers behind the old ones", Lower::Udp, 29000},
      {"udp: new sequence numbers far ahead", Lower::Udp, 50000},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    FakeRtspCamera camera(camera_script(c.lower));
    auto r = open(options_for(camera.base() + "/stream", c.lower));
    ASSERT_TRUE(r.ok()) << r.status();
    const auto old_units = gop(3, 900000, 0x70);
    const auto new_units = gop(3, 5000, 0x80);  // the extension starts over with the new source
    H264Sender before{.next_sequence = 30000, .ssrc = kSsrc};
    H264Sender after{.next_sequence = c.new_sequence, .ssrc = 0x55667788};
    send_all(camera, packetize(before, old_units, 2));
    send_all(camera, packetize(after, new_units, 2));
    std::vector<MediaUnit> got;
    const auto st = receive(**r, got, 6);
    EXPECT_TRUE(st.ok()) << st;
    expect_units(got, concat(old_units, new_units));
    EXPECT_EQ((*r)->stats().lost_packets, 0u);
    expect_clean_script(camera);
  }
}

TEST(ReceiverQuirks, PutsSwappedUdpPacketsBackAndDropsTheDuplicate) {
  // RFC 3550 5.1: the sequence number "may be used by the receiver ... to restore packet
  // sequence"; UDP swaps and duplicates packets.
  FakeRtspCamera camera(camera_script(Lower::Udp));
  auto r = open(options_for(camera.base() + "/stream", Lower::Udp));
  ASSERT_TRUE(r.ok()) << r.status();
  const auto units = gop(3, 180000, 0x90);
  H264Sender sender{.next_sequence = 1000, .ssrc = kSsrc};
  auto packets = packetize(sender, units, 3);  // 9 packets
  std::swap(packets[1], packets[2]);           // inside the first unit's FU-A
  const Bytes duplicate = packets[4];
  packets.insert(packets.begin() + 5, duplicate);
  send_all(camera, packets);
  std::vector<MediaUnit> got;
  ASSERT_TRUE(receive(**r, got, units.size()).ok());
  expect_units(got, units);
  const auto stats = (*r)->stats();
  EXPECT_EQ(stats.lost_packets, 0u);
  EXPECT_EQ(stats.reordered, 1u);
  EXPECT_EQ(stats.errors, 0u);
  expect_clean_script(camera);
}

// ---- What the receiver sends while playing ----

TEST(ReceiverQuirks, SendsKeepAlivesWithinHalfTheSessionTimeout) {
  // RFC 2326 12.37: the timeout is how long the server waits for a request before it ends the
  // session; the receiver sends one every max(timeout / 2, 1 s).
  struct Case {
    std::string_view name;
    std::string_view public_methods;
    std::string_view want;
  };
  const Case cases[] = {
      {"Public lists GET_PARAMETER (hikvision, dahua): GET_PARAMETER without a body", kPublicAll,
       "GET_PARAMETER"},
      {"Public without GET_PARAMETER (older cameras): OPTIONS",
       "OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN", "OPTIONS"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto script = camera_script(Lower::Tcp, "6C1A3F09;timeout=2");
    script[0] = options_ok(c.public_methods);
    FakeRtspCamera camera(std::move(script));
    auto r = open(options_for(camera.base() + "/stream"));
    ASSERT_TRUE(r.ok()) << r.status();
    const auto played = Clock::now();
    const size_t before = camera.count(c.want);
    std::vector<MediaUnit> got;
    const auto sent = [&] { return camera.count(c.want) > before; };
    ASSERT_TRUE(poll_until(**r, got, sent).ok());
    const FakeRequest last = camera.requests().back();
    EXPECT_LT(last.at - played, 1500ms);  // due 1 s after PLAY's answer
    const rtsp::Request& keepalive = last.request;
    EXPECT_EQ(keepalive.method, c.want);
    EXPECT_EQ(keepalive.headers.get("Session").value_or(""), "6C1A3F09");
    EXPECT_TRUE(keepalive.body.empty());
    EXPECT_EQ((*r)->stats().keepalives, 1u);
    expect_clean_script(camera);
  }
}

// The report blocks of the first RTCP packet the camera got from the receiver, if any.
std::optional<std::vector<media::ReportBlock>> first_report(const FakeRtspCamera& camera,
                                                            Lower lower) {
  if (lower == Lower::Tcp) {
    for (const auto& frame : camera.client_frames()) {
      if (frame.channel != 1) continue;
      auto blocks = media::parse_report_blocks(
          {reinterpret_cast<const uint8_t*>(frame.payload.data()), frame.payload.size()});
      if (blocks.ok()) return *blocks;
    }
    return std::nullopt;
  }
  const auto datagrams = camera.rtcp_datagrams();
  if (datagrams.empty()) return std::nullopt;
  auto blocks = media::parse_report_blocks(datagrams[0]);
  return blocks.ok() ? std::optional(*blocks) : std::nullopt;
}

TEST(ReceiverQuirks, SendsRtcpReceiverReports) {
  // RFC 3550 6.4.2: receivers report on each source they hear; over TCP on the interleaved RTCP
  // channel (RFC 2326 10.12), over UDP to the server's RTCP port.
  for (Lower lower : {Lower::Tcp, Lower::Udp}) {
    SCOPED_TRACE(lower == Lower::Tcp ? "tcp: interleaved channel 1" : "udp: server_port RTCP");
    FakeRtspCamera camera(camera_script(lower));
    auto options = options_for(camera.base() + "/stream", lower);
    options.receiver_report_interval = 1s;  // the shortest the option's unit allows
    auto r = open(options);
    ASSERT_TRUE(r.ok()) << r.status();
    const auto units = gop(3, 0, 0xA0);
    H264Sender sender{.next_sequence = 4000, .ssrc = kSsrc};
    send_all(camera, packetize(sender, units, 2));  // 4000 ... 4005
    std::vector<MediaUnit> got;
    std::optional<std::vector<media::ReportBlock>> report;
    const auto heard = [&] {
      report = first_report(camera, lower);
      return report.has_value();
    };
    ASSERT_TRUE(poll_until(**r, got, heard, 2s).ok());
    ASSERT_EQ(report->size(), 1u);
    const media::ReportBlock& b = (*report)[0];
    EXPECT_EQ(b.ssrc, kSsrc);
    EXPECT_EQ(b.fraction_lost, 0);
    EXPECT_EQ(b.cumulative_lost, 0);
    // RFC 3550 6.4.1: the low 16 bits are the highest sequence number received, the high 16 the
    // count of sequence number cycles (none yet).
    EXPECT_EQ(b.highest_sequence, 4005u);
    expect_clean_script(camera);
  }
}

// ---- Failures ----

TEST(ReceiverQuirks, NotFoundOnDescribeNamesTheUrl) {
  FakeRtspCamera camera(
      {options_ok(),
       {.method = "DESCRIBE", .response = "RTSP/1.0 404 Not Found\nCSeq: {cseq}\n\n"}});
  const std::string url = camera.base() + "/no-such-stream";
  auto r = open(options_for(url));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(receiver::rtsp_status_of(r.status()), 404);
  EXPECT_TRUE(absl::IsNotFound(r.status())) << r.status();
  EXPECT_TRUE(absl::StrContains(r.status().message(), url)) << r.status();
  expect_clean_script(camera);
}

TEST(ReceiverQuirks, ChallengeWithoutCredentialsIsUnauthenticated) {
  FakeRtspCamera camera(
      {options_ok(),
       unauthorized("DESCRIBE", {R"(Digest realm="FakeCam", nonce="77aa")", "", ""})});
  auto r = open(options_for(camera.base() + "/stream"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsUnauthenticated(r.status())) << r.status();
  EXPECT_EQ(receiver::rtsp_status_of(r.status()), 401);
  EXPECT_TRUE(absl::StrContains(r.status().message(), "no credentials")) << r.status();
  expect_clean_script(camera);
}

TEST(ReceiverQuirks, ASilentServerTimesOutWithinTheOpenTimeout) {
  // A camera whose RTSP task hung: it accepts the connection and never answers.
  FakeRtspCamera camera({{.method = "OPTIONS", .then = FakeStep::Then::Silent}});
  auto options = options_for(camera.base() + "/stream");
  options.open_timeout = 300ms;
  const auto start = Clock::now();
  auto r = open(options);
  const auto took = Clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsDeadlineExceeded(r.status())) << r.status();
  EXPECT_TRUE(absl::StrContains(r.status().message(), "OPTIONS")) << r.status();
  EXPECT_GE(took, 300ms);
  EXPECT_LT(took, 800ms);
  EXPECT_EQ(receiver::rtsp_status_of(r.status()), std::nullopt);
  expect_clean_script(camera);
}

TEST(ReceiverQuirks, PollSaysWhenTheServerClosesTheConnection) {
  FakeRtspCamera camera(camera_script(Lower::Tcp));
  auto r = open(options_for(camera.base() + "/stream"));
  ASSERT_TRUE(r.ok()) << r.status();
  const auto units = gop(1, 0, 0xB0);
  H264Sender sender{.ssrc = kSsrc};
  send_all(camera, packetize(sender, units, 1));
  std::vector<MediaUnit> got;
  ASSERT_TRUE(receive(**r, got, 1).ok());
  camera.close_connection();
  const auto st = poll_until(**r, got, [] { return false; });
  EXPECT_TRUE(absl::IsUnavailable(st)) << st;
  EXPECT_TRUE(absl::StrContains(st.message(), "the server closed the connection")) << st;
  expect_units(got, units);
  expect_clean_script(camera);
}

// ---- Questions on the open session ----

TEST(ReceiverQuirks, QueriesGetTheirAnswersWhateverTheStatus) {
  // Our edge answers GET_PARAMETER stream_state (ADR 012); RFC 2326 10.8: "The content of the
  // reply and response is left to the implementation"; 451 is "Parameter Not Understood" (11.3.4).
  auto script = camera_script(Lower::Tcp);
  script.push_back({.method = "GET_PARAMETER", .respond = [](const rtsp::Request& q) {
                      const bool ok = q.body == "stream_state\r\n" &&
                                      q.headers.get("Content-Type") == "text/parameters";
                      return ok ? std::string(
                                      "RTSP/1.0 200 OK\nCSeq: {cseq}\nContent-Type: "
                                      "text/parameters\n\nstream_state: live\n")
                                : std::string("RTSP/1.0 400 Bad Request\nCSeq: {cseq}\n\n");
                    }});
  script.push_back({.method = "GET_PARAMETER",
                    .response = "RTSP/1.0 451 Parameter Not Understood\nCSeq: {cseq}\n\n"});
  FakeRtspCamera camera(std::move(script));
  auto r = open(options_for(camera.base() + "/stream"));
  ASSERT_TRUE(r.ok()) << r.status();
  auto known = (*r)->query("stream_state\r\n");
  auto unknown = (*r)->query("x-vendor-thing\r\n");
  ASSERT_TRUE(known.ok() && unknown.ok());
  std::optional<rtsp::Response> a;
  std::optional<rtsp::Response> b;
  std::vector<MediaUnit> got;
  ASSERT_TRUE(poll_until(**r, got, [&] {
                if (!a) a = (*r)->take_answer(*known);
                if (!b) b = (*r)->take_answer(*unknown);
                return a && b;
              }).ok());
  EXPECT_EQ(a->status, 200);
  EXPECT_EQ(rtsp::parse_parameters(a->body),
            (std::vector<std::pair<std::string, std::string>>{{"stream_state", "live"}}));
  EXPECT_EQ(b->status, 451);
  EXPECT_EQ((*r)->take_answer(*known), std::nullopt);  // taken once
  expect_clean_script(camera);
}

}  // namespace
}  // namespace rstest
