// Capture-time SEI: user_data_unregistered (ITU-T H.264 D.1.6) inside sei_rbsp (7.3.2.3).
#include "media/sei.hpp"

#include <algorithm>
#include <cstddef>

#include "media/h264.hpp"

namespace media {
namespace {

constexpr uint8_t kSeiNalHeader = 0x06;  // forbidden_zero_bit 0, nal_ref_idc 0, type 6
constexpr uint32_t kUserDataUnregistered = 5;
constexpr size_t kCaptureTimePayloadSize = kCaptureTimeUuid.size() + 8;

// Reads one ff_byte-extended value (7.3.2.3.1: "while( next_bits( 8 ) = = 0xFF ) ... += 255").
std::optional<size_t> read_sei_value(std::span<const uint8_t> rbsp, size_t& pos) {
  size_t value = 0;
  while (pos < rbsp.size() && rbsp[pos] == 0xFF) {
    value += 255;
    ++pos;
  }
  if (pos >= rbsp.size()) return std::nullopt;
  return value + rbsp[pos++];
}

// 7.3.2.3: "do sei_message( ) while( more_rbsp_data( ) )": stop at rbsp_trailing_bits.
bool more_rbsp_data(std::span<const uint8_t> rbsp, size_t pos) {
  return pos < rbsp.size() && !(pos + 1 == rbsp.size() && rbsp[pos] == 0x80);
}

std::optional<int64_t> capture_time_from_payload(std::span<const uint8_t> payload) {
  if (payload.size() < kCaptureTimePayloadSize) return std::nullopt;
  if (!std::equal(kCaptureTimeUuid.begin(), kCaptureTimeUuid.end(), payload.begin())) {
    return std::nullopt;
  }
  uint64_t v = 0;
  for (size_t i = kCaptureTimeUuid.size(); i < kCaptureTimePayloadSize; ++i) {
    v = (v << 8) | payload[i];
  }
  return static_cast<int64_t>(v);
}

}  // namespace

std::vector<uint8_t> make_capture_time_sei(int64_t capture_time_us) {
  std::vector<uint8_t> rbsp;
  rbsp.reserve(2 + kCaptureTimePayloadSize + 1);
  rbsp.push_back(kUserDataUnregistered);    // last_payload_type_byte
  rbsp.push_back(kCaptureTimePayloadSize);  // last_payload_size_byte
  rbsp.insert(rbsp.end(), kCaptureTimeUuid.begin(), kCaptureTimeUuid.end());
  const auto v = static_cast<uint64_t>(capture_time_us);
  for (int shift = 56; shift >= 0; shift -= 8) rbsp.push_back(static_cast<uint8_t>(v >> shift));
  rbsp.push_back(0x80);  // rbsp_trailing_bits: rbsp_stop_one_bit + alignment zeros
  std::vector<uint8_t> ebsp = h264::rbsp_to_ebsp(rbsp);
  std::vector<uint8_t> nal;
  nal.reserve(ebsp.size() + 1);
  nal.push_back(kSeiNalHeader);
  nal.insert(nal.end(), ebsp.begin(), ebsp.end());
  return nal;
}

std::optional<int64_t> parse_capture_time_sei(std::span<const uint8_t> sei_nal) {
  if (sei_nal.empty() || h264::nal_type(sei_nal) != static_cast<uint8_t>(h264::NalType::Sei)) {
    return std::nullopt;
  }
  const std::vector<uint8_t> rbsp = h264::ebsp_to_rbsp(sei_nal.subspan(1));
  size_t pos = 0;
  while (more_rbsp_data(rbsp, pos)) {
    const auto type = read_sei_value(rbsp, pos);
    if (!type) return std::nullopt;
    const auto size = read_sei_value(rbsp, pos);
    if (!size || *size > rbsp.size() - pos) return std::nullopt;  // truncated message
    const auto payload = std::span<const uint8_t>(rbsp).subspan(pos, *size);
    if (*type == kUserDataUnregistered) {
      if (auto t = capture_time_from_payload(payload)) return t;
    }
    pos += *size;
  }
  return std::nullopt;
}

std::optional<int64_t> find_capture_time(std::span<const uint8_t> annex_b_au) {
  for (auto nal : h264::split_annex_b(annex_b_au)) {
    if (h264::nal_type(nal) != static_cast<uint8_t>(h264::NalType::Sei)) continue;
    if (auto t = parse_capture_time_sei(nal)) return t;
  }
  return std::nullopt;
}

std::vector<uint8_t> insert_before_first_vcl(std::span<const uint8_t> annex_b_au,
                                             std::span<const uint8_t> nal) {
  size_t insert_at = annex_b_au.size();
  for (auto unit : h264::split_annex_b(annex_b_au)) {
    if (!h264::is_vcl(h264::nal_type(unit))) continue;
    // Back up over the "00 00 01" start code and the zero_byte of a 4-byte start code.
    insert_at = static_cast<size_t>(unit.data() - annex_b_au.data()) - 3;
    if (insert_at > 0 && annex_b_au[insert_at - 1] == 0) --insert_at;
    break;
  }
  std::vector<uint8_t> out;
  out.reserve(annex_b_au.size() + nal.size() + 4);
  out.insert(out.end(), annex_b_au.begin(), annex_b_au.begin() + insert_at);
  h264::append_annex_b(out, nal);
  out.insert(out.end(), annex_b_au.begin() + insert_at, annex_b_au.end());
  return out;
}

}  // namespace media
