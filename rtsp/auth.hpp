// RTSP authentication, Basic (RFC 7617) and Digest (RFC 7616, MD5 and SHA-256). Server side:
// viewer authentication with per-stream read permissions and a per-address limiter for failed
// attempts. Client side: choosing a server's challenge and answering it.
// Pure logic: time and randomness come from the caller.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "rtsp/message.hpp"

namespace rtsp {

// How long a nonce we issued stays valid.
inline constexpr int64_t kNonceLifetimeUs = 5 * 60 * 1'000'000LL;
// Failed attempts an address may make per window before it is refused (403) until the window ends.
inline constexpr int kMaxFailedAttempts = 5;
inline constexpr int64_t kFailureWindowUs = 60 * 1'000'000LL;

struct AuthConfig {
  std::string realm = "rtsp-streamer";
  absl::flat_hash_map<std::string, std::string> users;                 // user -> password
  absl::flat_hash_map<std::string, std::vector<std::string>> readers;  // stream -> users
  // Who may publish (ANNOUNCE/RECORD) a stream; separate from who may read it.
  absl::flat_hash_map<std::string, std::vector<std::string>> publishers;  // stream -> users
  bool allow_basic = true;

  // Parses the auth file:
  //   user <name> <password>  |  stream <name> <user>...  |  publish <name> <user>...
  // "stream" grants reading, "publish" publishing. Blank lines and # comments are ignored.
  // Errors name the line: "auth.conf:3: ...".
  static absl::StatusOr<AuthConfig> parse(std::string_view text, std::string_view file_name);
  bool protects(std::string_view stream) const { return readers.contains(std::string(stream)); }
};

enum class Permission { Read, Publish };

struct AuthDecision {
  bool allowed = false;
  int status = 200;                           // 401 (challenge) or 403 (rate-limited)
  std::vector<std::string> www_authenticate;  // challenges for a 401
  std::string user;                           // who was let in
  std::string reason;                         // for logs
};

class Authenticator {
 public:
  // `secret` keys the nonces (random per process).
  Authenticator(AuthConfig config, std::string secret);

  // Checks `request` for `stream` from `address` at `now_us` (wall or monotonic, consistently).
  // A stream no "stream" (Read) or "publish" (Publish) line names is open for that permission.
  AuthDecision check(const Request& request, std::string_view stream, std::string_view address,
                     int64_t now_us, Permission permission = Permission::Read);

  // A fresh nonce for `now_us` (exposed for tests).
  std::string make_nonce(int64_t now_us) const;
  const AuthConfig& config() const { return config_; }

 private:
  bool nonce_valid(std::string_view nonce, int64_t now_us) const;
  bool verify_digest(const Request& request, std::string_view value, int64_t now_us,
                     std::string* user) const;
  bool verify_basic(std::string_view value, std::string* user) const;
  AuthDecision challenge(int64_t now_us, std::string reason) const;
  bool rate_limited(std::string_view address, int64_t now_us);
  void record_failure(std::string_view address, int64_t now_us);

  struct Failures {
    int count = 0;
    int64_t window_start_us = 0;
  };

  AuthConfig config_;
  std::string secret_;
  absl::flat_hash_map<std::string, Failures> failures_;
};

// Lowercase hex digests, via OpenSSL's EVP interface.
std::string md5_hex(std::string_view data);
std::string sha256_hex(std::string_view data);

// ---- Client side ----

// In order of strength: pick_challenge prefers the last.
enum class AuthScheme { Basic, DigestMd5, DigestSha256 };

// One usable challenge of a WWW-Authenticate header (RFC 7235 4.1).
struct AuthChallenge {
  AuthScheme scheme = AuthScheme::Basic;
  std::string realm;
  std::string nonce;      // Digest
  std::string opaque;     // Digest: echoed back when not empty
  std::string algorithm;  // Digest: as the server wrote it; "" when absent (then MD5, 3.3)
  bool qop_auth = false;  // Digest: the server offered qop "auth" (else RFC 2069 style)
  bool stale = false;     // Digest: the previous nonce expired, the credentials were fine
  friend bool operator==(const AuthChallenge&, const AuthChallenge&) = default;
};

// The usable challenges of one WWW-Authenticate value, in order. A value may hold several
// challenges ("Digest realm=..., nonce=..., Basic realm=..."). Skipped as unusable: other schemes,
// Digest without nonce, algorithms other than MD5 and SHA-256 (-sess variants included), and qop
// lists without "auth".
std::vector<AuthChallenge> parse_challenges(std::string_view www_authenticate);

// The strongest usable challenge among all WWW-Authenticate fields of `headers` (Digest SHA-256 >
// Digest MD5 > Basic; the first listed among equals), or nullopt.
std::optional<AuthChallenge> pick_challenge(const Headers& headers);

struct ClientCredentials {
  std::string user;
  std::string password;
  friend bool operator==(const ClientCredentials&, const ClientCredentials&) = default;
};

// The Authorization header value answering `challenge` for one request (`method` and `uri` as in
// its request line). Digest with qop=auth uses `cnonce` and `nonce_count` (the n-th request with
// this nonce, from 1; RFC 7616 3.4); without qop they are unused (RFC 2069). Basic ignores all
// but the credentials.
std::string authorization(const AuthChallenge& challenge, const ClientCredentials& credentials,
                          std::string_view method, std::string_view uri, std::string_view cnonce,
                          uint32_t nonce_count);

}  // namespace rtsp
