// Tests for the RTSP Transport header (RFC 2326 section 12.39) with the variants real clients,
// servers and cameras send.
#include "rtsp/transport.hpp"
#include "tests/unit/table_test.hpp"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace rtsp {
namespace {

struct Case {
  std::string_view name;  // peer + situation
  std::string_view in;    // bytes as the peer sent them
  Transport want;
  std::string_view out = {};  // our canonical serialization; empty: `in` byte for byte
};

const Case kCases[] = {
    {"vlc/live555: udp unicast",
     "RTP/AVP;unicast;client_port=56120-56121",
     {.delivery = Delivery::Unicast, .client_ports = PortPair{56120, 56121}}},
    {"rfc 2326 example: quoted upper-case mode",
     R"(RTP/AVP;unicast;client_port=3456-3457;mode="PLAY")",
     {.delivery = Delivery::Unicast,
      .client_ports = PortPair{3456, 3457},
      .mode = TransportMode::Play},
     "RTP/AVP;unicast;client_port=3456-3457;mode=play"},
    {"ffmpeg: explicit UDP lower transport",
     "RTP/AVP/UDP;unicast;client_port=5000-5001",
     {.delivery = Delivery::Unicast, .client_ports = PortPair{5000, 5001}},
     "RTP/AVP;unicast;client_port=5000-5001"},
    {"ffmpeg: tcp interleaved",
     "RTP/AVP/TCP;unicast;interleaved=0-1",
     {.lower = LowerTransport::Tcp,
      .delivery = Delivery::Unicast,
      .interleaved = ChannelPair{0, 1}}},
    {"hikvision: single client port means the pair",
     "RTP/AVP/UDP;unicast;client_port=14186",
     {.delivery = Delivery::Unicast, .client_ports = PortPair{14186, 14187}},
     "RTP/AVP;unicast;client_port=14186-14187"},
    {"hikvision: ssrc with leading space, single ports",
     "RTP/AVP/UDP;unicast;client_port=14186;server_port=8052;ssrc= 4317f;mode=play",
     {.delivery = Delivery::Unicast,
      .client_ports = PortPair{14186, 14187},
      .server_ports = PortPair{8052, 8053},
      .ssrc = 0x4317f,
      .mode = TransportMode::Play},
     "RTP/AVP;unicast;client_port=14186-14187;server_port=8052-8053;ssrc=0004317F;mode=play"},
    {"multicast with destination, port and ttl",
     "RTP/AVP;multicast;destination=239.1.1.1;port=5000-5001;ttl=16",
     {.delivery = Delivery::Multicast,
      .destination = "239.1.1.1",
      .ports = PortPair{5000, 5001},
      .ttl = 16}},
    {"live555 server reply: source and server ports",
     "RTP/AVP;unicast;destination=192.168.1.20;source=192.168.1.10;client_port=56120-56121;"
     "server_port=6970-6971",
     {.delivery = Delivery::Unicast,
      .destination = "192.168.1.20",
      .source = "192.168.1.10",
      .client_ports = PortPair{56120, 56121},
      .server_ports = PortPair{6970, 6971}}},
    {"gstreamer: RTP/AVPF profile over tcp",
     "RTP/AVPF/TCP;unicast;interleaved=2-3",
     {.profile = "RTP/AVPF",
      .lower = LowerTransport::Tcp,
      .delivery = Delivery::Unicast,
      .interleaved = ChannelPair{2, 3}}},
    {"dahua: lower-case names, spaces, unknown parameters ignored",
     "rtp/avp/tcp; Unicast; Interleaved=4-5; rtcp-mux; x-vendor=\"a;b\"; MODE=record",
     {.lower = LowerTransport::Tcp,
      .delivery = Delivery::Unicast,
      .interleaved = ChannelPair{4, 5},
      .mode = TransportMode::Record},
     "RTP/AVP/TCP;unicast;interleaved=4-5;mode=record"},
    {"ssrc with eight digits (gst-rtsp-server reply)",
     "RTP/AVP;unicast;client_port=47098-47099;server_port=40000-40001;ssrc=DEADBEEF;mode=\"PLAY\"",
     {.delivery = Delivery::Unicast,
      .client_ports = PortPair{47098, 47099},
      .server_ports = PortPair{40000, 40001},
      .ssrc = 0xDEADBEEF,
      .mode = TransportMode::Play},
     "RTP/AVP;unicast;client_port=47098-47099;server_port=40000-40001;ssrc=DEADBEEF;mode=play"},
    {"minimal: profile only", "RTP/SAVP", {.profile = "RTP/SAVP"}},
};

TEST(Transport, ParsesRealWorldVariants) {
  rstest::expect_each_parses(kCases, [](const auto& c) { return Transport::parse(c.in); });
}

TEST(Transport, SerializesCanonicallyAndRoundTrips) {
  rstest::expect_each_round_trips(kCases,
                                  [](std::string_view out) { return Transport::parse(out); });
}

TEST(Transport, RejectsMalformed) {
  for (std::string_view bad : {
           "",
           "   ",
           "RAW/RAW/UDP;unicast",
           "RTP",
           "RTP/",
           "RTP/AVP/SCTP;unicast",
           "RTP/AVP/TCP/X;unicast",
           "RTP/AVP;client_port=a-b",
           "RTP/AVP;client_port=5000-",
           "RTP/AVP;client_port=-5001",
           "RTP/AVP;client_port=65536-65537",
           "RTP/AVP;client_port=65535",
           "RTP/AVP;server_port=99999999999",
           "RTP/AVP/TCP;interleaved=300-301",
           "RTP/AVP/TCP;interleaved=255",
           "RTP/AVP;multicast;ttl=256",
           "RTP/AVP;multicast;ttl=-1",
           "RTP/AVP;ssrc=123456789",
           "RTP/AVP;ssrc=xyz",
           "RTP/AVP;mode=teleport",
           "RTP/AVP;destination=\"1.2.3.4\"",
       }) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(Transport::parse(bad).ok());
  }
}

