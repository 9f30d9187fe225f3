// PlayerSession (player_session.hpp).
#include "client/player_session.hpp"

#include <atomic>
#include <cstdarg>
#include <cstdlib>
#include <deque>
#include <span>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/dict.h>
#include <libavutil/log.h>
}

#include "base/clock.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "media/sei.hpp"

namespace client {
namespace {

std::string av_error(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, buf, sizeof(buf));
  return buf;
}

// FFmpeg 5.1 turns every failed RTSP reply into AVERROR_INVALIDDATA; the status code only appears
// in its log line "method DESCRIBE failed: 404 Not Found". The log callback keeps the last such
// line of this thread so that open() can tell a missing stream from a broken connection. Other
// FFmpeg messages go to our log at debug level (our own lines already say what failed).
thread_local std::string t_rtsp_failure;

void log_callback(void* avcl, int level, const char* fmt, va_list args) {
  if (level > AV_LOG_WARNING && base::log_level() != base::LogLevel::Debug) return;
  char line[1024];
  int prefix = 1;
  va_list copy;
  va_copy(copy, args);
  av_log_format_line(avcl, level, fmt, copy, line, sizeof(line), &prefix);
  va_end(copy);
  std::string text(line);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (text.find("method ") != std::string::npos && text.find(" failed: ") != std::string::npos) {
    t_rtsp_failure = text.substr(text.find("method "));
  }
  LOG_DEBUG("ffmpeg", text);
}

// The RTSP status code of the last failed request on this thread (0 when none).
int last_rtsp_status() {
  const size_t at = t_rtsp_failure.find(" failed: ");
  if (at == std::string::npos) return 0;
  return std::atoi(t_rtsp_failure.c_str() + at + 9);
}

// libavformat calls this during blocking I/O; non-zero aborts the call.
struct Interrupt {
  FrameSink* sink = nullptr;
  int64_t deadline_us = 0;  // monotonic
  bool timed_out = false;
  static int check(void* opaque) {
    auto* self = static_cast<Interrupt*>(opaque);
    if (self->sink->stop_requested()) return 1;
    if (base::monotonic_us() > self->deadline_us) {
      self->timed_out = true;
      return 1;
    }
    return 0;
  }
};

struct PendingPacket {
  int64_t pts;
  std::optional<int64_t> capture_us;
  int64_t sent_us;  // monotonic
};

// Everything one playback owns; freed in the destructor.
class Playback {
 public:
  Playback(const SessionOptions& options, FrameSink& sink) : options_(options), sink_(sink) {
    interrupt_.sink = &sink;
  }
  ~Playback() {
    av_packet_free(&packet_);
    av_frame_free(&frame_);
    decoder_.reset();
    avformat_close_input(&fmt_);
  }
  PlayOutcome run();

 private:
  // nullopt when the stream is open and the decoder ready.
  std::optional<PlayOutcome> open();
  PlayOutcome fail(PlayEnd end, std::string detail) {
    return {end, got_frames_, std::move(detail)};
  }
  PlayOutcome read_error(int err);
  // Returns false when the sink asked to stop.
  bool handle_packet();
  bool drain_frames();
  void count_gap(int64_t pts);

