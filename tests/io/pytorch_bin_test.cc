// pytorch_model.bin (torch.save's zip + pickle) reading: the Hugging Face fixture against its
// safetensors twin, hand-built archives for the layouts torch.save can produce, and every
// malformed archive or pickle the reader promises to refuse.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "io/tensor_source.h"
#include "io_test_helpers.h"

namespace {

using byt5::DType;
using byt5_io_test::read_file;
using byt5_io_test::TempDir;
using byt5_io_test::ThrowsErrorMentioning;
using byt5_io_test::write_file;
namespace fs = std::filesystem;

const fs::path kFixtures = BYT5_TEST_FIXTURES;

// A string literal's bytes, embedded NULs included.
template <size_t N>
std::string bytes(const char (&s)[N]) {
  return std::string(s, N - 1);
}

void put16(std::string& s, uint16_t v) { s.append(reinterpret_cast<const char*>(&v), 2); }
void put32(std::string& s, uint32_t v) { s.append(reinterpret_cast<const char*>(&v), 4); }
void put64(std::string& s, uint64_t v) { s.append(reinterpret_cast<const char*>(&v), 8); }

// ---- a minimal ZIP writer (stored entries), with the ZIP64 variants torch.save may emit ----

struct ZipItem {
  std::string name;
  std::string data;
  uint16_t method = 0;
  uint16_t flags = 0;
  std::optional<uint64_t> declared_size = std::nullopt;  // what the central directory claims, if not data.size()
};

struct ZipLayout {
  bool zip64_entries = false;  // sizes and offsets in ZIP64 extra fields
  bool zip64_end = false;      // ZIP64 end record + locator, 0xFFFF.. in the classic end record
};

std::string make_zip(const std::vector<ZipItem>& items, ZipLayout layout = {}) {
  std::string out, cd;
  for (const auto& it : items) {
    const uint64_t offset = out.size();
    const uint64_t size = it.declared_size.value_or(it.data.size());
    put32(out, 0x04034b50);
    put16(out, 20);
    put16(out, it.flags);
    put16(out, it.method);
    put16(out, 0);
    put16(out, 0);
    put32(out, 0);  // crc: not checked by the reader
    put32(out, static_cast<uint32_t>(size));
    put32(out, static_cast<uint32_t>(size));
    put16(out, static_cast<uint16_t>(it.name.size()));
    put16(out, 0);
    out += it.name + it.data;

    const bool z = layout.zip64_entries;
    put32(cd, 0x02014b50);
    put16(cd, 45);
    put16(cd, 45);
    put16(cd, it.flags);
    put16(cd, it.method);
    put16(cd, 0);
    put16(cd, 0);
    put32(cd, 0);
    put32(cd, z ? 0xFFFFFFFFu : static_cast<uint32_t>(size));
    put32(cd, z ? 0xFFFFFFFFu : static_cast<uint32_t>(size));
    put16(cd, static_cast<uint16_t>(it.name.size()));
    put16(cd, z ? 28 : 0);
    put16(cd, 0);
    put16(cd, 0);
    put16(cd, 0);
    put32(cd, 0);
    put32(cd, z ? 0xFFFFFFFFu : static_cast<uint32_t>(offset));
    cd += it.name;
    if (z) {
      put16(cd, 1);
      put16(cd, 24);
      put64(cd, size);
      put64(cd, size);
      put64(cd, offset);
    }
  }
  const uint64_t cd_offset = out.size();
  out += cd;
  const uint64_t n = items.size();
  if (layout.zip64_end) {
    const uint64_t at = out.size();
    put32(out, 0x06064b50);
    put64(out, 44);
    put16(out, 45);
    put16(out, 45);
    put32(out, 0);
    put32(out, 0);
    put64(out, n);
    put64(out, n);
    put64(out, cd.size());
    put64(out, cd_offset);
    put32(out, 0x07064b50);
    put32(out, 0);
    put64(out, at);
    put32(out, 1);
  }
  const bool z = layout.zip64_end;
  put32(out, 0x06054b50);
  put16(out, 0);
  put16(out, 0);
  put16(out, z ? 0xFFFF : static_cast<uint16_t>(n));
  put16(out, z ? 0xFFFF : static_cast<uint16_t>(n));
  put32(out, z ? 0xFFFFFFFFu : static_cast<uint32_t>(cd.size()));
  put32(out, z ? 0xFFFFFFFFu : static_cast<uint32_t>(cd_offset));
  put16(out, 0);
  return out;
}

// ---- a pickle writer for the opcodes torch.save uses ----

class Pickle {
 public:
  Pickle& op(uint8_t c) {
    b_ += static_cast<char>(c);
    return *this;
  }
  Pickle& proto() { return op(0x80).op(2); }
  Pickle& global(const std::string& module, const std::string& name) {
    op('c');
    b_ += module + "\n" + name + "\n";
    return *this;
  }
  Pickle& str(const std::string& s) {
    op('X');
    put32(b_, static_cast<uint32_t>(s.size()));
    b_ += s;
    return *this;
  }
  Pickle& integer(int64_t v) {
    if (v >= 0 && v < 256) return op('K').op(static_cast<uint8_t>(v));
    if (v >= 0 && v < 65536) {
      op('M');
      put16(b_, static_cast<uint16_t>(v));
      return *this;
    }
    if (v >= INT32_MIN && v <= INT32_MAX) {
      op('J');
      put32(b_, static_cast<uint32_t>(static_cast<int32_t>(v)));
      return *this;
    }
    op(0x8a).op(8);
    put64(b_, static_cast<uint64_t>(v));
    return *this;
  }
  Pickle& ints(const std::vector<int64_t>& v) {
    op('(');
    for (auto x : v) integer(x);
    return op('t');
  }
  const std::string& bytes() const { return b_; }

