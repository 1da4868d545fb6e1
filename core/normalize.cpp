// Normalization of every element with its group's statistics, computed in double and rounded
// once to float32.
#include "core/normalize.h"

#include <cmath>

#include "core/assert.h"

namespace normviz::core {

double normalize_value(double x, const GroupStats& stats, bool centered, double eps) {
    if (centered) return (x - stats.mean) / std::sqrt(stats.var + eps);
    return x / std::sqrt(stats.mean_sq + eps);
}

void normalize_into(const Tensor& input, const NormSpec& spec, const Partition& partition,
                    const std::vector<GroupStats>& stats, const Affine& affine, Tensor& output) {
    const Shape& s = input.shape;
    NORMVIZ_ASSERT(partition.shape == s, "partition made for another shape");
    NORMVIZ_ASSERT(static_cast<int64_t>(stats.size()) == partition.group_count(), "stats size");
    NORMVIZ_ASSERT(affine.gamma.empty() || static_cast<int64_t>(affine.gamma.size()) == s.C,
                   "gamma must have C values");
    NORMVIZ_ASSERT(affine.beta.empty() || static_cast<int64_t>(affine.beta.size()) == s.C,
                   "beta must have C values");
    output.shape = s;
    output.source_rank = input.source_rank;
    output.data.resize(input.data.size());

    // Per group: y = x * scale + shift, with scale = 1/sqrt(var + eps), shift = -mean * scale.
    const bool centered = is_centered(spec);
    std::vector<double> scale(stats.size()), shift(stats.size());
    for (size_t g = 0; g < stats.size(); ++g) {
        double denom = std::sqrt((centered ? stats[g].var : stats[g].mean_sq) + spec.eps);
        scale[g] = 1.0 / denom;
        shift[g] = centered ? stats[g].mean : 0.0;
    }
    auto k = partition.key_extents();
    const int64_t plane = s.H * s.W;
    const float* x = input.data.data();
    float* y = output.data.data();
    for (int64_t n = 0; n < s.N; ++n) {
        for (int64_t c = 0; c < s.C; ++c, x += plane, y += plane) {
            const double gamma = affine.gamma.empty() ? 1.0 : affine.gamma[c];
            const double beta = affine.beta.empty() ? 0.0 : affine.beta[c];
            const int64_t base = ((n / partition.block[0]) * k[1] + c / partition.block[1]) * k[2] * k[3];
            for (int64_t h = 0; h < s.H; ++h) {
                for (int64_t w = 0; w < s.W; ++w) {
                    const int64_t g = base + (h / partition.block[2]) * k[3] + w / partition.block[3];
                    const double xhat = (x[h * s.W + w] - shift[g]) * scale[g];
                    y[h * s.W + w] = static_cast<float>(gamma * xhat + beta);
                }
            }
        }
    }
}

Result<Tensor> normalize(const Tensor& input, const NormSpec& spec, const Affine& affine) {
    if (auto ok = validate(spec, input.shape); !ok) return ok.error();
    Partition partition = make_partition(spec, input.shape);
    auto stats = compute_group_stats(input, partition);
    Tensor output;
    normalize_into(input, spec, partition, stats, affine, output);
    return output;
}

}  // namespace normviz::core
