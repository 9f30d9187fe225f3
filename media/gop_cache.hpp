// GopCache: the frames of the current group of pictures, from the last video keyframe on, so
// that a newcomer can start at once — the edge's late joiners (RTP packets) and the origin's
// catch-up answers (encoded frames) both keep one per stream. Frames of every track are kept in
// arrival order. A GOP that outgrows the limits is dropped; the cache is then incomplete until
// the next keyframe. Pure and I/O-free; one owner thread.
#pragma once

#include <cstddef>
#include <vector>

namespace media {

// One pair of limits for every GOP cache (docs/config.md): longer or bigger GOPs are not
// cached, and newcomers wait for the next keyframe instead.
inline constexpr size_t kMaxGopFrames = 600;
inline constexpr size_t kMaxGopBytes = 32 * 1024 * 1024;

template <typename Frame>
class GopCache {
 public:
  // Adds a frame of `bytes` bytes; `video_keyframe` starts a new GOP.
  void add(Frame frame, size_t bytes, bool video_keyframe) {
    if (video_keyframe) {
      clear();
      complete_ = true;
    }
    if (!complete_) return;
    if (frames_.size() >= kMaxGopFrames || bytes_ + bytes > kMaxGopBytes) {
      clear();  // too long to cache: newcomers wait for the next keyframe
      return;
    }
    frames_.push_back(std::move(frame));
    bytes_ += bytes;
  }
  // Forgets the GOP (the stream went idle, its codec changed): incomplete until a keyframe.
  void clear() {
    frames_.clear();
    bytes_ = 0;
    complete_ = false;
  }
  // A whole GOP from its keyframe is here.
  bool complete() const { return complete_ && !frames_.empty(); }
  const std::vector<Frame>& frames() const { return frames_; }
  size_t bytes() const { return bytes_; }

 private:
  std::vector<Frame> frames_;
  size_t bytes_ = 0;
  bool complete_ = false;
};

}  // namespace media
