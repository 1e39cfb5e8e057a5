#include "train/train_checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>

#include "core/error.h"
#include "io/tensor_source.h"
#include "model/checkpoint.h"

namespace byt5 {
namespace fs = std::filesystem;
namespace {

constexpr const char* kStateFile = "train_state.json";  // not HF's trainer_state.json: another schema
constexpr const char* kOptimizerFile = "optimizer.safetensors";
constexpr const char* kFormat = "byt5-trainer-state/1";

// A fast 64-bit digest of a file's bytes (multiply-xor over 8-byte words), to detect truncated or
// torn files; not a cryptographic hash.
std::string file_digest(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(file.string() + ": cannot open");
  std::vector<char> buf(1 << 20);
  uint64_t h = 0x84222325cbf29ce4ULL;
  while (in) {
    in.read(buf.data(), buf.size());
    const size_t n = static_cast<size_t>(in.gcount());
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t w;
      std::memcpy(&w, buf.data() + i, 8);
      h = (h ^ w) * 0x100000001b3ULL;
      h ^= h >> 29;
    }
    for (; i < n; ++i) h = (h ^ static_cast<unsigned char>(buf[i])) * 0x100000001b3ULL;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

void fsync_path(const fs::path& p, bool dir) {
  int fd = ::open(p.c_str(), (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

void write_json(const fs::path& file, const nlohmann::json& j) {
  std::ofstream out(file);
  out << j.dump(1) << "\n";
  out.close();
  if (!out) throw Error(file.string() + ": write failed (disk full?)");
}

std::optional<int64_t> checkpoint_step(const std::string& name) {
  const std::string prefix = "checkpoint-";
  if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size()) return std::nullopt;
  int64_t step = 0;
  for (size_t i = prefix.size(); i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9' || step > (int64_t{1} << 50)) return std::nullopt;
    step = step * 10 + (name[i] - '0');
  }
  return step;
}

}  // namespace

void write_checkpoint(const fs::path& out, const std::string& name, const ParamSet& params, const Tokenizer& tok,
                      const AdamW* opt, const TrainState* state) {
  const fs::path tmp = out / ("." + name + ".tmp"), final_dir = out / name, old = out / ("." + name + ".old");
  std::error_code ec;
  fs::remove_all(tmp, ec);
  fs::create_directories(tmp, ec);
  if (ec) throw Error(tmp.string() + ": cannot create directory (" + ec.message() + ")");
  save_params(tmp, params, DType::F32);
  if (!tok.added_tokens().empty()) tok.save_added_tokens(tmp / "added_tokens.json");
  if (opt && state) {
    std::vector<TensorToWrite> tensors;
    for (const auto& s : params.specs()) {
      tensors.push_back({"exp_avg." + s.name, s.shape, opt->exp_avg().data() + s.offset});
      tensors.push_back({"exp_avg_sq." + s.name, s.shape, opt->exp_avg_sq().data() + s.offset});
    }
    write_safetensors(tmp / kOptimizerFile, tensors, DType::F32, {{"step", std::to_string(opt->steps())}});
    nlohmann::json files = nlohmann::json::object();
    for (const auto& e : fs::directory_iterator(tmp))
      if (e.is_regular_file())
        files[e.path().filename().string()] = {{"bytes", e.file_size()}, {"digest", file_digest(e.path())}};
    nlohmann::json j = {{"format", kFormat},
                        {"step", state->step},
                        {"micro_batches", state->micro_batches},
                        {"seed", state->seed},
                        {"adam_steps", opt->steps()},
                        {"settings", state->settings},
                        {"files", files},
                        {"log_history", state->log}};
    write_json(tmp / kStateFile, j);
  }
  for (const auto& e : fs::directory_iterator(tmp)) fsync_path(e.path(), false);
  fsync_path(tmp, true);
  // Put the finished directory in place. Replacing an existing one (a rerun of the same step)
  // moves it aside first, so there is never a moment without a complete copy under some name.
  if (fs::exists(final_dir)) {
    fs::remove_all(old, ec);
    fs::rename(final_dir, old, ec);
    if (ec) throw Error(final_dir.string() + ": cannot move the old directory aside (" + ec.message() + ")");
  }
  fs::rename(tmp, final_dir, ec);
  if (ec) throw Error(tmp.string() + ": cannot rename to " + final_dir.string() + " (" + ec.message() + ")");
  fsync_path(out, true);
  fs::remove_all(old, ec);
}

std::string checkpoint_problem(const fs::path& dir) {
  const fs::path sf = dir / kStateFile;
  if (!fs::exists(sf)) return "no " + std::string(kStateFile);
  nlohmann::json j;
  try {
    std::ifstream in(sf);
    j = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    return std::string(kStateFile) + " is unreadable (" + e.what() + ")";
  }
  if (!j.is_object() || j.value("format", "") != kFormat || !j.contains("files")) return "not a byt5 trainer state";
  for (const auto& [name, meta] : j["files"].items()) {
    const fs::path f = dir / name;
    std::error_code ec;
    const auto size = fs::file_size(f, ec);
    if (ec) return name + " is missing";
    if (size != meta.value("bytes", uint64_t{0}))
      return name + " has " + std::to_string(size) + " bytes, expected " + std::to_string(meta.value("bytes", 0));
    if (file_digest(f) != meta.value("digest", "")) return name + " does not match its recorded digest";
  }
  return "";
}

std::optional<fs::path> find_resume_checkpoint(const fs::path& out, std::vector<std::string>* skipped) {
  std::map<int64_t, fs::path, std::greater<>> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(out, ec))
    if (e.is_directory())
      if (auto step = checkpoint_step(e.path().filename().string())) found[*step] = e.path();
  for (const auto& [step, dir] : found) {
    std::string why = checkpoint_problem(dir);
    if (why.empty()) return dir;
    if (skipped) skipped->push_back(dir.string() + ": " + why);
  }
  return std::nullopt;
}

bool has_checkpoints(const fs::path& out) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(out, ec))
    if (e.is_directory() && checkpoint_step(e.path().filename().string())) return true;
  return false;
}

TrainState read_train_state(const fs::path& dir) {
  std::ifstream in(dir / kStateFile);
  if (!in) throw Error((dir / kStateFile).string() + ": cannot open");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
    TrainState s;
    s.step = j.at("step").get<int64_t>();
    s.micro_batches = j.at("micro_batches").get<int64_t>();
    s.seed = j.at("seed").get<uint64_t>();
    s.settings = j.at("settings");
    s.log = j.value("log_history", nlohmann::json::array());
    return s;
  } catch (const nlohmann::json::exception& e) {
    throw Error((dir / kStateFile).string() + ": invalid trainer state (" + e.what() + ")");
  }
}

