// SGD with momentum and weight decay; see sgd.h.
#include "core/train/sgd.h"

#include <cmath>

namespace normviz::core::train {

void sgd_step(const std::vector<Param*>& params, double lr, const SgdOptions& options) {
    // buf starts at 0, so momentum * 0 + d is torch's "buf = d" on the first step.
    const float m = static_cast<float>(options.momentum);
    const float wd = static_cast<float>(options.weight_decay);
    const float rate = static_cast<float>(lr);
    for (Param* p : params) {
        for (size_t i = 0; i < p->value.size(); ++i) {
            const float d = p->grad[i] + wd * p->value[i];
            p->momentum[i] = m * p->momentum[i] + d;
            p->value[i] -= rate * p->momentum[i];
        }
    }
}

double cosine_lr(double base, int64_t step, int64_t total_steps) {
    if (total_steps <= 0) return base;
    return base * 0.5 *
           (1.0 + std::cos(3.141592653589793 * static_cast<double>(step) / static_cast<double>(total_steps)));
}

}  // namespace normviz::core::train
