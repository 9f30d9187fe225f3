// CURVE key handling and the ZAP authenticator (ZeroMQ RFC 27).
#include "relay/curve.hpp"

#include <sys/stat.h>

#include <zmq_addon.hpp>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "base/log.hpp"
#include "base/strings.hpp"

namespace relay {
namespace {

constexpr size_t kZ85KeyLength = 40;
constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";

absl::StatusOr<std::string> z85_to_binary(const std::string& z85) {
  if (z85.size() != kZ85KeyLength) {
    return absl::InvalidArgumentError(
        base::cat("a CURVE key is 40 Z85 characters, got ", z85.size()));
  }
  std::string binary(32, '\0');
  if (zmq_z85_decode(reinterpret_cast<uint8_t*>(binary.data()), z85.c_str()) == nullptr) {
    return absl::InvalidArgumentError("not a Z85 key");
  }
  return binary;
}

absl::StatusOr<std::vector<std::string>> read_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(base::cat("cannot read key file '", path, "'"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    std::string trimmed(absl::StripAsciiWhitespace(line));
    if (trimmed.empty() || trimmed[0] == '#') continue;
    lines.push_back(trimmed);
  }
  return lines;
}

}  // namespace

absl::StatusOr<CurveKeyPair> generate_curve_keypair() {
  char public_key[41] = {};
  char secret_key[41] = {};
  if (zmq_curve_keypair(public_key, secret_key) != 0) {
    return absl::UnavailableError("this libzmq has no CURVE support");
  }
  return CurveKeyPair{public_key, secret_key};
}

absl::Status write_keypair_files(const std::string& prefix) {
  auto keys = generate_curve_keypair();
  if (!keys.ok()) return keys.status();
  const std::string secret_path = prefix + ".key";
  {
    std::ofstream out(secret_path, std::ios::trunc);
    if (!out) return absl::PermissionDeniedError(base::cat("cannot write '", secret_path, "'"));
    out << "# CURVE secret key, then public key. Keep this file private.\n"
        << keys->secret_z85 << "\n"
        << keys->public_z85 << "\n";
  }
  ::chmod(secret_path.c_str(), 0600);
  std::ofstream pub(prefix + ".pub", std::ios::trunc);
  if (!pub) return absl::PermissionDeniedError(base::cat("cannot write '", prefix, ".pub'"));
  pub << keys->public_z85 << "\n";
  return absl::OkStatus();
}

absl::StatusOr<CurveKeyPair> read_secret_key_file(const std::string& path) {
  auto lines = read_lines(path);
  if (!lines.ok()) return lines.status();
  if (lines->size() != 2) {
    return absl::InvalidArgumentError(
        base::cat("'", path, "' must hold a secret and a public key"));
  }
  for (const auto& key : *lines) {
    if (auto binary = z85_to_binary(key); !binary.ok()) {
      return absl::InvalidArgumentError(base::cat("'", path, "': ", binary.status().message()));
    }
  }
  return CurveKeyPair{(*lines)[1], (*lines)[0]};
}

absl::StatusOr<std::string> read_public_key_file(const std::string& path) {
  auto lines = read_lines(path);
  if (!lines.ok()) return lines.status();
  if (lines->empty()) return absl::InvalidArgumentError(base::cat("'", path, "' holds no key"));
  const std::string& key = lines->back();
  if (auto binary = z85_to_binary(key); !binary.ok()) {
    return absl::InvalidArgumentError(base::cat("'", path, "': ", binary.status().message()));
  }
  return key;
}

absl::StatusOr<std::vector<std::string>> read_authorized_keys(const std::string& path) {
  auto lines = read_lines(path);
  if (!lines.ok()) return lines.status();
  for (size_t i = 0; i < lines->size(); ++i) {
    if (auto binary = z85_to_binary((*lines)[i]); !binary.ok()) {
      return absl::InvalidArgumentError(
          base::cat("'", path, "' key ", i + 1, ": ", binary.status().message()));
    }
  }
  return *std::move(lines);
}

void make_curve_server(zmq::socket_t& socket, const CurveKeyPair& keys) {
  socket.set(zmq::sockopt::curve_server, 1);
  socket.set(zmq::sockopt::curve_secretkey, keys.secret_z85);
}

void make_curve_client(zmq::socket_t& socket, const CurveKeyPair& own,
                       const std::string& server_public_z85) {
  socket.set(zmq::sockopt::curve_serverkey, server_public_z85);
  socket.set(zmq::sockopt::curve_publickey, own.public_z85);
  socket.set(zmq::sockopt::curve_secretkey, own.secret_z85);
}

absl::StatusOr<std::unique_ptr<ZapAuthenticator>> ZapAuthenticator::start(
    zmq::context_t& context, const std::vector<std::string>& authorized_z85) {
  std::unique_ptr<ZapAuthenticator> auth(new ZapAuthenticator());
  for (const auto& key : authorized_z85) {
    auto binary = z85_to_binary(key);
    if (!binary.ok()) return binary.status();
    auth->authorized_.insert(*binary);
  }
  try {
    auth->socket_ = zmq::socket_t(context, zmq::socket_type::rep);
    auth->socket_.set(zmq::sockopt::linger, 0);
    auth->socket_.bind(kZapEndpoint);
  } catch (const zmq::error_t& e) {
    return absl::InternalError(base::cat("ZAP handler: ", e.what()));
  }
  auth->thread_ = std::thread([raw = auth.get()] { raw->run(); });
  return auth;
}

ZapAuthenticator::~ZapAuthenticator() {
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
}

void ZapAuthenticator::run() {
  while (!stopping_.load()) {
    zmq::pollitem_t item{socket_.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, std::chrono::milliseconds(100)) == 0) continue;
    std::vector<zmq::message_t> request;
    if (!zmq::recv_multipart(socket_, std::back_inserter(request), zmq::recv_flags::dontwait))
      continue;
    // RFC 27: version, request id, domain, address, identity, mechanism, credentials...
    const bool well_formed = request.size() >= 7 && request[0].to_string() == "1.0";
    const bool allowed = well_formed && request[5].to_string() == "CURVE" &&
                         authorized_.contains(request[6].to_string());
    if (!allowed) {
      denied_.fetch_add(1);
      LOG_WARN("relay", "refused a subscriber from ",
               well_formed ? request[3].to_string() : std::string("?"),
               ": its CURVE public key is not authorized");
    }
    std::vector<zmq::message_t> reply;
    reply.emplace_back(std::string("1.0"));
    reply.emplace_back(well_formed ? request[1].to_string() : std::string());
    reply.emplace_back(std::string(allowed ? "200" : "400"));
    reply.emplace_back(std::string(allowed ? "OK" : "unauthorized key"));
    reply.emplace_back(std::string());
    reply.emplace_back(std::string());
    zmq::send_multipart(socket_, reply);
  }
}

}  // namespace relay
