// A zero-initialised, 64-byte aligned float buffer that owns its memory (weights, gradients,
// activations are carved out of these once and never reallocated per step).
#pragma once
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace byt5 {

template <typename T>
class AlignedBuffer {
 public:
  AlignedBuffer() = default;
  explicit AlignedBuffer(size_t n) { resize(n); }
  ~AlignedBuffer() { std::free(ptr_); }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;
  AlignedBuffer(AlignedBuffer&& o) noexcept : ptr_(std::exchange(o.ptr_, nullptr)), n_(std::exchange(o.n_, 0)) {}
  AlignedBuffer& operator=(AlignedBuffer&& o) noexcept {
    std::swap(ptr_, o.ptr_);
    std::swap(n_, o.n_);
    return *this;
  }

  // Discards the old contents; the new buffer is zeroed.
  void resize(size_t n) {
    std::free(ptr_);
    ptr_ = nullptr;
    n_ = n;
    if (n == 0) return;
    size_t bytes = (n * sizeof(T) + 63) / 64 * 64;
    ptr_ = static_cast<T*>(std::aligned_alloc(64, bytes));
    if (!ptr_) throw std::bad_alloc();
    std::memset(ptr_, 0, bytes);
  }
  void zero() {
    if (ptr_) std::memset(ptr_, 0, n_ * sizeof(T));
  }
  T* data() { return ptr_; }
  const T* data() const { return ptr_; }
  size_t size() const { return n_; }
  T& operator[](size_t i) { return ptr_[i]; }
  const T& operator[](size_t i) const { return ptr_[i]; }

 private:
  T* ptr_ = nullptr;
  size_t n_ = 0;
};

}  // namespace byt5
