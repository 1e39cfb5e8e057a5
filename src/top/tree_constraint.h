// Decoding constrained to TOP trees over the request. The rules below hold for every TOPv2 gold
// parse (train and eval, all domains; the grammar of labels.json for all but 7 of the 17,160
// eval parses), so a row whose plain greedy output already obeys them decodes exactly as without
// them; the rest can no longer come out ill-formed or misquoted:
//  - one root, an intent; intents and slots alternate down the tree ("[IN:.." holds "[SL:.." and
//    words, "[SL:.." holds "[IN:.." and words);
//  - labels are the model's added label tokens or typed byte by byte, and come from the model's
//    label inventory (labels.json) when it has one; with the inventory's grammar, a label heads
//    the parse or sits under another label only where the training data had it so, nodes nest
//    no deeper, and no more nodes are empty ("[SL:X ]"), than in any training parse;
//  - the words are the request's bytes in order, all of them; only spacing may differ (TOPv2
//    splits "7am" into "7 am", never "week" or "2018"); one space between items, none after a
//    label;
//  - "]" closes an open node, the root only once every byte is copied; then EOS, and nothing else.
// A request that itself holds '[' or ']' is left unconstrained (a copied bracket would read as
// structure).
#pragma once
#include <filesystem>
#include <optional>

#include "decode/token_constraint.h"
#include "top/labels.h"

namespace byt5 {
class Tokenizer;
}

namespace byt5::top {

// Token ids >= vocab_size are never produced; `labels` (if given) restricts the labels.
ConstraintFactory tree_constraint(const Tokenizer& tokenizer, int vocab_size,
                                  const std::optional<LabelInventory>& labels);

// The same, with the inventory read from model_dir/labels.json when the model has one.
ConstraintFactory tree_constraint_for_model(const Tokenizer& tokenizer, int vocab_size,
                                            const std::filesystem::path& model_dir);

}  // namespace byt5::top
