// Training throughput (tokens/s) and model FLOP utilisation: the model's matmul FLOPs per second
// divided by the bf16 matmul throughput oneDNN reaches on this machine, measured in the same run.
// Shapes: byt5-small (d_model 1472, d_ff 3584, 12 + 4 layers, 6 heads x 64, vocab 384) and a small
// model; one micro-batch of 16 rows, 40 source and 100 target tokens (TOPv2's median lengths are
// ~37 and ~90 bytes). Keep it short: `bench --benchmark_filter=Train` runs in about a minute on 2 cores.
#include <benchmark/benchmark.h>

#include <chrono>
#include <vector>

#include "backends/cpu/onednn_matmul_bf16.h"
#include "train/optimizer.h"
#include "train/train_model.h"

namespace byt5 {
namespace {

constexpr int kB = 16, kTe = 40, kTd = 100;

T5Config shape(bool small) {
  T5Config c;
  c.vocab_size = 384, c.feed_forward_proj = "gated-gelu", c.is_gated = true, c.act = Activation::GeluNew;
  c.tie_word_embeddings = false;
  if (small) {
    c.d_model = 256, c.d_ff = 1024, c.d_kv = 64, c.num_heads = 4, c.num_layers = 4, c.num_decoder_layers = 4;
  } else {
    c.d_model = 1472, c.d_ff = 3584, c.d_kv = 64, c.num_heads = 6, c.num_layers = 12, c.num_decoder_layers = 4;
  }
  return c;
}

// Matmul FLOPs of one forward + backward (backward = 2x forward) over a B x (Te, Td) batch.
double train_flops(const T5Config& c, int B, int Te, int Td) {
  const double C = c.d_model, I = c.inner_dim(), F = c.d_ff, V = c.vocab_size, Ne = double(B) * Te, Nd = double(B) * Td;
  const double ffn = (c.is_gated ? 3 : 2) * C * F;
  const double enc = c.num_layers * (Ne * (4 * C * I + ffn) + 2.0 * B * Te * Te * I);
  const double dec = c.num_decoder_layers *
                     (Nd * (4 * C * I + 2 * C * I + ffn) + Ne * 2 * C * I + 2.0 * B * Td * Td * I + 2.0 * B * Td * Te * I);
  return 3 * 2 * (enc + dec + Nd * C * V);
}

// Speed does not depend on the values: a cheap fill of the scale _init_weights would give.
void fill_params(ParamSet& p) {
  uint64_t state = 42;
  for (const auto& s : p.specs()) {
    const bool norm = s.name.find("layer_norm") != std::string::npos;
    const float scale = s.name == "shared.weight" || s.name == "lm_head.weight" ? 1.0f : 0.05f;
    float* w = p.data() + s.offset;
    for (size_t i = 0; i < s.numel(); ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      w[i] = norm ? 1.0f : scale * (static_cast<float>(state >> 40) * 0x1.0p-24f * 2.0f - 1.0f);
    }
  }
}

Batch synthetic_batch(const T5Config& c) {
  std::vector<std::vector<int>> src(kB, std::vector<int>(kTe)), tgt(kB, std::vector<int>(kTd));
  for (int b = 0; b < kB; ++b) {
    for (int t = 0; t < kTe; ++t) src[b][t] = 3 + (b * 31 + t * 7) % 256;
    for (int t = 0; t < kTd; ++t) tgt[b][t] = 3 + (b * 17 + t * 13) % 256;
    src[b].back() = tgt[b].back() = 1;
  }
  return make_batch(src, tgt, c);
}

double& peak_flops() {
  static double peak = 0;  // measured by BM_Bf16MatmulPeak, which runs first
  return peak;
}

void BM_Bf16MatmulPeak(benchmark::State& state) {
  const int M = 1600, K = 1472, N = 3584;  // a decoder FFN matmul of the byt5-small batch
  std::vector<bf16_t> a((size_t)M * K, 0x3f80), w((size_t)N * K, 0x3c00);
  std::vector<float> y((size_t)M * N);
  Bf16Matmul mm;
  mm.gemm(M, N, K, a.data(), K, false, w.data(), K, true, y.data(), N, false);
  double secs = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    mm.gemm(M, N, K, a.data(), K, false, w.data(), K, true, y.data(), N, false);
    secs += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  const double flops = 2.0 * M * K * N * state.iterations();
  peak_flops() = flops / secs;
  state.counters["TFLOPS"] = flops / secs / 1e12;
}
BENCHMARK(BM_Bf16MatmulPeak)->Unit(benchmark::kMillisecond)->MinTime(1.0);

void BM_TrainMicroBatch(benchmark::State& state) {
  const bool small = state.range(0) == 1;
  const Precision prec = state.range(1) == 1 ? Precision::BF16 : Precision::F32;
  const T5Config cfg = shape(small);
  ParamSet params(cfg), grads(cfg);
  fill_params(params);
  LinearContext lin(prec);
  lin.refresh_weights(params);
  Batch batch = synthetic_batch(cfg);
  TrainModel model(params, grads, lin, BatchShape{kB, kTe, kTd});
  model.forward(batch, DropoutPlan{0.1f, 1});  // warm-up: primitives, page faults
  model.backward(1.0f);
  double secs = 0;
  for (auto _ : state) {
    auto t0 = std::chrono::steady_clock::now();
    benchmark::DoNotOptimize(model.forward(batch, DropoutPlan{0.1f, 2}));
    model.backward(1.0f);
    secs += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  const double n = static_cast<double>(state.iterations());
  const double flops_per_s = train_flops(cfg, kB, kTe, kTd) * n / secs;
  state.counters["tokens_per_s"] = (batch.source_tokens + batch.label_tokens) * n / secs;
  state.counters["model_TFLOPS"] = flops_per_s / 1e12;
  if (peak_flops() > 0) state.counters["MFU"] = flops_per_s / peak_flops();
  state.SetLabel(std::string(small ? "small" : "byt5-small") + " " + precision_name(prec));
}
BENCHMARK(BM_TrainMicroBatch)->Args({1, 1})->Args({1, 0})->Unit(benchmark::kSecond)->Iterations(2);
// byt5-small in fp32 (f64-accumulating GEMM, for exactness checks) takes minutes: not run here.
BENCHMARK(BM_TrainMicroBatch)->Args({0, 1})->Unit(benchmark::kSecond)->Iterations(1);

// The optimizer step over byt5-small's parameters (clip + AdamW + bf16 shadow refresh).
void BM_OptimizerStep(benchmark::State& state) {
  const T5Config cfg = shape(false);
  ParamSet params(cfg), grads(cfg);
  AdamW opt(cfg, AdamHyper{});
  LinearContext lin(Precision::BF16);
  for (auto _ : state) {
    clip_grad_norm(grads, 1.0f);
    opt.step(params, grads, 1e-3);
    lin.refresh_weights(params);
  }
  state.counters["params"] = static_cast<double>(params.size());
}
BENCHMARK(BM_OptimizerStep)->Unit(benchmark::kMillisecond)->Iterations(2);

}  // namespace
}  // namespace byt5
