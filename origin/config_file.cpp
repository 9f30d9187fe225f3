// --config parsing and validation; see config_file.hpp.
#include "origin/config_file.hpp"

#include "origin/stream_flags.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/text_format.h>

#include "base/cli.hpp"
#include "base/strings.hpp"
#include "proto/origin_config.pb.h"

namespace origin {
namespace {

namespace pb = google::protobuf;
using rs::origin::OriginConfigFile;
using rs::origin::StreamConfig;

// Keeps the first syntax error with its position (the parser reports 0-based lines/columns).
class FirstError : public pb::io::ErrorCollector {
 public:
  void AddError(int line, pb::io::ColumnNumber column, const std::string& message) override {
    if (!message_.empty()) return;
    line_ = line + 1;
    column_ = column + 1;
    message_ = message;
  }
  std::string describe(std::string_view file) const {
    return base::one_line(base::cat(file, ":", line_, ":", column_, ": ", message_));
  }

 private:
  int line_ = 0;
  int column_ = 0;
  std::string message_;
};

// The flags with the entry's fields applied on top.
OriginFlags merge(const OriginFlags& defaults, const StreamConfig& entry) {
  OriginFlags f = defaults;
  f.stream = entry.stream();
  f.source = entry.source();
  if (entry.has_source_transport()) f.source_transport = entry.source_transport();
  if (entry.has_loop()) f.loop = entry.loop();
  if (entry.has_transcode()) f.transcode = entry.transcode();
  if (entry.has_size()) f.size = entry.size();
  if (entry.has_fps()) f.fps = entry.fps();
  if (entry.has_bitrate()) f.bitrate = entry.bitrate();
  if (entry.has_gop()) f.gop = entry.gop();
  if (entry.has_x264_preset()) f.x264_preset = entry.x264_preset();
  if (entry.has_reconnect_initial()) f.reconnect_initial = entry.reconnect_initial();
  if (entry.has_reconnect_max()) f.reconnect_max = entry.reconnect_max();
  return f;
}

// "FILE:LINE:COL" of `field` in streams[index], or of the entry itself when the field is absent.
std::string position(std::string_view file, pb::TextFormat::ParseInfoTree& tree, int index,
                     std::string_view field_name) {
  const pb::FieldDescriptor* streams = OriginConfigFile::descriptor()->FindFieldByName("streams");
  pb::TextFormat::ParseLocation at = tree.GetLocation(streams, index);
  const pb::FieldDescriptor* field =
      StreamConfig::descriptor()->FindFieldByName(std::string(field_name));
  if (pb::TextFormat::ParseInfoTree* nested = tree.GetTreeForNested(streams, index);
      nested != nullptr && field != nullptr) {
    const pb::TextFormat::ParseLocation field_at = nested->GetLocation(field, -1);
    if (field_at.line >= 0) at = field_at;
  }
  return base::cat(file, ":", at.line + 1, ":", at.column + 1);
}

// Turns "--size: bad size ..." into "FILE:L:C: stream 'cam2': size: bad size ...".
absl::Status entry_error(std::string_view file, pb::TextFormat::ParseInfoTree& tree, int index,
                         const StreamConfig& entry, std::string_view message) {
  std::string_view field = "stream";
  std::string_view rest = message;
  if (message.starts_with("--")) {
    const size_t colon = message.find(": ");
    field = message.substr(2, colon - 2);
    rest = message.substr(colon + 2);
  }
  const std::string who = entry.stream().empty() ? base::cat("streams[", index, "]")
                                                 : base::cat("stream '", entry.stream(), "'");
  return absl::InvalidArgumentError(base::one_line(
      base::cat(position(file, tree, index, field), ": ", who, ": ", field, ": ", rest)));
}

}  // namespace

absl::StatusOr<std::vector<StreamSettings>> parse_config_text(std::string_view text,
                                                              std::string_view file_name,
                                                              const OriginFlags& defaults) {
  OriginConfigFile parsed;
  FirstError errors;
  pb::TextFormat::ParseInfoTree tree;
  pb::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  parser.WriteLocationsTo(&tree);
  if (!parser.ParseFromString(std::string(text), &parsed)) {
    return absl::InvalidArgumentError(errors.describe(file_name));
  }
  if (parsed.streams_size() == 0) {
    return absl::InvalidArgumentError(base::cat(file_name, ": no streams (want streams { ... })"));
  }
  if (static_cast<size_t>(parsed.streams_size()) > kMaxConfigStreams) {
    return absl::InvalidArgumentError(
        base::cat(file_name, ": more than ", kMaxConfigStreams, " streams"));
  }
  std::vector<StreamSettings> out;
  std::set<std::string> names;
  for (int i = 0; i < parsed.streams_size(); ++i) {
    const StreamConfig& entry = parsed.streams(i);
    if (entry.source().empty()) {
      return entry_error(file_name, tree, i, entry, "--source: required");
    }
    auto settings = stream_from_flags(merge(defaults, entry));
    if (!settings.ok()) {
      return entry_error(file_name, tree, i, entry, base::sv(settings.status().message()));
    }
    if (!names.insert(entry.stream()).second) {
      return entry_error(file_name, tree, i, entry, "--stream: name used twice");
    }
    out.push_back(std::move(settings).value());
  }
  return out;
}

absl::StatusOr<std::vector<StreamSettings>> load_config_file(const std::string& path,
                                                             const OriginFlags& defaults) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(base::cat("--config: cannot read '", path, "'"));
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().size() > kMaxConfigBytes) {
    return absl::InvalidArgumentError(
        base::cat("--config: '", path, "' is larger than ", kMaxConfigBytes, " bytes"));
  }
  return parse_config_text(text.str(), path, defaults);
}

}  // namespace origin
