// Camera stand-ins for the origin's tests: media files made at test time with ffmpeg (nothing
// large is committed), and GStreamer's gst-rtsp-server serving them (tests/support/
// camera_server.py, via python3-gi), started on an ephemeral port.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/support/process.hpp"

namespace rstest {

// Clips made once per test binary under a temporary directory. The raw elementary streams hold
// exactly the NAL units of the MP4 files' samples (the MP4s are remuxed from them with -c copy),
// parameter sets in front of every keyframe (25 fps, GOP 25, no B-frames, 320x240).
struct CameraMedia {
  std::string dir;
  std::string h264_raw;      // Annex-B reference, 20 s
  std::string h264_mp4;      // video only
  std::string h264_aac_mp4;  // + AAC 48 kHz mono
  std::string h265_raw;
  std::string h265_mp4;
  std::string h265_aac_mp4;
  std::string loop_1s_aac_mp4;  // 1 s H.264 + AAC, for --loop
  std::string error;            // non-empty when ffmpeg failed
};
const CameraMedia& camera_media();

// Runs ffmpeg with `args`; returns an error message, empty on success.
std::string run_ffmpeg(const std::vector<std::string>& args);

// Splits an Annex-B byte stream file into NAL units (without start codes).
std::vector<std::vector<uint8_t>> read_nal_units(const std::string& path);

// Starts rtsp-origin with `args` plus --publish=`endpoint` and waits for its "started" log line.
std::unique_ptr<Process> start_origin(std::vector<std::string> args, const std::string& endpoint,
                                      std::string* error);
// "tcp://127.0.0.1:<free port>".
std::string free_publish_endpoint();

class CameraServer {
 public:
  struct Options {
    std::string file;
    std::string video = "h264";  // or "h265"
    bool audio = false;
    uint16_t port = 0;  // 0: pick a free one
  };
  // Starts the server and waits until it listens; nullptr and *error on failure.
  static std::unique_ptr<CameraServer> start(const Options& options, std::string* error);
  const std::string& url() const { return url_; }
  uint16_t port() const { return port_; }
  Process& process() { return *process_; }

 private:
  std::unique_ptr<Process> process_;
  std::string url_;
  uint16_t port_ = 0;
};

}  // namespace rstest
