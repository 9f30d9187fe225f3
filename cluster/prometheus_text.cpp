// MetricsText (prometheus_text.hpp).
#include "cluster/prometheus_text.hpp"

#include <charconv>
#include <cmath>

#include "base/strings.hpp"

namespace cluster {

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string format_metric_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[64];
  // Whole numbers below 2^53 print as integers (1234567, not 1.23457e+06).
  if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0) {
    const auto r = std::to_chars(buf, buf + sizeof buf, static_cast<int64_t>(value));
    return std::string(buf, r.ptr);
  }
  // Shortest digits that read back the same, fixed notation where %g would use it (0.0001).
  const auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::general);
  return std::string(buf, r.ptr);
}

void MetricsText::family(std::string_view name, std::string_view type, std::string_view help) {
  for (const Family& f : families_) {
    if (f.name == name) return;
  }
  families_.push_back({std::string(name),
                       base::cat("# HELP ", name, " ", help, "\n# TYPE ", name, " ", type, "\n"),
                       ""});
}

MetricsText::Family* MetricsText::find(std::string_view sample_name) {
  for (Family& f : families_) {
    if (sample_name == f.name) return &f;
  }
  for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
    if (!sample_name.ends_with(suffix)) continue;
    const std::string_view base_name = sample_name.substr(0, sample_name.size() - suffix.size());
    for (Family& f : families_) {
      if (base_name == f.name) return &f;
    }
  }
  return nullptr;
}

void MetricsText::add(std::string_view name, const std::vector<Label>& labels,
                      std::string_view number) {
  Family* f = find(name);
  if (f == nullptr) {
    family(name, "untyped", "undeclared");
    f = &families_.back();
  }
  std::string& out = f->samples;
  out += name;
  if (!labels.empty()) {
    out += '{';
    bool first = true;
    for (const auto& [key, value] : labels) {
      out += base::cat(first ? "" : ",", key, "=\"", escape_label_value(value), "\"");
      first = false;
    }
    out += '}';
  }
  out += base::cat(" ", number, "\n");
}

void MetricsText::sample(std::string_view name, std::initializer_list<Label> labels,
                         uint64_t value) {
  sample(name, std::vector<Label>(labels), value);
}
void MetricsText::sample(std::string_view name, std::initializer_list<Label> labels, double value) {
  sample(name, std::vector<Label>(labels), value);
}
void MetricsText::sample(std::string_view name, const std::vector<Label>& labels, uint64_t value) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, value);
  add(name, labels, std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
}
void MetricsText::sample(std::string_view name, const std::vector<Label>& labels, double value) {
  add(name, labels, format_metric_value(value));
}

void MetricsText::histogram(std::string_view name,
                            const std::vector<const DelayHistogram*>& histograms,
                            const std::vector<Label>& labels) {
  auto total = [&](auto field) {
    uint64_t n = 0;
    for (const DelayHistogram* h : histograms) n += field(*h).load(std::memory_order_relaxed);
    return n;
  };
  const std::string bucket = base::cat(name, "_bucket");
  for (size_t i = 0; i < kDelayBucketCount; ++i) {
    std::vector<Label> with_le = labels;
    const std::string le = format_metric_value(kDelayBuckets[i]);
    with_le.emplace_back("le", le);
    sample(bucket, with_le,
           total([i](const DelayHistogram& h) -> const auto& { return h.buckets[i]; }));
  }
  const uint64_t count = total([](const DelayHistogram& h) -> const auto& { return h.count; });
  std::vector<Label> inf = labels;
  inf.emplace_back("le", "+Inf");
  sample(bucket, inf, count);
  sample(
      base::cat(name, "_sum"), labels,
      static_cast<double>(total([](const DelayHistogram& h) -> const auto& { return h.sum_us; })) /
          1e6);
  sample(base::cat(name, "_count"), labels, count);
}

std::string MetricsText::text() const {
  std::string out;
  for (const Family& f : families_) out += f.head + f.samples;
  return out;
}

}  // namespace cluster
