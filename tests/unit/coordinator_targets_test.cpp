// Coordinator replica lists (cluster/coordinator_targets.hpp): what --coordinator accepts, the
// errors it gives, and the client channel target over several replicas.
#include "cluster/coordinator_targets.hpp"

#include <gtest/gtest.h>

namespace cluster {
namespace {

TEST(CoordinatorTargetsTest, SplitsReplicasInOrderWithoutDuplicates) {
  auto r = split_coordinators("10.0.0.1:50051, coord-b:50052,10.0.0.1:50051,[::1]:50053");
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[0], (base::HostPort{"10.0.0.1", 50051}));
  EXPECT_EQ((*r)[1], (base::HostPort{"coord-b", 50052}));
  EXPECT_EQ((*r)[2], (base::HostPort{"::1", 50053}));
}

TEST(CoordinatorTargetsTest, BadEntriesAreNamed) {
  struct Case {
    const char* spec;
    const char* error;
  } cases[] = {
      {"a:1,,b:2", "coordinator address 2 (\"\"): expected HOST:PORT"},
      {"a:1,b", "coordinator address 2 (\"b\"): expected HOST:PORT"},
      {"a:99999", "coordinator address 1 (\"a:99999\"): expected HOST:PORT"},
      {":50051", "coordinator address 1 (\":50051\"): expected HOST:PORT"},
      {"[::1:50051", "coordinator address 1 (\"[::1:50051\"): expected HOST:PORT (expected"},
  };
  for (const auto& c : cases) {
    auto r = split_coordinators(c.spec);
    ASSERT_FALSE(r.ok()) << c.spec;
    EXPECT_NE(r.status().message().find(c.error), std::string::npos)
        << c.spec << ": " << r.status().message();
  }
  std::string many;
  for (int i = 0; i < 17; ++i) many += "h" + std::to_string(i) + ":1,";
  many.pop_back();
  EXPECT_NE(split_coordinators(many).status().message().find("too many coordinator addresses"),
            std::string::npos);
}

TEST(CoordinatorTargetsTest, LiteralsAndNames) {
  EXPECT_TRUE(is_ip_literal("127.0.0.1"));
  EXPECT_TRUE(is_ip_literal("::1"));
  EXPECT_FALSE(is_ip_literal("localhost"));
  EXPECT_FALSE(is_ip_literal("coordinator.rs.svc"));
}

TEST(CoordinatorTargetsTest, ResolvesNamesAndDropsTheUnresolvable) {
  auto r = resolve_coordinators(
      {{"127.0.0.2", 50051}, {"localhost", 50052}, {"no-such-host.invalid", 50053}});
  ASSERT_TRUE(r.ok()) << r.status();
  bool literal = false;
  int named = 0;
  for (const auto& c : *r) {
    literal |= c.address == "127.0.0.2:50051";
    named += c.host == "localhost" && c.address.ends_with(":50052");
    EXPECT_EQ(c.address.find("50053"), std::string::npos);
  }
  EXPECT_TRUE(literal);
  EXPECT_EQ(named, 1) << "localhost (127.0.0.1 and ::1) is one replica";
  auto none = resolve_coordinators({{"no-such-host.invalid", 1}});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(none.status().message().find("no-such-host.invalid"), std::string::npos);
}

TEST(CoordinatorTargetsTest, ClientChannelTarget) {
  EXPECT_EQ(*client_channel_target("coord:50051"), "coord:50051");
  EXPECT_EQ(*client_channel_target("127.0.0.2:50051,127.0.0.1:50052"),
            "ipv4:127.0.0.1:50052,127.0.0.2:50051");
  EXPECT_EQ(*client_channel_target("[::1]:50051,[::1]:50052"), "ipv6:[::1]:50051,[::1]:50052");
  EXPECT_FALSE(client_channel_target("a:1,b").ok());
}

}  // namespace
}  // namespace cluster
