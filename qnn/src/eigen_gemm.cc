// The Eigen products of the float ("CNN") and int32 ("QNN-32") variants, in their own file so that
// they can get the same host-CPU flags as the Eigen baseline (qnn/CMakeLists.txt).
#include <Eigen/Core>

#include "internal.h"

namespace qnn {
namespace detail {

template <typename T>
using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

void eigen_gemm_f32(const float* a, const float* b, float* r, int m, int k, int n) {
  Eigen::Map<const RowMajor<float>> A(a, m, k);
  Eigen::Map<const RowMajor<float>> B(b, k, n);
  Eigen::Map<RowMajor<float>> R(r, m, n);
  R.noalias() = A * B;
}

void eigen_gemm_s32(const int32_t* a, const int32_t* b, int32_t* r, int m, int k, int n) {
  Eigen::Map<const RowMajor<int32_t>> A(a, m, k);
  Eigen::Map<const RowMajor<int32_t>> B(b, k, n);
  Eigen::Map<RowMajor<int32_t>> R(r, m, n);
  R.noalias() = A * B;
}

}  // namespace detail
}  // namespace qnn
