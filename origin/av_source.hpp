// AvSource: an RTSP camera or a media file read with libavformat. H.264/H.265 video is passed
// through untouched (file AVCC/HVCC samples become Annex-B through FFmpeg's mp4toannexb
// filters; RTSP gives Annex-B already); other video codecs, and any video with --transcode, are
// decoded and encoded once. AAC, Opus and G.711 audio is passed through as track 1.
// Low delay for cameras: no demuxer buffering, small probe, a socket timeout and an interrupt
// deadline so a dead camera is noticed within StreamSettings::read_timeout.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <optional>

#include "origin/source.hpp"
#include "origin/transcoder.hpp"

struct AVBSFContext;
struct AVFormatContext;
struct AVPacket;

namespace origin {

class AvSource final : public Source {
 public:
  static absl::StatusOr<std::unique_ptr<Source>> open(const StreamSettings& settings,
                                                      const std::atomic<bool>& stop);
  ~AvSource() override;

  absl::StatusOr<SourceUnit> read() override;
  std::vector<TrackDesc> tracks() const override;
  bool paced_by_timestamps() const override { return kind_ == SourceKind::File; }
  uint64_t corrupt_skipped() const override;
  std::vector<uint8_t> announced_parameter_sets() const override;

 private:
  struct Stream {
    int index = -1;  // in the format context
    TrackDesc desc;
    AVBSFContext* bsf = nullptr;  // mp4toannexb / aac_adtstoasc, or none
  };
  AvSource(const StreamSettings& settings, const std::atomic<bool>& stop);
  absl::Status open_input();
  absl::Status select_video();
  void select_audio();
  absl::Status fail(int code) const;
  absl::Status read_packet();
  absl::Status handle_video(AVPacket* packet);
  absl::Status handle_audio(AVPacket* packet);
  absl::Status rewind();
  void emit(uint32_t track, const AVPacket& packet, int64_t pts, int64_t dts);
  void arm_deadline();
  static int interrupt(void* opaque);

  StreamSettings settings_;
  SourceKind kind_;
  const std::atomic<bool>& stop_;
  std::atomic<int64_t> deadline_us_{0};
  mutable bool timed_out_ = false;
  AVFormatContext* format_ = nullptr;
  AVPacket* packet_ = nullptr;
  AVPacket* filtered_ = nullptr;
  Stream video_;
  std::optional<Stream> audio_;
  std::unique_ptr<Transcoder> transcoder_;
  std::deque<SourceUnit> ready_;
  bool loop_point_ = false;
  int64_t receive_time_us_ = 0;
  uint64_t corrupt_ = 0;
  int consecutive_corrupt_ = 0;
};

}  // namespace origin
