// The arithmetic behind one group's statistics, stage by stage, as a lesson shows it: gather
// the group's values, sum them, divide by the count, subtract the mean, square, average, and
// normalize the focus (x̂ = (x - μ) / √(σ² + ε), then y = γx̂ + β). Plain sums in double over
// the values in memory order, so every stage can be checked by hand against the numbers the
// statistics pipeline (core/stats.h) reports.
#pragma once

#include <cstdint>
#include <vector>

#include "core/norm_spec.h"
#include "core/partition.h"
#include "core/shape.h"
#include "core/tensor.h"

namespace normviz::core {

struct GroupArithmetic {
    bool centered = true;            // false: RMSNorm-style, no mean subtracted
    int64_t count = 0;               // values in the group
    std::vector<double> shown;       // the first values of the group, memory order (at most `cap`)
    int64_t focus_position = -1;     // the focus's index in the group's memory order
    double sum = 0;                  // Σ x
    double mean = 0;                 // Σ x / count (0 when not centered)
    double sum_sq_dev = 0;           // Σ (x - mean)² (centered) or Σ x² (not centered)
    double var = 0;                  // sum_sq_dev / count: the biased variance, or the mean square
    double x = 0, x_hat = 0, y = 0;  // the focus, normalized, and after γ and β
};

// Stages a lesson steps through, in order (RMSNorm-style groups skip Mean and Deviations).
enum class ArithmeticStage { Gather, Sum, Mean, Deviations, Squares, Variance, Normalize, Affine };
inline constexpr int kArithmeticStages = 8;

// The arithmetic of the group holding `focus` under `partition`; `shown` keeps at most `cap`
// values (the rest only counted). gamma and beta apply to the focus. Preconditions:
// contains(tensor.shape, focus), partition made for tensor.shape.
GroupArithmetic group_arithmetic(const Tensor& tensor, const Partition& partition, const Index& focus, bool centered,
                                 double eps, double gamma = 1, double beta = 0, int64_t cap = 256);

}  // namespace normviz::core
