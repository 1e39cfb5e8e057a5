#include "backends/cpu/onednn_matmul_bf16.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <tuple>

#include <oneapi/dnnl/dnnl.hpp>

#include "core/error.h"

namespace byt5 {
namespace {

inline bf16_t to_bf16(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  const bool nan = (u & 0x7fffffffu) > 0x7f800000u;
  const uint32_t rounded = (u + 0x7fffu + ((u >> 16) & 1u)) >> 16;
  return nan ? static_cast<bf16_t>((u >> 16) | 0x40u) : static_cast<bf16_t>(rounded);
}

}  // namespace

void f32_to_bf16(bf16_t* dst, const float* src, size_t n) {
#pragma omp parallel for simd if (n >= 65536)
  for (size_t i = 0; i < n; ++i) dst[i] = to_bf16(src[i]);
}

void bf16_to_f32(float* dst, const bf16_t* src, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    uint32_t u = static_cast<uint32_t>(src[i]) << 16;
    std::memcpy(&dst[i], &u, 4);
  }
}

struct Bf16Matmul::Impl {
  using Key = std::tuple<int, int, int, int, int, int, bool, bool, bool>;  // M N K lda ldb ldc trans_a trans_b acc
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::map<Key, dnnl::matmul::primitive_desc> pds;
  std::map<Key, dnnl::matmul> prims;
};

Bf16Matmul::Bf16Matmul() : impl_(std::make_unique<Impl>()) {}
Bf16Matmul::~Bf16Matmul() = default;

size_t Bf16Matmul::cached_primitives() const { return impl_->prims.size(); }

void Bf16Matmul::gemm(int M, int N, int K, const bf16_t* A, int lda, bool trans_a, const bf16_t* B, int ldb,
                      bool trans_b, float* C, int ldc, bool accumulate) {
  if (M == 0 || N == 0) return;
  if (K == 0) {
    if (!accumulate)
      for (int m = 0; m < M; ++m) std::memset(C + (size_t)m * ldc, 0, sizeof(float) * N);
    return;
  }
  using dt = dnnl::memory::data_type;
  using dims = dnnl::memory::dims;
  const Impl::Key key{M, N, K, lda, ldb, ldc, trans_a, trans_b, accumulate};
  auto it = impl_->prims.find(key);
  try {
    if (it == impl_->prims.end()) {
      dnnl::memory::desc a_md(dims{M, K}, dt::bf16, trans_a ? dims{1, lda} : dims{lda, 1});
      dnnl::memory::desc b_md(dims{K, N}, dt::bf16, trans_b ? dims{1, ldb} : dims{ldb, 1});
      dnnl::memory::desc c_md(dims{M, N}, dt::f32, dims{ldc, 1});
      dnnl::primitive_attr attr;
      if (accumulate) {
        dnnl::post_ops po;
        po.append_sum(1.0f);
        attr.set_post_ops(po);
      }
      dnnl::matmul::desc desc(a_md, b_md, c_md);
      dnnl::matmul::primitive_desc pd(desc, attr, impl_->engine);
      impl_->pds.emplace(key, pd);
      it = impl_->prims.emplace(key, dnnl::matmul(pd)).first;
    }
    const auto& pd = impl_->pds.at(key);
    dnnl::memory a(pd.src_desc(), impl_->engine, const_cast<bf16_t*>(A));
    dnnl::memory b(pd.weights_desc(), impl_->engine, const_cast<bf16_t*>(B));
    dnnl::memory c(pd.dst_desc(), impl_->engine, C);
    it->second.execute(impl_->stream, {{DNNL_ARG_SRC, a}, {DNNL_ARG_WEIGHTS, b}, {DNNL_ARG_DST, c}});
    impl_->stream.wait();
  } catch (const dnnl::error& e) {
    throw Error("oneDNN bf16 matmul " + std::to_string(M) + "x" + std::to_string(N) + "x" + std::to_string(K) +
                " failed: " + e.what() + " (status " + std::to_string(static_cast<int>(e.status)) + ")");
  }
}

}  // namespace byt5
