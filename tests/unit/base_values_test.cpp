// base/socket_address.hpp (addresses as operators read them), base/lookup.hpp (one table read
// both ways) and base::parse_decimal (RTSP versions, status codes, Content-Length).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string_view>

#include <gtest/gtest.h>

#include "base/cli.hpp"
#include "base/lookup.hpp"
#include "base/socket_address.hpp"
#include "base/strings.hpp"

namespace base {
namespace {

// An address of `family` (AF_INET or AF_INET6) from its text.
sockaddr_storage address(int family, const char* host, uint16_t port) {
  sockaddr_storage s{};
  s.ss_family = static_cast<sa_family_t>(family);
  if (family == AF_INET) {
    reinterpret_cast<sockaddr_in&>(s).sin_port = htons(port);
    inet_pton(AF_INET, host, &reinterpret_cast<sockaddr_in&>(s).sin_addr);
  } else {
    reinterpret_cast<sockaddr_in6&>(s).sin6_port = htons(port);
    inet_pton(AF_INET6, host, &reinterpret_cast<sockaddr_in6&>(s).sin6_addr);
  }
  return s;
}
sockaddr_storage v4(const char* host, uint16_t port) {
  return address(AF_INET, host, port);
}
sockaddr_storage v6(const char* host, uint16_t port) {
  return address(AF_INET6, host, port);
}

TEST(SocketAddress, TextOfEachFamily) {
  EXPECT_EQ(address_text(v4("192.0.2.7", 8554)), "192.0.2.7:8554");
  EXPECT_EQ(address_text(v6("2001:db8::1", 554)), "[2001:db8::1]:554");
  EXPECT_EQ(address_host(v6("2001:db8::1", 554)), "2001:db8::1");
  // An IPv4 publisher on a dual-stack listener reads as the IPv4 address it is.
  EXPECT_EQ(address_text(v6("::ffff:10.0.0.9", 40000)), "10.0.0.9:40000");
  EXPECT_EQ(address_port(v6("::ffff:10.0.0.9", 40000)), 40000);
  EXPECT_EQ(unmapped_host("::ffff:10.0.0.9"), "10.0.0.9");
  EXPECT_EQ(unmapped_host("::ffff:a00:9"), "::ffff:a00:9");  // not written as IPv4: kept
  EXPECT_EQ(unmapped_host("2001:db8::1"), "2001:db8::1");
  sockaddr_storage unix_family{};
  unix_family.ss_family = AF_UNIX;
  EXPECT_EQ(address_host(unix_family), "");
  EXPECT_EQ(address_port(unix_family), 0);
}

TEST(SocketAddress, LocalAddressOfABoundSocket) {
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_storage bind_to = v4("127.0.0.1", 0);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&bind_to), sizeof(sockaddr_in)), 0);
  EXPECT_EQ(local_host(fd), "127.0.0.1");
  EXPECT_NE(local_port(fd), 0);
  ::close(fd);
  EXPECT_EQ(local_host(fd), "");  // closed: getsockname fails
  EXPECT_EQ(local_port(fd), 0);
}

enum class Color { Red, Green, Blue, Unnamed };
constexpr Row<Color, std::string_view> kColorNames[] = {
    {Color::Red, "red"}, {Color::Green, "green"}, {Color::Blue, "blue"}};

TEST(Lookup, ReadsATableBothWays) {
  EXPECT_EQ(lookup(kColorNames, Color::Green, "?"), "green");
  EXPECT_EQ(lookup(kColorNames, Color::Unnamed, "?"), "?");
  EXPECT_EQ(reverse_lookup(kColorNames, "blue", Color::Unnamed), Color::Blue);
  EXPECT_EQ(reverse_lookup(kColorNames, "mauve", Color::Unnamed), Color::Unnamed);
  static_assert(lookup(kColorNames, Color::Red, "?") == "red");
}

TEST(ParseDecimal, DigitsOnlyWithinTheLimit) {
  EXPECT_EQ(parse_decimal("0", 3), 0u);
  EXPECT_EQ(parse_decimal("454", 3), 454u);
  EXPECT_EQ(parse_decimal("0012", 4), 12u);
  EXPECT_EQ(parse_decimal("9999999999999999999", 19), 9999999999999999999u);
  EXPECT_EQ(parse_decimal("", 3), std::nullopt);
  EXPECT_EQ(parse_decimal("1000", 3), std::nullopt);  // one digit over the limit
  EXPECT_EQ(parse_decimal("+12", 3), std::nullopt);
  EXPECT_EQ(parse_decimal("-1", 3), std::nullopt);
  EXPECT_EQ(parse_decimal(" 12", 3), std::nullopt);
  EXPECT_EQ(parse_decimal("1a", 3), std::nullopt);
}

TEST(OneLine, ControlCharactersBecomeEscapes) {
  EXPECT_EQ(one_line("bad source 'test://x'"), "bad source 'test://x'");
  EXPECT_EQ(one_line("a\nb\r\tc"), "a\\nb\\r\\tc");
  EXPECT_EQ(one_line(std::string_view("\x00\x1b[31m\x7f", 7)), "\\x00\\x1b[31m\\x7f");
  EXPECT_EQ(one_line("caf\xc3\xa9"), "caf\xc3\xa9");  // UTF-8 passes
}

}  // namespace
}  // namespace base
