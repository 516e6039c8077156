// Level pairs of the 4.6-bit scheme (Trusov, Limonova, Nikolaev, Arlazarov, Mathematics 2024).
//
// Activations take N_x levels, weights N_w levels, both odd. Centred, an activation lies in
// [-(N_x-1)/2, (N_x-1)/2] and a weight in [-(N_w-1)/2, (N_w-1)/2], so when
//   ((N_x - 1) / 2) * ((N_w - 1) / 2) <= 127
// the product of the two is an exact signed 8-bit integer: a kernel may multiply 8 bits by 8 bits
// into 8 bits (16 products per 128-bit instruction on ARM), sum the products in 16-bit lanes and
// flush those into 32-bit lanes often enough that nothing overflows at any depth.
//
// Weights are symmetric (zero point = centre (N_w-1)/2); activations are asymmetric (any zero point
// in [0, N_x)); the kernels centre the activations on (N_x-1)/2 and correct for the zero point.
#pragma once

#include <string>
#include <vector>

namespace lowbit {

struct LevelPair {
  int activations;  // N_x
  int weights;      // N_w
};

// The bound on |centred activation x centred weight|: it fits a signed byte.
constexpr int kMaxCentredProduct = 127;

// The level pair the matrix benchmark uses when none is given ("4.6 bits": log2(63 * 9) / 2 = 4.57).
constexpr LevelPair kDefaultLevelPair = {63, 9};

// The centre code of `levels` (odd) levels: the zero point of symmetric weights.
constexpr int centre_code(int levels) { return (levels - 1) / 2; }

// "" when the pair is valid, else why not (names both counts and the bound).
std::string why_invalid(const LevelPair& pair);

// Throws std::invalid_argument with why_invalid()'s text for an invalid pair.
void check_level_pair(const LevelPair& pair);

// Throws std::invalid_argument unless `levels` is odd in [3, 255] and `zero_point` its centre.
void check_symmetric_weights(int levels, int zero_point);

// For each N_x in 3, 5, ..., 255, the largest valid odd N_w (the pairs on the boundary of the
// constraint, from (3, 255) to (255, 3)).
std::vector<LevelPair> maximal_level_pairs();

}  // namespace lowbit
