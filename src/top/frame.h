// Frames as pytext compares them (pytext/metrics/intent_slot_metrics.py, Node and
// compute_frame_accuracy; spans from CompositionalMetricReporter.node_to_metrics_node): a frame
// is (label, character span, set of child frames), where spans are offsets into the tokens
// joined by single spaces. Children are a set, so sibling order is ignored; tokens count only by
// their length, since pytext's parsers copy tokens from the input.
#pragma once
#include <string>

#include "top/tree.h"

namespace byt5::top {

// A string that is equal for two trees exactly when their frames are equal: label, span, and
// the sorted keys of the children. (Identical sibling frames are kept as a multiset; valid TOP
// trees only have them for adjacent empty slots of one label.)
std::string frame_key(const Node& root);

}  // namespace byt5::top
