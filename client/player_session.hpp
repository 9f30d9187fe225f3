// PlayerSession: one playback of one RTSP URL. Receives with receiver::RtspReceiver, which
// completes each access unit on its last packet (the RTP marker bit) and hands it over at once:
// no parser waits for the next frame. Reads the capture-time SEI from each unit before decoding,
// decodes with VideoDecoder and hands every frame to a FrameSink.
// A stall (no packet within the stall timeout) asks the edge why on the open session
// (GET_PARAMETER stream_state); the sink's StallPolicy decides to wait on this edge or to end
// the playback. Any error ends the playback with its reason.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "client/edge_selector.hpp"
#include "client/stall_policy.hpp"
#include "client/video_decoder.hpp"

extern "C" {
struct AVFrame;
}

namespace client {

struct SessionOptions {
  std::string url;
  std::string transport = "tcp";                 // tcp, udp or multicast
  std::chrono::milliseconds open_timeout{5000};  // connect + DESCRIBE/SETUP/PLAY
  std::chrono::milliseconds stall_timeout{500};  // no packet this long: ask the edge why
  std::chrono::milliseconds query_timeout{300};  // the edge must answer that within this
  HwDecode hwdec = HwDecode::Auto;
  int decoder_threads = 0;
  bool decode = true;  // false: each received video unit counts as a frame (frame == nullptr)
};

struct DecodedFrame {
  const AVFrame* frame = nullptr;     // nullptr when not decoding (SessionOptions::decode)
  VideoDecoder* decoder = nullptr;    // for to_bgr()
  std::optional<int64_t> capture_us;  // from the SEI of the packet that carried the frame
  int64_t decode_us = 0;              // send packet -> frame out
  int64_t decoded_wall_us = 0;        // wall clock when the frame came out of the decoder
};

// Callbacks on the playback thread, except stop_requested() (also from libavformat's
// interrupt callback, on the same thread).
class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // The stream is open and the decoder ready.
  virtual void on_opened(const std::string& decoder, const std::string& codec) = 0;
  // A video packet arrived; capture_us from its SEI (nullopt without one).
  virtual void on_packet(size_t bytes, std::optional<int64_t> capture_us,
                         int64_t received_wall_us) = 0;
  // A frame was decoded. Return false to end the playback (PlayEnd::Stopped).
  virtual bool on_frame(const DecodedFrame& frame) = 0;
  // Frames lost (gaps in the timestamps) or undecodable.
  virtual void on_drops(uint64_t count) = 0;
  virtual bool stop_requested() = 0;
  // Nothing arrived for the stall timeout and the edge was asked why: what to do.
  virtual StallDecision on_stall(const EdgeAnswer& answer) = 0;
  // Media flows again after a stall on this edge (a Wait decision).
  virtual void on_resumed() = 0;
  // Called about every 50 ms while nothing arrives (keeps a window responsive).
  virtual void on_idle() {}
};

// Plays until the sink stops it, the stream stalls or an error happens. Blocking.
PlayOutcome play(const SessionOptions& options, FrameSink& sink);

// True when `url` looks playable by libavformat's RTSP demuxer ("rtsp://host[:port]/...").
bool is_rtsp_url(const std::string& url);

}  // namespace client
