// Bounds-checked MSB-first bit reader over an RBSP, with the Exp-Golomb codes of H.264 9.1 and
// H.265 9.2 (the same syntax in both). Every read returns nullopt past the end; nothing throws.
// Plus the errors the H.264 and H.265 SPS parsers return, one wording for both.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace media {

inline absl::Status sps_truncated(absl::string_view field) {
  return absl::InvalidArgumentError(absl::StrCat("SPS truncated or invalid at ", field));
}

inline absl::Status sps_out_of_range(absl::string_view field, int64_t value) {
  return absl::InvalidArgumentError(absl::StrCat("SPS ", field, " out of range: ", value));
}

// Reads one syntax element into `var`, returning sps_truncated(name) from the caller when the
// RBSP ends first.
#define RS_SPS_READ(var, expr, name) \
  auto var = (expr);                 \
  if (!var) return ::media::sps_truncated(name)

class BitReader {
 public:
  explicit BitReader(std::span<const uint8_t> data) : data_(data) {}

  std::optional<uint32_t> bits(int n) {
    if (n > 32 || data_.size() * 8 - pos_ < static_cast<size_t>(n)) return std::nullopt;
    uint32_t v = 0;
    for (int i = 0; i < n; ++i, ++pos_) {
      v = (v << 1) | ((data_[pos_ / 8] >> (7 - pos_ % 8)) & 1);
    }
    return v;
  }
  bool skip(size_t n) {
    if (data_.size() * 8 - pos_ < n) return false;
    pos_ += n;
    return true;
  }
  std::optional<bool> flag() {
    auto b = bits(1);
    if (!b) return std::nullopt;
    return *b != 0;
  }
  // ue(v): "leadingZeroBits = -1; for( b = 0; !b; leadingZeroBits++ ) b = read_bits( 1 );
  // codeNum = 2^leadingZeroBits - 1 + read_bits( leadingZeroBits )".
  std::optional<uint32_t> ue() {
    int zeros = 0;
    while (true) {
      auto b = bits(1);
      if (!b) return std::nullopt;
      if (*b == 1) break;
      if (++zeros > 31) return std::nullopt;  // no syntax element we read is that wide
    }
    auto rest = bits(zeros);
    if (!rest) return std::nullopt;
    const uint64_t value = (uint64_t{1} << zeros) - 1 + *rest;
    if (value > UINT32_MAX) return std::nullopt;
    return static_cast<uint32_t>(value);
  }
  // se(v): H.264 table 9-3, k > 0 maps to (-1)^(k+1) * Ceil(k / 2).
  std::optional<int32_t> se() {
    auto k = ue();
    if (!k) return std::nullopt;
    const int64_t magnitude = (static_cast<int64_t>(*k) + 1) / 2;
    return static_cast<int32_t>(*k % 2 == 1 ? magnitude : -magnitude);
  }

 private:
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
};

}  // namespace media
