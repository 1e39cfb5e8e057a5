// The canonical form behind the TOPv2 paper's exact match (Chen et al. 2020, "Low-Resource
// Domain Adaptation for Compositional Task-Oriented Semantic Parsing", EMNLP): lowercased, only
// the tokens of leaf slots (slots without a nested intent) kept, and the children of every node
// sorted, so that sibling order does not matter.
#pragma once
#include <string>

#include "top/tree.h"

namespace byt5::top {

// e.g. "[IN:GET_WEATHER will it [SL:DATE_TIME today ] rain in [SL:LOCATION Paris ] ]" ->
// "[in:get_weather [sl:date_time today ] [sl:location paris ] ]"
std::string topv2_canonical(const Node& root);

}  // namespace byt5::top
