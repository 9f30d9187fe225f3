// TunnelRegistry: pairs the POST half of an HTTP-tunnelled RTSP session with its GET half by
// x-sessioncookie. The halves may live on different I/O loops. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"

namespace edge {

class ConnectionHost;

struct TunnelTarget {
  ConnectionHost* loop = nullptr;  // the I/O loop that owns the GET half
  int fd = -1;
  uint64_t serial = 0;  // guards against a reused fd
};

inline constexpr size_t kMaxTunnels = 10000;

// Decoded bytes of a tunnelled POST, for the GET half's connection on another loop.
struct TunnelData {
  int fd = -1;
  uint64_t serial = 0;
  std::string bytes;
};

class TunnelRegistry {
 public:
  bool add(const std::string& cookie, TunnelTarget target) {
    std::lock_guard lock(mutex_);
    if (tunnels_.size() >= kMaxTunnels) return false;
    return tunnels_.emplace(cookie, target).second;
  }
  void remove(const std::string& cookie, uint64_t serial) {
    std::lock_guard lock(mutex_);
    auto it = tunnels_.find(cookie);
    if (it != tunnels_.end() && it->second.serial == serial) tunnels_.erase(it);
  }
  std::optional<TunnelTarget> find(const std::string& cookie) const {
    std::lock_guard lock(mutex_);
    auto it = tunnels_.find(cookie);
    if (it == tunnels_.end()) return std::nullopt;
    return it->second;
  }

 private:
  mutable std::mutex mutex_;
  absl::flat_hash_map<std::string, TunnelTarget> tunnels_;
};

}  // namespace edge
