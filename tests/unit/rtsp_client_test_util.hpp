// Helpers for the rtsp::ClientSession tests: the transcript shape and its loader (one text file
// a transcript, tests/unit/transcripts/README.md); transcripts are written with LF line ends and
// without Content-Length, wire() makes the bytes a server sends, and read_response() parses them
// the way the socket driver does, through MessageReader.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "base/lookup.hpp"
#include "base/strings.hpp"
#include "media/frame.hpp"
#include "rtsp/client_session.hpp"
#include "rtsp/message_reader.hpp"
#include "tests/unit/source_files.hpp"
#include "tests/unit/test_bytes.hpp"

namespace rtsp::testing {

// A transcript (tests/unit/transcripts/*/*.txt): what a player calls, the exact requests
// ClientSession must write, the server's answers and what the session must understand.
struct Exchange {
  // "OPTIONS", "DESCRIBE", "SETUP <track> <transport offer>", "PLAY", "GET_PARAMETER",
  // "TEARDOWN".
  std::string call;
  std::string request;   // what our builder must write
  std::string response;  // what the server answered (Content-Length is added)
  ClientReaction::Kind want = ClientReaction::Kind::Done;
};

struct WantTrack {
  media::Codec codec = media::Codec::Unknown;
  std::string control_url;
  std::string transport;  // canonical serialization of the server's answer
  std::optional<uint16_t> seq;
  std::optional<uint32_t> rtptime;
};

struct Transcript {
  std::string name;
  std::string url;
  std::vector<Exchange> exchanges;
  std::vector<WantTrack> tracks;
  std::string session_id;  // as known before TEARDOWN
  int timeout_s = 60;
  std::string control_url;
  bool supports_get_parameter = true;
  std::string file;  // where it was read from
};

namespace transcript_file {

// The names a transcript file writes for reaction kinds and codecs: the enumerators' own.
inline constexpr base::Row<ClientReaction::Kind, std::string_view> kKinds[] = {
    {ClientReaction::Kind::Done, "Done"},
    {ClientReaction::Kind::RetryWithAuth, "RetryWithAuth"},
    {ClientReaction::Kind::Redirect, "Redirect"},
    {ClientReaction::Kind::Ignored, "Ignored"},
};
inline constexpr base::Row<media::Codec, std::string_view> kCodecs[] = {
    {media::Codec::Unknown, "Unknown"}, {media::Codec::H264, "H264"}, {media::Codec::H265, "H265"},
    {media::Codec::Aac, "Aac"},         {media::Codec::Opus, "Opus"}, {media::Codec::Pcmu, "Pcmu"},
    {media::Codec::Pcma, "Pcma"},
};

// The key of the row named `name`, or nullopt.
template <typename K, size_t N>
std::optional<K> named(const base::Row<K, std::string_view> (&table)[N], std::string_view name) {
  const auto* row = base::find_row(table, [&](const auto& r) { return r.second == name; });
  return row != nullptr ? std::optional<K>(row->first) : std::nullopt;
}

// "codec=H264 control=URL transport=T [seq=N] [rtptime=N]".
inline absl::StatusOr<WantTrack> parse_track(std::string_view text) {
  WantTrack t;
  bool codec = false;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t end = std::min(text.find(' ', pos), text.size());
    const std::string_view item = text.substr(pos, end - pos);
    pos = end + 1;
    const size_t eq = item.find('=');
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? "" : item.substr(eq + 1);
    std::optional<uint64_t> number = base::parse_decimal(value, 10);
    if (key == "codec" && named(kCodecs, value)) {
      t.codec = *named(kCodecs, value);
      codec = true;
    } else if (key == "control" && !value.empty()) {
      t.control_url = value;
    } else if (key == "transport" && !value.empty()) {
      t.transport = value;
    } else if (key == "seq" && number && *number <= UINT16_MAX) {
      t.seq = static_cast<uint16_t>(*number);
    } else if (key == "rtptime" && number && *number <= UINT32_MAX) {
      t.rtptime = static_cast<uint32_t>(*number);
    } else {
      return absl::InvalidArgumentError(base::cat("bad track item '", item, "'"));
    }
  }
  if (!codec || t.control_url.empty() || t.transport.empty()) {
    return absl::InvalidArgumentError("a track needs codec=, control= and transport=");
  }
  return t;
}

// Reads a transcript file's text line by line; every error names the line.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  static constexpr std::string_view kCall = "@@ call: ";
  static constexpr std::string_view kReaction = "@@ reaction: ";