void read_optimizer_state(const fs::path& dir, AdamW& opt) {
  auto src = open_safetensors(dir / kOptimizerFile);
  for (const auto& s : opt.exp_avg().specs()) {
    for (auto [prefix, set] : {std::pair{"exp_avg.", &opt.exp_avg()}, std::pair{"exp_avg_sq.", &opt.exp_avg_sq()}}) {
      const std::string name = prefix + s.name;
      if (!src->has(name)) throw Error(src->describe() + ": missing " + name + " (the model and optimizer state disagree)");
      if (src->info(name).shape != s.shape) throw Error(src->describe() + ": " + name + " has the wrong shape");
      src->read_f32(name, set->data() + s.offset, s.numel());
    }
  }
  const TrainState st = read_train_state(dir);
  std::ifstream in(dir / kStateFile);
  opt.set_steps(nlohmann::json::parse(in).value("adam_steps", st.step));
}

void remove_stale_temporaries(const fs::path& out) {
  std::error_code ec;
  std::vector<fs::path> names;
  for (const auto& e : fs::directory_iterator(out, ec)) names.push_back(e.path());
  for (const auto& p : names) {
    const std::string n = p.filename().string();
    if (n.size() <= 5 || n[0] != '.') continue;
    if (n.ends_with(".old")) {
      // Killed while replacing a directory: if the new one never arrived, the old one goes back.
      const fs::path target = out / n.substr(1, n.size() - 5);
      if (!fs::exists(target)) {
        fs::rename(p, target, ec);
        continue;
      }
    }
    if (n.ends_with(".tmp") || n.ends_with(".old")) fs::remove_all(p, ec);
  }
}

}  // namespace byt5
