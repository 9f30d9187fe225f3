# Origin/edge robustness: camera outages, origin restarts, a frozen edge (real processes).
rs_test(relay_robustness_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/relay_robustness_test.cpp
  DEPS rs_camera_support rs_test_support LABELS integration TIMEOUT 300)
add_dependencies(relay_robustness_test rtsp-origin rtsp-edge)
