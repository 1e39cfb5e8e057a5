// Inference speed for the byt5-small shape with random weights made in-process (speed does not
// depend on the values): encoder tokens/s and incremental decoding tokens/s at batch 1 and 16,
// fp32, plus the process's peak resident memory. Run: build/bench --benchmark_filter=Engine
#include <benchmark/benchmark.h>

#include <utility>
#include "backends/cpu/panel_gemm.h"
#include "bench_util.h"
#include "decode/greedy.h"
#include "model/t5_model.h"
#include "ops/attention.h"
#include "ops/ffn_act.h"
#include "ops/gelu_new.h"
#include "ops/linear.h"

namespace byt5 {
namespace {

// Repacked for decoding as Engine::load does, so no timed loop pays for it.
T5Model& model() {
  static T5Model m = [] {
    T5Model t(bench::random_params(bench::byt5_small()));
    t.prepare_decoding();
    return t;
  }();
  return m;
}

using bench::peak_rss_mb;

std::vector<int> input_ids(int n) {
  std::vector<int> ids(n);
  for (int i = 0; i < n - 1; ++i) ids[i] = 'a' + 3 + i % 26;
  ids[n - 1] = 1;
  return ids;
}

// B copies of input_ids(T), one per row.
std::vector<int> batch_ids(int B, int T) {
  std::vector<int> ids;
  for (int b = 0; b < B; ++b) {
    auto one = input_ids(T);
    ids.insert(ids.end(), one.begin(), one.end());
  }
  return ids;
}

void BM_Encoder(benchmark::State& st) {
  const int B = static_cast<int>(st.range(0)), T = 51;
  auto& m = model();
  const std::vector<int> ids = batch_ids(B, T);
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
  const std::vector<int> ids = batch_ids(B, T);
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

// One incremental decoder step at position 50..99 (the cache is rewound every 50 steps), and the
// same step's matrix products alone: their difference is what attention, norms, the activation
// and the cache cost per step.
void BM_DecodeStep(benchmark::State& st) {
  const int B = static_cast<int>(st.range(0)), T = 51;
  auto& m = model();
  const std::vector<int> ids = batch_ids(B, T);
  std::vector<float> enc((size_t)B * T * m.config().d_model), logits((size_t)B * m.config().vocab_size);
  m.encode(enc.data(), ids.data(), nullptr, B, T);
  DecoderCache cache = m.start_decoding(enc.data(), nullptr, B, T, 100);
  std::vector<int> cur(B, 'e' + 3);
  for (int s = 0; s < 50; ++s) m.decode_step(cache, cur.data(), logits.data());
  for (auto _ : st) {
    if (cache.len == 100) cache.len = 50;
    m.decode_step(cache, cur.data(), logits.data());
  }
  st.counters["steps/s"] = benchmark::Counter((double)st.iterations(), benchmark::Counter::kIsRate);
}

// range(1): 0 = the original small-M kernel on the weights as stored (linear_forward), 1 = the
// panels that decoder products now use (panel_gemm). The model's weights are restored to their
// stored layout for 0 and repacked (in place) for 1, outside the timed loop.
void BM_DecodeStepMatmuls(benchmark::State& st) {
  const int N = static_cast<int>(st.range(0));
  const bool panels = st.range(1) != 0;
  auto& m = model();
  const auto& c = m.config();
  const int C = c.d_model, I = c.inner_dim(), F = c.d_ff;
  AlignedBuffer<float> x, y;
  x.resize((size_t)N * std::max(F, C)), y.resize((size_t)N * std::max(F, C));
  std::fill(x.data(), x.data() + x.size(), 0.01f);
  const ModelWeights& w = m.params().w();  // Hugging Face's layout until decoder_panels() below
  struct Product {
    const float* W;
    int K, N;
    bool accumulate;
  };
  std::vector<Product> products;
  for (const auto& L : w.dec) {
    for (const float* W : {L.self.q, L.self.k, L.self.v, L.cross.q}) products.push_back({W, C, I, false});
    for (const float* W : {L.self.o, L.cross.o}) products.push_back({W, I, C, true});
    for (const float* W : {L.ffn.wi0, L.ffn.wi1}) products.push_back({W, C, F, false});
    products.push_back({L.ffn.wo, F, C, true});
  }
  products.push_back({w.lm_head, C, c.vocab_size, false});
  // The same matrices as panels, in the order of `products` (repacked where they lie, so `products`
  // then points at panels; kernel 1 does not read it).
  std::vector<const PanelMatrix*> packed;
  if (panels) {
    const DecoderPanels& dp = m.decoder_panels();
    for (const auto& L : dp.layers)
      for (const PanelMatrix* P : {&L.self_q, &L.self_k, &L.self_v, &L.cross_q, &L.self_o, &L.cross_o, &L.ffn.wi0,
                                   &L.ffn.wi1, &L.ffn.wo})
        packed.push_back(P);
    packed.push_back(&dp.lm_head);
  }
  for (auto _ : st) {
    for (size_t i = 0; i < products.size(); ++i) {
      const Product& p = products[i];
      if (panels) panel_gemm(y.data(), x.data(), *packed[i], N, p.accumulate);
      else linear_forward(y.data(), x.data(), p.W, N, p.K, p.N, p.accumulate);
    }
  }
  st.counters["steps/s"] = benchmark::Counter((double)st.iterations(), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_DecodeStep)->Arg(1)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_DecodeStepMatmuls)->Args({1, 0})->Args({1, 1})->Args({16, 0})->Args({16, 1})->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Encoder)->Arg(1)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Greedy100)->Arg(1)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

}  // namespace
}  // namespace byt5


