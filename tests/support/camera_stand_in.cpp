// Camera stand-ins; see camera_stand_in.hpp.
#include "tests/support/camera_stand_in.hpp"

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <mutex>

#include "media/h264.hpp"
#include "tests/support/temp_dir.hpp"

namespace rstest {
namespace {

using std::chrono::milliseconds;

std::string source_dir() {
  const char* dir = std::getenv("RS_SOURCE_DIR");
  return dir != nullptr ? dir : ".";
}

// Video as a raw elementary stream, then remuxed (-c copy) into MP4 with and without AAC.
std::string make_clips(CameraMedia& m) {
  std::vector<std::vector<std::string>> steps = {
      {"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "20", "-c:v", "libx264",
       "-preset", "ultrafast", "-g", "25", "-bf", "0", "-pix_fmt", "yuv420p", "-f", "h264",
       m.h264_raw},
      {"-framerate", "25", "-i", m.h264_raw, "-c:v", "copy", m.h264_mp4},
      {"-framerate", "25", "-i", m.h264_raw, "-f", "lavfi", "-i",
       "sine=frequency=440:sample_rate=48000", "-t", "20", "-c:v", "copy", "-c:a", "aac",
       "-shortest", m.h264_aac_mp4},
      {"-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "20", "-c:v", "libx265",
       "-preset", "ultrafast", "-x265-params",
       "log-level=error:keyint=25:bframes=0:repeat-headers=1", "-pix_fmt", "yuv420p", "-f", "hevc",
       m.h265_raw},
      {"-framerate", "25", "-i", m.h265_raw, "-c:v", "copy", "-tag:v", "hvc1", m.h265_mp4},
      {"-framerate", "25", "-i", m.h265_raw, "-f", "lavfi", "-i", "sine=sample_rate=48000", "-t",
       "20", "-c:v", "copy", "-c:a", "aac", "-shortest", "-tag:v", "hvc1", m.h265_aac_mp4},
      {"-f",
       "lavfi",
       "-i",
       "testsrc2=size=320x240:rate=25",
       "-f",
       "lavfi",
       "-i",
       "sine=sample_rate=48000",
       "-t",
       "1",
       "-c:v",
       "libx264",
       "-preset",
       "ultrafast",
       "-g",
       "25",
       "-bf",
       "0",
       "-pix_fmt",
       "yuv420p",
       "-c:a",
       "aac",
       m.loop_1s_aac_mp4},
  };
  for (const auto& step : steps) {
    if (std::string error = run_ffmpeg(step); !error.empty()) return error;
  }
  return "";
}

}  // namespace

std::string run_ffmpeg(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/ffmpeg", "-hide_banner", "-loglevel", "error", "-y"};
  argv.insert(argv.end(), args.begin(), args.end());
  RunResult r = run_command(argv, milliseconds(60'000));
  if (!r.error.empty()) return r.error;
  if (!r.status || !r.status->exited || r.status->code != 0) return "ffmpeg failed: " + r.err;
  return "";
}

const CameraMedia& camera_media() {
  static std::once_flag once;
  static CameraMedia media;
  std::call_once(once, [] {
    static const TempDir dir("camera");  // removed at exit
    if (dir.path().empty()) {
      media.error = "mkdtemp failed";
      return;
    }
    media.dir = dir.path();
    media.h264_raw = media.dir + "/video.h264";
    media.h264_mp4 = media.dir + "/h264.mp4";
    media.h264_aac_mp4 = media.dir + "/h264_aac.mp4";
    media.h265_raw = media.dir + "/video.h265";
    media.h265_mp4 = media.dir + "/h265.mp4";
    media.h265_aac_mp4 = media.dir + "/h265_aac.mp4";
    media.loop_1s_aac_mp4 = media.dir + "/loop_1s.mp4";
    media.error = make_clips(media);
  });
  return media;
}

std::vector<std::vector<uint8_t>> read_nal_units(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  std::vector<std::vector<uint8_t>> out;
  for (auto nal : media::h264::split_annex_b(bytes)) out.emplace_back(nal.begin(), nal.end());
  return out;
}

std::unique_ptr<Process> start_origin(std::vector<std::string> args, const std::string& endpoint,
                                      std::string* error) {
  std::vector<std::string> argv = {bin_path("rtsp-origin"), "--publish=" + endpoint};
  argv.insert(argv.end(), args.begin(), args.end());
  auto origin = Process::start({.argv = argv, .name = "origin"}, error);
  if (origin == nullptr) return nullptr;
  if (!origin->wait_for_stderr_line(std::regex("started: "), milliseconds(10'000))) {
    *error = "origin did not start: " + origin->stderr_tail();
    return nullptr;
  }
  return origin;
}

std::string free_publish_endpoint() {
  return "tcp://127.0.0.1:" + std::to_string(free_tcp_port());
}

std::unique_ptr<CameraServer> CameraServer::start(const Options& options, std::string* error) {
  auto server = std::unique_ptr<CameraServer>(new CameraServer());
  server->port_ = options.port != 0 ? options.port : free_tcp_port();
  std::vector<std::string> argv = {
      "/usr/bin/python3", source_dir() + "/tests/support/camera_server.py",
      "--port",           std::to_string(server->port_),
      "--file",           options.file,
      "--video",          options.video};
  if (options.audio) argv.push_back("--audio");
  server->process_ = Process::start({.argv = argv, .name = "camera"}, error);
  if (server->process_ == nullptr) return nullptr;
  auto ready =
      server->process_->wait_for_stdout_line(std::regex("READY (.*)"), milliseconds(10'000));
  if (!ready) {
    *error = "camera did not start: " + server->process_->stderr_tail();
    return nullptr;
  }
  server->url_ = (*ready)[1];
  return server;
}

}  // namespace rstest
