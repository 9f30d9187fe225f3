# Coordinator integration tests: rtsp-coordinator and coordinator-sim as real processes.
rs_test(coordinator_cluster_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/coordinator_cluster_test.cpp
          ${PROJECT_SOURCE_DIR}/tests/support/process.cpp
  DEPS rs_cluster LABELS integration TIMEOUT 120)
add_dependencies(coordinator_cluster_test rtsp-coordinator coordinator-sim)
