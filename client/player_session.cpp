// PlayerSession (player_session.hpp).
#include "client/player_session.hpp"

#include <deque>
#include <span>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/mem.h>
}

#include "base/clock.hpp"
#include "base/log.hpp"
#include "base/strings.hpp"
#include "cluster/stream_health.hpp"
#include "media/sdp.hpp"
#include "media/sei.hpp"
#include "receiver/rtsp_receiver.hpp"
#include "rtsp/client_session.hpp"

namespace client {
namespace {

// The questions a player asks its edge when the stream stalls (docs/interop.md).
const std::string kStallQuery =
    base::cat(cluster::kStreamStateParameter, "\r\n", cluster::kEdgeStateParameter, "\r\n");

receiver::Lower lower_of(const std::string& transport) {
  if (transport == "udp") return receiver::Lower::Udp;
  if (transport == "multicast") return receiver::Lower::Multicast;
  return receiver::Lower::Tcp;
}

PlayEnd end_for(const absl::Status& st) {
  switch (st.code()) {
    case absl::StatusCode::kNotFound:
      return PlayEnd::NotFound;
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kUnimplemented:
      return PlayEnd::Rejected;
    case absl::StatusCode::kFailedPrecondition:
      // 400, 405, 461 and friends: the server refuses this request for good; a session that
      // vanished (454) comes back as NotFound above.
      return PlayEnd::Rejected;
    default:
      return PlayEnd::Error;
  }
}

// Annex-B parameter sets from the SDP, as decoder extradata.
std::vector<uint8_t> extradata_of(const media::SdpMedia& m) {
  std::vector<uint8_t> out;
  auto sets = media::parameter_sets_of(m);
  if (!sets.ok()) return out;
  for (const auto* list : {&sets->vps, &sets->sps, &sets->pps}) {
    for (const auto& nal : *list) {
      out.insert(out.end(), {0, 0, 0, 1});
      out.insert(out.end(), nal.begin(), nal.end());
    }
  }
  return out;
}

// The edge's answer to the stall query, as the StallPolicy reads it.
EdgeAnswer answer_of(const rtsp::Response& response) {
  EdgeAnswer a;
  if (response.status != 200) {
    a.reply = EdgeReply::Refused;
    a.detail = base::cat(response.status, " ", rtsp::reason_phrase(response.status));
    return a;
  }
  a.reply = EdgeReply::Answered;
  for (const auto& [name, value] : rtsp::parse_parameters(response.body)) {
    if (name == cluster::kStreamStateParameter) a.stream = cluster::parse_stream_state(value);
    if (name == cluster::kEdgeStateParameter) a.draining = value == cluster::kEdgeDraining;
  }
  return a;
}

struct PendingUnit {
  int64_t pts;
  std::optional<int64_t> capture_us;
  int64_t sent_us;  // monotonic
};

// Everything one playback owns; freed in the destructor.
class Playback {
 public:
  Playback(const SessionOptions& options, FrameSink& sink) : options_(options), sink_(sink) {}
  ~Playback() {
    av_packet_free(&packet_);
    av_frame_free(&frame_);
    decoder_.reset();
  }
  PlayOutcome run();

 private:
  // nullopt when the stream plays and the decoder is ready.
  std::optional<PlayOutcome> open();
  PlayOutcome fail(PlayEnd end, std::string detail) {
    return {end, got_frames_, std::move(detail)};
  }
  bool on_unit(receiver::MediaUnit&& unit);
  bool drain_frames();
  void count_gap(int64_t pts);
  // A stall: asks the edge and follows the sink's decision. nullopt: keep playing.
  std::optional<PlayOutcome> on_stall_tick(int64_t now);
  std::optional<PlayOutcome> decide(const EdgeAnswer& answer, int64_t now);

