// The 5-step training trajectories of the Hugging Face fixtures, run through the real CLI exactly
// as each trajectory's "cli" field says: per-step loss and grad_norm to 1e-4 relative, the
// learning rate each step used, and the final weights to 1e-5 absolute.
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "decode/engine.h"
#include "io/tensor_source.h"
#include "model/checkpoint.h"
#include "test_util.h"

namespace byt5 {
namespace {

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t i = s.find(from); i != std::string::npos; i = s.find(from, i + to.size())) s.replace(i, from.size(), to);
  return s;
}

std::vector<nlohmann::json> read_log(const std::filesystem::path& file) {
  std::vector<nlohmann::json> out;
  std::ifstream in(file);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

class Trajectory : public ::testing::TestWithParam<std::string> {};

TEST_P(Trajectory, CliReproducesHuggingFace) {
  const auto dir = test::fixtures() / (GetParam() + "-train");
  const auto traj = test::read_json(dir / "train_trajectory.json");
  test::TempDir tmp;
  const auto out = tmp.path() / "out";
  std::string cmd = traj["cli"].get<std::string>();
  ASSERT_EQ(cmd.rfind("BIN train ", 0), 0u) << cmd;
  cmd = replace_all(cmd, "BIN ", std::string(BYT5_BINARY) + " ");
  cmd = replace_all(cmd, " OUT", " " + out.string());
  // One thread: the models are tiny, and CI shares its 2 cores between test processes.
  cmd = "cd '" + dir.string() + "' && OMP_NUM_THREADS=1 " + cmd + " --no-progress > '" + (tmp.path() / "stdout").string() + "' 2> '" +
        (tmp.path() / "stderr").string() + "'";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd << "\n" << std::ifstream(tmp.path() / "stderr").rdbuf();

  const auto log = read_log(out / "log.jsonl");
  const auto& steps = traj["steps"];
  ASSERT_EQ(log.size(), steps.size());
  double worst_loss = 0, worst_norm = 0;
  for (size_t i = 0; i < steps.size(); ++i) {
    const auto& want = steps[i];
    const auto& got = log[i];
    EXPECT_EQ(got["step"], want["step"]);
    const double wl = want["loss"], gl = got["loss"], wn = want["grad_norm"], gn = got["grad_norm"];
    EXPECT_NEAR(gl, wl, 1e-4 * std::fabs(wl)) << "step " << i + 1;
    EXPECT_NEAR(gn, wn, 1e-4 * std::fabs(wn)) << "step " << i + 1;
    EXPECT_NEAR(got["lr"].get<double>(), want["lr"].get<double>(), 1e-12) << "step " << i + 1;
    EXPECT_GT(got["tokens_per_s"].get<double>(), 0.0);
    worst_loss = std::max(worst_loss, std::fabs(gl - wl) / std::fabs(wl));
    worst_norm = std::max(worst_norm, std::fabs(gn - wn) / std::fabs(wn));
  }

  const auto want = open_safetensors(dir / traj["final_weights"].get<std::string>());
  const ParamSet got = load_params(out / "final");
  double worst_w = 0;
  std::string worst_name;
  for (const auto& s : got.specs()) {
    std::vector<float> ref(s.numel());
    want->read_f32(s.name, ref.data(), ref.size());
    for (size_t k = 0; k < ref.size(); ++k) {
      const double d = std::fabs(double(got.data()[s.offset + k]) - ref[k]);
      if (d > worst_w) worst_w = d, worst_name = s.name;
    }
  }
  EXPECT_LE(worst_w, 1e-5) << worst_name;
  std::cout << GetParam() << ": max loss rel diff " << worst_loss << ", max grad_norm rel diff " << worst_norm
            << ", max final weight abs diff " << worst_w << " (" << worst_name << ")\n";
  // The final directory is a model directory our engine loads.
  EXPECT_NO_THROW(Engine::load(out / "final"));
}

INSTANTIATE_TEST_SUITE_P(Fixtures, Trajectory, ::testing::Values("hf-tiny", "hf-tiny-asym"));

}  // namespace
}  // namespace byt5
