// Shared by the checkpoint I/O tests: scratch folders and checks on byt5::Error messages.
#pragma once
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <initializer_list>
#include <string>

#include "core/error.h"
#include "test_util.h"

namespace byt5_io_test {

using TempDir = ::byt5::test::TempDir;

inline void write_file(const std::filesystem::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + p.string());
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Succeeds if fn throws byt5::Error whose message contains every one of `parts`.
inline ::testing::AssertionResult ThrowsErrorMentioning(const std::function<void()>& fn,
                                                        std::initializer_list<std::string> parts) {
  try {
    fn();
  } catch (const byt5::Error& e) {
    const std::string msg = e.what();
    for (const auto& p : parts)
      if (msg.find(p) == std::string::npos)
        return ::testing::AssertionFailure() << "error \"" << msg << "\" does not mention \"" << p << "\"";
    return ::testing::AssertionSuccess() << msg;
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw something other than byt5::Error: " << e.what();
  }
  return ::testing::AssertionFailure() << "no error was thrown";
}

}  // namespace byt5_io_test
