#include "data/topv2.h"

#include <algorithm>
#include <set>

#include "core/error.h"
#include "data/tsv.h"

namespace byt5::data {
namespace fs = std::filesystem;

namespace {

std::string join(const std::set<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out.empty() ? "none" : out;
}

// The directory's <domain>_<split>.tsv files for `split`, sorted by domain.
std::vector<fs::path> split_files(const fs::path& dir, const std::string& split) {
  std::vector<std::pair<std::string, fs::path>> found;
  std::set<std::string> splits;
  std::error_code ec;
  for (const fs::directory_entry& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file(ec)) continue;
    FileName n = parse_file_name(e.path());
    if (n.domain.empty()) continue;
    splits.insert(n.split);
    if (n.split == split) found.emplace_back(n.domain, e.path());
  }
  if (ec) throw Error(dir.string() + ": cannot list directory: " + ec.message());
  if (found.empty())
    throw Error(dir.string() + ": no <domain>_" + split + ".tsv files (splits found: " +
                join(splits) + ")");
  std::sort(found.begin(), found.end());
  std::vector<fs::path> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

}  // namespace

FileName parse_file_name(const fs::path& file) {
  if (file.extension() != ".tsv") return {};
  std::string stem = file.stem().string();
  size_t us = stem.find('_');
  if (us == std::string::npos || us == 0 || us + 1 == stem.size()) return {};
  return FileName{stem.substr(0, us), stem.substr(us + 1)};
}

std::vector<Example> read_topv2(const fs::path& file) {
  TsvTable t = read_tsv(file);
  int domain = t.column("domain");
  int utterance = t.column("utterance");
  int parse = t.column("semantic_parse");
  if (parse < 0) parse = t.column("seqlogical");
  if (utterance < 0 || parse < 0)
    throw Error(t.where(1) + ": header needs the columns 'utterance' and 'semantic_parse' (or "
                "'seqlogical'), e.g. domain<TAB>utterance<TAB>semantic_parse");
  std::string file_domain = parse_file_name(file).domain;
  if (domain < 0 && file_domain.empty())
    throw Error(t.where(1) + ": no 'domain' column, and the file name is not <domain>_<split>.tsv");
  std::vector<Example> out;
  out.reserve(t.rows.size());
  for (TsvRow& r : t.rows) {
    Example e;
    e.domain = domain >= 0 ? std::move(r.fields[domain]) : file_domain;
    e.utterance = std::move(r.fields[utterance]);
    e.parse = std::move(r.fields[parse]);
    e.file = file.string();
    e.line = r.line;
    if (e.domain.empty()) throw Error(e.where() + ": empty domain");
    out.push_back(std::move(e));
  }
  return out;
}

std::vector<Example> load_examples(const std::vector<fs::path>& paths, const Selection& sel) {
  std::vector<Example> all;
  for (const fs::path& p : paths) {
    std::error_code ec;
    if (!fs::exists(p, ec)) throw Error(p.string() + ": no such file or directory");
    std::vector<fs::path> files = fs::is_directory(p, ec) ? split_files(p, sel.split)
                                                          : std::vector<fs::path>{p};
    for (const fs::path& f : files) {
      std::vector<Example> rows = read_topv2(f);
      all.insert(all.end(), std::make_move_iterator(rows.begin()),
                 std::make_move_iterator(rows.end()));
    }
  }
  if (sel.domains.empty()) return all;
  std::set<std::string> wanted(sel.domains.begin(), sel.domains.end());
  std::set<std::string> present;
  std::vector<Example> kept;
  for (Example& e : all) {
    present.insert(e.domain);
    if (wanted.count(e.domain)) kept.push_back(std::move(e));
  }
  for (const std::string& d : wanted)
    if (!present.count(d))
      throw Error("no rows for domain '" + d + "' (domains present: " + join(present) + ")");
  return kept;
}

}  // namespace byt5::data
