// Paths the TOP and data tests share: the hand-made fixtures next to these tests, the shared
// TOPv2 data (absent in a user's clone: tests skip), and scratch directories.
#pragma once
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace byt5::testing {

inline std::filesystem::path handmade_dir() {
  return std::filesystem::path(BYT5_TEST_FIXTURES) / ".." / "top" / "handmade";
}

inline std::filesystem::path topv2_dir() {
  return std::filesystem::path(BYT5_SHARED_DATA) / "topv2";
}

inline bool have_topv2() { return std::filesystem::exists(topv2_dir() / "alarm_eval.tsv"); }

#define BYT5_REQUIRE_TOPV2()                                                              \
  do {                                                                                    \
    if (!::byt5::testing::have_topv2())                                                   \
      GTEST_SKIP() << "TOPv2 data not found at " << ::byt5::testing::topv2_dir().string() \
                   << " (only CI and the project machines have it)";                     \
  } while (0)

// A fresh directory, removed with its contents at scope exit.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string("byt5_") + (info ? info->test_suite_name() : "t") + "_" +
                       (info ? info->name() : "t") + "_" + std::to_string(getpid());
    path_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& content) const {
    std::filesystem::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }

 private:
  std::filesystem::path path_;
};

}  // namespace byt5::testing
