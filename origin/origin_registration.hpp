// The origin's registration with the coordinator: role ORIGIN, advertised ZeroMQ endpoint, and a
// report every 500 ms listing the streams it publishes with their StreamInfo.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "cluster/node_agent.hpp"
#include "relay/publisher_thread.hpp"

namespace origin {

struct RegistrationOptions {
  std::string coordinator;  // HOST:PORT
  std::string name;         // default: origin-<publish port>
  std::string advertise;    // ZeroMQ endpoint edges reach (default: the bound endpoint)
  std::string token;
  cluster::TlsOptions tls;
};

// Starts the agent; `publisher` must outlive it.
absl::StatusOr<std::unique_ptr<cluster::NodeAgent>> register_origin(
    const RegistrationOptions& options, const relay::PublisherThread& publisher);

// "tcp://*:5556" and "tcp://0.0.0.0:5556" are not reachable addresses: use the loopback.
std::string reachable_endpoint(const std::string& bound);

}  // namespace origin
