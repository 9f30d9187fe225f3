// Tests for media/rtp: RTP fixed header (RFC 3550 5.1) and RTCP SR (6.4.1).
#include "media/rtp.hpp"

#include <gtest/gtest.h>

#include "test_bytes.hpp"

#include <cctype>
#include <string_view>
#include <vector>

namespace media {
namespace {

using test_bytes::Bytes;
using test_bytes::hex;

struct Case {
  std::string_view name;
  std::string_view in;
  RtpHeader want;
  size_t want_header_size;
};

const Case kCases[] = {
    {"fixed header, marker, payload",
     "80 e0 12 34 00 01 e2 40 de ad be ef 65 88",
     {.marker = true,
      .payload_type = 96,
      .sequence = 0x1234,
      .timestamp = 123456,
      .ssrc = 0xdeadbeef},
     12},
    {"two csrcs",
     "82 21 ff ff ff ff ff ff 00 00 00 01 00 00 00 02 00 00 00 03 7c",
     {.marker = false, .payload_type = 33, .sequence = 65535, .timestamp = 0xffffffff, .ssrc = 1},
     20},
    {"one-byte header extension (RFC 8285) with one word",
     "90 60 00 07 00 00 00 08 00 00 00 09 be de 00 01 10 aa 00 00 41",
     {.payload_type = 96, .sequence = 7, .timestamp = 8, .ssrc = 9},
     20},
    {"csrc and extension",
     "91 60 00 07 00 00 00 08 00 00 00 09 00 00 00 0a 12 34 00 00 41",
     {.payload_type = 96, .sequence = 7, .timestamp = 8, .ssrc = 9},
     20},
    {"padding of 3 bytes",
     "a0 60 00 07 00 00 00 08 00 00 00 09 41 00 00 03",
     {.payload_type = 96, .sequence = 7, .timestamp = 8, .ssrc = 9},
     12},
    {"header only", "80 60 00 00 00 00 00 00 00 00 00 00", {.payload_type = 96}, 12},
};

TEST(RtpHeader, Parses) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    auto got = RtpHeader::parse(hex(c.in));
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, c.want);
    EXPECT_EQ(got->header_size, c.want_header_size);
  }
}

TEST(RtpHeader, SerializesFixedHeaderAndRoundTrips) {
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.name);
    Bytes out(kRtpHeaderSize);
    c.want.serialize_to(out.data());
    const Bytes in = hex(c.in);
    // Same second to twelfth bytes; the first byte loses P, X and CC.
    EXPECT_EQ(out[0], 0x80);
    EXPECT_EQ(Bytes(out.begin() + 1, out.end()), Bytes(in.begin() + 1, in.begin() + 12));
    auto back = RtpHeader::parse(out);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ(*back, c.want);
  }
}

TEST(RtpHeader, RejectsMalformed) {
  struct Bad {
    std::string_view name;
    std::string_view in;
  };
  const Bad kBad[] = {
      {"empty", ""},
      {"11 bytes", "80 60 00 00 00 00 00 00 00 00 00"},
      {"version 1", "40 60 00 00 00 00 00 00 00 00 00 00"},
      {"version 0", "00 60 00 00 00 00 00 00 00 00 00 00"},
      {"csrc list longer than packet", "83 60 00 00 00 00 00 00 00 00 00 00 00 00 00 01"},
      {"extension header cut", "90 60 00 00 00 00 00 00 00 00 00 00 be de"},
      {"extension longer than packet",
       "90 60 00 00 00 00 00 00 00 00 00 00 be de 00 02 00 00 00 00"},
      {"padding count zero", "a0 60 00 00 00 00 00 00 00 00 00 00 41 00"},
      {"padding longer than payload", "a0 60 00 00 00 00 00 00 00 00 00 00 41 05"},
  };
  for (const auto& c : kBad) {
    SCOPED_TRACE(c.name);
    EXPECT_FALSE(RtpHeader::parse(hex(c.in)).ok());
  }
}

TEST(Ntp, FromUnixMicroseconds) {
  struct NtpCase {
    std::string_view name;
    int64_t in;
    uint64_t want;
  };
  const NtpCase kNtp[] = {
      {"unix epoch", 0, uint64_t{2208988800} << 32},
      {"half a second", 500'000, (uint64_t{2208988800} << 32) | 0x80000000},
      {"2023-11-14T22:13:20Z + 0.25 s", 1'700'000'000'250'000,
       (uint64_t{1'700'000'000 + 2208988800ULL} << 32) | 0x40000000},
      {"one microsecond before the epoch", -1,
       (uint64_t{2208988799} << 32) | ((uint64_t{999'999} << 32) / 1'000'000)},
  };
  for (const auto& c : kNtp) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(ntp_from_unix_us(c.in), c.want);
  }
}

TEST(SenderReport, ExactBytes) {
  const Bytes got = make_sender_report(0x01020304, 1'700'000'000'500'000, 0xa0b0c0d0, 10, 1400);
  // 1700000000 + 2208988800 = 3908988800 = 0xe8fe6f80.
  EXPECT_EQ(got, hex("80 c8 00 06 01 02 03 04 e8 fe 6f 80 80 00 00 00 a0 b0 c0 d0 00 00 00 0a "
                     "00 00 05 78"));
}

}  // namespace
}  // namespace media
