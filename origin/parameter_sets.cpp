// Parameter-set cache for pass-through video; see parameter_sets.hpp.
#include "origin/parameter_sets.hpp"

#include "media/h264.hpp"

namespace origin {
namespace {

// Stores `nal` into `slot`; true when the stored bytes changed.
bool remember(std::string& slot, std::span<const uint8_t> nal) {
  const std::string value(nal.begin(), nal.end());
  if (slot == value) return false;
  const bool changed = !slot.empty();
  slot = value;
  return changed;
}

void append(std::vector<uint8_t>& out, const std::string& nal) {
  if (nal.empty()) return;
  media::h264::append_annex_b(
      out, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(nal.data()), nal.size()));
}

}  // namespace

ParameterSetCache::Scan ParameterSetCache::scan(std::span<const uint8_t> annex_b) {
  Scan out;
  bool vps = false;
  bool sps = false;
  bool pps = false;
  // split_annex_b only looks at start codes, so it splits H.265 streams as well.
  for (std::span<const uint8_t> nal : media::h264::split_annex_b(annex_b)) {
    if (codec_ == VideoCodec::H264) {
      const uint8_t type = media::h264::nal_type(nal);
      const auto t = static_cast<media::h264::NalType>(type);
      if (t == media::h264::NalType::Sps) {
        out.changed |= remember(sets_.sps, nal);
        sps = true;
      }
      if (t == media::h264::NalType::Pps) {
        out.changed |= remember(sets_.pps, nal);
        pps = true;
      }
      if (t == media::h264::NalType::Idr) out.keyframe = true;
      if (media::h264::is_vcl(type)) out.has_picture = true;
    } else {
      if (nal.size() < 2) continue;  // H.265 NAL headers are two bytes
      const uint8_t type = h265::nal_type(nal);
      if (type == h265::kVps) {
        out.changed |= remember(sets_.vps, nal);
        vps = true;
      }
      if (type == h265::kSps) {
        out.changed |= remember(sets_.sps, nal);
        sps = true;
      }
      if (type == h265::kPps) {
        out.changed |= remember(sets_.pps, nal);
        pps = true;
      }
      if (h265::is_irap(type)) out.keyframe = true;
      if (type < 32) out.has_picture = true;
    }
  }
  out.has_sets = sps && pps && (codec_ == VideoCodec::H264 || vps);
  return out;
}

bool ParameterSetCache::complete() const {
  return !sets_.sps.empty() && !sets_.pps.empty() &&
         (codec_ == VideoCodec::H264 || !sets_.vps.empty());
}

std::vector<uint8_t> ParameterSetCache::prepend_to(std::span<const uint8_t> annex_b) const {
  std::vector<uint8_t> out;
  out.reserve(annex_b.size() + sets_.vps.size() + sets_.sps.size() + sets_.pps.size() + 12);
  if (codec_ == VideoCodec::H265) append(out, sets_.vps);
  append(out, sets_.sps);
  append(out, sets_.pps);
  out.insert(out.end(), annex_b.begin(), annex_b.end());
  return out;
}

}  // namespace origin