  absl::StatusOr<Transcript> parse() {
    if (const size_t cr = text_.find('\r'); cr != std::string_view::npos) {
      return fail_at(cr, "a CR: transcripts are LF text (wire() adds the CRs)");
    }
    if (!text_.empty() && text_.back() != '\n') return fail_at(text_.size(), "no LF at the end");
    Transcript t;
    if (auto head = parse_head(t); !head.ok()) return head;
    while (next_content_line()) {
      Exchange e;
      std::string_view line = take();
      if (!line.starts_with(kCall)) return fail("expected '@@ call: <method ...>'");
      e.call = line.substr(kCall.size());
      if (take() != "@@ request") return fail("expected '@@ request'");
      if (!block(e.request)) return fail("the request is not closed by '@@ response'");
      if (take() != "@@ response") return fail("expected '@@ response'");
      if (!block(e.response)) return fail("the response is not closed by '@@ reaction: <kind>'");
      line = take();
      const auto kind =
          line.starts_with(kReaction) ? named(kKinds, line.substr(kReaction.size())) : std::nullopt;
      if (!kind) return fail("expected '@@ reaction: Done|RetryWithAuth|Redirect|Ignored'");
      e.want = *kind;
      t.exchanges.push_back(std::move(e));
    }
    if (t.exchanges.empty()) return fail("no exchange ('@@ call: ...')");
    return t;
  }

 private:
  // "key: value" lines until the first "@@" line; every key but track exactly once.
  absl::Status parse_head(Transcript& t) {
    std::vector<std::string> seen;
    while (next_content_line() && !text_.substr(pos_).starts_with("@@")) {
      const std::string_view line = take();
      const size_t colon = line.find(": ");
      const std::string key(line.substr(0, colon));
      const std::string_view value = colon == std::string_view::npos ? "" : line.substr(colon + 2);
      if (key != "track" && std::find(seen.begin(), seen.end(), key) != seen.end()) {
        return fail(base::cat("'", key, "' again"));
      }
      seen.push_back(key);
      const std::optional<uint64_t> number = base::parse_decimal(value, 6);
      if (key == "name" && !value.empty()) {
        t.name = value;
      } else if (key == "url" && !value.empty()) {
        t.url = value;
      } else if (key == "session") {
        t.session_id = value;
      } else if (key == "timeout" && number) {
        t.timeout_s = static_cast<int>(*number);
      } else if (key == "control") {
        t.control_url = value;
      } else if (key == "get_parameter" && (value == "yes" || value == "no")) {
        t.supports_get_parameter = value == "yes";
      } else if (key == "track") {
        auto track = parse_track(value);
        if (!track.ok()) return fail(base::sv(track.status().message()));
        t.tracks.push_back(*std::move(track));
      } else {
        return fail(base::cat("bad header line '", line, "'"));
      }
    }
    for (const char* key : {"name", "url", "session", "timeout", "control", "get_parameter"}) {
      if (std::find(seen.begin(), seen.end(), key) == seen.end()) {
        return fail(base::cat("no '", key, ": ...' line before the first exchange"));
      }
    }
    return absl::OkStatus();
  }

  // Skips blank and '#' lines; false at the end of the text.
  bool next_content_line() {
    while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '#')) {
      take();
    }
    return pos_ < text_.size();
  }

  // The next line without its LF.
  std::string_view take() {
    const size_t end = text_.find('\n', pos_);
    const std::string_view line = text_.substr(pos_, end - pos_);
    ++line_;
    pos_ = end == std::string_view::npos ? text_.size() : end + 1;
    return line;
  }

  // Every line up to the next "@@" line, each with its LF, byte for byte; "@@ no newline at end"
  // drops the last LF. False when the text ends first.
  bool block(std::string& out) {
    while (pos_ < text_.size() && !text_.substr(pos_).starts_with("@@")) {
      out += take();
      out += '\n';
    }
    if (text_.substr(pos_).starts_with("@@ no newline at end\n") && !out.empty()) {
      take();
      out.pop_back();
    }
    return pos_ < text_.size();
  }

  absl::Status fail(std::string_view what) const {
    return absl::InvalidArgumentError(base::cat("line ", line_, ": ", what));
  }
  absl::Status fail_at(size_t offset, std::string_view what) const {
    const auto line = std::count(text_.begin(), text_.begin() + offset, '\n') + 1;
    return absl::InvalidArgumentError(base::cat("line ", line, ": ", what));
  }

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 0;  // of the line take() returned last
};

}  // namespace transcript_file

