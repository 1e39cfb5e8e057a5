// Every failure a user can cause (bad files, bad flags, bad input) is reported as byt5::Error with a
// message that names the thing at fault and what is wrong with it.
#pragma once
#include <stdexcept>
#include <string>

namespace byt5 {

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace byt5
