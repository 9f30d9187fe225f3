# Fuzz targets, one per parser. Every build gets `<name>_replay` (the target's source plus
# replay_main.cpp), which replays corpus/<name>/ under ctest as fuzz_replay_<name>. With
# RS_FUZZ=ON (clang) each target is also a libFuzzer binary `<name>_fuzz`:
#   cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang \
#     -DRS_FUZZ=ON
#   ninja -C build-fuzz rtsp_request_fuzz
#   build-fuzz/bin/rtsp_request_fuzz -max_total_time=60 tests/fuzz/corpus/rtsp_request
# or `make fuzz` (all of them) and `make fuzz-run FUZZ_TIME=60` (scripts/fuzz-run; docs/testing.md).
# Crashers go into corpus/<name>/ so that the replay test keeps them fixed.

set(RS_FUZZ_FLAGS -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
set(RS_FUZZ_LIB_FLAGS -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined)

# With RS_FUZZ=ON, the project libraries a target reaches get coverage instrumentation (without
# it libFuzzer is blind) plus ASan/UBSan, and everything linking them links the runtimes.
function(rs_fuzz_instrument target)
  if(NOT TARGET ${target})
    return()
  endif()
  get_target_property(imported ${target} IMPORTED)
  get_target_property(type ${target} TYPE)
  get_property(done GLOBAL PROPERTY RS_FUZZ_INSTRUMENTED)
  if(imported OR NOT type STREQUAL "STATIC_LIBRARY" OR ${target} IN_LIST done)
    return()
  endif()
  set_property(GLOBAL APPEND PROPERTY RS_FUZZ_INSTRUMENTED ${target})
  target_compile_options(${target} PRIVATE ${RS_FUZZ_LIB_FLAGS})
  target_link_options(${target} INTERFACE -fsanitize=fuzzer-no-link,address,undefined)
  get_target_property(links ${target} LINK_LIBRARIES)
  foreach(dep IN LISTS links)
    rs_fuzz_instrument(${dep})
  endforeach()
endfunction()

# `make fuzz` builds only `fuzz_targets` (every <name>_fuzz and the libraries they link), not the
# whole project: with two cores a full clang build of everything takes far longer than the fuzz
# binaries need.
if(RS_FUZZ)
  add_custom_target(fuzz_targets)
endif()

# rs_fuzz_target(NAME SOURCE file.cpp DEPS ...).
function(rs_fuzz_target name)
  cmake_parse_arguments(ARG "" "SOURCE" "DEPS" ${ARGN})
  set(source ${CMAKE_CURRENT_SOURCE_DIR}/${ARG_SOURCE})
  add_executable(${name}_replay ${source} ${CMAKE_CURRENT_SOURCE_DIR}/replay_main.cpp)
  target_include_directories(${name}_replay PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name}_replay PRIVATE ${ARG_DEPS})
  add_test(NAME fuzz_replay_${name}
    COMMAND ${name}_replay ${CMAKE_CURRENT_SOURCE_DIR}/corpus/${name})
  set_tests_properties(fuzz_replay_${name} PROPERTIES LABELS fuzz TIMEOUT 120)
  if(RS_FUZZ)
    foreach(dep IN LISTS ARG_DEPS)
      rs_fuzz_instrument(${dep})
    endforeach()
    add_executable(${name}_fuzz ${source})
    target_include_directories(${name}_fuzz PRIVATE ${PROJECT_SOURCE_DIR})
    target_compile_options(${name}_fuzz PRIVATE ${RS_FUZZ_FLAGS})
    target_link_options(${name}_fuzz PRIVATE ${RS_FUZZ_FLAGS})
    target_link_libraries(${name}_fuzz PRIVATE ${ARG_DEPS})
    add_dependencies(fuzz_targets ${name}_fuzz)
  endif()
endfunction()

rs_fuzz_target(rtsp_request SOURCE rtsp_request_fuzz.cpp DEPS rs_rtsp)
rs_fuzz_target(rtsp_interleaved SOURCE rtsp_interleaved_fuzz.cpp DEPS rs_rtsp)
rs_fuzz_target(rtp_h264_depacketizer SOURCE rtp_h264_depacketizer_fuzz.cpp DEPS rs_media)
rs_fuzz_target(h264 SOURCE h264_fuzz.cpp DEPS rs_media)
rs_fuzz_target(rtp_h265_depacketizer SOURCE rtp_h265_depacketizer_fuzz.cpp DEPS rs_media)
rs_fuzz_target(h265 SOURCE h265_fuzz.cpp DEPS rs_media)
rs_fuzz_target(rtsp_response SOURCE rtsp_response_fuzz.cpp DEPS rs_rtsp)
rs_fuzz_target(sdp SOURCE sdp_fuzz.cpp DEPS rs_media)
rs_fuzz_target(rtsp_record_session SOURCE rtsp_record_session_fuzz.cpp DEPS rs_rtsp)
rs_fuzz_target(rtsp_auth SOURCE rtsp_auth_fuzz.cpp DEPS rs_rtsp)
rs_fuzz_target(rtp_info SOURCE rtp_info_fuzz.cpp DEPS rs_rtsp)
rs_fuzz_target(http_tunnel SOURCE http_tunnel_fuzz.cpp DEPS rs_rtsp)
rs_fuzz_target(track_depacketizer SOURCE track_depacketizer_fuzz.cpp DEPS rs_receiver)
rs_fuzz_target(relay_envelope SOURCE relay_envelope_fuzz.cpp DEPS rs_relay)
rs_fuzz_target(origin_config SOURCE origin_config_fuzz.cpp DEPS rs_origin)
rs_fuzz_target(catchup_request SOURCE catchup_request_fuzz.cpp DEPS rs_relay)
