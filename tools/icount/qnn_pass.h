// icount-driver --qnn: one forward pass of the QNN test's network, counted (qnn_pass.cc).
#pragma once

#include <string>

namespace icount {

// Checks one pass of `variant` (float, q8, q4, q32, q4_6) on the first fixture image of
// `models`/mrz-v1-fixtures.bin against its expected logits, then runs the four counted calls and prints
// one JSON line. Exit status as the driver's: 0 counted, 1 wrong result, 2 bad variant or file.
int count_qnn_pass(const std::string& variant, const std::string& models, long reps);

}  // namespace icount
