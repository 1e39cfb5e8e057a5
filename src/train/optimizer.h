// The optimizer the card's Trainer ran: transformers' AdamW ("adamw_hf": eps added to sqrt(v),
// bias corrections folded into the step size, decoupled weight decay), global gradient-norm
// clipping as torch.nn.utils.clip_grad_norm_, and get_linear_schedule_with_warmup. All state is
// fp32 in ParamSets with the model's layout (moments under the parameters' names).
#pragma once
#include <cstdint>

#include "model/weights.h"

namespace byt5 {

struct AdamHyper {
  float beta1 = 0.9f;
  float beta2 = 0.999f;
  float eps = 1e-8f;
  float weight_decay = 0.0f;
  // The relative-position bias tables take steps of lr * rel_bias_lr_scale. Adam moves each
  // parameter by about lr per step, and a bias must reach several units before attention to a
  // fixed offset (what copying from the input needs) is sharp: from scratch that takes thousands
  // of steps at 1e-3. 1 is Hugging Face's optimizer.
  float rel_bias_lr_scale = 1.0f;
};

class AdamW {
 public:
  AdamW(const T5Config& cfg, AdamHyper h);

  // One update with learning rate lr (the scheduler's value for this step):
  //   t += 1; m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
  //   p -= lr * sqrt(1-b2^t)/(1-b1^t) * m / (sqrt(v) + eps);  then p -= lr * wd * p, except for
  //   layer norm weights (HF's Trainer leaves them out of weight decay).
  void step(ParamSet& params, const ParamSet& grads, double lr);

  int64_t steps() const { return t_; }
  void set_steps(int64_t t) { t_ = t; }
  ParamSet& exp_avg() { return m_; }
  ParamSet& exp_avg_sq() { return v_; }
  const ParamSet& exp_avg() const { return m_; }
  const ParamSet& exp_avg_sq() const { return v_; }
  const AdamHyper& hyper() const { return h_; }

 private:
  AdamHyper h_;
  ParamSet m_, v_;
  int64_t t_ = 0;
};

// The global L2 norm over every parameter's gradient (torch: the norm of the per-tensor norms).
double grad_norm(const ParamSet& grads);
// clip_grad_norm_: scales every gradient by max_norm / (norm + 1e-6) when that is below 1.
// Returns the norm before clipping.
double clip_grad_norm(ParamSet& grads, float max_norm);

// get_linear_schedule_with_warmup's rate for the step that follows `done` completed steps:
// lr * done / warmup during warmup, then lr * (total - done) / (total - warmup), never below 0.
double linear_schedule_lr(double lr, int64_t done, int64_t total, int64_t warmup);

}  // namespace byt5
