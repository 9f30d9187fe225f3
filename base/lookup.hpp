// One mapping between two sets of values (an enum and its names, codec ids between the wire,
// libavcodec and the media layer, Status codes and RTSP status codes) written once as a table of
// pairs, and read in either direction, instead of one switch per direction.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

namespace base {

template <typename K, typename V>
using Row = std::pair<K, V>;

// The first row of `table` that `match` accepts, or nullptr.
template <typename K, typename V, size_t N, typename Match>
constexpr const Row<K, V>* find_row(const Row<K, V> (&table)[N], Match match) {
  for (const auto& row : table) {
    if (match(row)) return &row;
  }
  return nullptr;
}

// The value paired with `key` in `table` (the first such row), or `fallback` when none is.
template <typename K, typename V, size_t N>
constexpr V lookup(const Row<K, V> (&table)[N], const std::type_identity_t<K>& key,
                   std::type_identity_t<V> fallback) {
  const auto* row = find_row(table, [&](const auto& r) { return r.first == key; });
  return row != nullptr ? row->second : fallback;
}

// The key paired with `value` in `table` (the first such row), or `fallback` when none is.
template <typename K, typename V, size_t N>
constexpr K reverse_lookup(const Row<K, V> (&table)[N], const std::type_identity_t<V>& value,
                           std::type_identity_t<K> fallback) {
  const auto* row = find_row(table, [&](const auto& r) { return r.second == value; });
  return row != nullptr ? row->first : fallback;
}

}  // namespace base
