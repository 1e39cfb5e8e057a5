// TOPv2 data: `<domain>_<split>.tsv` files with the header `domain<TAB>utterance<TAB>
// semantic_parse` (the low-resource splits call the last column `seqlogical`), read one file, a
// list, or a directory at a time, with a split and a domain filter.
#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace byt5::data {

struct Example {
  std::string domain;
  std::string utterance;
  std::string parse;  // gold TOP string, as in the file
  std::string file;   // where it came from, for messages
  size_t line = 0;
  std::string where() const { return file + ":" + std::to_string(line); }
};

// "alarm_eval.tsv" -> {"alarm", "eval"}; "weather_train_10spis.tsv" -> {"weather",
// "train_10spis"}. Empty strings when the name has no '_' or is not a .tsv file.
struct FileName {
  std::string domain;
  std::string split;
};
FileName parse_file_name(const std::filesystem::path& file);

// Reads one file. Columns are found by name in any order (others are ignored); without a
// `domain` column the domain comes from the file name. Throws byt5::Error with file:line.
std::vector<Example> read_topv2(const std::filesystem::path& file);

struct Selection {
  std::string split = "eval";        // which <domain>_<split>.tsv files a directory contributes
  std::vector<std::string> domains;  // keep only rows of these domains; empty keeps all
};

// Each path is a file (read as is) or a directory (its <domain>_<split>.tsv files for
// sel.split, in alphabetical domain order). The domain filter then applies to every row; a
// filter domain with no rows is an error, as is a directory without files for the split.
std::vector<Example> load_examples(const std::vector<std::filesystem::path>& paths,
                                   const Selection& sel);

}  // namespace byt5::data
