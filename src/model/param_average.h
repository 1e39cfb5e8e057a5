// Weight averaging of models of one shape (checkpoint averaging, a "model soup"): each parameter
// becomes the mean of its values over the models. Models fine-tuned from one another sit in one
// basin, where the mean often generalises better than any of them (MODELS.md, run m11).
#pragma once
#include <filesystem>
#include <vector>

#include "model/weights.h"

namespace byt5 {

// Loads the model directories (as load_params does) and returns the uniform mean of their
// weights, with the first one's config. Throws byt5::Error naming the directory when a model's
// config.json differs from the first's (every field, so the mean is of like with like).
ParamSet average_params(const std::vector<std::filesystem::path>& dirs);

}  // namespace byt5
