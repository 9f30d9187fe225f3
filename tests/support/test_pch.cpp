// The source that carries the tests' precompiled header (tests/CMakeLists.txt, rs_test_pch).
