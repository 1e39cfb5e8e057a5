// Checkpoints and --resume: a resumed run continues the uninterrupted trajectory bit for bit
// (bf16, dropout and shuffling on), and a checkpoint write killed midway (a leftover .tmp
// directory, a truncated file) leaves the previous checkpoint in charge.
#include <sys/wait.h>

#include "cli_util.h"
#include "io/tensor_source.h"
#include "model/checkpoint.h"
#include "test_util.h"
#include "train/train_checkpoint.h"

namespace byt5 {
namespace {
namespace fs = std::filesystem;

std::string train_args(const fs::path& out, int steps) {
  const auto fx = test::fixtures();
  return "train --init '" + (fx / "hf-tiny").string() + "' --train '" + (fx / "hf-tiny-train" / "train.tsv").string() +
         "' --out '" + out.string() + "' --steps " + std::to_string(steps) +
         " --batch-size 3 --grad-accum 2 --lr 3e-3 --warmup 1 --save-every 2 --precision bf16 --dropout 0.1 --seed 7";
}

// The log.jsonl records without their timing field.
std::vector<std::string> trajectory(const fs::path& log) {
  std::vector<std::string> out;
  std::istringstream in(test::read_text(log));
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    j.erase("tokens_per_s");
    out.push_back(j.dump());
  }
  return out;
}

class Resume : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    full_ = new test::TempDir;
    auto r = test::run_train(train_args(full_->path() / "out", 4));
    ASSERT_EQ(r.status, 0) << r.err;
  }
  static void TearDownTestSuite() { delete full_; }
  static fs::path full_out() { return full_->path() / "out"; }
  static test::TempDir* full_;
};
test::TempDir* Resume::full_ = nullptr;

TEST_F(Resume, CheckpointsAreCompleteModelDirectories) {
  for (const char* name : {"checkpoint-2", "checkpoint-4"}) {
    const fs::path d = full_out() / name;
    EXPECT_EQ(checkpoint_problem(d), "") << name;
    for (const char* f : {"config.json", "model.safetensors", "optimizer.safetensors", "train_state.json"})
      EXPECT_TRUE(fs::exists(d / f)) << name << "/" << f;
    EXPECT_NO_THROW(load_params(d));
  }
  // What Hugging Face's from_pretrained needs: the fixture's tensor names, shapes and dtype, and
  // safetensors metadata {"format": "pt"}.
  const auto ours = open_safetensors(full_out() / "checkpoint-4" / "model.safetensors");
  const auto hf = open_safetensors(test::fixtures() / "hf-tiny" / "model.safetensors");
  EXPECT_EQ(ours->names(), hf->names());
  for (const auto& n : hf->names()) {
    EXPECT_EQ(ours->info(n).shape, hf->info(n).shape) << n;
    EXPECT_EQ(ours->info(n).dtype, DType::F32) << n;
  }
  EXPECT_NE(test::read_text(full_out() / "final" / "model.safetensors").substr(0, 4096).find(R"("format":"pt")"),
            std::string::npos);
  const auto cfg = test::read_json(full_out() / "final" / "config.json");
  EXPECT_EQ(cfg["model_type"], "t5");
  EXPECT_EQ(cfg["architectures"][0], "T5ForConditionalGeneration");
  EXPECT_FALSE(fs::exists(full_out() / "final" / "optimizer.safetensors"));
  EXPECT_EQ(test::read_text(full_out() / "final" / "model.safetensors"),
            test::read_text(full_out() / "checkpoint-4" / "model.safetensors"));
}

TEST_F(Resume, ContinuesTheSameTrajectoryBitForBit) {
  test::TempDir run;
  const fs::path out = run.path() / "out";
  fs::create_directories(out);
  fs::copy(full_out() / "checkpoint-2", out / "checkpoint-2", fs::copy_options::recursive);
  auto r = test::run_train(train_args(out, 4) + " --resume");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("resuming from"), std::string::npos) << r.err;
  EXPECT_EQ(test::read_text(out / "final" / "model.safetensors"),
            test::read_text(full_out() / "final" / "model.safetensors"));
  EXPECT_EQ(test::read_text(out / "checkpoint-4" / "optimizer.safetensors"),
            test::read_text(full_out() / "checkpoint-4" / "optimizer.safetensors"));
  EXPECT_EQ(trajectory(out / "log.jsonl"), trajectory(full_out() / "log.jsonl"));
}

