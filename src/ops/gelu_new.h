// gelu_new, T5 v1.1's feed-forward activation, as Hugging Face computes it in fp32:
// 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))), vectorised. tanh is evaluated in
// double precision and rounded once, so it is the correctly rounded float tanh but for rare
// double-rounding cases (std::tanh, which this replaces, is within 1 ulp); without AVX-512 it
// falls back to std::tanh. The scalar tanh was about a fifth of a batch-16 encoder pass.
#pragma once

namespace byt5 {

// The constants of gelu_new's tanh argument, sqrt(2 / pi) and 0.044715, for every gelu_new path
// (this vectorised one, the scalar activation and the backward passes).
inline constexpr float kGeluNewSqrt2OverPi = 0.7978845608028654f;
inline constexpr float kGeluNewCoef = 0.044715f;

// tanh(u) for n floats.
void tanh_forward(float* t, const float* u, long n);

// h = gelu_new(a) * b (b null: h = gelu_new(a)); h may alias a. With tanh_out, also stores each
// element's tanh (what the backward pass needs).
void gelu_new_forward(float* h, const float* a, const float* b, long n, float* tanh_out = nullptr);

// Training forms of the two: tanh in float arithmetic, within a few float ulps rather than one
// (bf16 training rounds far more), ~2.4x cheaper (BM_GeluNew). Not for inference, which must match Hugging
// Face. Without AVX-512 they are the exact forms.
void tanh_forward_fast(float* t, const float* u, long n);
void gelu_new_forward_fast(float* h, const float* a, const float* b, long n, float* tanh_out = nullptr);

}  // namespace byt5
