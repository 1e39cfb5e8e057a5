#include "train/train_eval.h"

#include <algorithm>
#include <memory>
#include <numeric>

#include "decode/greedy.h"

namespace byt5 {

EvalResult evaluate(TrainModel& model, T5Model& infer, const TrainSet& eval, const Tokenizer& tok, int batch_size,
                    const ConstraintFactory& rule) {
  EvalResult r;
  const int n = static_cast<int>(eval.rows.size());
  r.rows = n;
  if (n == 0) return r;
  double loss_rows = 0;
  for (int start = 0; start < n; start += batch_size) {
    const int end = std::min(n, start + batch_size);
    std::vector<std::vector<int>> src, tgt;
    for (int i = start; i < end; ++i) {
      src.push_back(eval.rows[i].source);
      tgt.push_back(eval.rows[i].target);
    }
    Batch b = make_batch(src, tgt, model.config());
    loss_rows += static_cast<double>(model.forward(b, DropoutPlan{})) * (end - start);
  }
  r.loss = loss_rows / n;

  std::vector<int> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return eval.rows[a].source.size() < eval.rows[b].source.size(); });
  int correct = 0;
  for (int start = 0; start < n; start += batch_size) {
    const int end = std::min(n, start + batch_size);
    std::vector<std::vector<int>> inputs;
    std::vector<std::unique_ptr<TokenConstraint>> rules;
    std::vector<TokenConstraint*> rule_ptrs;
    size_t longest = 0;
    for (int i = start; i < end; ++i) {
      inputs.push_back(eval.rows[order[i]].source);
      longest = std::max(longest, eval.rows[order[i]].gold.size());
      rules.push_back(rule ? rule(tok.decode(inputs.back())) : nullptr);  // the source decodes to the utterance
      rule_ptrs.push_back(rules.back().get());
    }
    auto out = greedy_decode(infer, inputs, static_cast<int>(longest) + 2, nullptr, &rule_ptrs);
    for (int i = start; i < end; ++i) correct += tok.decode(out[i - start]) == eval.rows[order[i]].gold;
  }
  r.exact_match = static_cast<double>(correct) / n;
  return r;
}

}  // namespace byt5
