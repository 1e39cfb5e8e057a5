// Hugging Face model directories: config.json + weights (+ added_tokens.json), in and out.
#pragma once
#include <filesystem>

#include "io/tensor_source.h"
#include "model/config.h"
#include "model/weights.h"

namespace byt5 {

// Reads config.json and the weights of `dir`; every expected tensor must be present with its
// exact shape, and no unknown tensor may be present (the embed_tokens aliases of shared.weight,
// and lm_head.weight of a tied model, are accepted and ignored).
ParamSet load_params(const std::filesystem::path& dir);
// Copies tensors from an open source into params, with the same checks.
void read_params(ParamSet& params, const TensorSource& src);

// Writes config.json and model.safetensors (aliases omitted, as Hugging Face does) into dir,
// creating it. dtype BF16 halves the size; F32 keeps every bit.
void save_params(const std::filesystem::path& dir, const ParamSet& params, DType dtype = DType::F32);

}  // namespace byt5
