// Prometheus text exposition format 0.0.4 for every program's /metrics: families declared once
// with HELP and TYPE, samples grouped under their family whatever order they are added in, label
// values escaped, integers printed exactly and other numbers in the shortest form that reads
// back the same. Checked by `promtool check metrics` (tests/integration/metrics_conventions).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cluster/delay_histogram.hpp"

namespace cluster {

using Label = std::pair<std::string_view, std::string_view>;

class MetricsText {
 public:
  // Declares a family; type is counter, gauge or histogram. Declaring it again is a no-op.
  void family(std::string_view name, std::string_view type, std::string_view help);
  // A sample of a declared family (`name` may carry a histogram suffix: _bucket, _sum, _count).
  void sample(std::string_view name, std::initializer_list<Label> labels, uint64_t value);
  void sample(std::string_view name, std::initializer_list<Label> labels, double value);
  void sample(std::string_view name, const std::vector<Label>& labels, uint64_t value);
  void sample(std::string_view name, const std::vector<Label>& labels, double value);
  // A whole histogram sample set (buckets, +Inf, _sum in seconds, _count) from `histograms`
  // summed, with `labels` on every sample.
  void histogram(std::string_view name, const std::vector<const DelayHistogram*>& histograms,
                 const std::vector<Label>& labels = {});

  std::string text() const;

 private:
  struct Family {
    std::string name;
    std::string head;
    std::string samples;
  };
  Family* find(std::string_view sample_name);
  void add(std::string_view name, const std::vector<Label>& labels, std::string_view number);

  std::vector<Family> families_;
};

// Escapes a label value: backslash, double quote and newline.
std::string escape_label_value(std::string_view value);
// The number as Prometheus reads it: exact digits for integers, shortest round-trip otherwise.
std::string format_metric_value(double value);

}  // namespace cluster
