// CPU and RSS of a set of processes from /proc (proc(5): /proc/PID/stat utime+stime,
// /proc/PID/status VmRSS), sampled by the caller about once a second.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace rtsp_bench {

struct ProcSample {
  int64_t mono_us = 0;
  double cpu_percent = 0;  // of one core, since the previous sample (100 = one core busy)
  int64_t rss_kib = 0;     // summed over the processes
};

class ProcSampler {
 public:
  explicit ProcSampler(std::vector<pid_t> pids);
  // Reads the processes now; the first call only sets the CPU reference (cpu_percent 0).
  // nullopt when a process is gone.
  std::optional<ProcSample> sample(int64_t mono_us);

 private:
  std::vector<pid_t> pids_;
  int64_t last_ticks_ = -1;
  int64_t last_mono_us_ = 0;
  long ticks_per_second_;
};

}  // namespace rtsp_bench
