#include "bench/rtsp_bench/proc_sampler.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <utility>

namespace rtsp_bench {
namespace {

// utime + stime (fields 14 and 15 of /proc/PID/stat) in clock ticks.
std::optional<int64_t> cpu_ticks(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(in, text)) return std::nullopt;
  // The command name (field 2) may hold spaces; fields after it start past the last ')'.
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream rest(text.substr(paren + 2));
  std::string field;
  int64_t utime = 0;
  int64_t stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  return utime + stime;
}

std::optional<int64_t> rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return std::nullopt;
}

}  // namespace

ProcSampler::ProcSampler(std::vector<pid_t> pids)
    : pids_(std::move(pids)), ticks_per_second_(::sysconf(_SC_CLK_TCK)) {}

std::optional<ProcSample> ProcSampler::sample(int64_t mono_us) {
  int64_t ticks = 0;
  ProcSample s;
  s.mono_us = mono_us;
  for (pid_t pid : pids_) {
    auto t = cpu_ticks(pid);
    auto r = rss_kib(pid);
    if (!t || !r) return std::nullopt;
    ticks += *t;
    s.rss_kib += *r;
  }
  if (last_ticks_ >= 0 && mono_us > last_mono_us_) {
    const double cpu_seconds =
        static_cast<double>(ticks - last_ticks_) / static_cast<double>(ticks_per_second_);
    s.cpu_percent = 100.0 * cpu_seconds / (static_cast<double>(mono_us - last_mono_us_) / 1e6);
  }
  last_ticks_ = ticks;
  last_mono_us_ = mono_us;
  return s;
}

}  // namespace rtsp_bench
