#include "decode/engine.h"

#include <algorithm>
#include <cstdlib>
#include <numeric>

#include "core/error.h"
#include "decode/beam.h"
#include "decode/greedy.h"
#include "io/tokenizer.h"
#include "model/checkpoint.h"
#include "model/t5_model.h"
#include "ops/cross_entropy.h"

namespace byt5 {

struct Engine::Impl {
  Tokenizer tokenizer;
  std::unique_ptr<T5Model> model;
};

Engine::Engine() : impl_(std::make_unique<Impl>()) {}
Engine::~Engine() = default;

std::unique_ptr<Engine> Engine::load(const std::filesystem::path& dir) {
  std::unique_ptr<Engine> e(new Engine());
  e->impl_->model = std::make_unique<T5Model>(load_params(dir));
  e->impl_->tokenizer = Tokenizer::load(dir);
  const int V = e->impl_->model->config().vocab_size;
  for (auto& [text, id] : e->impl_->tokenizer.added_tokens())
    if (id >= V)
      throw Error((dir / "added_tokens.json").string() + ": token '" + text + "' has id " + std::to_string(id) +
                  ", outside the model's vocabulary (vocab_size " + std::to_string(V) + ")");
  e->impl_->model->prepare_decoding();  // at load, so no request pays for it
  return e;
}

const T5Config& Engine::config() const { return impl_->model->config(); }
const Tokenizer& Engine::tokenizer() const { return impl_->tokenizer; }
T5Model& Engine::model() { return *impl_->model; }

std::vector<std::vector<int>> Engine::generate_ids(const std::vector<std::string>& inputs, const GenerateOptions& opt) {
  const int max_new = opt.max_new_tokens > 0 ? opt.max_new_tokens : kDefaultMaxNewTokens;
  const size_t bs = static_cast<size_t>(std::max(1, opt.batch_size));
  std::vector<std::vector<int>> enc(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    enc[i] = impl_->tokenizer.encode(inputs[i]);
    if (opt.max_input_tokens > 0 && enc[i].size() > static_cast<size_t>(opt.max_input_tokens))
      throw Error("input " + std::to_string(i + 1) + " is " + std::to_string(enc[i].size()) +
                  " tokens long; the limit is " + std::to_string(opt.max_input_tokens));
  }
  // Decode similar lengths together to keep padding small; results go back in input order.
  std::vector<size_t> order(inputs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return enc[a].size() < enc[b].size(); });
  std::vector<std::vector<int>> out(inputs.size());
  for (size_t start = 0; start < order.size(); start += bs) {
    size_t end = std::min(order.size(), start + bs);
    std::vector<std::vector<int>> batch;
    std::vector<int> limits;
    std::vector<std::unique_ptr<TokenConstraint>> rules;
    std::vector<TokenConstraint*> rule_ptrs;
    for (size_t i = start; i < end; ++i) {
      batch.push_back(enc[order[i]]);
      rules.push_back(opt.constraint ? opt.constraint(inputs[order[i]]) : nullptr);
      rule_ptrs.push_back(rules.back().get());
      const long n = static_cast<long>(inputs[order[i]].size());
      limits.push_back(opt.max_new_tokens == 0 && opt.tokens_per_input_byte > 0
                           ? static_cast<int>(std::min<long>(max_new, opt.tokens_per_input_byte * n + opt.tokens_base))
                           : max_new);
    }
    std::vector<std::vector<int>> res;
    if (opt.num_beams > 1)
      for (size_t b = 0; b < batch.size(); ++b)
        res.push_back(beam_decode(*impl_->model, batch[b], opt.num_beams, limits[b], rule_ptrs[b], opt.length_penalty).ids);
    else if (batch.size() == 1 && opt.draft)
      res.push_back(greedy_decode_drafted(*impl_->model, batch[0], limits[0],
                                          copy_drafter(batch[0], config().eos_token_id), kDefaultMaxDraft, rule_ptrs[0]));
    else
      res = greedy_decode(*impl_->model, batch, max_new, &limits, &rule_ptrs);
    for (size_t i = start; i < end; ++i) out[order[i]] = std::move(res[i - start]);
  }
  return out;
}

std::vector<std::string> Engine::generate_text(const std::vector<std::string>& inputs, const GenerateOptions& opt) {
  auto ids = generate_ids(inputs, opt);
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (auto& s : ids) out.push_back(impl_->tokenizer.decode(s));
  return out;
}

std::vector<ScoreResult> Engine::score(const std::vector<std::pair<std::string, std::string>>& pairs, int batch_size) {
  const auto& c = config();
  T5Model& m = *impl_->model;
  std::vector<ScoreResult> out(pairs.size());
  const size_t bs = static_cast<size_t>(std::max(1, batch_size));
  for (size_t start = 0; start < pairs.size(); start += bs) {
    size_t end = std::min(pairs.size(), start + bs);
    const int B = static_cast<int>(end - start);
    std::vector<std::vector<int>> src, labels, dec_in;
    for (size_t i = start; i < end; ++i) {
      src.push_back(impl_->tokenizer.encode(pairs[i].first));
      labels.push_back(impl_->tokenizer.encode(pairs[i].second));
      std::vector<int> d{c.decoder_start_token_id};
      d.insert(d.end(), labels.back().begin(), labels.back().end() - 1);
      dec_in.push_back(std::move(d));
    }
    std::vector<int> ids, dids, lab;
    std::vector<float> mask, dmask;
    const int Te = pad_batch(src, c.pad_token_id, ids, mask);
    const int Td = pad_batch(dec_in, c.pad_token_id, dids, dmask);
    pad_batch(labels, -100, lab, dmask);
    AlignedBuffer<float> enc((size_t)B * Te * c.d_model), logits((size_t)B * Td * c.vocab_size), losses((size_t)B * Td);
    m.encode(enc.data(), ids.data(), mask.data(), B, Te);
    m.decode_full(logits.data(), dids.data(), B, Td, enc.data(), mask.data(), Te);
    cross_entropy_forward(losses.data(), logits.data(), lab.data(), B * Td, c.vocab_size);
    for (int b = 0; b < B; ++b) {
      ScoreResult r;
      for (size_t t = 0; t < labels[b].size(); ++t) r.nll_sum += losses[(size_t)b * Td + t];
      r.tokens = static_cast<int64_t>(labels[b].size());
      out[start + b] = r;
    }
  }
  return out;
}

DefaultModel default_model() {
  if (const char* env = std::getenv("BYT5_MODEL"); env && *env) return {env, false};
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (auto dir = exe.parent_path(); !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
      if (std::filesystem::exists(dir / "models" / "default" / "config.json")) return {dir / "models" / "default", false};
      if (std::filesystem::exists(dir / "tests" / "fixtures" / "hf-tiny" / "config.json"))
        return {dir / "tests" / "fixtures" / "hf-tiny", true};
    }
  }
  throw Error("no default model found (looked for models/default above the executable); pass --model DIR or set BYT5_MODEL");
}

}  // namespace byt5
