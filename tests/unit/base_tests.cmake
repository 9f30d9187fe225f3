# Toolchain smoke test: gRPC codegen and call, ZeroMQ, OpenCV, libx264 in one binary.
add_library(rs_toolchain_proto STATIC ${CMAKE_CURRENT_SOURCE_DIR}/toolchain_smoke.proto)
target_link_libraries(rs_toolchain_proto PUBLIC protobuf::libprotobuf gRPC::grpc++)
target_include_directories(rs_toolchain_proto SYSTEM PUBLIC ${CMAKE_CURRENT_BINARY_DIR})
protobuf_generate(TARGET rs_toolchain_proto LANGUAGE cpp IMPORT_DIRS ${CMAKE_CURRENT_SOURCE_DIR}
  PROTOC_OUT_DIR ${CMAKE_CURRENT_BINARY_DIR})
protobuf_generate(TARGET rs_toolchain_proto LANGUAGE grpc GENERATE_EXTENSIONS .grpc.pb.h .grpc.pb.cc
  PLUGIN "protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>"
  IMPORT_DIRS ${CMAKE_CURRENT_SOURCE_DIR} PROTOC_OUT_DIR ${CMAKE_CURRENT_BINARY_DIR})
rs_test(toolchain_test DEPS rs_toolchain_proto cppzmq ${OpenCV_LIBS} PkgConfig::FFMPEG LABELS unit)

rs_test(base_test SOURCES endpoint_test.cpp url_test.cpp topic_test.cpp base_values_test.cpp
  DEPS rs_base rs_rtsp rs_relay LABELS unit)

# The test support's own rules (a program's sanitizer report fails the test that started it).
rs_test(test_support_test SOURCES sanitizer_report_test.cpp DEPS rs_test_support LABELS unit)
