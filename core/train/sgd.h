// SGD with momentum and weight decay, exactly as torch.optim.SGD (dampening 0, no Nesterov):
//   d = grad + weight_decay * p;  buf = momentum * buf + d (buf = d at the first step);
//   p -= lr * buf.  Weight decay applies to every parameter, gamma and beta included.
#pragma once

#include <vector>

#include "core/train/layers.h"

namespace normviz::core::train {

struct SgdOptions {
    double momentum = 0.9;
    double weight_decay = 5e-4;
};

void sgd_step(const std::vector<Param*>& params, double lr, const SgdOptions& options);

// Cosine decay from `base` at step 0 towards 0 at `total_steps`:
// base * (1 + cos(pi * step / total_steps)) / 2.
double cosine_lr(double base, int64_t step, int64_t total_steps);

}  // namespace normviz::core::train
