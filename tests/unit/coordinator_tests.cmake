# Coordinator and cluster library unit tests: pure policy, registry with fake time, backoff,
# metrics rendering, HTTP request line.
rs_test(coordinator_policy_test DEPS rs_coordinator LABELS unit)
rs_test(coordinator_registry_test DEPS rs_coordinator LABELS unit)
rs_test(coordinator_cluster_lib_test SOURCES coordinator_cluster_lib_test.cpp
  cluster_backoff_test.cpp coordinator_cluster_events_test.cpp
  DEPS rs_coordinator rs_cluster LABELS unit)
rs_test(coordinator_targets_test DEPS rs_cluster LABELS unit)
