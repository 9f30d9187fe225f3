// Capture-time SEI: H.264 user_data_unregistered (ITU-T H.264 D.1.6) carrying the wall-clock
// capture time, so any receiver can measure end-to-end latency. Layout in docs/wire.md.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace media {

// Our UUID (uuid_iso_iec_11578) identifying the capture-time payload.
inline constexpr std::array<uint8_t, 16> kCaptureTimeUuid = {
    0x52, 0x54, 0x53, 0x50, 0x2d, 0x53, 0x54, 0x52,  // "RTSP-STR"
    0x9b, 0x3c, 0x4e, 0x71, 0xa2, 0x0d, 0x5f, 0xe8};

// Builds a complete SEI NAL unit (NAL header 0x06 included, emulation prevention applied,
// rbsp trailing bits present) with payload type 5: UUID, then capture time in microseconds
// since the Unix epoch as 8 bytes big-endian.
std::vector<uint8_t> make_capture_time_sei(int64_t capture_time_us);

// Reads the capture time from one SEI NAL unit (header byte included) if it carries our UUID.
std::optional<int64_t> parse_capture_time_sei(std::span<const uint8_t> sei_nal);

// Finds our SEI in an Annex-B access unit and returns its capture time.
std::optional<int64_t> find_capture_time(std::span<const uint8_t> annex_b_au);

// Returns the access unit with `nal` (no start code) inserted, with a 4-byte start code,
// immediately before the first VCL NAL unit (H.264 7.4.1.2.3: SEI precedes the primary coded
// picture). If there is no VCL NAL unit it is appended at the end.
std::vector<uint8_t> insert_before_first_vcl(std::span<const uint8_t> annex_b_au,
                                             std::span<const uint8_t> nal);

}  // namespace media