TEST(Transport, ParsesListsInOrderOfPreference) {
  struct ListCase {
    std::string_view name;
    std::string_view in;
    std::vector<std::string_view> want;  // canonical form of each alternative
  };
  const ListCase kLists[] = {
      {"gstreamer 1.22 rtspsrc: udp then tcp",
       "RTP/AVP;unicast;client_port=47098-47099,RTP/AVP/TCP;unicast;interleaved=0-1",
       {"RTP/AVP;unicast;client_port=47098-47099", "RTP/AVP/TCP;unicast;interleaved=0-1"}},
      {"gstreamer: AVPF variants first, spaces after commas",
       "RTP/AVPF;unicast;client_port=5000-5001, RTP/AVP;unicast;client_port=5000-5001",
       {"RTP/AVPF;unicast;client_port=5000-5001", "RTP/AVP;unicast;client_port=5000-5001"}},
      {"unknown protocol alternative is skipped",
       "x-real-rdt/udp;client_port=6970, RTP/AVP;unicast;client_port=6970-6971",
       {"RTP/AVP;unicast;client_port=6970-6971"}},
      {"quoted mode, then a tcp alternative",
       "RTP/AVP;unicast;client_port=1-2;mode=\"PLAY\",RTP/AVP/TCP;interleaved=0-1",
       {"RTP/AVP;unicast;client_port=1-2;mode=play", "RTP/AVP/TCP;interleaved=0-1"}},
      {"single transport",
       "RTP/AVP/TCP;unicast;interleaved=0-1",
       {"RTP/AVP/TCP;unicast;interleaved=0-1"}},
  };
  for (const auto& c : kLists) {
    SCOPED_TRACE(c.name);
    auto got = Transport::parse_list(c.in);
    ASSERT_TRUE(got.ok()) << got.status();
    std::vector<std::string> serialized;
    for (const auto& t : *got) serialized.push_back(t.serialize());
    EXPECT_EQ(serialized, std::vector<std::string>(c.want.begin(), c.want.end()));
  }
}

TEST(Transport, RejectsListsWithoutAnyUsableTransport) {
  for (std::string_view bad : {"", ",", " , ", "x-real-rdt/udp;client_port=6970",
                               "RTP/AVP;client_port=x,RTP/AVP/TCP;interleaved=999"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(Transport::parse_list(bad).ok());
  }
}

}  // namespace
}  // namespace rtsp
