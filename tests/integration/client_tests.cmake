# rtsp-client integration tests: real origin, edges, coordinator and client processes.
rs_test(client_headless_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/client_headless_test.cpp
  DEPS rs_test_support LABELS integration TIMEOUT 90)
rs_test(client_failover_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/client_failover_test.cpp
  DEPS rs_test_support rs_cluster LABELS integration TIMEOUT 120)
# The Xvfb test lives with the interop tests (it drives a real X server) but is registered here.
rs_test(client_xvfb_test SOURCES ${PROJECT_SOURCE_DIR}/tests/interop/client_xvfb_test.cpp
  DEPS rs_test_support ${OpenCV_LIBS} LABELS interop TIMEOUT 90)
foreach(_t client_headless_test client_failover_test client_xvfb_test)
  add_dependencies(${_t} rtsp-client rtsp-origin rtsp-edge rtsp-coordinator)
endforeach()