// A transcript from the text of a transcript file (tests/unit/transcripts/README.md).
inline absl::StatusOr<Transcript> parse_transcript(std::string_view text) {
  return transcript_file::Parser(text).parse();
}

// Every tests/unit/transcripts/<group>/*.txt of the source tree ($RS_SOURCE_DIR, which ctest
// sets), by file name; a missing RS_SOURCE_DIR, an unreadable or malformed file fails the test.
inline std::vector<Transcript> load_transcripts(std::string_view group) {
  namespace fs = std::filesystem;
  const auto root = rstest::source_path("tests/unit/transcripts");
  if (!root) return {};
  const fs::path dir = *root / group;
  std::error_code error;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir, error)) {
    if (entry.path().extension() == ".txt") files.push_back(entry.path());
  }
  if (error) ADD_FAILURE() << "cannot list " << dir << ": " << error.message();
  std::sort(files.begin(), files.end());
  std::vector<Transcript> out;
  for (const fs::path& file : files) {
    const auto text = rstest::read_file_bytes(file);
    if (!text) {
      ADD_FAILURE() << file.string() << ": unreadable";
      continue;
    }
    auto t = parse_transcript(*text);
    if (!t.ok()) {
      ADD_FAILURE() << file.string() << ": " << t.status().message();
      continue;
    }
    t->file = file.string();
    out.push_back(*std::move(t));
  }
  return out;
}

// LF -> CRLF in the head and the body; adds Content-Length after the last header when there is a
// body and no Content-Length is written.
inline std::string wire(std::string_view lf) {
  using test_bytes::crlf;
  const size_t blank = lf.find("\n\n");
  if (blank == std::string_view::npos) return crlf(lf);
  std::string head = crlf(lf.substr(0, blank + 1));
  const std::string body = crlf(lf.substr(blank + 2));
  if (!body.empty() && head.find("Content-Length:") == std::string::npos) {
    head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  return head + "\r\n" + body;
}

// One response through MessageReader(Kind::Responses); fails the test unless exactly one comes out.
inline Response read_response(std::string_view lf) {
  MessageReader reader(MessageReader::Kind::Responses);
  auto items = reader.feed(wire(lf));
  EXPECT_EQ(items.size(), 1u) << lf;
  if (items.size() != 1 || !std::holds_alternative<Response>(items[0])) {
    ADD_FAILURE() << "not one response: " << lf;
    return Response{.status = 599};
  }
  return std::get<Response>(items[0]);
}

// One H.264 track (trackID=0) and one PCMU track (trackID=1), relative to the request URL.
inline constexpr std::string_view kSdp = R"(v=0
o=- 1 1 IN IP4 10.0.0.1
s=cam
t=0 0
m=video 0 RTP/AVP 96
a=rtpmap:96 H264/90000
a=control:trackID=0
m=audio 0 RTP/AVP 0
a=control:trackID=1
)";

// A session for `url`; fails the test when create() does.
inline ClientSession make(std::string url = "rtsp://cam/live", ClientSessionConfig config = {}) {
  config.url = std::move(url);
  auto session = ClientSession::create(std::move(config));
  EXPECT_TRUE(session.ok()) << session.status();
  return *std::move(session);
}

// The session's reaction to a response written as LF text.
inline absl::StatusOr<ClientReaction> answer(ClientSession& s, std::string_view lf) {
  return s.on_response(read_response(lf));
}

// "200 OK" with `headers` (each ending in LF) and `body`.
inline std::string ok(int cseq, std::string_view headers = "", std::string_view body = "") {
  return "RTSP/1.0 200 OK\nCSeq: " + std::to_string(cseq) + "\n" + std::string(headers) + "\n" +
         std::string(body);
}

}  // namespace rtsp::testing

// The names the rule-by-rule ClientSession suites use unqualified (`using namespace`).
namespace rtsp::client_test_names {
using Kind = ClientReaction::Kind;
using rtsp::testing::answer;
using rtsp::testing::kSdp;
using rtsp::testing::make;
using rtsp::testing::ok;
}  // namespace rtsp::client_test_names