 private:
  std::string b_;
};

struct TensorSpec {
  std::string name;
  std::string key;
  int64_t storage_numel;
  std::vector<int64_t> size, stride;
  int64_t offset = 0;
  std::string type = "FloatStorage";
};

// What torch.save writes for an OrderedDict state dict, opcode for opcode.
std::string state_dict_pickle(const std::vector<TensorSpec>& tensors) {
  Pickle p;
  p.proto().global("collections", "OrderedDict").op('q').op(0).op(')').op('R').op('q').op(1).op('(');
  for (const auto& t : tensors) {
    p.str(t.name).global("torch._utils", "_rebuild_tensor_v2").op('(');
    p.op('(').str("storage").global("torch", t.type).str(t.key).str("cpu").integer(t.storage_numel).op('t').op('Q');
    p.integer(t.offset).ints(t.size).ints(t.stride).op(0x89);
    p.op('h').op(0).op(')').op('R');  // backward_hooks = OrderedDict()
    p.op('t').op('R');
  }
  p.op('u').op('.');
  return p.bytes();
}

std::string f32_bytes(const std::vector<float>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4);
}
std::string u16_bytes(const std::vector<uint16_t>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 2);
}

// A pytorch_model.bin holding `pickle` as <top>data.pkl and each storage as <top>data/<key>.
std::string make_bin(const std::string& pickle, const std::map<std::string, std::string>& storages,
                     const std::string& top = "archive/", ZipLayout layout = {}) {
  std::vector<ZipItem> items = {{top + "data.pkl", pickle}};
  for (const auto& [key, data] : storages) items.push_back({top + "data/" + key, data});
  items.push_back({top + "version", "3\n"});
  return make_zip(items, layout);
}

std::vector<float> read_all(const byt5::TensorSource& src, const std::string& name) {
  std::vector<float> v(static_cast<size_t>(src.info(name).numel()));
  src.read_f32(name, v.data(), v.size());
  return v;
}

TEST(PytorchBin, FixtureMatchesItsSafetensorsTwinBitForBit) {
  auto bin = byt5::open_pytorch_bin(kFixtures / "hf-tiny-bin" / "pytorch_model.bin");
  auto st = byt5::open_safetensors(kFixtures / "hf-tiny" / "model.safetensors");

  auto expected = st->names();
  expected.push_back("decoder.embed_tokens.weight");
  expected.push_back("encoder.embed_tokens.weight");
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(bin->names(), expected);

  for (const auto& name : bin->names()) {
    const std::string twin = st->has(name) ? name : "shared.weight";
    SCOPED_TRACE(name);
    EXPECT_EQ(bin->info(name).dtype, DType::F32);
    EXPECT_EQ(bin->info(name).shape, st->info(twin).shape);
    const auto a = read_all(*bin, name);
    const auto b = read_all(*st, twin);
    ASSERT_EQ(a.size(), b.size());
    EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(float)), 0);
  }
  const auto shared = read_all(*bin, "shared.weight");
  EXPECT_EQ(read_all(*bin, "encoder.embed_tokens.weight"), shared);
  EXPECT_EQ(read_all(*bin, "decoder.embed_tokens.weight"), shared);
  EXPECT_TRUE(bin->has("lm_head.weight"));  // untied in hf-tiny
}

