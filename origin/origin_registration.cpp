// Origin side of the coordinator protocol (docs/coordinator.md).
#include "origin/origin_registration.hpp"

#include "base/log.hpp"
#include "base/strings.hpp"

namespace origin {

std::string reachable_endpoint(const std::string& bound) {
  for (std::string_view any : {"tcp://*:", "tcp://0.0.0.0:"}) {
    if (std::string_view(bound).starts_with(any))
      return base::cat("tcp://127.0.0.1:", bound.substr(any.size()));
  }
  return bound;
}

absl::StatusOr<std::unique_ptr<cluster::NodeAgent>> register_origin(
    const RegistrationOptions& options, const relay::PublisherThread& publisher) {
  cluster::NodeAgentOptions agent_options;
  agent_options.coordinator = options.coordinator;
  agent_options.token = options.token;
  agent_options.tls = options.tls;
  const std::string endpoint = options.advertise.empty()
                                   ? reachable_endpoint(publisher.bound_endpoint())
                                   : options.advertise;
  auto& id = agent_options.identity;
  id.set_name(options.name.empty() ? base::cat("origin-", endpoint.substr(endpoint.rfind(':') + 1))
                                   : options.name);
  id.set_role(rs::cluster::ROLE_ORIGIN);
  id.set_advertised_url(endpoint);
  auto agent = cluster::NodeAgent::create(agent_options);
  if (!agent.ok()) return agent.status();
  (*agent)->set_report_source([&publisher] {
    rs::cluster::NodeReport report;
    report.set_health(rs::cluster::HEALTH_OK);
    for (auto& info : publisher.stream_infos()) *report.add_origin_streams() = std::move(info);
    return report;
  });
  (*agent)->start();
  LOG_INFO("origin", "registering with the coordinator at ", options.coordinator, " as ", id.name(),
           " (", endpoint, ")");
  return agent;
}

}  // namespace origin
