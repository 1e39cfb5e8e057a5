// Checkpoint averaging (model/param_average.h, `byt5 export --average`): the mean of each weight,
// and a clear error for models that cannot be averaged.
#include <gmock/gmock.h>

#include "core/error.h"
#include "model/checkpoint.h"
#include "model/param_average.h"
#include "test_util.h"

namespace byt5 {
namespace {

using ::testing::HasSubstr;

std::filesystem::path tiny() { return test::fixtures() / "hf-tiny"; }

// Writes the fixture's weights with weight i replaced by f(i, weight) into dir.
template <class F>
void write_variant(const std::filesystem::path& dir, F f) {
  ParamSet p = load_params(tiny());
  for (size_t i = 0; i < p.size(); ++i) p.data()[i] = f(i, p.data()[i]);
  save_params(dir, p, DType::F32);
}

TEST(ParamAverage, EachWeightIsTheMeanOverTheModels) {
  test::TempDir tmp;
  write_variant(tmp / "b", [](size_t i, float w) { return 3.0f * w + 0.25f * static_cast<float>(i % 7); });
  write_variant(tmp / "c", [](size_t, float w) { return -w; });
  const ParamSet a = load_params(tiny());
  const ParamSet b = load_params(tmp / "b");

  const ParamSet two = average_params({tiny(), tmp / "b"});
  ASSERT_EQ(two.size(), a.size());
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_NEAR(two.data()[i], 0.5 * (double(a.data()[i]) + b.data()[i]), 1e-6 * (1 + std::abs(b.data()[i])))
        << "flat index " << i;

  // a + b + (-a) = b: the mean of three is b / 3.
  const ParamSet three = average_params({tiny(), tmp / "b", tmp / "c"});
  for (size_t i = 0; i < a.size(); ++i)
    ASSERT_NEAR(three.data()[i], b.data()[i] / 3.0, 1e-6 * (1 + std::abs(b.data()[i]))) << "flat index " << i;

  // One model: itself, bit for bit.
  const ParamSet one = average_params({tiny()});
  for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(one.data()[i], a.data()[i]);
}

TEST(ParamAverage, ModelsOfAnotherConfigAreRefusedByName) {
  EXPECT_THAT([] { average_params({tiny(), test::fixtures() / "hf-tiny-asym"}); },
              ::testing::ThrowsMessage<Error>(AllOf(HasSubstr("hf-tiny-asym"), HasSubstr("config.json differs"))));
  EXPECT_THROW(average_params({}), Error);
}

}  // namespace
}  // namespace byt5
