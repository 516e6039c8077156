#include "lowbit/levels.h"

#include <stdexcept>

namespace lowbit {

namespace {

bool valid_count(int n) { return n >= 3 && n <= 255 && n % 2 == 1; }

// No allocation for a valid pair: the kernels check the pair on every call.
bool is_valid(const LevelPair& pair) {
  return valid_count(pair.activations) && valid_count(pair.weights) &&
         centre_code(pair.activations) * centre_code(pair.weights) <= kMaxCentredProduct;
}

}  // namespace

std::string why_invalid(const LevelPair& pair) {
  if (is_valid(pair)) return "";
  const std::string name = "level pair (N_x, N_w) = (" + std::to_string(pair.activations) + ", " +
                           std::to_string(pair.weights) + ")";
  if (!valid_count(pair.activations) || !valid_count(pair.weights))
    return name + ": both counts must be odd, in 3..255";
  const int product = centre_code(pair.activations) * centre_code(pair.weights);
  return name + ": ((N_x - 1) / 2) * ((N_w - 1) / 2) = " + std::to_string(product) + " exceeds " +
         std::to_string(kMaxCentredProduct) + " (the products would not fit a signed byte)";
}

void check_level_pair(const LevelPair& pair) {
  if (!is_valid(pair)) throw std::invalid_argument(why_invalid(pair));
}

void check_symmetric_weights(int levels, int zero_point) {
  if (!valid_count(levels))
    throw std::invalid_argument("4.6-bit weights: N_w = " + std::to_string(levels) +
                                " must be odd, in 3..255 (is QuantizedMatrix::levels set?)");
  if (zero_point != centre_code(levels))
    throw std::invalid_argument(
        "4.6-bit weights are symmetric: zero point " + std::to_string(zero_point) +
        " must be the centre code (N_w - 1) / 2 = " + std::to_string(centre_code(levels)));
}

std::vector<LevelPair> maximal_level_pairs() {
  std::vector<LevelPair> pairs;
  for (int nx = 3; nx <= 255; nx += 2) {
    int nw = 2 * (kMaxCentredProduct / centre_code(nx)) + 1;
    if (nw > 255) nw = 255;
    pairs.push_back({nx, nw});
  }
  return pairs;
}

}  // namespace lowbit
