# Small helpers shared by every folder's CMakeLists.txt.

# rs_library(NAME SOURCES... DEPS ...): a static library rooted at the repository top.
function(rs_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# rs_test(NAME [SOURCES...] DEPS ... [LABELS ...] [TIMEOUT s]): a GoogleTest binary registered with
# ctest; its sources default to NAME.cpp beside the calling CMakeLists.txt.
function(rs_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT ARG_SOURCES)
    set(ARG_SOURCES ${name}.cpp)  # beside the CMakeLists that registers it
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} nlohmann_json::nlohmann_json GTest::gtest GTest::gmock
                        GTest::gtest_main)
  if(TARGET rs_test_pch)  # tests/CMakeLists.txt; the same -pthread as it was made with
    target_precompile_headers(${name} REUSE_FROM rs_test_pch)
    target_compile_options(${name} PRIVATE -pthread)
  endif()
  add_test(NAME ${name} COMMAND ${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}"
    ENVIRONMENT "RS_BIN_DIR=${PROJECT_BINARY_DIR}/bin;RS_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()

set(CMAKE_RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
