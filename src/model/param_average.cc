#include "model/param_average.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "model/checkpoint.h"

namespace byt5 {

namespace {

// The first key whose value differs between two configs, for the error message.
std::string first_difference(const nlohmann::json& a, const nlohmann::json& b) {
  for (const auto& [key, value] : a.items())
    if (!b.contains(key) || b.at(key) != value) return key;
  for (const auto& [key, value] : b.items())
    if (!a.contains(key)) return key;
  return "";
}

}  // namespace

ParamSet average_params(const std::vector<std::filesystem::path>& dirs) {
  if (dirs.empty()) throw Error("average_params: no model directories given");
  ParamSet mean = load_params(dirs.front());
  const nlohmann::json config = mean.config().to_json();
  // Running mean, one model in memory besides the result: after model k, mean = m_{k-1} + (x - m_{k-1}) / k.
  for (size_t k = 1; k < dirs.size(); ++k) {
    const ParamSet next = load_params(dirs[k]);
    const nlohmann::json other = next.config().to_json();
    if (other != config)
      throw Error(dirs[k].string() + "/config.json differs from " + dirs.front().string() +
                  "/config.json in '" + first_difference(config, other) +
                  "': only models of one configuration can be averaged");
    const float inv = 1.0f / static_cast<float>(k + 1);
    float* m = mean.data();
    const float* x = next.data();
    const size_t n = mean.size();
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; ++i) m[i] += (x[i] - m[i]) * inv;
  }
  return mean;
}

}  // namespace byt5
