// Fuzz target for the H.264 helpers: SPS parsing (H.264 7.3.2.1), Annex-B splitting, emulation
// prevention and the capture-time SEI reader. Properties checked: no crash, no out-of-bounds
// read, ebsp_to_rbsp(rbsp_to_ebsp(x)) == x, split NAL units lie inside the input.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "media/h264.hpp"
#include "media/sei.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> input(data, size);
  (void)media::h264::parse_sps(input);
  (void)media::parse_capture_time_sei(input);
  (void)media::find_capture_time(input);
  for (auto nal : media::h264::split_annex_b(input)) {
    if (nal.empty() || nal.data() < data || nal.data() + nal.size() > data + size) std::abort();
    (void)media::h264::parse_sps(nal);
    (void)media::parse_capture_time_sei(nal);
  }
  const auto ebsp = media::h264::rbsp_to_ebsp(input);
  const auto rbsp = media::h264::ebsp_to_rbsp(ebsp);
  if (rbsp.size() != size || !std::equal(rbsp.begin(), rbsp.end(), data)) std::abort();
  return 0;
}
