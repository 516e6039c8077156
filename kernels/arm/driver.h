// The one driver of every ARM path: gemmlowp's pack -> kernel -> unpack around two micro-kernels.
// The weights are packed once (pack_weights.h) into panels of kMR rows; each panel of columns of X is
// packed right before use (pack_x.h, so it stays in L1) and multiplied by every weight panel; a
// micro-kernel computes one kMR x kNR tile of the sums of packed codes and stores it with the
// corrections (unpack.h). A kernel with a sweep (blocked16.h) takes the whole panel in one call. Big covers
// the full column panels, Small the columns Big leaves over.
//
// ArmPath<kScheme, Big, Small> is what LOWBIT_DEFINE_PATH takes: kScheme, the tile (kMR, kNR, kKR)
// and the three functions. The 4.6-bit scheme packs centred codes (Correction::kRows), the others
// raw codes (Correction::kRowsAndColumns).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "arm/pack_weights.h"
#include "arm/pack_x.h"
#include "arm/unpack.h"
#include "common/define_path.h"
#include "lowbit/gemm.h"
#include "lowbit/levels.h"

namespace lowbit {
namespace {

// Whether a kernel runs a whole column panel itself (Kernel::sweep, blocked16.h); the driver
// otherwise calls Kernel::run per tile.
template <class Kernel, class = void>
struct HasSweep : std::false_type {};
template <class Kernel>
struct HasSweep<Kernel, std::void_t<decltype(&Kernel::sweep)>> : std::true_type {};

template <Scheme kSchemeOfPath, class Big, class Small>
struct ArmPath {
  static constexpr Scheme kScheme = kSchemeOfPath;
  static constexpr bool kCentred = kScheme == Scheme::kUint4_6;
  static constexpr int kMR = Big::kMR;
  static constexpr int kNR = Big::kNR;
  using WFormat = typename Big::WFormat;
  static constexpr int kKR = WFormat::kDepthStep;
  static constexpr Correction kCorrection = kCentred ? Correction::kRows : Correction::kRowsAndColumns;

  static_assert(Small::kMR == kMR && std::is_same<typename Small::WFormat, WFormat>::value,
                "both kernels read the same packed weights");
  static_assert(Big::XFormat::kDepthStep == kKR && Small::XFormat::kDepthStep == kKR,
                "operands padded to the same depth");
  static_assert(Big::kCorrection == kCorrection && Small::kCorrection == kCorrection,
                "the kernels' sums need the scheme's corrections");

  static std::size_t packed_weights_bytes(int height, int depth) {
    return weight_panels_bytes<WFormat>(height, depth);
  }

  // Raw codes as they are; 4.6-bit weights centred on their zero point (symmetric weights only).
  static void pack_weights(const QuantizedMatrix& w, void* packed) {
    if constexpr (kCentred) check_symmetric_weights(w.levels, w.zero_point);
    pack_weight_panels<WFormat, kCentred>(w, static_cast<uint8_t>(kCentred ? w.zero_point : 0), packed);
  }

  static void gemm_packed(const PackedWeights& w, const QuantizedMatrix& x, const ResultMatrix& r,
                          Scratch& scratch) {
    if constexpr (kCentred) check_level_pair({x.levels, w.levels});
    const int rows = round_up(w.height, kMR);
    const int32_t* row_sums = static_cast<const int32_t*>(w.data);
    uint32_t* row_terms = static_cast<uint32_t*>(scratch.get(kRowTermsSlot, rows * sizeof(uint32_t)));
    // The row corrections, once per product (unsigned: they wrap modulo 2^32 like the reference).
    const uint32_t zx = static_cast<uint32_t>(x.zero_point);
    if constexpr (kCentred) {
      const uint32_t factor = 0u - (zx - static_cast<uint32_t>(centre_code(x.levels)));
      for (int i = 0; i < rows; ++i) row_terms[i] = factor * static_cast<uint32_t>(row_sums[i]);
    } else {
      const uint32_t depth_term = static_cast<uint32_t>(w.depth) * static_cast<uint32_t>(w.zero_point) * zx;
      for (int i = 0; i < rows; ++i) row_terms[i] = depth_term - zx * static_cast<uint32_t>(row_sums[i]);
    }
    const std::size_t x_panel_bytes =
        std::max(Big::XFormat::panel_bytes(w.depth), Small::XFormat::panel_bytes(w.depth));
    const Problem p{w,         x,
                    r,         static_cast<uint8_t*>(scratch.get(Scratch::kActivationsSlot, x_panel_bytes)),
                    row_terms, reinterpret_cast<const uint8_t*>(row_sums + rows)};
    int j0 = 0;
    for (; j0 + Big::kNR <= x.cols; j0 += Big::kNR) multiply_panel<Big>(p, j0, Big::kNR);
    for (; j0 < x.cols; j0 += Small::kNR) multiply_panel<Small>(p, j0, std::min(Small::kNR, x.cols - j0));
  }

 private:
  static constexpr int kRowTermsSlot = 2;
  static_assert(kRowTermsSlot != Scratch::kWeightsSlot && kRowTermsSlot != Scratch::kActivationsSlot &&
                    kRowTermsSlot < Scratch::kSlots,
                "a scratch slot of its own");

  struct Problem {
    const PackedWeights& w;
    const QuantizedMatrix& x;
    const ResultMatrix& r;
    uint8_t* x_panel;
    const uint32_t* row_terms;
    const uint8_t* w_panels;
  };

  // Columns j0..j0+cols-1 of R: packs that panel of X, then runs the kernel down the weight panels.
  template <class Kernel>
  static void multiply_panel(const Problem& p, int j0, int cols) {
    const std::size_t w_panel_bytes = WFormat::panel_bytes(p.w.depth);
    const int padded_depth = WFormat::padded_depth(p.w.depth);
    const uint8_t centre = static_cast<uint8_t>(kCentred ? centre_code(p.x.levels) : 0);
    alignas(16) uint32_t col_terms[Kernel::kNR];
    pack_x_panel<typename Kernel::XFormat, kCentred>(p.x, j0, cols, centre, p.x_panel, col_terms,
                                                     static_cast<uint32_t>(p.w.zero_point));
    if constexpr (HasSweep<Kernel>::value) {
      Kernel::sweep(p.w_panels, w_panel_bytes, p.x_panel, padded_depth,
                    TileOutput{p.r.data + j0, p.r.stride, p.w.height, cols, p.row_terms, col_terms});
      return;
    }
    for (int i0 = 0; i0 < p.w.height; i0 += kMR) {
      const TileOutput out{p.r.data + i0 * p.r.stride + j0,
                           p.r.stride,
                           std::min(kMR, p.w.height - i0),
                           cols,
                           p.row_terms + i0,
                           col_terms};
      Kernel::run(p.w_panels + (i0 / kMR) * w_panel_bytes, p.x_panel, padded_depth, out);
    }
  }
};

}  // namespace
}  // namespace lowbit
