// Seeded randomness for training, with no global state: a splitmix64 stream (weight init, label
// rows, shuffling) and a stateless hash for keys derived from counters (dropout masks, per-epoch
// permutations), so that a run's randomness is a pure function of (seed, step, ...) and a resumed
// run draws exactly what an uninterrupted one would.
#pragma once
#include <cmath>
#include <cstdint>

namespace byt5 {

// splitmix64's output function: a bijective 64-bit mixer.
inline uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// A key for a sub-stream: derive(derive(seed, step), site) ...
inline uint64_t derive_key(uint64_t key, uint64_t counter) {
  return mix64(key ^ mix64(counter + 0x9e3779b97f4a7c15ULL));
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next_u64() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return mix64(state_);
  }
  // Uniform in [0, 1) with 53 random bits.
  double uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n), n > 0 (Lemire's multiply; the bias is below 2^-32 for our n).
  uint64_t below(uint64_t n) { return static_cast<uint64_t>((static_cast<unsigned __int128>(next_u64()) * n) >> 64); }
  // Standard normal (Box-Muller; one value per call for a simple, reproducible stream).
  double normal() {
    double u1 = uniform(), u2 = uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  uint64_t state() const { return state_; }

 private:
  uint64_t state_;
};

}  // namespace byt5
