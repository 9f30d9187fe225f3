# Integration tests: origin and edge as real processes on 127.0.0.1 ephemeral ports, driven by
# tests/support's RTSP client. They need the programs built: depend on them.
set(_rs_it_dir ${CMAKE_CURRENT_SOURCE_DIR})
foreach(_t edge_stream_test edge_bad_input_test cli_and_shutdown_test)
  rs_test(${_t} SOURCES ${_rs_it_dir}/${_t}.cpp DEPS rs_test_support LABELS integration TIMEOUT 120)
  add_dependencies(${_t} rtsp-origin rtsp-edge)
endforeach()
# The edge's features, interop (ffprobe, GStreamer; H.265, AAC, multicast), slow readers and
# hostile input (docs/testing.md).
foreach(_t edge_features_test edge_interop_test edge_multicast_test edge_slow_reader_test
           edge_hostile_test)
  rs_test(${_t} SOURCES ${_rs_it_dir}/${_t}.cpp DEPS rs_test_support LABELS integration TIMEOUT 120)
  add_dependencies(${_t} rtsp-origin rtsp-edge)
endforeach()
# Slow-reader timing must not share the two cores with another suite's encoders.
set_tests_properties(edge_slow_reader_test PROPERTIES RUN_SERIAL TRUE)
# Stream health end to end: camera stand-in, origin, edge and coordinator (docs/coordinator.md).
rs_test(stream_health_cluster_test SOURCES ${_rs_it_dir}/stream_health_cluster_test.cpp
  DEPS rs_camera_support rs_test_support rs_cluster LABELS integration TIMEOUT 120)
add_dependencies(stream_health_cluster_test rtsp-origin rtsp-edge rtsp-coordinator)
# The RTSP receiver against a scripted fake camera in the test's own thread: real devices' quirks.
rs_test(receiver_quirks_test SOURCES ${_rs_it_dir}/receiver_quirks_test.cpp
  DEPS rs_fake_camera rs_receiver LABELS integration TIMEOUT 60)
# The HTTP server every --http endpoint uses (methods, keep-alive, idle connections, IPv6, SSE).
rs_test(http_server_test SOURCES ${_rs_it_dir}/http_server_test.cpp DEPS rs_cluster
  LABELS integration TIMEOUT 60)
