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
  const rstest::Rejection kBad[] = {
      {.in = "nonsense", .error = "expected host:port"},
      {.in = "127.0.0.1:0", .error = "invalid port '0'"},
      {.in = "127.0.0.1:65536", .error = "invalid port '65536'"},
      {.in = "h:-1", .error = "invalid port"},
      {.in = "[::1:80", .error = "expected [ipv6]:port"},
      {.in = "h:80x", .error = "invalid port"},
  };
  rstest::expect_each_rejected(kBad, [](std::string_view in) { return parse_host_port(in); });
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
