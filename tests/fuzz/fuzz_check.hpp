// The oracle every fuzz target uses: a broken property aborts with the program's name and what
// broke, so libFuzzer keeps the input and the replay test names the target.
#pragma once

#include <errno.h>  // program_invocation_short_name

#include <cstdio>
#include <cstdlib>

namespace fuzz {

inline void check(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "%s: %s\n", program_invocation_short_name, what);
  std::abort();
}

}  // namespace fuzz
