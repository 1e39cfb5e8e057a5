// Exact conversions between f32 and the 16-bit float formats checkpoints store (IEEE half, bfloat16),
// and the bulk "stored bytes -> f32" conversion every reader shares. Internal to src/io.
#pragma once
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "io/tensor_source.h"

namespace byt5 {

static_assert(std::endian::native == std::endian::little, "checkpoint formats are little-endian");

inline float bf16_to_f32(uint16_t h) { return std::bit_cast<float>(uint32_t{h} << 16); }

// Round to nearest, ties to even; NaN stays NaN (quietened, sign and top payload bits kept),
// which plain truncation-with-carry would turn into infinity.
inline uint16_t f32_to_bf16(float f) {
  uint32_t x = std::bit_cast<uint32_t>(f);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((x >> 16) | 0x0040u);
  x += 0x7FFFu + ((x >> 16) & 1u);
  return static_cast<uint16_t>(x >> 16);
}

inline float f16_to_f32(uint16_t h) {
  const uint32_t sign = uint32_t{h & 0x8000u} << 16;
  const uint32_t exp = (h >> 10) & 0x1Fu;
  const uint32_t mant = h & 0x3FFu;
  if (exp == 0x1F) return std::bit_cast<float>(sign | 0x7F800000u | (mant << 13));  // inf / NaN
  if (exp == 0) {
    // Zero or subnormal: mant * 2^-24, exact in f32 (a small integer times a power of two).
    float v = static_cast<float>(mant) * 0x1p-24f;
    return sign ? -v : v;
  }
  return std::bit_cast<float>(sign | ((exp + 112u) << 23) | (mant << 13));
}

// Round to nearest, ties to even, including into the subnormal range and overflow to infinity.
inline uint16_t f32_to_f16(float f) {
  const uint32_t x = std::bit_cast<uint32_t>(f);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000u);
  const uint32_t ax = x & 0x7FFFFFFFu;
  if (ax >= 0x7F800000u) {
    if (ax == 0x7F800000u) return sign | 0x7C00u;
    return static_cast<uint16_t>(sign | 0x7E00u | ((ax >> 13) & 0x3FFu));  // quiet NaN
  }
  if (ax >= 0x477FF000u) return sign | 0x7C00u;  // >= 65520 (halfway above 65504) rounds to inf
  if (ax < 0x38800000u) {                        // below 2^-14: a half subnormal (or zero)
    const uint32_t exp = ax >> 23;
    if (exp == 0) return sign;  // f32 subnormals are far below 2^-25
    const uint32_t mant = (ax & 0x7FFFFFu) | 0x800000u;
    const uint32_t shift = 126u - exp;  // value / 2^-24 = mant >> shift; shift >= 14 here
    if (shift >= 25) return sign;       // below 2^-25: rounds to zero
    uint32_t m = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1u);
    const uint32_t half = 1u << (shift - 1u);
    if (rem > half || (rem == half && (m & 1u))) ++m;  // may carry into the smallest normal
    return static_cast<uint16_t>(sign | m);
  }
  uint32_t h = (((ax >> 23) - 112u) << 10) | ((ax >> 13) & 0x3FFu);
  const uint32_t rem = ax & 0x1FFFu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1u))) ++h;  // a carry bumps the exponent, as it should
  return static_cast<uint16_t>(sign | h);
}

// Converts n stored elements of `dtype` at src (any alignment) to f32.
inline void convert_to_f32(DType dtype, const uint8_t* src, float* dst, size_t n) {
  if (n == 0) return;
  switch (dtype) {
    case DType::F32: std::memcpy(dst, src, n * sizeof(float)); return;
    case DType::BF16:
      for (size_t i = 0; i < n; ++i) {
        uint16_t v;
        std::memcpy(&v, src + 2 * i, 2);
        dst[i] = bf16_to_f32(v);
      }
      return;
    case DType::F16:
      for (size_t i = 0; i < n; ++i) {
        uint16_t v;
        std::memcpy(&v, src + 2 * i, 2);
        dst[i] = f16_to_f32(v);
      }
      return;
  }
}

}  // namespace byt5