TEST_F(Resume, KilledWriteLeavesThePreviousCheckpoint) {
  test::TempDir run;
  const fs::path out = run.path() / "out";
  fs::create_directories(out);
  fs::copy(full_out() / "checkpoint-2", out / "checkpoint-2", fs::copy_options::recursive);
  // A later checkpoint whose model file was cut short, and a half-written temporary directory.
  fs::copy(full_out() / "checkpoint-4", out / "checkpoint-4", fs::copy_options::recursive);
  fs::resize_file(out / "checkpoint-4" / "model.safetensors", 1000);
  fs::copy(full_out() / "checkpoint-4", out / ".checkpoint-6.tmp", fs::copy_options::recursive);
  fs::remove(out / ".checkpoint-6.tmp" / "train_state.json");
  EXPECT_NE(checkpoint_problem(out / "checkpoint-4"), "");
  EXPECT_EQ(find_resume_checkpoint(out), out / "checkpoint-2");
  auto r = test::run_train(train_args(out, 4) + " --resume");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("skipping incomplete checkpoint"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out / ".checkpoint-6.tmp"));
  EXPECT_EQ(checkpoint_problem(out / "checkpoint-4"), "");
  EXPECT_EQ(test::read_text(out / "final" / "model.safetensors"),
            test::read_text(full_out() / "final" / "model.safetensors"));
}

TEST_F(Resume, RefusesDifferentSettingsAndMissingCheckpoints) {
  test::TempDir run;
  const fs::path out = run.path() / "out";
  fs::create_directories(out);
  auto none = test::run_train(train_args(out, 4) + " --resume");
  EXPECT_EQ(none.status, 1);
  EXPECT_NE(none.err.find("no complete checkpoint"), std::string::npos) << none.err;
  fs::copy(full_out() / "checkpoint-2", out / "checkpoint-2", fs::copy_options::recursive);
  std::string args = train_args(out, 4);
  args.replace(args.find("--lr 3e-3"), 9, "--lr 1e-2");
  auto other = test::run_train(args + " --resume");
  EXPECT_EQ(other.status, 1);
  EXPECT_NE(other.err.find("lr"), std::string::npos) << other.err;
}

TEST_F(Resume, StepsMayChangeAndTheScheduleFollows) {
  test::TempDir run;
  const fs::path out = run.path() / "out";
  fs::create_directories(out);
  fs::copy(full_out() / "checkpoint-2", out / "checkpoint-2", fs::copy_options::recursive);
  auto r = test::run_train(train_args(out, 5) + " --resume");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("--steps changed from 4 to 5"), std::string::npos) << r.err;
  // Steps 3..5 use lr 3e-3 * (5 - done) / (5 - warmup 1): done = 2, 3, 4.
  std::vector<double> lrs;
  std::istringstream in(test::read_text(out / "log.jsonl"));
  for (std::string line; std::getline(in, line);) {
    auto j = nlohmann::json::parse(line);
    if (j.contains("lr") && j["step"].get<int>() > 2) lrs.push_back(j["lr"].get<double>());
  }
  ASSERT_EQ(lrs.size(), 3u);
  EXPECT_NEAR(lrs[0], 3e-3 * 3 / 4, 1e-12);
  EXPECT_NEAR(lrs[1], 3e-3 * 2 / 4, 1e-12);
  EXPECT_NEAR(lrs[2], 3e-3 * 1 / 4, 1e-12);
  EXPECT_EQ(checkpoint_problem(out / "checkpoint-4"), "");
  EXPECT_TRUE(fs::exists(out / "final" / "model.safetensors"));
  // A total at or below the checkpoint's step is refused.
  fs::remove_all(out / "checkpoint-4");
  auto low = test::run_train(train_args(out, 2) + " --resume");
  EXPECT_EQ(low.status, 1);
  EXPECT_NE(low.err.find("--steps must be above"), std::string::npos) << low.err;
}

}  // namespace
}  // namespace byt5
