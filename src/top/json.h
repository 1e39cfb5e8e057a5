// TOP trees as JSON for `byt5 parse --json`: nested intents and slots, each with its text and
// its character span in the original utterance.
//
// Valid prediction:
//   {"valid": true, "utterance": "...", "parse": "<canonical>", "aligned": true,
//    "intent": {"label": "CREATE_ALARM", "text": "...", "start": 0, "end": 20,
//               "slots": [{"label": "DATE_TIME", "text": "for 7am", "start": 13, "end": 20,
//                          "intents": []}]}}
// start/end count characters (Unicode code points) of the utterance, end exclusive, so that
// utterance[start:end] (Python) is "text". A node whose words are not all found in the utterance
// (a model may change words) has "start"/"end" null, "text" its words joined by spaces, and the
// top-level "aligned" is false. An empty slot gets start == end where it stands.
// Invalid prediction:
//   {"valid": false, "utterance": "...", "error": "byte N: reason", "error_offset": N,
//    "raw": "<prediction>"}
// Strings are made valid UTF-8 (ill-formed bytes become U+FFFD) so the result always dumps.
#pragma once
#include <string_view>

#include <nlohmann/json.hpp>

#include "top/tree.h"

namespace byt5::top {

nlohmann::json tree_to_json(std::string_view utterance, std::string_view prediction);
nlohmann::json tree_to_json(std::string_view utterance, const Node& root);

}  // namespace byt5::top
