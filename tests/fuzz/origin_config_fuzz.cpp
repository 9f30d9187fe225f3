// Fuzz target for rtsp-origin's --config file (origin/config_file.hpp): protobuf text format,
// then every stream's fields validated as the flags are. Input: the file's text (at most
// kMaxConfigBytes, as load_config_file reads).
//
// Oracles: no crash; an error is one line that starts with the file's name; a file that parses
// gives 1..kMaxConfigStreams streams with distinct names, each with a source, and parses to the
// same streams again.
#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "base/strings.hpp"
#include "origin/config_file.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using fuzz::check;
constexpr std::string_view kFile = "fuzz.conf";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > origin::kMaxConfigBytes) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const origin::OriginFlags defaults;
  auto streams = origin::parse_config_text(text, kFile, defaults);
  if (!streams.ok()) {
    const std::string_view message = base::sv(streams.status().message());
    check(message.starts_with(kFile), "an error does not name the file");
    check(message.find('\n') == std::string_view::npos, "an error spans lines");
    return 0;
  }
  check(!streams->empty() && streams->size() <= origin::kMaxConfigStreams, "stream count");
  std::set<std::string> names;
  for (const auto& s : *streams) {
    check(names.insert(s.stream).second, "two streams of one name");
    check(!s.source.empty(), "a stream without a source");
  }
  auto again = origin::parse_config_text(text, kFile, defaults);
  check(again.ok() && again->size() == streams->size(), "a second parse differs");
  return 0;
}
