// Byte helpers shared by the binary-format unit tests: hex literals and concatenation, and the
// CRLF line ends of the text protocols (RTSP, SDP) from LF test literals.
#pragma once

#include <cctype>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace test_bytes {

using Bytes = std::vector<uint8_t>;

// "80 60 00 01" -> {0x80, 0x60, 0x00, 0x01}; white space is ignored.
inline Bytes hex(std::string_view text) {
  Bytes out;
  int high = -1;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    const int v = std::isdigit(static_cast<unsigned char>(c)) ? c - '0' : (c | 0x20) - 'a' + 10;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<uint8_t>(high << 4 | v));
      high = -1;
    }
  }
  return out;
}

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// LF -> CRLF: test texts are written with LF; every RTSP and SDP line ends in CRLF.
inline std::string crlf(std::string_view lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

}  // namespace test_bytes