// Storage offsets, aliases into one storage, F16/BF16 storages, scalars, empty tensors, and a
// size-1 dimension with an arbitrary stride, under every ZIP layout.
class PytorchBinLayouts : public ::testing::TestWithParam<ZipLayout> {};

TEST_P(PytorchBinLayouts, ReadsWhatTorchSaveCanWrite) {
  const std::string pickle = state_dict_pickle({
      {"w", "0", 6, {2, 2}, {2, 1}, 2},
      {"alias", "0", 6, {6}, {1}},
      {"h", "1", 3, {3}, {1}, 0, "HalfStorage"},
      {"b", "2", 2, {1, 2}, {5, 1}, 0, "BFloat16Storage"},
      {"scalar", "3", 1, {}, {}},
      {"empty", "3", 1, {0, 3}, {99, 7}},
  });
  TempDir dir;
  const auto file = dir / "pytorch_model.bin";
  write_file(file, make_bin(pickle,
                            {{"0", f32_bytes({0, 1, 2, 3, 4, 5})},
                             {"1", u16_bytes({0x3C00, 0xC000, 0x0001})},
                             {"2", u16_bytes({0x3F80, 0xC040})},
                             {"3", f32_bytes({7})}},
                            "some_model/", GetParam()));
  auto src = byt5::open_pytorch_bin(file);
  EXPECT_EQ(src->describe(), file.string());
  EXPECT_EQ(src->names(), (std::vector<std::string>{"alias", "b", "empty", "h", "scalar", "w"}));
  EXPECT_EQ(read_all(*src, "w"), (std::vector<float>{2, 3, 4, 5}));
  EXPECT_EQ(src->info("w").shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(read_all(*src, "alias"), (std::vector<float>{0, 1, 2, 3, 4, 5}));
  EXPECT_EQ(src->info("h").dtype, DType::F16);
  EXPECT_EQ(read_all(*src, "h"), (std::vector<float>{1.0f, -2.0f, 0x1p-24f}));
  EXPECT_EQ(src->info("b").dtype, DType::BF16);
  EXPECT_EQ(read_all(*src, "b"), (std::vector<float>{1.0f, -3.0f}));
  EXPECT_EQ(src->info("scalar").shape, std::vector<int64_t>{});
  EXPECT_EQ(read_all(*src, "scalar"), std::vector<float>{7});
  EXPECT_EQ(src->info("empty").numel(), 0);
  EXPECT_TRUE(ThrowsErrorMentioning([&] { src->info("nope"); }, {file.string() + ": no tensor named nope"}));
  float two[2];
  EXPECT_TRUE(ThrowsErrorMentioning([&] { src->read_f32("w", two, 2); }, {file.string(), "w has 4 elements"}));
}

INSTANTIATE_TEST_SUITE_P(PytorchBin, PytorchBinLayouts,
                         ::testing::Values(ZipLayout{false, false}, ZipLayout{true, false}, ZipLayout{false, true},
                                           ZipLayout{true, true}),
                         [](const auto& info) {
                           return std::string(info.param.zip64_entries ? "Zip64Entries" : "PlainEntries") +
                                  (info.param.zip64_end ? "Zip64End" : "PlainEnd");
                         });

class PytorchBinErrors : public ::testing::Test {
 protected:
  ::testing::AssertionResult Refused(const std::string& bytes, std::initializer_list<std::string> parts) {
    write_file(file_, bytes);
    std::vector<std::string> all = {file_.string()};
    all.insert(all.end(), parts.begin(), parts.end());
    try {
      byt5::open_pytorch_bin(file_);
    } catch (const byt5::Error& e) {
      const std::string msg = e.what();
      for (const auto& p : all)
        if (msg.find(p) == std::string::npos)
          return ::testing::AssertionFailure() << "error \"" << msg << "\" does not mention \"" << p << "\"";
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "no byt5::Error thrown";
  }
  // A well-formed one-tensor archive built around a replaceable pickle.
  static std::string with_pickle(const std::string& pickle) {
    return make_bin(pickle, {{"0", f32_bytes({1, 2, 3, 4})}});
  }
  static std::string one(const TensorSpec& t, const std::string& storage = f32_bytes({1, 2, 3, 4})) {
    return make_bin(state_dict_pickle({t}), {{"0", storage}});
  }

  TempDir dir_;
  fs::path file_ = dir_ / "pytorch_model.bin";
};

TEST_F(PytorchBinErrors, TruncatedFixture) {
  const std::string whole = read_file(kFixtures / "hf-tiny-bin" / "pytorch_model.bin");
  for (size_t keep : {whole.size() - 1, whole.size() - 30, whole.size() / 2, size_t{100}})
    EXPECT_TRUE(Refused(whole.substr(0, keep), {"truncated"})) << keep;
  EXPECT_TRUE(Refused(whole.substr(0, 3), {"not a zip archive"}));
  EXPECT_TRUE(Refused("", {"not a zip archive"}));
}

TEST_F(PytorchBinErrors, GarbageInsteadOfAZip) {
  std::string junk(4096, '\0');
  uint32_t x = 12345;
  for (auto& c : junk) c = static_cast<char>((x = x * 1103515245u + 12345u) >> 24);
  EXPECT_TRUE(Refused(junk, {"not a zip archive"}));
  EXPECT_TRUE(Refused("PK\x03\x04" + junk, {"truncated or damaged"}));
  EXPECT_TRUE(Refused(std::string("\x80\x02\x8a\x0a", 4) + junk, {"legacy torch.save format"}));

  // A damaged central directory in the real file.
  std::string bin = read_file(kFixtures / "hf-tiny-bin" / "pytorch_model.bin");
  std::string cd_hit = bin;
  cd_hit.replace(cd_hit.find("PK\x01\x02"), 4, "XXXX");
  EXPECT_TRUE(Refused(cd_hit, {"central directory entry 0 is malformed"}));
  std::string far = bin;
  const uint32_t nowhere = 0x7FFFFFF0;
  std::memcpy(far.data() + far.size() - 22 + 16, &nowhere, 4);  // classic end record's cd offset
  // The fixture carries a ZIP64 end record, so spoil that one's cd offset too.
  const size_t z64 = far.rfind("PK\x06\x06");
  ASSERT_NE(z64, std::string::npos);
  const uint64_t nowhere64 = 0x7FFFFFF0;
  std::memcpy(far.data() + z64 + 48, &nowhere64, 8);
  EXPECT_TRUE(Refused(far, {"central directory", "outside"}));
}

TEST_F(PytorchBinErrors, ZipFeaturesWeDoNotRead) {
  const std::string pkl = state_dict_pickle({{"t", "0", 4, {4}, {1}}});
  EXPECT_TRUE(Refused(make_zip({{"archive/data.pkl", pkl, 8}}), {"archive/data.pkl", "compressed (method 8)"}));
  EXPECT_TRUE(Refused(make_zip({{"archive/data.pkl", pkl, 0, 1}}), {"archive/data.pkl", "encrypted"}));
  EXPECT_TRUE(Refused(make_zip({{"archive/data.pkl", pkl}, {"archive/data.pkl", pkl}}), {"appears twice"}));
  EXPECT_TRUE(Refused(make_zip({{"archive/data/0", "1234"}}), {"no <folder>/data.pkl"}));
  EXPECT_TRUE(Refused(make_zip({{"a/data.pkl", pkl}, {"b/data.pkl", pkl}}), {"more than one data.pkl"}));
  EXPECT_TRUE(Refused(make_zip({{"archive/data.pkl", pkl, 0, 0, 1u << 30}}, {true, true}),
                      {"archive/data.pkl", "run past the end of the archive"}));
  std::string no_local = make_zip({{"archive/data.pkl", pkl}});
  no_local.replace(0, 4, "XXXX");
  EXPECT_TRUE(Refused(no_local, {"archive/data.pkl", "local header missing"}));
  EXPECT_TRUE(Refused(make_zip({{"archive/data.pkl", pkl}, {"archive/byteorder", "big"}}), {"\"big\" byte order"}));
}

TEST_F(PytorchBinErrors, PickleOpcodesAndStructure) {
  const std::string p = "archive/data.pkl";
  EXPECT_TRUE(Refused(with_pickle("\x80\x02}d."), {p, "unsupported pickle opcode 0x64 at offset 3"}));
  EXPECT_TRUE(Refused(with_pickle("\x80\x09}."), {p, "unsupported pickle protocol 9"}));
  EXPECT_TRUE(Refused(with_pickle("\x80\x02\x63os\nsystem\n."), {p, "unsupported global os.system at offset 2"}));
  EXPECT_TRUE(Refused(with_pickle("\x80\x02\x63os\nsyst"), {p, "unterminated GLOBAL"}));
  EXPECT_TRUE(Refused(with_pickle("\x80\x02h\x05."), {p, "memo entry 5 is used before it is set"}));
  EXPECT_TRUE(Refused(with_pickle("\x80\x02R."), {p, "pickle stack underflow"}));
  EXPECT_TRUE(Refused(with_pickle("\x80\x02t."), {p, "needs a MARK"}));
  EXPECT_TRUE(Refused(with_pickle(bytes("\x80\x02K\x05.")), {p, "not a state dict"}));
  EXPECT_TRUE(Refused(with_pickle(bytes("\x80\x02}X\x01\x00\x00\x00\x61K\x01s.")),
                      {p, "state dict entry a is a int, not a tensor"}));
  EXPECT_TRUE(Refused(with_pickle(std::string("\x80\x02\x8a\x09", 4) + std::string(9, '\0') + "."),
                      {p, "integer of 9 bytes is too large"}));

  const std::string good = state_dict_pickle({{"a_long_tensor_name", "0", 4, {4}, {1}}});
  EXPECT_TRUE(Refused(with_pickle(good.substr(0, good.size() - 1)), {p, "ends without a STOP opcode"}));
  const size_t in_name = good.find("a_long_tensor_name") + 3;
  EXPECT_TRUE(Refused(with_pickle(good.substr(0, in_name)), {p, "ends in the middle of an opcode", "truncated"}));
}

TEST_F(PytorchBinErrors, TensorsThatCannotBeRead) {
  EXPECT_TRUE(Refused(one({"t", "0", 4, {4}, {1}, 0, "LongStorage"}),
                      {"tensor t is stored as torch.LongStorage, which is not supported"}));
  EXPECT_TRUE(Refused(one({"t", "9", 4, {4}, {1}}), {"tensor t", "archive/data/9 is missing from the archive"}));
  EXPECT_TRUE(Refused(one({"t", "0", 5, {5}, {1}}), {"tensor t", "holds 16 bytes, fewer than the 5 F32 elements"}));
  EXPECT_TRUE(Refused(one({"t", "0", 4, {2}, {1}, 3}),
                      {"tensor t", "storage offset 3", "reaches past the end of its storage of 4 elements"}));
  EXPECT_TRUE(Refused(one({"t", "0", 4, {2, 2}, {1, 2}}),
                      {"tensor t has strides [1, 2] for shape [2, 2]", "only contiguous"}));
  EXPECT_TRUE(Refused(one({"t", "0", 4, {2, 2}, {1}}), {"different lengths"}));
  EXPECT_TRUE(Refused(one({"t", "0", 4, {-2}, {1}}), {"negative tensor dimension"}));
  EXPECT_TRUE(Refused(one({"t", "0", 4, {2}, {1}, -1}), {"negative storage offset"}));
  EXPECT_TRUE(Refused(one({"t", "0", 4, {int64_t{1} << 40, int64_t{1} << 40}, {int64_t{1} << 40, 1}}),
                      {"impossibly large"}));
  EXPECT_TRUE(Refused(one({"t", "../0", 4, {4}, {1}}), {"not a plain archive entry name"}));
}

}  // namespace