  const SessionOptions& options_;
  FrameSink& sink_;
  std::unique_ptr<receiver::RtspReceiver> receiver_;
  AVPacket* packet_ = nullptr;
  AVFrame* frame_ = nullptr;
  std::unique_ptr<VideoDecoder> decoder_;
  bool got_frames_ = false;
  bool stop_ = false;  // the sink asked to stop from on_frame
  std::deque<PendingUnit> pending_;
  int64_t last_pts_ = INT64_MIN;
  int64_t frame_step_ = 0;  // smallest positive pts step seen: one frame
  // Stall handling (monotonic µs).
  int64_t last_media_us_ = 0;
  bool waiting_ = false;          // a Wait decision holds; media ends it
  int64_t next_check_us_ = 0;     // when to ask (again) without media
  std::optional<int64_t> query_;  // CSeq of the question in flight
  int64_t query_deadline_us_ = 0;
};

std::optional<PlayOutcome> Playback::open() {
  receiver::ReceiverOptions ro;
  ro.url = options_.url;
  ro.lower = lower_of(options_.transport);
  ro.open_timeout = options_.open_timeout;
  ro.video_only = true;
  auto opened = receiver::RtspReceiver::open(ro, [this] { return sink_.stop_requested(); });
  if (!opened.ok()) {
    if (sink_.stop_requested()) return fail(PlayEnd::Stopped, "stopped");
    if (absl::IsDeadlineExceeded(opened.status())) {
      return fail(PlayEnd::Error, std::string(base::sv(opened.status().message())));
    }
    return fail(end_for(opened.status()), std::string(base::sv(opened.status().message())));
  }
  receiver_ = *std::move(opened);
  const rtsp::ClientTrack& track = receiver_->session().tracks()[receiver_->active_tracks()[0]];
  if (!options_.decode) {
    sink_.on_opened("none (receive only)", track.codec == media::Codec::H265 ? "hevc" : "h264");
    return std::nullopt;
  }
  AVCodecParameters* par = avcodec_parameters_alloc();
  par->codec_type = AVMEDIA_TYPE_VIDEO;
  par->codec_id = track.codec == media::Codec::H265 ? AV_CODEC_ID_HEVC : AV_CODEC_ID_H264;
  const std::vector<uint8_t> extra = extradata_of(track.media);
  if (!extra.empty()) {
    par->extradata = static_cast<uint8_t*>(av_mallocz(extra.size() + AV_INPUT_BUFFER_PADDING_SIZE));
    std::copy(extra.begin(), extra.end(), par->extradata);
    par->extradata_size = static_cast<int>(extra.size());
  }
  auto decoder = VideoDecoder::open(par, options_.hwdec, options_.decoder_threads);
  avcodec_parameters_free(&par);
  if (!decoder.ok())
    return fail(PlayEnd::Rejected, std::string(base::sv(decoder.status().message())));
  decoder_ = std::move(*decoder);
  packet_ = av_packet_alloc();
  frame_ = av_frame_alloc();
  sink_.on_opened(decoder_->description(), decoder_->codec_name());
  return std::nullopt;
}

void Playback::count_gap(int64_t pts) {
  if (last_pts_ != INT64_MIN && pts > last_pts_) {
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
      pending_.pop_front();  // units that produced no frame
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

bool Playback::on_unit(receiver::MediaUnit&& unit) {
  if (stop_) return false;
  last_media_us_ = base::monotonic_us();
  if (waiting_ || query_) {
    waiting_ = false;
    query_.reset();
    last_pts_ = INT64_MIN;  // the outage is not a loss: the timeline jumped over it
    sink_.on_resumed();
  }
  const auto capture = media::find_capture_time(std::span<const uint8_t>(unit.data));
  sink_.on_packet(unit.data.size(), capture, unit.received_wall_us);
  count_gap(unit.timestamp);
  if (!options_.decode) {
    DecodedFrame f;
    f.capture_us = capture;
    f.decoded_wall_us = unit.received_wall_us;
    got_frames_ = true;
    stop_ = !sink_.on_frame(f);
    return !stop_;
  }
  pending_.push_back({unit.timestamp, capture, base::monotonic_us()});
  if (pending_.size() > 64) pending_.pop_front();
  packet_->data = unit.data.data();
  packet_->size = static_cast<int>(unit.data.size());
  packet_->pts = packet_->dts = unit.timestamp;
  packet_->flags = unit.keyframe ? AV_PKT_FLAG_KEY : 0;
  const int err = decoder_->send(packet_);
  packet_->data = nullptr;
  packet_->size = 0;
  if (err < 0 && err != AVERROR(EAGAIN)) sink_.on_drops(1);
  stop_ = !drain_frames();
  return !stop_;
}

std::optional<PlayOutcome> Playback::decide(const EdgeAnswer& answer, int64_t now) {
  query_.reset();
  const StallDecision d = sink_.on_stall(answer);
  if (d.kind == StallDecision::Kind::Failover) return fail(PlayEnd::Stalled, d.reason);
  waiting_ = true;
  next_check_us_ = now + d.recheck_in.count() * 1000;
  return std::nullopt;
}

std::optional<PlayOutcome> Playback::on_stall_tick(int64_t now) {
  if (query_) {
    if (auto answer = receiver_->take_answer(*query_)) return decide(answer_of(*answer), now);
    if (now < query_deadline_us_) return std::nullopt;
    return decide({EdgeReply::NoAnswer,
                   {},
                   false,
                   base::cat("no answer within ", options_.query_timeout.count(), " ms")},
                  now);
  }
  const int64_t due =
      waiting_ ? next_check_us_ : last_media_us_ + options_.stall_timeout.count() * 1000;
  if (now < due) return std::nullopt;
  auto cseq = receiver_->query(kStallQuery);
  if (!cseq.ok()) {
    return decide({EdgeReply::Closed, {}, false, std::string(base::sv(cseq.status().message()))},
                  now);
  }
  query_ = *cseq;
  query_deadline_us_ = now + options_.query_timeout.count() * 1000;
  return std::nullopt;
}

PlayOutcome Playback::run() {
  if (auto failed = open()) return *failed;
  last_media_us_ = base::monotonic_us();
  const receiver::RtspReceiver::UnitSink sink = [this](receiver::MediaUnit&& unit) {
    on_unit(std::move(unit));
  };
  while (true) {
    const int64_t before = last_media_us_;
    const absl::Status st = receiver_->poll(base::monotonic_us() + 50'000, sink);
    if (stop_ || sink_.stop_requested()) return fail(PlayEnd::Stopped, "stopped");
    if (!st.ok()) {
      if (waiting_ || query_) {
        // The edge went away while we waited on it: say so through the policy, then leave.
        const StallDecision d =
            sink_.on_stall({EdgeReply::Closed, {}, false, std::string(base::sv(st.message()))});
        return fail(PlayEnd::Error, d.reason);
      }
      return fail(PlayEnd::Error, std::string(base::sv(st.message())));
    }
    const int64_t now = base::monotonic_us();
    if (last_media_us_ == before) sink_.on_idle();
    if (auto ended = on_stall_tick(now)) return *ended;
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
