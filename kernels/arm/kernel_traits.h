// What every ARM micro-kernel declares next to its loop, as gemmlowp's kernels declare their format:
// the packed format of each operand (formats.h), which fixes the tile (kMR rows = the lines of a
// weight panel, kNR columns = the lines of a panel of X), and the corrections its sums need
// (unpack.h). A kernel derives from KernelTraits and states only these; the driver (driver.h)
// checks that the two kernels of a path agree.
#pragma once

#include "arm/formats.h"
#include "arm/unpack.h"

namespace lowbit {
namespace {

// The correction defaults to that of raw codes (zero points on both operands); kernels of centred
// codes (symmetric weights) name Correction::kRows.
template <class WFormatOfKernel, class XFormatOfKernel,
          Correction kCorrectionOfKernel = Correction::kRowsAndColumns>
struct KernelTraits {
  using WFormat = WFormatOfKernel;
  using XFormat = XFormatOfKernel;
  static constexpr int kMR = WFormat::kLines;
  static constexpr int kNR = XFormat::kLines;
  static constexpr Correction kCorrection = kCorrectionOfKernel;
  static constexpr int kQuads = kNR / 4;    // 32-bit accumulators (4 lanes) per row of the tile
  static constexpr int kVectors = kNR / 8;  // 16-bit accumulators (8 lanes) per row of the tile
};

}  // namespace
}  // namespace lowbit