  const SessionOptions& options_;
  FrameSink& sink_;
  Interrupt interrupt_;
  AVFormatContext* fmt_ = nullptr;
  AVPacket* packet_ = nullptr;
  AVFrame* frame_ = nullptr;
  std::unique_ptr<VideoDecoder> decoder_;
  int video_index_ = -1;
  bool got_frames_ = false;
  std::deque<PendingPacket> pending_;
  int64_t last_pts_ = AV_NOPTS_VALUE;
  int64_t frame_step_ = 0;  // smallest positive pts step seen: one frame
};

AVDictionary* low_delay_options(const SessionOptions& o) {
  AVDictionary* d = nullptr;
  const std::string transport = o.transport == "multicast" ? "udp_multicast" : o.transport;
  av_dict_set(&d, "rtsp_transport", transport.c_str(), 0);
  av_dict_set(&d, "fflags", "nobuffer", 0);
  av_dict_set(&d, "flags", "low_delay", 0);
  av_dict_set(&d, "probesize", "32", 0);
  av_dict_set(&d, "analyzeduration", "0", 0);
  av_dict_set(&d, "max_delay", "0", 0);
  av_dict_set(&d, "reorder_queue_size", "0", 0);
  // Socket I/O timeout in microseconds (FFmpeg 5: "timeout"; "stimeout" was removed). A backstop
  // only: a stall is noticed by the interrupt callback after stall_timeout. It must not be
  // shorter than the open timeout, or a server that waits for the stream before answering
  // DESCRIBE (our edge, --describe_timeout) would be cut off before its 404.
  const auto open_us = std::chrono::duration_cast<std::chrono::microseconds>(o.open_timeout);
  av_dict_set_int(&d, "timeout", std::max<int64_t>(open_us.count(), 1'000'000), 0);
  av_dict_set(&d, "buffer_size", "4194304", 0);  // UDP receive buffer
  return d;
}

std::optional<PlayOutcome> Playback::open() {
  fmt_ = avformat_alloc_context();
  fmt_->interrupt_callback = {&Interrupt::check, &interrupt_};
  interrupt_.deadline_us = base::monotonic_us() + options_.open_timeout.count() * 1000;
  static const bool installed = [] {
    av_log_set_callback(log_callback);
    return true;
  }();
  (void)installed;
  t_rtsp_failure.clear();
  AVDictionary* opts = low_delay_options(options_);
  const int err = avformat_open_input(&fmt_, options_.url.c_str(), nullptr, &opts);
  av_dict_free(&opts);
  if (err < 0) {
    if (sink_.stop_requested()) return fail(PlayEnd::Stopped, "stopped");
    if (interrupt_.timed_out) {
      return fail(PlayEnd::Error,
                  base::cat("no answer within ", options_.open_timeout.count(), " ms"));
    }
    const int status = last_rtsp_status();
    const std::string text = status != 0 ? t_rtsp_failure : base::cat("open: ", av_error(err));
    if (status == 404 || err == AVERROR_HTTP_NOT_FOUND) return fail(PlayEnd::NotFound, text);
    if (status == 400 || status == 401 || status == 403 || status == 405 || status == 461 ||
        err == AVERROR_HTTP_UNAUTHORIZED || err == AVERROR_HTTP_FORBIDDEN ||
        err == AVERROR_PROTOCOL_NOT_FOUND) {
      return fail(PlayEnd::Rejected, text);
    }
    return fail(PlayEnd::Error, text);
  }
  // No avformat_find_stream_info(): the SDP names the codec and its parameter sets, and probing
  // would hold back the first frames.
  video_index_ = av_find_best_stream(fmt_, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (video_index_ < 0) return fail(PlayEnd::Rejected, "no video track in the SDP");
  for (unsigned i = 0; i < fmt_->nb_streams; ++i) {
    if (static_cast<int>(i) != video_index_) fmt_->streams[i]->discard = AVDISCARD_ALL;
  }
  auto decoder = VideoDecoder::open(fmt_->streams[video_index_]->codecpar, options_.hwdec,
                                    options_.decoder_threads);
  if (!decoder.ok())
    return fail(PlayEnd::Rejected, std::string(base::sv(decoder.status().message())));
  decoder_ = std::move(*decoder);
  packet_ = av_packet_alloc();
  frame_ = av_frame_alloc();
  sink_.on_opened(decoder_->description(), decoder_->codec_name());
  return std::nullopt;
}

PlayOutcome Playback::read_error(int err) {
  if (sink_.stop_requested()) return fail(PlayEnd::Stopped, "stopped");
  if (interrupt_.timed_out) {
    return fail(PlayEnd::Stalled,
                base::cat("no packet for ", options_.stall_timeout.count(), " ms"));
  }
  if (err == AVERROR_EOF) return fail(PlayEnd::Error, "the server closed the stream");
  return fail(PlayEnd::Error, base::cat("read: ", av_error(err)));
}

void Playback::count_gap(int64_t pts) {
  if (pts == AV_NOPTS_VALUE) return;
  if (last_pts_ != AV_NOPTS_VALUE && pts > last_pts_) {
    const int64_t step = pts - last_pts_;
    if (frame_step_ == 0 || step < frame_step_) frame_step_ = step;
    // A step of more than 1.5 frames means frames never arrived.
    if (step * 2 > frame_step_ * 3) {
      sink_.on_drops(static_cast<uint64_t>((step + frame_step_ / 2) / frame_step_ - 1));
    }
  }
  last_pts_ = pts;
}

bool Playback::drain_frames() {
  while (true) {
    const int err = decoder_->receive(frame_);
    if (err < 0) return true;  // EAGAIN: needs more input; errors surface as drops on send
    const int64_t now_mono = base::monotonic_us();
    DecodedFrame f;
    f.frame = frame_;
    f.decoder = decoder_.get();
    f.decoded_wall_us = base::wall_clock_us();
    const int64_t pts = frame_->best_effort_timestamp;
    while (!pending_.empty() && pts != AV_NOPTS_VALUE && pending_.front().pts < pts) {
      pending_.pop_front();  // packets that produced no frame
    }
    if (!pending_.empty()) {
      f.capture_us = pending_.front().capture_us;
      f.decode_us = now_mono - pending_.front().sent_us;
      pending_.pop_front();
    }
    if (frame_->decode_error_flags != 0 || (frame_->flags & AV_FRAME_FLAG_CORRUPT) != 0) {
      sink_.on_drops(1);
    }
    got_frames_ = true;
    const bool go_on = sink_.on_frame(f);
    av_frame_unref(frame_);
    if (!go_on) return false;
  }
}

bool Playback::handle_packet() {
  const int64_t received_wall = base::wall_clock_us();
  const auto capture = media::find_capture_time(
      std::span<const uint8_t>(packet_->data, static_cast<size_t>(packet_->size)));
  sink_.on_packet(static_cast<size_t>(packet_->size), capture, received_wall);
  count_gap(packet_->pts);
  pending_.push_back({packet_->pts, capture, base::monotonic_us()});
  if (pending_.size() > 64) pending_.pop_front();
  const int err = decoder_->send(packet_);
  if (err < 0 && err != AVERROR(EAGAIN)) sink_.on_drops(1);
  return drain_frames();
}

PlayOutcome Playback::run() {
  if (auto failed = open()) return *failed;
  while (true) {
    interrupt_.deadline_us = base::monotonic_us() + options_.stall_timeout.count() * 1000;
    const int err = av_read_frame(fmt_, packet_);
    if (err < 0) return read_error(err);
    bool go_on = true;
    if (packet_->stream_index == video_index_) go_on = handle_packet();
    av_packet_unref(packet_);
    if (!go_on || sink_.stop_requested()) return fail(PlayEnd::Stopped, "stopped");
  }
}

}  // namespace

PlayOutcome play(const SessionOptions& options, FrameSink& sink) {
  Playback playback(options, sink);
  return playback.run();
}

bool is_rtsp_url(const std::string& url) {
  for (const char* scheme : {"rtsp://", "rtsps://"}) {
    const std::string s = scheme;
    if (url.rfind(s, 0) == 0) {
      const std::string rest = url.substr(s.size());
      const size_t end = rest.find_first_of("/?");
      const std::string host = rest.substr(0, end);
      return !host.empty() && host.front() != ':' &&
             rest.find_first_of(" \t\r\n") == std::string::npos;
    }
  }
  return false;
}

}  // namespace client
