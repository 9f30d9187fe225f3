// Fuzz target for RTSP authentication (rtsp/auth.hpp), both sides, from one RTSP request:
//   * server: Authenticator::check on the parsed request (its Authorization header, Basic or
//     Digest) for a protected stream, both permissions, with a fixed AuthConfig. Every
//     "@NONCE@" in the input is replaced by a nonce the authenticator issued, so the fuzzer gets
//     past nonce validation into the Digest response checks;
//   * client: parse_challenges on every WWW-Authenticate field and pick_challenge on them all,
//     then authorization() for each usable challenge.
//
// Oracles: no crash; a decision is 200 (allowed, with a listed user), 401 (with challenges) or
// 403; every challenge we issue parses back and a correct answer to it is let in (client and
// server agree); pick_challenge returns one of the parsed challenges of the strongest scheme;
// Digest challenges carry a nonce; no Authorization value we build holds CR or LF.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/match.h"
#include "base/strings.hpp"
#include "rtsp/auth.hpp"
#include "rtsp/message.hpp"
#include "tests/fuzz/fuzz_check.hpp"

namespace {

using fuzz::check;

constexpr int64_t kNow = 1'700'000'000'000'000;

rtsp::AuthConfig config() {
  rtsp::AuthConfig c;
  c.realm = "cams";
  c.users = {{"alice", "wonderland"}, {"bob", "builder"}};
  c.readers = {{"cam1", {"alice"}}};
  c.publishers = {{"cam1", {"bob"}}};
  return c;
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

void check_decision(const rtsp::AuthDecision& d, const std::vector<std::string>& allowed_users) {
  if (d.allowed) {
    check(d.status == 200, "allowed with a status other than 200");
    check(std::find(allowed_users.begin(), allowed_users.end(), d.user) != allowed_users.end(),
          "allowed a user the stream does not list");
    return;
  }
  check(d.status == 401 || d.status == 403, "refused with a status other than 401/403");
  check(d.status != 401 || !d.www_authenticate.empty(), "401 without a challenge");
  for (const auto& value : d.www_authenticate) {
    check(!rtsp::parse_challenges(value).empty(), "our own challenge does not parse");
  }
}

// A client answering `decision`'s challenges with the right credentials gets in.
void check_round_trip(rtsp::Authenticator& auth, const rtsp::Request& request,
                      const rtsp::AuthDecision& decision, rtsp::Permission permission,
                      const rtsp::ClientCredentials& credentials) {
  if (decision.status != 401) return;
  // The uri goes into a quoted-string; keep to what a request line can carry unquoted.
  if (request.uri.find_first_of("\"\\") != std::string::npos || has_line_break(request.uri)) return;
  rtsp::Headers headers;
  for (const auto& value : decision.www_authenticate) headers.add("WWW-Authenticate", value);
  auto picked = rtsp::pick_challenge(headers);
  check(picked.has_value() && picked->scheme == rtsp::AuthScheme::DigestSha256,
        "our strongest challenge not picked");
  rtsp::Request retry = request;
  retry.headers.set("Authorization", rtsp::authorization(*picked, credentials, request.method,
                                                         request.uri, "0a4f113b", 1));
  // Another address: the fuzzed attempt may have used up this one's failures.
  auto again = auth.check(retry, "cam1", "192.0.2.99", kNow + 1000, permission);
  check(again.allowed && again.user == credentials.user, "a correct answer to our challenge fails");
}

void check_server(std::string_view input) {
  auto request = rtsp::Request::parse(input);
  if (!request.ok()) return;
  rtsp::Authenticator auth(config(), "fuzz-secret");
  const std::vector<std::string> readers = {"alice"};
  const std::vector<std::string> publishers = {"bob"};
  auto read = auth.check(*request, "cam1", "192.0.2.1", kNow + 1, rtsp::Permission::Read);
  check_decision(read, readers);
  auto publish = auth.check(*request, "cam1", "192.0.2.1", kNow + 1, rtsp::Permission::Publish);
  check_decision(publish, publishers);
  auto open = auth.check(*request, "cam2", "192.0.2.1", kNow + 1, rtsp::Permission::Read);
  check(open.allowed, "an unlisted stream is not open");
  check_round_trip(auth, *request, read, rtsp::Permission::Read, {"alice", "wonderland"});
  check_round_trip(auth, *request, publish, rtsp::Permission::Publish, {"bob", "builder"});
}

void check_client(std::string_view input) {
  auto request = rtsp::Request::parse(input);
  if (!request.ok()) return;
  std::vector<rtsp::AuthChallenge> all;
  for (const auto& field : request->headers.fields()) {
    if (!absl::EqualsIgnoreCase(base::av(field.name), "WWW-Authenticate")) continue;
    for (const auto& c : rtsp::parse_challenges(field.value)) {
      if (c.scheme != rtsp::AuthScheme::Basic) check(!c.nonce.empty(), "Digest without nonce");
      all.push_back(c);
    }
  }
  auto picked = rtsp::pick_challenge(request->headers);
  check(picked.has_value() == !all.empty(), "pick_challenge disagrees with parse_challenges");
  if (picked) {
    check(std::find(all.begin(), all.end(), *picked) != all.end(), "picked an unparsed challenge");
    for (const auto& c : all) check(c.scheme <= picked->scheme, "picked a weaker challenge");
  }
  for (const auto& c : all) {
    const std::string value =
        rtsp::authorization(c, {"admin", "pass\"word"}, request->method, request->uri, "abc", 2);
    check(!has_line_break(value), "Authorization value with a line break");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  static const std::string nonce = rtsp::Authenticator(config(), "fuzz-secret").make_nonce(kNow);
  for (size_t at = input.find("@NONCE@"); at != std::string::npos; at = input.find("@NONCE@", at)) {
    input.replace(at, 7, nonce);
    at += nonce.size();
  }
  check_server(input);
  check_client(input);
  return 0;
}
