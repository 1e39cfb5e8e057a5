// safetensors reading (single and sharded), writing (F32/BF16/F16, atomic), the 16-bit float
// conversions, and every malformed-file error the reader promises.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <nlohmann/json.hpp>
#include <vector>

#include "io/dtype_convert.h"
#include "io/tensor_source.h"
#include "io_test_helpers.h"

namespace {

using byt5::DType;
using byt5::TensorToWrite;
using byt5_io_test::read_file;
using byt5_io_test::TempDir;
using byt5_io_test::ThrowsErrorMentioning;
using byt5_io_test::write_file;
namespace fs = std::filesystem;

const fs::path kFixtures = BYT5_TEST_FIXTURES;

// A safetensors file from raw header text and data bytes.
std::string st_bytes(const std::string& header, const std::string& data = "") {
  std::string out(8, '\0');
  const uint64_t n = header.size();
  std::memcpy(out.data(), &n, 8);
  return out + header + data;
}

std::vector<float> read_all(const byt5::TensorSource& src, const std::string& name) {
  std::vector<float> v(static_cast<size_t>(src.info(name).numel()));
  src.read_f32(name, v.data(), v.size());
  return v;
}

uint32_t bits(float f) { return std::bit_cast<uint32_t>(f); }

TEST(SafetensorsReader, ReadsTheHfTinyFixture) {
  const auto file = kFixtures / "hf-tiny" / "model.safetensors";
  auto src = byt5::open_safetensors(file);
  EXPECT_EQ(src->describe(), file.string());
  const auto names = src->names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  ASSERT_TRUE(src->has("shared.weight"));
  EXPECT_FALSE(src->has("encoder.embed_tokens.weight"));  // HF omits the tied aliases
  const auto info = src->info("shared.weight");
  EXPECT_EQ(info.dtype, DType::F32);
  EXPECT_EQ(info.shape, (std::vector<int64_t>{384, 64}));
  const auto w = read_all(*src, "shared.weight");
  EXPECT_TRUE(std::any_of(w.begin(), w.end(), [](float x) { return x != 0.0f; }));
  EXPECT_TRUE(std::all_of(w.begin(), w.end(), [](float x) { return std::isfinite(x); }));
}

TEST(SafetensorsReader, OpenCheckpointPicksTheFormatPresent) {
  EXPECT_EQ(byt5::open_checkpoint_tensors(kFixtures / "hf-tiny")->describe(),
            (kFixtures / "hf-tiny" / "model.safetensors").string());
  EXPECT_EQ(byt5::open_checkpoint_tensors(kFixtures / "hf-tiny-bin")->describe(),
            (kFixtures / "hf-tiny-bin" / "pytorch_model.bin").string());
  TempDir dir;
  EXPECT_TRUE(ThrowsErrorMentioning([&] { byt5::open_checkpoint_tensors(dir.path()); },
                                    {dir.path().string(), "no checkpoint found", "model.safetensors",
                                     "model.safetensors.index.json", "pytorch_model.bin"}));
  EXPECT_TRUE(ThrowsErrorMentioning([&] { byt5::open_checkpoint_tensors(dir / "missing"); },
                                    {(dir / "missing").string(), "not a directory"}));
}

TEST(SafetensorsRoundTrip, F32IsBitExactAndKeepsOrderAndMetadata) {
  TempDir dir;
  const auto file = dir / "model.safetensors";
  std::vector<float> a = {1.5f, -0.0f, std::numeric_limits<float>::infinity(), 1e-45f, 3.4028235e38f, -7.25f};
  std::vector<float> nan = {std::bit_cast<float>(0x7FC12345u), std::bit_cast<float>(0xFF800001u)};
  float scalar = 42.0f;
  byt5::write_safetensors(file,
                          {{"z.first", {2, 3}, a.data()},
                           {"a.second", {2}, nan.data()},
                           {"m.scalar", {}, &scalar},
                           {"empty", {0, 4}, nullptr}},
                          DType::F32, {{"format", "pt"}});
  EXPECT_FALSE(fs::exists(dir / "model.safetensors.tmp"));

  auto src = byt5::open_safetensors(file);
  EXPECT_EQ(src->names(), (std::vector<std::string>{"a.second", "empty", "m.scalar", "z.first"}));
  EXPECT_EQ(src->info("z.first").shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(src->info("m.scalar").shape, std::vector<int64_t>{});
  EXPECT_EQ(src->info("empty").numel(), 0);
  const auto got = read_all(*src, "z.first");
  ASSERT_EQ(got.size(), a.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(bits(got[i]), bits(a[i])) << i;
  const auto got_nan = read_all(*src, "a.second");
  EXPECT_EQ(bits(got_nan[0]), 0x7FC12345u);
  EXPECT_EQ(bits(got_nan[1]), 0xFF800001u);
  EXPECT_EQ(read_all(*src, "m.scalar"), std::vector<float>{42.0f});
  src->read_f32("empty", nullptr, 0);

  // The header: length-prefixed, space-padded to 8 bytes, tensors laid out in the order given.
  const std::string raw = read_file(file);
  uint64_t n = 0;
  std::memcpy(&n, raw.data(), 8);
  EXPECT_EQ(n % 8, 0u);
  const std::string header = raw.substr(8, n);
  const size_t text_len = header.find_last_not_of(' ') + 1;
  EXPECT_LT(n - text_len, 8u);  // only the padding is spaces
  const auto j = nlohmann::json::parse(header);
  EXPECT_EQ(j["__metadata__"]["format"], "pt");
  EXPECT_EQ(j["z.first"]["data_offsets"], nlohmann::json::parse("[0, 24]"));
  EXPECT_EQ(j["a.second"]["data_offsets"], nlohmann::json::parse("[24, 32]"));
  EXPECT_EQ(j["m.scalar"]["data_offsets"], nlohmann::json::parse("[32, 36]"));
  EXPECT_EQ(j["empty"]["data_offsets"], nlohmann::json::parse("[36, 36]"));
  EXPECT_EQ(raw.size(), 8 + n + 36);
}

TEST(SafetensorsRoundTrip, Bf16RoundsToNearestEven) {
  TempDir dir;
  const auto file = dir / "bf16.safetensors";
  const std::vector<float> in = {
      1.00390625f,                        // 1 + 2^-8: exactly halfway 1.0 | 1.0078125 -> even 1.0
      std::nextafter(1.00390625f, 2.0f),  // just above halfway -> 1.0078125
      1.01171875f,                        // 1 + 3*2^-8: halfway 1.0078125 | 1.015625 -> even 1.015625
      -1.00390625f,                       // sign is independent
      3.4028235e38f,                      // FLT_MAX is above bf16's largest + half an ulp -> inf
      std::bit_cast<float>(0x7F800001u),  // signalling NaN whose payload is all in the low bits
      -0.0f,
      1e-40f,  // f32 subnormal 0x000116C2 -> bf16 subnormal 0x0001 -> 9.18355e-41
  };
  byt5::write_safetensors(file, {{"t", {static_cast<int64_t>(in.size())}, in.data()}}, DType::BF16);
  auto src = byt5::open_safetensors(file);
  EXPECT_EQ(src->info("t").dtype, DType::BF16);
  const auto got = read_all(*src, "t");
  EXPECT_EQ(got[0], 1.0f);
  EXPECT_EQ(got[1], 1.0078125f);
  EXPECT_EQ(got[2], 1.015625f);
  EXPECT_EQ(got[3], -1.0f);
  EXPECT_TRUE(std::isinf(got[4]) && got[4] > 0);
  EXPECT_TRUE(std::isnan(got[5]));
  EXPECT_EQ(bits(got[6]), 0x80000000u);
  EXPECT_EQ(bits(got[7]), 0x00010000u);

  // The stored bytes themselves.
  const std::string raw = read_file(file);
  uint64_t n = 0;
  std::memcpy(&n, raw.data(), 8);
  uint16_t stored[2];
  std::memcpy(stored, raw.data() + 8 + n, 4);
  EXPECT_EQ(stored[0], 0x3F80);
  EXPECT_EQ(stored[1], 0x3F81);
}

TEST(SafetensorsRoundTrip, F16HandlesSubnormalsOverflowAndNan) {
  TempDir dir;
  const auto file = dir / "f16.safetensors";
  const float inf = std::numeric_limits<float>::infinity();
  const std::vector<float> in = {65504.0f,      65519.0f,          65520.0f,       0x1p-24f,      0x1p-25f,
                                 0x1.8p-25f,    0x1.8p-24f,        0x1p-14f,       0x1.ffep-15f,  1.0f + 0x1p-11f,
                                 -inf,          std::nanf(""),     -0.0f,          1e-30f,        0.333333333f};
  const std::vector<float> want = {65504.0f,    65504.0f,      inf,      0x1p-24f,   0.0f,
                                   0x1p-24f,    0x1p-23f,      0x1p-14f, 0x1p-14f,   1.0f,
                                   -inf,        std::nanf(""), -0.0f,    0.0f,       0.333251953125f};
  byt5::write_safetensors(file, {{"t", {static_cast<int64_t>(in.size())}, in.data()}}, DType::F16);
  auto src = byt5::open_safetensors(file);
  EXPECT_EQ(src->info("t").dtype, DType::F16);
  const auto got = read_all(*src, "t");
  for (size_t i = 0; i < in.size(); ++i) {
    if (std::isnan(want[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << i;
    } else {
      EXPECT_EQ(bits(got[i]), bits(want[i])) << i << ": " << in[i] << " -> " << got[i];
    }
  }
}

TEST(SafetensorsRoundTrip, EveryHalfValueSurvivesAFileRoundTrip) {
  std::vector<float> all;
  for (uint32_t h = 0; h < 65536; ++h) all.push_back(byt5::f16_to_f32(static_cast<uint16_t>(h)));
  TempDir dir;
  byt5::write_safetensors(dir / "all.safetensors", {{"h", {65536}, all.data()}}, DType::F16);
  const auto got = read_all(*byt5::open_safetensors(dir / "all.safetensors"), "h");
  for (uint32_t h = 0; h < 65536; ++h) {
    if (std::isnan(all[h])) {
      ASSERT_TRUE(std::isnan(got[h])) << h;
    } else {
      ASSERT_EQ(bits(got[h]), bits(all[h])) << h;
    }
  }
}

TEST(SafetensorsDtypes, ExhaustiveOverHalfAndBf16Patterns) {
  for (uint32_t h = 0; h < 65536; ++h) {
    const auto u = static_cast<uint16_t>(h);
    const float f = byt5::f16_to_f32(u);
    const bool nan = (h & 0x7C00) == 0x7C00 && (h & 0x3FF);
    if (nan) {
      ASSERT_TRUE(std::isnan(f)) << h;
      ASSERT_EQ(byt5::f32_to_f16(f), u | 0x200) << h;  // quietened, payload kept
    } else {
      ASSERT_EQ(byt5::f32_to_f16(f), u) << h;
    }
    const float b = byt5::bf16_to_f32(u);
    ASSERT_EQ(bits(b), h << 16);
    if (!std::isnan(b)) {
      ASSERT_EQ(byt5::f32_to_bf16(b), u) << h;
    }
  }
  // Subnormal halves decode to mant * 2^-24.
  EXPECT_EQ(byt5::f16_to_f32(0x0001), 0x1p-24f);
  EXPECT_EQ(byt5::f16_to_f32(0x03FF), 1023 * 0x1p-24f);
  EXPECT_EQ(byt5::f16_to_f32(0x8001), -0x1p-24f);
}

#ifdef __FLT16_MAX__
// The compiler's own _Float16 conversion (round to nearest even) as an independent reference.
TEST(SafetensorsDtypes, MatchesTheCompilersFloat16OnAFloatSweep) {
  for (uint64_t x = 0; x <= 0xFFFFFFFFu; x += 4093) {
    const float f = std::bit_cast<float>(static_cast<uint32_t>(x));
    if (std::isnan(f)) continue;
    const auto ref = std::bit_cast<uint16_t>(static_cast<_Float16>(f));
    ASSERT_EQ(byt5::f32_to_f16(f), ref) << std::hex << x;
  }
}
#endif

TEST(SafetensorsWriter, RejectsBadInputAndLeavesNoFile) {
  TempDir dir;
  const auto file = dir / "bad.safetensors";
  float x = 1.0f;
  EXPECT_TRUE(ThrowsErrorMentioning([&] { byt5::write_safetensors(file, {{"a", {1}, &x}, {"a", {1}, &x}}); },
                                    {file.string(), "a", "twice"}));
  EXPECT_TRUE(ThrowsErrorMentioning([&] { byt5::write_safetensors(file, {{"a", {-1}, &x}}); },
                                    {file.string(), "negative dimension"}));
  EXPECT_TRUE(ThrowsErrorMentioning([&] { byt5::write_safetensors(file, {{"a", {2}, nullptr}}); },
                                    {file.string(), "has no data"}));
  EXPECT_TRUE(ThrowsErrorMentioning([&] { byt5::write_safetensors(file, {{"__metadata__", {1}, &x}}); },
                                    {file.string(), "cannot be a tensor name"}));
  EXPECT_FALSE(fs::exists(file));
  const auto nowhere = dir / "no-such-folder" / "x.safetensors";
  EXPECT_TRUE(ThrowsErrorMentioning([&] { byt5::write_safetensors(nowhere, {{"a", {1}, &x}}); },
                                    {nowhere.string(), "cannot create"}));
}

TEST(SafetensorsWriter, ReplacesAnExistingFile) {
  TempDir dir;
  const auto file = dir / "m.safetensors";
  float a = 1.0f, b = 2.0f;
  byt5::write_safetensors(file, {{"a", {1}, &a}});
  byt5::write_safetensors(file, {{"b", {1}, &b}});
  auto src = byt5::open_safetensors(file);
  EXPECT_EQ(src->names(), std::vector<std::string>{"b"});
  EXPECT_EQ(read_all(*src, "b"), std::vector<float>{2.0f});
}

TEST(SafetensorsSharded, ReadsTwoShardsThroughTheIndex) {
  TempDir dir;
  std::vector<float> a = {1, 2, 3, 4}, b = {5, 6}, c = {7};
  byt5::write_safetensors(dir / "model-00001-of-00002.safetensors", {{"a", {2, 2}, a.data()}, {"b", {2}, b.data()}});
  byt5::write_safetensors(dir / "model-00002-of-00002.safetensors", {{"c", {1}, c.data()}}, DType::BF16);
  write_file(dir / "model.safetensors.index.json", R"({"metadata": {"total_size": 28}, "weight_map": {
      "a": "model-00001-of-00002.safetensors", "b": "model-00001-of-00002.safetensors",
      "c": "model-00002-of-00002.safetensors"}})");

  auto by_index = byt5::open_safetensors_index(dir / "model.safetensors.index.json");
  auto by_dir = byt5::open_checkpoint_tensors(dir.path());
  for (const auto* src : {by_index.get(), by_dir.get()}) {
    EXPECT_EQ(src->describe(), (dir / "model.safetensors.index.json").string());
    EXPECT_EQ(src->names(), (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(src->info("a").shape, (std::vector<int64_t>{2, 2}));
    EXPECT_EQ(src->info("c").dtype, DType::BF16);
    EXPECT_EQ(read_all(*src, "a"), a);
    EXPECT_EQ(read_all(*src, "b"), b);
    EXPECT_EQ(read_all(*src, "c"), c);
    EXPECT_TRUE(ThrowsErrorMentioning([&] { src->info("d"); },
                                      {(dir / "model.safetensors.index.json").string() + ": no tensor named d"}));
  }
}

TEST(SafetensorsSharded, ReportsBadIndexes) {
  TempDir dir;
  const auto index = dir / "model.safetensors.index.json";
  const std::string idx = index.string();
  float x = 1.0f;
  byt5::write_safetensors(dir / "s1.safetensors", {{"a", {1}, &x}});
  auto expect = [&](const std::string& text, std::initializer_list<std::string> parts) {
    write_file(index, text);
    EXPECT_TRUE(ThrowsErrorMentioning([&] { byt5::open_safetensors_index(index); }, parts)) << text;
  };
  expect("{not json", {idx, "not valid JSON"});
  expect("[]", {idx, "not a JSON object"});
  expect(R"({"metadata": {}})", {idx, "no weight_map"});
  expect(R"({"weight_map": []})", {idx, "weight_map is not a JSON object"});
  expect(R"({"weight_map": {"a": 3}})", {idx, "a", "not a file name"});
  expect(R"({"weight_map": {"a": "../s1.safetensors"}})", {idx, "not a plain file name"});
  expect(R"({"weight_map": {"a": "s1.safetensors", "a": "s1.safetensors"}})", {idx, "\"a\" appears more than once"});
  expect(R"({"weight_map": {"b": "s1.safetensors"}})",
         {idx, "puts b in s1.safetensors", (dir / "s1.safetensors").string(), "no tensor named b"});
  expect(R"({"weight_map": {"a": "s2.safetensors"}})", {(dir / "s2.safetensors").string(), "cannot open", idx});
  EXPECT_TRUE(ThrowsErrorMentioning([&] { byt5::open_safetensors_index(dir / "missing.json"); },
                                    {(dir / "missing.json").string(), "cannot open"}));
}

// Each malformed file must be refused with a message naming the file and what is wrong.
class SafetensorsErrors : public ::testing::Test {
 protected:
  ::testing::AssertionResult Refused(const std::string& bytes, std::initializer_list<std::string> parts) {
    write_file(file_, bytes);
    std::vector<std::string> all = {file_.string()};
    all.insert(all.end(), parts.begin(), parts.end());
    try {
      byt5::open_safetensors(file_);
    } catch (const byt5::Error& e) {
      const std::string msg = e.what();
      for (const auto& p : all)
        if (msg.find(p) == std::string::npos)
          return ::testing::AssertionFailure() << "error \"" << msg << "\" does not mention \"" << p << "\"";
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "no byt5::Error thrown";
  }
  // A one-tensor header around `entry` with `data_bytes` bytes of data.
  static std::string one(const std::string& entry, size_t data_bytes = 8) {
    return st_bytes(R"({"t": )" + entry + "}", std::string(data_bytes, '\x01'));
  }

  TempDir dir_;
  fs::path file_ = dir_ / "bad.safetensors";
};

TEST_F(SafetensorsErrors, FileAndHeaderFraming) {
  EXPECT_TRUE(Refused("", {"0 bytes", "too short"}));
  EXPECT_TRUE(Refused("1234567", {"7 bytes", "too short"}));
  std::string big(8, '\0');
  const uint64_t huge = 200ull * 1000 * 1000;
  std::memcpy(big.data(), &huge, 8);
  EXPECT_TRUE(Refused(big + "{}", {"header length 200000000", "100 MB"}));
  std::string past(8, '\0');
  past[0] = 100;
  EXPECT_TRUE(Refused(past + "{}", {"header length 100", "past the end of the file"}));
  EXPECT_TRUE(Refused(st_bytes(""), {"header is not valid JSON"}));
  EXPECT_TRUE(Refused(st_bytes("{\"t\": {"), {"header is not valid JSON"}));
  EXPECT_TRUE(Refused(st_bytes("[1, 2]"), {"header is not a JSON object"}));
  EXPECT_TRUE(Refused(st_bytes("\"x\""), {"header is not a JSON object"}));
}

TEST_F(SafetensorsErrors, EntryFields) {
  EXPECT_TRUE(Refused(one("3"), {"tensor \"t\"", "not a JSON object"}));
  EXPECT_TRUE(Refused(one(R"({"shape": [2], "data_offsets": [0, 8]})"), {"\"t\"", "no dtype"}));
  EXPECT_TRUE(Refused(one(R"({"dtype": 1, "shape": [2], "data_offsets": [0, 8]})"), {"dtype is not a string"}));
  EXPECT_TRUE(Refused(one(R"({"dtype": "F32", "data_offsets": [0, 8]})"), {"\"t\"", "no shape"}));
  EXPECT_TRUE(Refused(one(R"({"dtype": "F32", "shape": [2]})"), {"\"t\"", "no data_offsets"}));
  EXPECT_TRUE(Refused(one(R"({"dtype": "I64", "shape": [1], "data_offsets": [0, 8]})"), {"I64 is not supported"}));
  EXPECT_TRUE(Refused(one(R"({"dtype": "F64", "shape": [1], "data_offsets": [0, 8]})"), {"F64 is not supported"}));
  EXPECT_TRUE(Refused(one(R"({"dtype": "F32", "shape": 2, "data_offsets": [0, 8]})"), {"shape is not a JSON array"}));
  EXPECT_TRUE(Refused(one(R"({"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]})"), {"negative dimension -2"}));
  EXPECT_TRUE(Refused(one(R"({"dtype": "F32", "shape": [2.5], "data_offsets": [0, 8]})"), {"non-negative integers"}));
  EXPECT_TRUE(Refused(one(R"({"dtype": "F32", "shape": [4294967296, 4294967296, 4294967296],
                               "data_offsets": [0, 8]})"),
                      {"impossibly large"}));
  EXPECT_TRUE(Refused(one(R"({"dtype": "F32", "shape": [2], "data_offsets": [0]})"), {"must be [begin, end]"}));
  EXPECT_TRUE(Refused(one(R"({"dtype": "F32", "shape": [2], "data_offsets": [-1, 8]})"), {"must be [begin, end]"}));
  EXPECT_TRUE(Refused(one(R"({"dtype": "F32", "shape": [2], "data_offsets": "0-8"})"), {"must be [begin, end]"}));
}

TEST_F(SafetensorsErrors, OffsetsAndData) {
  EXPECT_TRUE(Refused(one(R"({"dtype": "F32", "shape": [0], "data_offsets": [8, 0]})"),
                      {"[8, 0]", "end before they begin"}));
  EXPECT_TRUE(Refused(one(R"({"dtype": "F32", "shape": [3], "data_offsets": [0, 8]})"),
                      {"\"t\"", "hold 8 bytes", "shape [3] of F32 needs 12"}));
  EXPECT_TRUE(Refused(one(R"({"dtype": "BF16", "shape": [2], "data_offsets": [0, 8]})"),
                      {"shape [2] of BF16 needs 4"}));
  EXPECT_TRUE(Refused(one(R"({"dtype": "F32", "shape": [2], "data_offsets": [4, 12]})"),
                      {"[4, 12]", "past the end of the data region (8 bytes)", "truncated"}));
  // A well-formed file cut short.
  TempDir dir;
  std::vector<float> v(16, 1.0f);
  byt5::write_safetensors(dir / "ok.safetensors", {{"v", {16}, v.data()}});
  const std::string whole = read_file(dir / "ok.safetensors");
  EXPECT_TRUE(Refused(whole.substr(0, whole.size() - 1), {"\"v\"", "truncated"}));
  EXPECT_TRUE(Refused(whole.substr(0, 20), {"past the end of the file"}));
}

TEST_F(SafetensorsErrors, DuplicateNames) {
  EXPECT_TRUE(Refused(st_bytes(R"({"t": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]},
                                   "t": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}})",
                               std::string(8, '\0')),
                      {"\"t\" appears more than once"}));
}

TEST_F(SafetensorsErrors, MetadataIsSkippedAndLookupsNameTheFile) {
  write_file(file_, st_bytes(R"({"__metadata__": {"format": "pt"}, "t": {"dtype": "F16", "shape": [2, 1],
                                 "data_offsets": [0, 4]}})",
                             std::string("\x00\x3c\x00\xc0", 4)));
  auto src = byt5::open_safetensors(file_);
  EXPECT_EQ(src->names(), std::vector<std::string>{"t"});
  EXPECT_EQ(read_all(*src, "t"), (std::vector<float>{1.0f, -2.0f}));
  EXPECT_TRUE(ThrowsErrorMentioning([&] { src->info("missing"); }, {file_.string() + ": no tensor named missing"}));
  EXPECT_TRUE(ThrowsErrorMentioning([&] { read_all(*src, "missing"); },
                                    {file_.string() + ": no tensor named missing"}));
  float out[3];
  EXPECT_TRUE(ThrowsErrorMentioning([&] { src->read_f32("t", out, 3); }, {file_.string(), "t has 2 elements", "3"}));
  EXPECT_TRUE(ThrowsErrorMentioning([&] { byt5::open_safetensors(dir_ / "nope.safetensors"); },
                                    {(dir_ / "nope.safetensors").string(), "cannot open"}));
  EXPECT_TRUE(ThrowsErrorMentioning([&] { byt5::open_safetensors(dir_.path()); },
                                    {dir_.path().string(), "not a regular file"}));
}

}  // namespace
