# rtsp-client unit tests: latency percentiles, failover and stall policies (fake clock), JSON
# lines, overlay.
rs_test(client_unit_test
  SOURCES client_latency_meter_test.cpp
          client_edge_selector_test.cpp
          client_stats_json_test.cpp
          client_stall_policy_test.cpp
  DEPS rs_client LABELS unit TIMEOUT 60)
