// rtsp-origin's command line: bad --source values and bad --config files exit 2 with one line
// before anything starts; --config runs several streams; --encoder choices.
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "tests/support/camera_observer.hpp"
#include "tests/support/camera_stand_in.hpp"
#include "tests/support/process.hpp"
#include "tests/unit/table_test.hpp"

namespace rstest {
namespace {

using std::chrono::milliseconds;

size_t count_lines(const std::string& text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

RunResult run_origin(std::vector<std::string> args) {
  args.insert(args.begin(), {bin_path("rtsp-origin"), "--publish=" + free_publish_endpoint()});
  return run_command(args, milliseconds(10'000));
}

void expect_usage_error(const RunResult& r, const std::string& want) {
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_TRUE(r.status.has_value()) << "did not exit within 10 s";
  EXPECT_TRUE(r.status->exited && r.status->code == 2) << r.status->describe() << "\n" << r.err;
  EXPECT_EQ(count_lines(r.err), 1u) << "want one line, got:\n" << r.err;
  EXPECT_NE(r.err.find(want), std::string::npos) << "want '" << want << "' in: " << r.err;
  EXPECT_EQ(r.err.find("started"), std::string::npos) << "nothing may start";
}

TEST(OriginCommandLine, BadSourcesExitTwoWithOneLineBeforeStarting) {
  const Rejection cases[] = {
      {"nonsense scheme", "gopher://camera/1", "unknown scheme 'gopher'"},
      {"missing file", "/no/such/clip.mp4", "file missing: '/no/such/clip.mp4'"},
      {"missing file url", "file:///no/such/clip.mkv", "file missing"},
      {"relative file url", "file://clip.mp4", "want file:///absolute/path"},
      {"rtsp without host", "rtsp://", "no host"},
      {"rtsp without host, with port", "rtsp://:554/x", "no host"},
      {"rtsp bad port", "rtsp://cam:99999/x", "bad port '99999'"},
      {"rtsp with space", "rtsp://cam/a b", "spaces"},
      {"webcam not a number", "webcam:front", "want webcam:N"},
      {"v4l2 not a device", "v4l2://video0", "want v4l2:///dev/videoN"},
      {"pattern bad size", "test://pattern?size=1x1", "bad size '1x1'"},
      {"directory", "/tmp", "not a readable regular file"},
  };
  for (const Rejection& c : cases) {
    SCOPED_TRACE(c.name);
    const RunResult r = run_origin({"--source=" + std::string(c.in)});
    expect_usage_error(r, "--source: ");
    expect_usage_error(r, std::string(c.error));
  }
}

TEST(OriginCommandLine, BadIngestFlagsExitTwoWithOneLineBeforeStarting) {
  struct Case {
    const char* name;
    std::vector<std::string> args;
    const char* want;
  };
  const Case cases[] = {
      {"publish without a listener", {"--source=publish:"}, "--source: publish: needs"},
      {"bad rtsp address", {"--source=publish:", "--ingest_rtsp=1.2.3.4:99999"}, "--ingest_rtsp:"},
      {"bad rtmp address", {"--source=publish:", "--ingest_rtmp=nohost:"}, "--ingest_rtmp:"},
      {"bad bitrate",
       {"--source=publish:", "--ingest_rtsp=127.0.0.1:0", "--ingest_max_bitrate=fast"},
       "--ingest_max_bitrate:"},
      {"bad size",
       {"--source=publish:", "--ingest_rtsp=127.0.0.1:0", "--ingest_max_size=huge"},
       "--ingest_max_size:"},
      {"bad timeout",
       {"--source=publish:", "--ingest_rtsp=127.0.0.1:0", "--ingest_timeout=1ms"},
       "--ingest_timeout: bad duration '1ms'"},
      {"missing auth file",
       {"--source=publish:", "--ingest_rtsp=127.0.0.1:0", "--ingest_auth_file=/no/such/auth"},
       "--ingest_auth_file: cannot read /no/such/auth"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    expect_usage_error(run_origin(c.args), c.want);
  }
}

TEST(OriginCommandLine, PasswordIsNotEchoedInErrors) {
  const RunResult r = run_origin({"--source=rtsp://admin:hunter2@cam:0/x"});
  expect_usage_error(r, "admin:***@");
  EXPECT_EQ(r.err.find("hunter2"), std::string::npos);
}

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = camera_media().dir + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(OriginCommandLine, ConfigErrorsExitTwoWithLineNumbers) {
  ASSERT_EQ(camera_media().error, "");
  // Rejection.error: what follows the file's path.
  const Rejection cases[] = {
      {"syntax", "streams {\n  stream: \"a\"\n  source \"test://pattern\"\n}\n",
       ":3:10: Expected \":\""},
      {"unknown field",
       "streams {\n  stream: \"a\"\n  source: \"test://pattern\"\n  colour: 1\n}\n", ":4:"},
      {"bad size",
       "streams {\n  stream: \"a\"\n  source: \"test://pattern\"\n}\nstreams {\n"
       "  stream: \"b\"\n  source: \"test://pattern\"\n  size: \"3x3\"\n}\n",
       ":8:3: stream 'b': size: bad size '3x3'"},
      {"missing source", "streams {\n  stream: \"a\"\n}\n", ":1:1: stream 'a': source: required"},
      {"duplicate name",
       "streams { stream: \"a\" source: \"test://pattern\" }\n"
       "streams { stream: \"a\" source: \"test://pattern\" }\n",
       ":2:11: stream 'a': stream: name used twice"},
      {"bad transport",
       "streams {\n  stream: \"a\"\n  source: \"rtsp://cam/x\"\n  source_transport: \"sctp\"\n}\n",
       ":4:3: stream 'a': source_transport: bad transport 'sctp'"},
      {"missing file", "streams {\n  stream: \"a\"\n  source: \"/no/clip.mp4\"\n}\n",
       ":3:3: stream 'a': source: file missing"},
      {"empty", "# nothing\n", ": no streams"},
  };
  for (const Rejection& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string path = write_file("bad.conf", std::string(c.in));
    const RunResult r = run_origin({"--config=" + path});
    expect_usage_error(r, path + std::string(c.error));
  }
}

TEST(OriginCommandLine, ConfigRunsSeveralStreams) {
  const CameraMedia& media = camera_media();
  ASSERT_EQ(media.error, "");
  const std::string path = write_file(
      "two.conf",
      "# two streams from one origin\n"
      "streams {\n  stream: \"pattern\"\n  source: \"test://pattern?size=320x240&fps=25\"\n}\n"
      "streams {\n  stream: \"clip\"\n  source: \"" +
          media.loop_1s_aac_mp4 + "\"\n  loop: true\n}\n");
  std::string error;
  const std::string endpoint = free_publish_endpoint();
  auto pattern = FrameRecorder::start(endpoint, "pattern", &error);
  ASSERT_NE(pattern, nullptr) << error;
  auto clip = FrameRecorder::start(endpoint, "clip", &error);
  ASSERT_NE(clip, nullptr) << error;
  auto origin = start_origin({"--config=" + path, "--encoder=libx264"}, endpoint, &error);
  ASSERT_NE(origin, nullptr) << error;
  auto enough = [](const Recording& r) { return r.track(0).size() >= 30; };
  EXPECT_TRUE(pattern->wait_until(enough, milliseconds(10'000))) << origin->stderr_tail();
  EXPECT_TRUE(clip->wait_until(enough, milliseconds(10'000))) << origin->stderr_tail();
  for (const auto& f : pattern->snapshot().frames) ASSERT_EQ(f.track, 0u);
  EXPECT_FALSE(clip->snapshot().track(1).empty()) << "the clip's AAC";
}

TEST(OriginCommandLine, NamedEncoderThatIsMissingExitsTwo) {
  struct stat st {};
  if (::stat("/dev/dri", &st) == 0) GTEST_SKIP() << "this machine may have a VAAPI/QSV device";
  const RunResult r = run_origin({"--encoder=h264_qsv"});
  expect_usage_error(r, "--encoder: encoder 'h264_qsv' is not usable on this machine");
  expect_usage_error(run_origin({"--encoder=x265"}), "--encoder: unknown encoder 'x265'");
}

TEST(OriginCommandLine, EncoderAutoSaysWhichItChose) {
  std::string error;
  auto origin = start_origin({"--encoder=auto", "--source=test://pattern?size=320x240"},
                             free_publish_endpoint(), &error);
  ASSERT_NE(origin, nullptr) << error;
  EXPECT_NE(origin->stderr_text().find("--encoder=auto chose "), std::string::npos)
      << origin->stderr_text();
}

}  // namespace
}  // namespace rstest
