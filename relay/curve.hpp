// ZeroMQ CURVE keys and the origin's ZAP authenticator (RFC 27/ZAP, CurveZMQ).
// See docs/security.md.
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"

namespace relay {

struct CurveKeyPair {
  std::string public_z85;  // 40 characters
  std::string secret_z85;  // 40 characters
};

absl::StatusOr<CurveKeyPair> generate_curve_keypair();
// Writes PREFIX.key (secret then public, one Z85 key per line, mode 0600) and PREFIX.pub.
absl::Status write_keypair_files(const std::string& prefix);
// Reads a key file written by write_keypair_files: PREFIX.key → both keys; PREFIX.pub → public.
absl::StatusOr<CurveKeyPair> read_secret_key_file(const std::string& path);
absl::StatusOr<std::string> read_public_key_file(const std::string& path);
// Reads one Z85 public key per line (blank lines and # comments ignored).
absl::StatusOr<std::vector<std::string>> read_authorized_keys(const std::string& path);

// Serves ZAP requests on inproc://zeromq.zap.01 of `context`: CURVE clients whose public key is
// in the authorized set get 200, everyone else 400 (and is counted). One per context.
class ZapAuthenticator {
 public:
  static absl::StatusOr<std::unique_ptr<ZapAuthenticator>> start(
      zmq::context_t& context, const std::vector<std::string>& authorized_z85);
  ~ZapAuthenticator();
  uint64_t denied() const { return denied_.load(); }

 private:
  ZapAuthenticator() = default;
  void run();

  zmq::socket_t socket_;
  absl::flat_hash_set<std::string> authorized_;  // binary 32-byte keys
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> denied_{0};
  std::thread thread_;
};

// Configures `socket` as a CURVE server with the given secret key.
void make_curve_server(zmq::socket_t& socket, const CurveKeyPair& keys);
// Configures `socket` as a CURVE client that pins `server_public_z85`.
void make_curve_client(zmq::socket_t& socket, const CurveKeyPair& own,
                       const std::string& server_public_z85);

}  // namespace relay
