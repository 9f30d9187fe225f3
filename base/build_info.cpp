// --version text and the rs_build_info metric from the generated build constants.
#include "base/build_info.hpp"

#include "base/strings.hpp"

namespace base {

std::string version_line(std::string_view program) {
  return cat(program, " ", kBuildVersion, " (commit ", kBuildCommit, ")");
}

std::string build_info_metric() {
  return cat(
      "# HELP rs_build_info The program's version and git commit, as labels; always 1\n"
      "# TYPE rs_build_info gauge\n"
      "rs_build_info{version=\"",
      kBuildVersion, "\",commit=\"", kBuildCommit, "\"} 1\n");
}

}  // namespace base
