// How often a path that sums products in 16-bit lanes must flush them into 32-bit totals: derived
// here, once, from each scheme's largest product and the lane type. Every path states how many
// products one lane gains per depth step (or per instruction) and divides.
#pragma once

#include <cstdint>
#include <limits>

#include "lowbit/levels.h"

namespace lowbit {

// The largest product of one depth step of each 16-bit-summed scheme.
constexpr int kU4MaxProduct = 15 * 15;                      // uint4 codes times uint4 codes (unsigned)
constexpr int kU4_6MaxCentredProduct = kMaxCentredProduct;  // |x (w - z_w)| of a valid level pair
// Raw (uncentred) 4.6-bit activation codes times centred weights, as x86's vpmaddubsw takes them:
// |x (w - z_w)| <= (N_x - 1) (N_w - 1) / 2 <= 2 * 127.
constexpr int kU4_6MaxRawByCentredProduct = 2 * kMaxCentredProduct;

constexpr int kU16LaneMax = std::numeric_limits<uint16_t>::max();
constexpr int kS16LaneMax = std::numeric_limits<int16_t>::max();

// Products of magnitude <= max_product that a lane holding at most lane_max can sum without wrapping.
constexpr int products_per_lane(int lane_max, int max_product) { return lane_max / max_product; }

// Unsigned 4-bit products in an unsigned 16-bit lane: 65535 / 225 = 291.
constexpr int kU4ProductsPerU16Lane = products_per_lane(kU16LaneMax, kU4MaxProduct);
// Centred 4-bit products (weights minus their zero point) in a signed 16-bit lane: 32767 / 225 = 145.
constexpr int kU4ProductsPerS16Lane = products_per_lane(kS16LaneMax, kU4MaxProduct);
// Centred 4.6-bit products in a signed 16-bit lane: 32767 / 127 = 258.
constexpr int kU4_6ProductsPerS16Lane = products_per_lane(kS16LaneMax, kU4_6MaxCentredProduct);
// Raw-by-centred 4.6-bit products in a signed 16-bit lane: 32767 / 254 = 129.
constexpr int kU4_6RawProductsPerS16Lane = products_per_lane(kS16LaneMax, kU4_6MaxRawByCentredProduct);

static_assert(kU4ProductsPerU16Lane == 291 && kU4ProductsPerS16Lane == 145 &&
                  kU4_6ProductsPerS16Lane == 258 && kU4_6RawProductsPerS16Lane == 129,
              "flush bounds");

}  // namespace lowbit