namespace byt5 {
namespace {
// One linear layer through the engine's matmul path: y (M, N) = x (M, K) W^T.
void BM_Linear(benchmark::State& st) {
  const int M = (int)st.range(0), K = (int)st.range(1), N = (int)st.range(2);
  // 64-byte aligned, as the model's weights and workspaces are.
  AlignedBuffer<float> x, W, y;
  x.resize((size_t)M * K), W.resize((size_t)N * K), y.resize((size_t)M * N);
  std::fill(x.data(), x.data() + x.size(), 0.01f), std::fill(W.data(), W.data() + W.size(), 0.02f);
  for (auto _ : st) linear_forward(y.data(), x.data(), W.data(), M, K, N);
  st.counters["GFLOP/s"] = benchmark::Counter(2.0 * M * K * N * st.iterations() / 1e9, benchmark::Counter::kIsRate);
  st.counters["GB/s"] = benchmark::Counter(4.0 * N * K * st.iterations() / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_Linear)->Args({16, 1472, 128})->Args({16, 1472, 512})->Args({1, 1472, 3584})->Args({1, 3584, 1472})->Args({16, 1472, 3584})->Args({4, 1472, 3584})->Args({51, 1472, 3584})->Args({51, 3584, 1472})->Args({51, 1472, 384})->Args({816, 1472, 3584})->Args({816, 3584, 1472})->Args({816, 1472, 384})->UseRealTime();
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
BENCHMARK(BM_LinearKN)->Args({16, 1472, 128})->Args({16, 1472, 512})->Args({1, 1472, 3584})->Args({16, 1472, 3584})->Args({51, 1472, 3584})->Args({512, 1472, 3584})->Args({816, 1472, 3584})->Args({816, 3584, 1472})->Args({816, 1472, 384})->UseRealTime();
}  // namespace
}  // namespace byt5

namespace byt5 {
namespace {
// The gated feed-forward activation over n elements: the vectorised gelu_new (form 1) against
// the scalar std::tanh expression it replaced (form 0) and the training form with a float tanh
// (form 2). 816 x 3584 is one batch-16 encoder layer, 16 x 3584 one batch-16 decoder layer per
// step, 3000 x 1024 one training micro-batch of the small shape's layer.
void BM_GeluNew(benchmark::State& st) {
  const long n = st.range(0);
  const int form = static_cast<int>(st.range(1));
  std::vector<float> a(n), b(n, 1.0f), h(n);
  for (long i = 0; i < n; ++i) a[i] = static_cast<float>(i % 1000) * 0.01f - 5.0f;
  for (auto _ : st) {
    if (form == 1) {
      ffn_act_forward(h.data(), a.data(), b.data(), n, Activation::GeluNew);
    } else if (form == 2) {
      gelu_new_forward_fast(h.data(), a.data(), b.data(), n);
    } else {
#pragma omp parallel for
      for (long i = 0; i < n; ++i) h[i] = activation(Activation::GeluNew, a[i]) * b[i];
    }
    benchmark::DoNotOptimize(h.data());
  }
}
BENCHMARK(BM_GeluNew)->Args({816 * 3584, 0})->Args({816 * 3584, 1})->Args({16 * 3584, 0})->Args({16 * 3584, 1})->Args({3000 * 1024, 1})->Args({3000 * 1024, 2})->Unit(benchmark::kMillisecond)->UseRealTime();
}  // namespace
}  // namespace byt5

namespace byt5 {
namespace {
// One decoder step's attention for one layer of the byt5-small shape at batch 16 (6 heads x 64,
// one query row over Tk keys): keys as rows, transposed on every call (transposed = 0, what
// attention_forward does), against keys kept transposed as the decoder cache keeps them
// (transposed = 1, attention_forward_kt). Tk 51 is the baseline's cross-attention, 100 the
// self-attention at the last of 100 steps.
void BM_DecodeAttention(benchmark::State& st) {
  const int Tk = static_cast<int>(st.range(0));
  const bool transposed = st.range(1) != 0;
  const int B = 16, H = 6, D = 64, HD = H * D;
  std::vector<float> q((size_t)B * HD, 0.01f), k((size_t)B * Tk * HD), v((size_t)B * Tk * HD, 0.5f),
      kt((size_t)B * Tk * HD), out((size_t)B * HD);
  for (size_t i = 0; i < k.size(); ++i) k[i] = kt[i] = static_cast<float>(i % 97) * 0.01f;
  const AttentionShape s{B, 1, Tk, H, D, HD, (long)Tk * HD, false, 0};
  for (auto _ : st) {
    if (transposed)
      attention_forward_kt(out.data(), q.data(), kt.data(), Tk, v.data(), nullptr, nullptr, s);
    else
      attention_forward(out.data(), nullptr, q.data(), k.data(), v.data(), nullptr, nullptr, s);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_DecodeAttention)->Args({51, 0})->Args({51, 1})->Args({100, 0})->Args({100, 1})->Unit(benchmark::kMicrosecond)->UseRealTime();
}  // namespace
}  // namespace byt5

namespace byt5 {
namespace {
// The same product through the repacked panels decoding steps use (panel_gemm).
void BM_LinearPanel(benchmark::State& st) {
  const int M = (int)st.range(0), K = (int)st.range(1), N = (int)st.range(2);
  AlignedBuffer<float> x, W, y;
  x.resize((size_t)M * K), W.resize((size_t)N * K), y.resize((size_t)M * N);
  std::fill(x.data(), x.data() + x.size(), 0.01f), std::fill(W.data(), W.data() + W.size(), 0.02f);
  const PanelMatrix P(W.data(), N, K);
  for (auto _ : st) panel_gemm(y.data(), x.data(), P, M, false);
  st.counters["GFLOP/s"] = benchmark::Counter(2.0 * M * K * N * st.iterations() / 1e9, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LinearPanel)->Args({16, 1472, 128})->Args({16, 1472, 512})->Args({1, 1472, 3584})->Args({1, 3584, 1472})->Args({16, 1472, 3584})->Args({4, 1472, 3584})->UseRealTime();
}  // namespace
}  // namespace byt5
