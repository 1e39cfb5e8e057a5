// The T5 v1.1 training forward (Hugging Face T5ForConditionalGeneration in train mode, with
// dropout where HF applies it) with saved activations, and its explicit backward into a gradient
// ParamSet with the weights' layout. Parameter gradients accumulate (+=) across calls, so
// gradient accumulation is just several forward/backward pairs before the optimizer step.
#pragma once
#include <cstdint>
#include <vector>

#include "model/weights.h"
#include "train/activations.h"
#include "train/linear_context.h"

namespace byt5 {

// One padded micro-batch, built as Hugging Face's collator and _shift_right build it.
struct Batch {
  int B = 0, Te = 0, Td = 0;
  std::vector<int> enc_ids;     // (B, Te) padded with pad_token_id
  std::vector<float> enc_mask;  // (B, Te) 1 = token, 0 = padding
  std::vector<int> dec_ids;     // (B, Td) [decoder_start] + labels[:-1], padding -> pad_token_id
  std::vector<int> labels;      // (B, Td) target ids then EOS; -100 past the end (ignored)
  int label_tokens = 0;         // labels that count toward the loss
  int source_tokens = 0;        // non-padding encoder tokens
};

// sources/targets: token ids, each ending in EOS. Throws byt5::Error on an empty sequence.
Batch make_batch(const std::vector<std::vector<int>>& sources, const std::vector<std::vector<int>>& targets,
                 const T5Config& cfg);

// Which dropout masks a forward uses: rate 0 turns dropout off (evaluation, exactness checks).
struct DropoutPlan {
  float rate = 0.0f;
  uint64_t key = 0;  // one per micro-batch; each call site derives its own key from it
};

class TrainModel {
 public:
  // params and grads must share a config; activations are sized for max_shape.
  TrainModel(ParamSet& params, ParamSet& grads, LinearContext& lin, BatchShape max_shape);

  const T5Config& config() const { return params_.config(); }
  BatchShape max_shape() const { return acts_.max; }
  size_t activation_bytes() const { return acts_.bytes(); }

  // Forward with saved activations; returns the mean cross-entropy over the batch's label tokens.
  float forward(const Batch& batch, const DropoutPlan& dropout);
  // Adds the gradient of loss_scale * (the last forward's mean loss) to grads.
  void backward(float loss_scale);

  // The saved logits of the last forward (Nd, V); valid until backward.
  const float* logits() const { return acts_.logits; }

 private:
  void encoder_forward();
  void decoder_forward();
  void encoder_backward();
  void decoder_backward();
  uint64_t site_key(int stack, int layer, int kind) const;

  ParamSet& params_;
  ParamSet& grads_;
  LinearContext& lin_;
  TrainActivations acts_;
  const Batch* batch_ = nullptr;
  DropoutPlan drop_;
};

}  // namespace byt5
