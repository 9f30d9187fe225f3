// Basic (RFC 7617) and Digest (RFC 7616) authentication: RTSP readers on the server side, and
// answers to a server's challenges on the client side.
#include "rtsp/auth.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "base/strings.hpp"

namespace rtsp {
namespace {

std::string hex(const unsigned char* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0xf]);
  }
  return out;
}

std::string digest_hex(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(data.data(), data.size(), out, &size, md, nullptr);
  return hex(out, size);
}

std::string hmac_hex(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &size);
  return hex(out, size);
}

// Splits a Digest credentials list: name=value or name="quoted value", comma-separated.
absl::flat_hash_map<std::string, std::string> parse_params(std::string_view text) {
  absl::flat_hash_map<std::string, std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == ',' || text[i] == '\t')) ++i;
    const size_t eq = text.find('=', i);
    if (eq == std::string_view::npos) break;
    std::string name(base::sv(absl::StripAsciiWhitespace(base::av(text.substr(i, eq - i)))));
    absl::AsciiStrToLower(&name);
    i = eq + 1;
    std::string value;
    if (i < text.size() && text[i] == '"') {
      ++i;
      while (i < text.size() && text[i] != '"') {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        value.push_back(text[i++]);
      }
      ++i;
    } else {
      const size_t end = std::min(text.find(',', i), text.size());
      value = std::string(base::sv(absl::StripAsciiWhitespace(base::av(text.substr(i, end - i)))));
      i = end;
    }
    out[name] = value;
  }
  return out;
}

// Splits a WWW-Authenticate value into challenges (RFC 7235 4.1: WWW-Authenticate = 1#challenge;
// 2.1: challenge = auth-scheme [ 1*SP ( token68 / #auth-param ) ]). An item between top-level
// commas that starts with a word without '=' followed by a space, or is a lone word, starts a
// challenge.
struct RawChallenge {
  std::string scheme;
  std::string params;
};

