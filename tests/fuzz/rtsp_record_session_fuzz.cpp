// Fuzz target for a publisher's RTSP session (the origin's ingest port): the bytes go through
// MessageReader (Kind::Requests) and every request into a ServerSession whose host takes
// publishers (ANNOUNCE, SETUP mode=record, RECORD), as RtspIngestServer's does.
//
// Oracles: every answer carries the request's CSeq (when it had one) and a status in 200..599;
// the session is Recording only after the host said yes to RECORD, and only for announced media
// the host set up; 405 answers carry Allow.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "rtsp/message_reader.hpp"
#include "rtsp/server_session.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using fuzz::check;

class Host final : public rtsp::ServerSessionHost {
 public:
  absl::StatusOr<std::string> describe(std::string_view) override {
    return absl::UnimplementedError("publishers only");
  }
  absl::StatusOr<rtsp::Transport> setup(std::string_view, uint32_t,
                                        const std::vector<rtsp::Transport>&) override {
    return absl::UnimplementedError("publishers only");
  }
  absl::StatusOr<std::vector<rtsp::PlayStart>> play() override {
    return absl::FailedPreconditionError("publishers only");
  }
  void pause() override {}
  void teardown() override { announced = false; }
  std::string_view public_methods() const override { return rtsp::kRecordMethods; }
  std::string allowed_methods(std::string_view stream) const override {
    return stream == "play" ? "OPTIONS" : std::string(rtsp::kRecordMethods);
  }
  absl::Status announce(std::string_view stream, const media::SdpDescription& sdp,
                        std::string_view) override {
    if (stream == "play") return absl::UnimplementedError("play-only");
    if (stream == "busy") return absl::AlreadyExistsError("has a publisher");
    check(!sdp.media.empty(), "announce of an SDP without media");
    announced = true;
    media = sdp.media.size();
    return absl::OkStatus();
  }
  absl::StatusOr<rtsp::Transport> setup_record(
      size_t index, const std::vector<rtsp::Transport>& offered) override {
    check(announced, "setup_record before announce");
    check(index < media, "setup_record of a media not announced");
    check(!offered.empty(), "setup_record without offers");
    rtsp::Transport t = offered.front();
    t.mode = rtsp::TransportMode::Record;
    return t;
  }
  absl::Status record() override {
    check(announced, "record before announce");
    return absl::OkStatus();
  }

  bool announced = false;
  size_t media = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  Host host;
  rtsp::ServerSession session(host, "0123456789ABCDEF", std::chrono::seconds(60));
  rtsp::MessageReader reader(rtsp::MessageReader::Kind::Requests);
  for (const auto& item : reader.feed(input)) {
    const auto* request = std::get_if<rtsp::Request>(&item);
    if (request == nullptr) continue;
    const rtsp::Outcome out = session.handle(*request);
    check(out.response.status >= 200 && out.response.status <= 599, "status out of range");
    if (auto cseq = request->headers.get("CSeq"); cseq && request->cseq()) {
      check(out.response.headers.get("CSeq").has_value(), "answer without CSeq");
    }
    if (out.response.status == 405) {
      check(out.response.headers.get("Allow").has_value(), "405 without Allow");
    }
    if (session.state() == rtsp::SessionState::Recording) {
      check(host.announced, "recording without an announcement");
    }
    auto again = rtsp::Response::parse(out.response.serialize());
    check(again.ok(), "the answer does not parse back");
  }
  return 0;
}
