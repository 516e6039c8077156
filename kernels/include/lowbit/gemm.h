// The quantized matrix product R = W X of "Fast Implementation of 4-bit CNNs for Mobile Devices"
// (Trusov et al., ICPR 2020), as exact integer arithmetic.
//
//   W: height x depth, row-major (one row per filter), codes q_w of the scheme, zero point z_w
//   X: depth x width,  row-major (one column per pixel), codes q_x of the scheme, zero point z_x
//   R: height x width, row-major, int32
//
//   R[i][j] = sum_k (q_w[i][k] - z_w) (q_x[k][j] - z_x)
//           = sum_k q_w q_x - z_w sum_k q_x - z_x sum_k q_w + depth z_w z_x
//
// Schemes (what the codes may be): uint8 (0..255), uint4 (0..15), and the 4.6-bit uint4_6 of Trusov
// et al. 2024: activation codes 0..N_x-1 (any zero point), weight codes 0..N_w-1 with the centre
// (N_w-1)/2 as zero point (symmetric), for a valid level pair (lowbit/levels.h).
//
// Every implementation ("path") returns the same bits. Where the true value does not fit int32 the
// result is the true value modulo 2^32 (this happens only for 8-bit operands past depth 33025).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace lowbit {

// A read-only view of a quantized operand: rows x cols bytes, one value per byte, row-major.
struct QuantizedMatrix {
  const uint8_t* data;
  int rows;
  int cols;
  std::ptrdiff_t stride;  // bytes between the starts of two rows, >= cols
  int32_t zero_point;
  int levels = 0;  // codes lie in [0, levels); 0 = unstated. uint4_6 paths need it (N_x, N_w).
};

// A writable view of the int32 result, row-major.
struct ResultMatrix {
  int32_t* data;
  int rows;
  int cols;
  std::ptrdiff_t stride;  // elements between the starts of two rows, >= cols
};

// The definition, written as plainly as possible: every other implementation is checked against it.
// Values must be < 2^bits of the operand; the function does not care which bit width they came from.
void reference_gemm(const QuantizedMatrix& w, const QuantizedMatrix& x, const ResultMatrix& r);

// Reusable, 64-byte aligned scratch memory, so that a product allocates nothing once warmed up.
// Slots are independent regions; a path may use any slot except kWeightsSlot, which holds the
// packed weights during gemm().
class Scratch {
 public:
  static constexpr int kWeightsSlot = 0;
  static constexpr int kActivationsSlot = 1;
  static constexpr int kSlots = 4;

  Scratch() = default;
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  ~Scratch();

  // At least `bytes` bytes, 64-byte aligned; contents are unspecified.
  void* get(int slot, std::size_t bytes);

 private:
  void* buffers_[kSlots] = {};
  std::size_t sizes_[kSlots] = {};
};

// Packed weights as a path's gemm_packed() consumes them (layout private to the path). A path's
// pack_weights() writes exactly what its micro-kernel reads, and the correction terms that depend on
// the weights alone, so that gemm_packed() does no work on the weights.
struct PackedWeights {
  const void* data;
  int height;
  int depth;
  int32_t zero_point;
  int levels = 0;  // of the weights, as in QuantizedMatrix
};

// The instruction sets a path may need. The order is the preference when several are usable.
enum class Isa {
  kScalar,      // portable C++
  kNeon,        // ARMv7 NEON (32-bit ARM; the paper's Cortex-A15)
  kNeon64,      // AArch64 Advanced SIMD
  kNeonDot,     // AArch64 with the dot-product extension (SDOT/UDOT)
  kAvx2,        // x86-64 AVX2
  kAvx512bw,    // x86-64 AVX-512 F + BW + VL
  kAvx512vnni,  // x86-64 AVX-512 BW + VNNI
};

const char* isa_name(Isa isa);
bool isa_from_name(const std::string& name, Isa* isa);

// The operand formats. Paths of one scheme all return the same bits for valid operands.
enum class Scheme {
  kUint8,    // codes 0..255, any zero points
  kUint4,    // codes 0..15, any zero points
  kUint4_6,  // 4.6-bit: N_x activation levels, N_w weight levels, symmetric weights (levels.h)
};

const char* scheme_name(Scheme scheme);  // "uint8", "uint4", "uint4_6"
bool scheme_from_name(const std::string& name, Scheme* scheme);
// The largest code an operand of the scheme may hold (uint4_6: of the largest level count, 255).
int max_code(Scheme scheme);

// The register tile of a micro-kernel: MR rows of W by NR columns of X, KR depth steps per step of
// its inner loop. A path's name states it (..._gemm_<MR>x<NR>c<KR>__...).
struct GemmTile {
  int mr = 0;
  int nr = 0;
  int kr = 0;
};

// One implementation of the product for one operand width on one instruction set:
// pack the weights, then pack the activations, multiply, unpack (zero-point corrections).
// Name grammar: <scheme>_gemm_<MR>x<NR>c<KR>__<isa> with scheme u8, u4 or u4_6, after XNNPACK's
// micro-kernel names; kernels/common/define_path.h defines a path from its name.
struct GemmPath {
  const char* name;
  Scheme scheme;  // the codes it accepts
  Isa isa;
  std::size_t (*packed_weights_bytes)(int height, int depth);
  void (*pack_weights)(const QuantizedMatrix& w, void* packed);
  void (*gemm_packed)(const PackedWeights& w, const QuantizedMatrix& x, const ResultMatrix& r,
                      Scratch& scratch);
  GemmTile tile;  // what the name claims; checked by tests/gemm_paths_test.cc
};

// Every path compiled into this binary, whether or not this CPU can run it.
const std::vector<const GemmPath*>& compiled_paths();

// Whether this CPU (and its operating system) can execute `isa`.
bool cpu_supports(Isa isa);

// Why a path cannot run here ("" when it can).
std::string why_unusable(const GemmPath& path);

// The environment variable that forces an instruction set ("scalar", "avx2", "neon", ...).
constexpr const char* kForceIsaVariable = "LOWBIT_ISA";

// The path gemm() uses for `scheme`: the most capable usable one, or the one whose ISA the
// environment variable forces. Throws std::runtime_error, naming the problem, when the forced ISA is
// unknown, not compiled in, or not supported by this CPU (never SIGILL).
const GemmPath& select_path(Scheme scheme);

// R = W X with `path` (weights packed on every call).
void gemm(const GemmPath& path, const QuantizedMatrix& w, const QuantizedMatrix& x, const ResultMatrix& r,
          Scratch& scratch);

// R = W X with the selected path for `scheme`.
void gemm(Scheme scheme, const QuantizedMatrix& w, const QuantizedMatrix& x, const ResultMatrix& r,
          Scratch& scratch);

}  // namespace lowbit
