// Cluster metrics: Prometheus text exposition (docs/metrics.md), the /api/cluster JSON and the
// `--status` table, all rendered from one ClusterView.
#pragma once

#include <string>

#include "proto/cluster.pb.h"

namespace coordinator {

// Prometheus text format 0.0.4.
std::string prometheus_text(const rs::cluster::ClusterView& view);
// The view as one line of JSON (protobuf JSON mapping, field names as in the .proto), no newline.
std::string cluster_json(const rs::cluster::ClusterView& view);
// Human-readable tables of nodes and streams.
std::string status_table(const rs::cluster::ClusterView& view);

}  // namespace coordinator
