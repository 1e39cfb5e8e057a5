// Inference speed for the byt5-small shape with random weights made in-process (speed does not
// depend on the values): encoder tokens/s and incremental decoding tokens/s at batch 1 and 16,
// fp32, plus the process's peak resident memory. Run: build/bench --benchmark_filter=Engine
#include <benchmark/benchmark.h>
#include "bench_util.h"
#include "decode/greedy.h"
#include "model/t5_model.h"
#include "ops/linear.h"

namespace byt5 {
namespace {

T5Model& model() {
  static T5Model m(bench::random_params(bench::byt5_small()));
  return m;
}

using bench::peak_rss_mb;

std::vector<int> input_ids(int n) {
  std::vector<int> ids(n);
  for (int i = 0; i < n - 1; ++i) ids[i] = 'a' + 3 + i % 26;
  ids[n - 1] = 1;
  return ids;
}

void BM_Encoder(benchmark::State& st) {
  const int B = static_cast<int>(st.range(0)), T = 51;
  auto& m = model();
  std::vector<int> ids;
  for (int b = 0; b < B; ++b) {
    auto one = input_ids(T);
    ids.insert(ids.end(), one.begin(), one.end());
  }
  std::vector<float> out((size_t)B * T * m.config().d_model);
  for (auto _ : st) m.encode(out.data(), ids.data(), nullptr, B, T);
  st.counters["tokens/s"] = benchmark::Counter((double)B * T * st.iterations(), benchmark::Counter::kIsRate);
  st.counters["peak_rss_MB"] = peak_rss_mb();
}

// 100 new tokens after a 51-token input, the baseline's setting: encoder + 100 cached decoder steps.
void BM_Greedy100(benchmark::State& st) {
  const int B = static_cast<int>(st.range(0)), T = 51, steps = 100;
  auto& m = model();
  const int V = m.config().vocab_size;
  std::vector<int> ids;
  for (int b = 0; b < B; ++b) {
    auto one = input_ids(T);
    ids.insert(ids.end(), one.begin(), one.end());
  }
  std::vector<float> enc((size_t)B * T * m.config().d_model), logits((size_t)B * V);
  for (auto _ : st) {
    m.encode(enc.data(), ids.data(), nullptr, B, T);
    DecoderCache cache = m.start_decoding(enc.data(), nullptr, B, T, steps);
    std::vector<int> cur(B, 0);
    for (int s = 0; s < steps; ++s) {
      m.decode_step(cache, cur.data(), logits.data());
      for (int b = 0; b < B; ++b) {
        const float* row = logits.data() + (size_t)b * V;
        cur[b] = static_cast<int>(std::max_element(row, row + V) - row);
      }
    }
  }
  st.counters["new_tokens/s"] = benchmark::Counter((double)B * steps * st.iterations(), benchmark::Counter::kIsRate);
  st.counters["peak_rss_MB"] = peak_rss_mb();
}

BENCHMARK(BM_Encoder)->Arg(1)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Greedy100)->Arg(1)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

}  // namespace
}  // namespace byt5


namespace byt5 {
namespace {
// One linear layer through the engine's matmul path: y (M, N) = x (M, K) W^T.
void BM_Linear(benchmark::State& st) {
  const int M = (int)st.range(0), K = (int)st.range(1), N = (int)st.range(2);
  std::vector<float> x((size_t)M * K, 0.01f), W((size_t)N * K, 0.02f), y((size_t)M * N);
  for (auto _ : st) linear_forward(y.data(), x.data(), W.data(), M, K, N);
  st.counters["GFLOP/s"] = benchmark::Counter(2.0 * M * K * N * st.iterations() / 1e9, benchmark::Counter::kIsRate);
  st.counters["GB/s"] = benchmark::Counter(4.0 * N * K * st.iterations() / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Linear)->Args({1, 1472, 3584})->Args({1, 3584, 1472})->Args({16, 1472, 3584})->Args({51, 1472, 3584})->Args({51, 3584, 1472})->Args({51, 1472, 384})->UseRealTime();
}  // namespace
}  // namespace byt5

namespace byt5 {
namespace {
// The same product with the weight stored transposed (K, N): sgemm('N', 'N').
void BM_LinearKN(benchmark::State& st) {
  const int M = (int)st.range(0), K = (int)st.range(1), N = (int)st.range(2);
  std::vector<float> x((size_t)M * K, 0.01f), W((size_t)N * K, 0.02f), y((size_t)M * N);
  for (auto _ : st) sgemm(false, false, M, N, K, 1.0f, x.data(), K, W.data(), N, 0.0f, y.data(), N);
  st.counters["GFLOP/s"] = benchmark::Counter(2.0 * M * K * N * st.iterations() / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LinearKN)->Args({1, 1472, 3584})->Args({16, 1472, 3584})->Args({51, 1472, 3584})->Args({512, 1472, 3584})->UseRealTime();
}  // namespace
}  // namespace byt5
