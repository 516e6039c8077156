// icount-driver --lenet: one forward pass of the distortion study's LeNet-5, counted (lenet_pass.cc).
#pragma once

#include <string>

namespace icount {

// The model and fixtures counted, under the --models folder.
constexpr const char* kLeNetModel = "distortion/logit_scale-seed0.lenet";
constexpr const char* kLeNetFixtures = "distortion/logit_scale-seed0.lenetfx";

// Checks `variant` (float, q8, q4) of `models`/kLeNetModel against every image of its fixtures
// (qnn::check_fixtures), then runs the four counted calls on the first image and prints one JSON
// line. Exit status as the driver's: 0 counted, 1 wrong result, 2 bad variant or file.
int count_lenet_pass(const std::string& variant, const std::string& models, long reps);

}  // namespace icount
