// base::parse_host_port and base::validate_zmq_endpoint: the flags' address syntax.
#include "base/endpoint.hpp"
#include "tests/unit/table_test.hpp"

#include <gtest/gtest.h>

namespace base {
namespace {

struct HostPortCase {
  std::string_view name;
  std::string_view in;
  HostPort want;
};

const HostPortCase kGood[] = {
    {"ipv4", "127.0.0.1:8554", {"127.0.0.1", 8554}},
    {"any host", ":8554", {"0.0.0.0", 8554}},
    {"ipv6 bracketed", "[::1]:8555", {"::1", 8555}},
    {"name", "edge-a.example:554", {"edge-a.example", 554}},
    {"highest port", "10.0.0.1:65535", {"10.0.0.1", 65535}},
};

TEST(ParseHostPort, AcceptsValidForms) {
  rstest::expect_each_parses(kGood, [](const auto& c) { return parse_host_port(c.in); });
}

TEST(ParseHostPort, RejectsWithClearMessages) {
  struct Bad {
    std::string_view in;
    std::string_view message_part;
  };
  for (const Bad& b :
       {Bad{"nonsense", "expected host:port"}, Bad{"127.0.0.1:0", "invalid port '0'"},
        Bad{"127.0.0.1:65536", "invalid port '65536'"}, Bad{"h:-1", "invalid port"},
        Bad{"[::1:80", "expected [ipv6]:port"}, Bad{"h:80x", "invalid port"}}) {
    SCOPED_TRACE(b.in);
    auto got = parse_host_port(b.in);
    ASSERT_FALSE(got.ok());
    EXPECT_NE(std::string(got.status().message()).find(b.message_part), std::string::npos)
        << got.status();
  }
}

TEST(ParseHostPort, PortZeroOnlyWhenAllowed) {
  EXPECT_FALSE(parse_host_port("127.0.0.1:0").ok());
  EXPECT_EQ(parse_host_port("127.0.0.1:0", /*allow_zero=*/true)->port, 0);
}

TEST(ValidateZmqEndpoint, Table) {
  for (std::string_view good : {"tcp://127.0.0.1:5556", "tcp://*:5556", "ipc:///tmp/rs.sock",
                                "inproc://x", "epgm://eth0;239.192.1.1:5555"}) {
    SCOPED_TRACE(good);
    EXPECT_TRUE(validate_zmq_endpoint(good).ok());
  }
  for (std::string_view bad :
       {"nonsense", "tcp://", "tcp://127.0.0.1", "tcp://h:99999", "udp://h:1", "ipc://"}) {
    SCOPED_TRACE(bad);
    auto st = validate_zmq_endpoint(bad);
    ASSERT_FALSE(st.ok());
    EXPECT_NE(std::string(st.message()).find("bad ZeroMQ endpoint"), std::string::npos) << st;
  }
}

}  // namespace
}  // namespace base
