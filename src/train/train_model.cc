#include "train/train_model.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/error.h"
#include "ops/cross_entropy.h"
#include "ops/dropout.h"
#include "ops/rms_norm.h"
#include "train/rng.h"

namespace byt5 {

Batch make_batch(const std::vector<std::vector<int>>& sources, const std::vector<std::vector<int>>& targets,
                 const T5Config& cfg) {
  if (sources.size() != targets.size()) throw Error("internal: make_batch got unequal source/target counts");
  Batch b;
  b.B = static_cast<int>(sources.size());
  for (size_t i = 0; i < sources.size(); ++i) {
    if (sources[i].empty() || targets[i].empty())
      throw Error("internal: an empty token sequence (encode() always appends EOS)");
    b.Te = std::max(b.Te, static_cast<int>(sources[i].size()));
    b.Td = std::max(b.Td, static_cast<int>(targets[i].size()));
  }
  b.enc_ids.assign((size_t)b.B * b.Te, cfg.pad_token_id);
  b.enc_mask.assign((size_t)b.B * b.Te, 0.0f);
  b.labels.assign((size_t)b.B * b.Td, -100);
  b.dec_ids.assign((size_t)b.B * b.Td, cfg.pad_token_id);
  for (int i = 0; i < b.B; ++i) {
    for (size_t t = 0; t < sources[i].size(); ++t) {
      b.enc_ids[(size_t)i * b.Te + t] = sources[i][t];
      b.enc_mask[(size_t)i * b.Te + t] = 1.0f;
    }
    for (size_t t = 0; t < targets[i].size(); ++t) b.labels[(size_t)i * b.Td + t] = targets[i][t];
    // Hugging Face's _shift_right: [decoder_start] + labels[:-1], with -100 replaced by pad.
    b.dec_ids[(size_t)i * b.Td] = cfg.decoder_start_token_id;
    for (int t = 1; t < b.Td; ++t) {
      const int l = b.labels[(size_t)i * b.Td + t - 1];
      b.dec_ids[(size_t)i * b.Td + t] = l == -100 ? cfg.pad_token_id : l;
    }
    b.label_tokens += static_cast<int>(targets[i].size());
    b.source_tokens += static_cast<int>(sources[i].size());
  }
  return b;
}

TrainModel::TrainModel(ParamSet& params, ParamSet& grads, LinearContext& lin, BatchShape max_shape)
    : params_(params), grads_(grads), lin_(lin), acts_(params.config(), max_shape) {
  if (params.size() != grads.size() || params.config().vocab_size != grads.config().vocab_size)
    throw Error("internal: gradient buffer does not have the parameters' layout");
}

uint64_t TrainModel::site_key(int stack, int layer, int kind) const {
  return derive_key(drop_.key, (static_cast<uint64_t>(stack) << 40) | (static_cast<uint64_t>(layer) << 8) |
                                   static_cast<uint64_t>(kind));
}

float TrainModel::forward(const Batch& batch, const DropoutPlan& dropout) {
  const auto& c = config();
  if (batch.B > acts_.max.B || batch.Te > acts_.max.Te || batch.Td > acts_.max.Td)
    throw Error("internal: micro-batch " + std::to_string(batch.B) + "x(" + std::to_string(batch.Te) + "," +
                std::to_string(batch.Td) + ") exceeds the activation buffers sized for " +
                std::to_string(acts_.max.B) + "x(" + std::to_string(acts_.max.Te) + "," +
                std::to_string(acts_.max.Td) + ")");
  if (batch.label_tokens <= 0) throw Error("internal: a micro-batch without label tokens");
  batch_ = &batch;
  drop_ = dropout;
  encoder_forward();
  decoder_forward();
  const int Nd = batch.B * batch.Td;
  const double total = cross_entropy_forward(nullptr, acts_.logits, batch.labels.data(), Nd, c.vocab_size);
  return static_cast<float>(total / batch.label_tokens);
}

void TrainModel::backward(float loss_scale) {
  if (!batch_) throw Error("internal: backward without a forward");
  const auto& c = config();
  const auto& w = params_.w();
  auto& dw = grads_.w();
  auto& t = acts_;
  const Batch& b = *batch_;
  const int C = c.d_model, V = c.vocab_size, Nd = b.B * b.Td;
  // d loss / d logits = scale * (softmax - onehot), in place over the saved logits.
  const float scale = loss_scale / static_cast<float>(b.label_tokens);
  cross_entropy_backward(t.logits, t.logits, b.labels.data(), Nd, V, scale);
  lin_.backward(t.dx, dw.lm_head, t.logits, t.dec_out, w.lm_head, Nd, C, V);
  if (c.scales_decoder_output()) {
    const float s = static_cast<float>(std::pow(static_cast<double>(C), -0.5));
    for (size_t i = 0; i < (size_t)Nd * C; ++i) t.dx[i] *= s;
  }
  dropout_backward(t.dx, t.dx, (long)Nd * C, DropoutSpec{drop_.rate, site_key(1, 0, 255)});  // decoder kFinal
  rms_norm_backward(t.dtmp, dw.dec_final_ln, t.dx, t.dec_x.back(), w.dec_final_ln, t.dec_rstd, Nd, C);
  std::memcpy(t.dx, t.dtmp, sizeof(float) * (size_t)Nd * C);
  decoder_backward();
  encoder_backward();
  batch_ = nullptr;
}

}  // namespace byt5
