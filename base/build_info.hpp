// What build a program is: the project version and the git commit it was built from, for
// --version and the rs_build_info metric every /metrics carries.
#pragma once

#include <string>
#include <string_view>

namespace base {

extern const char* const kBuildVersion;  // project(VERSION) in CMakeLists.txt
extern const char* const kBuildCommit;   // short commit hash, "unknown" outside a git checkout

// "<program> <version> (commit <commit>)".
std::string version_line(std::string_view program);

// The rs_build_info gauge in Prometheus text: `rs_build_info{version="…",commit="…"} 1`.
std::string build_info_metric();

}  // namespace base