std::vector<std::string_view> split_top_level_commas(std::string_view text) {
  std::vector<std::string_view> items;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (quoted && text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      quoted = !quoted;
    } else if (text[i] == ',' && !quoted) {
      items.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  items.push_back(text.substr(start));
  return items;
}

std::vector<RawChallenge> split_challenges(std::string_view value) {
  std::vector<RawChallenge> out;
  for (std::string_view item : split_top_level_commas(value)) {
    item = base::sv(absl::StripAsciiWhitespace(base::av(item)));
    if (item.empty()) continue;
    const size_t space = item.find_first_of(" \t");
    const std::string_view word = item.substr(0, space);
    if (word.find('=') == std::string_view::npos) {
      out.push_back({std::string(word), space == std::string_view::npos
                                            ? std::string()
                                            : std::string(item.substr(space + 1))});
    } else if (!out.empty()) {
      out.back().params += base::cat(", ", item);
    }
  }
  return out;
}

std::optional<AuthChallenge> digest_challenge(std::string_view params) {
  auto p = parse_params(params);
  AuthChallenge c;
  c.realm = p["realm"];
  c.nonce = p["nonce"];
  c.opaque = p["opaque"];
  c.algorithm = p["algorithm"];
  if (c.nonce.empty()) return std::nullopt;
  // RFC 7616 3.3: "If this is not present, it is assumed to be "MD5"."
  if (c.algorithm.empty() || absl::EqualsIgnoreCase(c.algorithm, "MD5")) {
    c.scheme = AuthScheme::DigestMd5;
  } else if (absl::EqualsIgnoreCase(c.algorithm, "SHA-256")) {
    c.scheme = AuthScheme::DigestSha256;
  } else {
    return std::nullopt;
  }
  if (auto qop = p.find("qop"); qop != p.end()) {
    // RFC 7616 3.3: qop is a quoted list of "auth" and "auth-int"; only "auth" is supported.
    for (absl::string_view option : absl::StrSplit(qop->second, ',')) {
      if (absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(option), "auth")) c.qop_auth = true;
    }
    if (!c.qop_auth) return std::nullopt;
  }
  // RFC 7616 3.3: stale is a case-insensitive flag; cameras send stale=FALSE, quoted or not
  // (ClientAuth.ParsesChallengesAsServersSendThem).
  c.stale = absl::EqualsIgnoreCase(p["stale"], "true");
  return c;
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

std::string md5_hex(std::string_view data) {
  return digest_hex(EVP_md5(), data);
}
std::string sha256_hex(std::string_view data) {
  return digest_hex(EVP_sha256(), data);
}

std::vector<AuthChallenge> parse_challenges(std::string_view www_authenticate) {
  std::vector<AuthChallenge> out;
  for (const RawChallenge& raw : split_challenges(www_authenticate)) {
    if (absl::EqualsIgnoreCase(raw.scheme, "Digest")) {
      if (auto c = digest_challenge(raw.params)) out.push_back(*std::move(c));
    } else if (absl::EqualsIgnoreCase(raw.scheme, "Basic")) {
      out.push_back({.scheme = AuthScheme::Basic, .realm = parse_params(raw.params)["realm"]});
    }
  }
  return out;
}

std::optional<AuthChallenge> pick_challenge(const Headers& headers) {
  std::optional<AuthChallenge> best;
  for (const auto& field : headers.fields()) {
    if (!absl::EqualsIgnoreCase(field.name, "WWW-Authenticate")) continue;
    for (AuthChallenge& c : parse_challenges(field.value)) {
      if (!best || c.scheme > best->scheme) best = std::move(c);
    }
  }
  return best;
}

std::string authorization(const AuthChallenge& challenge, const ClientCredentials& credentials,
                          std::string_view method, std::string_view uri, std::string_view cnonce,
                          uint32_t nonce_count) {
  if (challenge.scheme == AuthScheme::Basic) {
    // RFC 7617 2: the user-id and password, separated by a colon, encoded with Base64.
    return base::cat("Basic ",
                     absl::Base64Escape(base::cat(credentials.user, ":", credentials.password)));
  }
  const EVP_MD* md = challenge.scheme == AuthScheme::DigestSha256 ? EVP_sha256() : EVP_md5();
  // RFC 7616 3.4.2: A1 = username ":" realm ":" passwd; 3.4.3: A2 = Method ":" request-uri.
  const std::string ha1 =
      digest_hex(md, base::cat(credentials.user, ":", challenge.realm, ":", credentials.password));
  const std::string ha2 = digest_hex(md, base::cat(method, ":", uri));
  std::string out =
      base::cat("Digest username=", quoted(credentials.user), ", realm=", quoted(challenge.realm),
                ", nonce=", quoted(challenge.nonce), ", uri=", quoted(uri));
  if (challenge.qop_auth) {
    // RFC 7616 3.4.1: response = KD(H(A1), nonce ":" nc ":" cnonce ":" qop ":" H(A2)).
    const std::string nc = base::cat(absl::Hex(nonce_count, absl::kZeroPad8));
    const std::string response =
        digest_hex(md, base::cat(ha1, ":", challenge.nonce, ":", nc, ":", cnonce, ":auth:", ha2));
    absl::StrAppend(&out, ", response=\"", response, "\", qop=auth, nc=", nc,
                    ", cnonce=", quoted(cnonce));
  } else {
    // RFC 2069 2.1.2 style, which RFC 2617 3.2.2.1 keeps for backward compatibility; cameras
    // that send no qop need it (the Dahua and Hikvision transcripts):
    // response = KD(H(A1), nonce ":" H(A2)). The field order is live555's.
    absl::StrAppend(&out, ", response=\"",
                    digest_hex(md, base::cat(ha1, ":", challenge.nonce, ":", ha2)), "\"");
  }
  if (!challenge.algorithm.empty()) absl::StrAppend(&out, ", algorithm=", challenge.algorithm);
  // RFC 7616 3.3, opaque: "SHOULD be returned by the client unchanged in the Authorization header
  // field of subsequent requests".
  if (!challenge.opaque.empty()) absl::StrAppend(&out, ", opaque=", quoted(challenge.opaque));
  return out;
}

absl::StatusOr<AuthConfig> AuthConfig::parse(std::string_view text, std::string_view file_name) {
  AuthConfig config;
  int line_number = 0;
  for (absl::string_view raw : absl::StrSplit(base::av(text), '\n')) {
    ++line_number;
    const absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> words =
        absl::StrSplit(line, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    auto error = [&](std::string_view why) {
      return absl::InvalidArgumentError(base::cat(file_name, ":", line_number, ": ", why));
    };
    if (words[0] == "user") {
      if (words.size() != 3) return error("want: user <name> <password>");
      if (config.users.contains(words[1]))
        return error(base::cat("user '", words[1], "' defined twice"));
      config.users[words[1]] = words[2];
    } else if (words[0] == "stream" || words[0] == "publish") {
      if (words.size() < 3) return error(base::cat("want: ", words[0], " <name> <user>..."));
      auto& list = (words[0] == "stream" ? config.readers : config.publishers)[words[1]];
      list.insert(list.end(), words.begin() + 2, words.end());
    } else if (words[0] == "realm") {
      if (words.size() != 2) return error("want: realm <name>");
      config.realm = words[1];
    } else {
      return error(
          base::cat("unknown keyword '", words[0], "' (want user, stream, publish or realm)"));
    }
  }
  for (const auto* permissions : {&config.readers, &config.publishers}) {
    for (const auto& [stream, users] : *permissions) {
      for (const auto& user : users) {
        if (!config.users.contains(user)) {
          return absl::InvalidArgumentError(
              base::cat(file_name, ": ", permissions == &config.readers ? "stream '" : "publish '",
                        stream, "' names unknown user '", user, "'"));
        }
      }
    }
  }
  return config;
}

Authenticator::Authenticator(AuthConfig config, std::string secret)
    : config_(std::move(config)), secret_(std::move(secret)) {}

std::string Authenticator::make_nonce(int64_t now_us) const {
  // Stateless nonce (RFC 7616 3.3 suggests time-stamp + H(time-stamp:secret)).
  const std::string stamp = base::cat(absl::Hex(now_us, absl::kZeroPad16));
  return base::cat(stamp, hmac_hex(secret_, stamp).substr(0, 32));
}

bool Authenticator::nonce_valid(std::string_view nonce, int64_t now_us) const {
  if (nonce.size() != 48) return false;
  const std::string_view stamp = nonce.substr(0, 16);
  if (!equal_constant_time(nonce.substr(16), hmac_hex(secret_, stamp).substr(0, 32))) return false;
  uint64_t issued = 0;
  if (!absl::SimpleHexAtoi(base::av(stamp), &issued)) return false;
  const int64_t age = now_us - static_cast<int64_t>(issued);
  return age >= 0 && age <= kNonceLifetimeUs;
}

bool Authenticator::verify_basic(std::string_view value, std::string* user) const {
  std::string decoded;
  if (!absl::Base64Unescape(base::av(value), &decoded)) return false;
  const size_t colon = decoded.find(':');
  if (colon == std::string::npos) return false;
  auto it = config_.users.find(decoded.substr(0, colon));
  if (it == config_.users.end() || !equal_constant_time(it->second, decoded.substr(colon + 1)))
    return false;
  *user = it->first;
  return true;
}

bool Authenticator::verify_digest(const Request& request, std::string_view value, int64_t now_us,
                                  std::string* user) const {
  const auto p = parse_params(value);
  // find(), never operator[]: inserting a missing name may rehash the map and leave the
  // references already taken for one base::cat dangling (a use after free on a Digest answer
  // without cnonce, found by tests/fuzz/rtsp_auth_fuzz.cpp).
  auto param = [&p](std::string_view name) -> const std::string& {
    static const std::string kAbsent;
    auto found = p.find(base::av(name));
    return found == p.end() ? kAbsent : found->second;
  };
  auto it = config_.users.find(param("username"));
  if (it == config_.users.end() || param("realm") != config_.realm ||
      !nonce_valid(param("nonce"), now_us)) {
    return false;
  }
  std::string algorithm = param("algorithm");
  absl::AsciiStrToUpper(&algorithm);
  auto h = [&](std::string_view s) { return algorithm == "SHA-256" ? sha256_hex(s) : md5_hex(s); };
  if (!algorithm.empty() && algorithm != "MD5" && algorithm != "SHA-256") return false;
  // RFC 7616 3.4.1-3.4.3 (and RFC 2069 without qop, which RTSP clients use).
  const std::string ha1 = h(base::cat(it->first, ":", config_.realm, ":", it->second));
  const std::string ha2 = h(base::cat(request.method, ":", param("uri")));
  const std::string expected = p.contains("qop")
                                   ? h(base::cat(ha1, ":", param("nonce"), ":", param("nc"), ":",
                                                 param("cnonce"), ":", param("qop"), ":", ha2))
                                   : h(base::cat(ha1, ":", param("nonce"), ":", ha2));
  if (!equal_constant_time(expected, param("response"))) return false;
  *user = it->first;
  return true;
}

AuthDecision Authenticator::challenge(int64_t now_us, std::string reason) const {
  AuthDecision d;
  d.status = 401;
  d.reason = std::move(reason);
  const std::string nonce = make_nonce(now_us);
  // RFC 7616 3.7: offer the strongest algorithm first; clients take the first they support.
  d.www_authenticate.push_back(
      base::cat("Digest realm=\"", config_.realm, "\", nonce=\"", nonce, "\", algorithm=SHA-256"));
  d.www_authenticate.push_back(
      base::cat("Digest realm=\"", config_.realm, "\", nonce=\"", nonce, "\", algorithm=MD5"));
  if (config_.allow_basic)
    d.www_authenticate.push_back(base::cat("Basic realm=\"", config_.realm, "\""));
  return d;
}

bool Authenticator::rate_limited(std::string_view address, int64_t now_us) {
  auto it = failures_.find(std::string(address));
  if (it == failures_.end()) return false;
  if (now_us - it->second.window_start_us > kFailureWindowUs) {
    failures_.erase(it);
    return false;
  }
  return it->second.count >= kMaxFailedAttempts;
}

void Authenticator::record_failure(std::string_view address, int64_t now_us) {
  Failures& f = failures_[std::string(address)];
  if (f.count == 0 || now_us - f.window_start_us > kFailureWindowUs) f = {0, now_us};
  ++f.count;
}

AuthDecision Authenticator::check(const Request& request, std::string_view stream,
                                  std::string_view address, int64_t now_us, Permission permission) {
  const auto& lists = permission == Permission::Read ? config_.readers : config_.publishers;
  auto allowed_users = lists.find(std::string(stream));
  if (allowed_users == lists.end()) return AuthDecision{.allowed = true};
  if (rate_limited(address, now_us)) {
    return AuthDecision{.status = 403, .reason = "too many failed attempts from this address"};
  }
  auto header = request.headers.get("Authorization");
  if (!header) return challenge(now_us, "no credentials");
  const std::string_view value = *header;
  std::string user;
  bool ok = false;
  if (value.size() > 6 && absl::EqualsIgnoreCase(base::av(value.substr(0, 6)), "Basic ")) {
    ok = config_.allow_basic && verify_basic(value.substr(6), &user);
  } else if (value.size() > 7 && absl::EqualsIgnoreCase(base::av(value.substr(0, 7)), "Digest ")) {
    ok = verify_digest(request, value.substr(7), now_us, &user);
  }
  const auto& users = allowed_users->second;
  if (ok && std::find(users.begin(), users.end(), user) == users.end()) {
    return AuthDecision{.status = 403,
                        .user = user,
                        .reason = base::cat("user '", user, "' may not ",
                                            permission == Permission::Read ? "read" : "publish",
                                            " '", stream, "'")};
  }
  if (!ok) {
    record_failure(address, now_us);
    return challenge(now_us, "bad credentials");
  }
  return AuthDecision{.allowed = true, .user = user};
}

}  // namespace rtsp
