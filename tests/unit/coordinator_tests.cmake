# Coordinator and cluster library unit tests: pure policy, registry with fake time, backoff,
# metrics rendering, HTTP request line.
rs_test(coordinator_policy_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/coordinator_policy_test.cpp
  DEPS rs_coordinator LABELS unit)
rs_test(coordinator_registry_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/coordinator_registry_test.cpp
  DEPS rs_coordinator LABELS unit)
rs_test(coordinator_cluster_lib_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/coordinator_cluster_lib_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/cluster_backoff_test.cpp ${CMAKE_CURRENT_SOURCE_DIR}/coordinator_cluster_events_test.cpp
  DEPS rs_coordinator rs_cluster LABELS unit)
rs_test(coordinator_targets_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/coordinator_targets_test.cpp
  DEPS rs_cluster LABELS unit)
