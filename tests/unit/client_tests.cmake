# rtsp-client unit tests: latency percentiles, failover and stall policies (fake clock), JSON
# lines, overlay.
rs_test(client_unit_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/client_latency_meter_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/client_edge_selector_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/client_stats_json_test.cpp
          ${CMAKE_CURRENT_SOURCE_DIR}/client_stall_policy_test.cpp
  DEPS rs_client LABELS unit TIMEOUT 60)
