// Per-group statistics in double, two passes (mean first, then squared deviations), walking
// the tensor in memory order and sending each element to its group's accumulator.
#include "core/stats.h"

#include "core/assert.h"

namespace normviz::core {

namespace {

// Calls visit(group, plane, group_step) for each (n, c) plane of H*W contiguous values,
// where the plane's element i belongs to group (group + spatial_group(i)). Keeps the inner
// loops simple for the three spatial cases every preset falls into.
struct PlaneWalker {
    const Partition& p;
    int64_t KC, KH, KW;

    int64_t plane_base(int64_t n, int64_t c) const {
        return ((n / p.block[0]) * KC + c / p.block[1]) * KH * KW;
    }
};

template <class PerElement>
void for_each_element(const Tensor& t, const Partition& p, PerElement&& per_element) {
    const Shape& s = t.shape;
    auto k = p.key_extents();
    PlaneWalker walker{p, k[1], k[2], k[3]};
    const int64_t plane = s.H * s.W;
    const bool spatial_reduced = p.block[2] == s.H && p.block[3] == s.W;
    const bool spatial_kept = p.block[2] == 1 && p.block[3] == 1;
    const float* x = t.data.data();
    for (int64_t n = 0; n < s.N; ++n) {
        for (int64_t c = 0; c < s.C; ++c, x += plane) {
            const int64_t base = walker.plane_base(n, c);
            if (spatial_reduced) {
                for (int64_t i = 0; i < plane; ++i) per_element(base, x[i]);
            } else if (spatial_kept) {
                for (int64_t i = 0; i < plane; ++i) per_element(base + i, x[i]);
            } else {
                for (int64_t h = 0; h < s.H; ++h)
                    for (int64_t w = 0; w < s.W; ++w)
                        per_element(base + (h / p.block[2]) * k[3] + w / p.block[3], x[h * s.W + w]);
            }
        }
    }
}

}  // namespace

std::vector<GroupStats> compute_group_stats(const Tensor& tensor, const Partition& partition) {
    NORMVIZ_ASSERT(tensor.shape == partition.shape, "partition made for another shape");
    NORMVIZ_ASSERT(static_cast<int64_t>(tensor.data.size()) == tensor.shape.numel(),
                   "tensor data size does not match its shape");
    const size_t groups = static_cast<size_t>(partition.group_count());
    std::vector<double> sum(groups, 0.0), sum_sq(groups, 0.0), dev_sq(groups, 0.0);

    for_each_element(tensor, partition, [&](int64_t g, float x) {
        double v = x;
        sum[g] += v;
        sum_sq[g] += v * v;
    });
    const double count = static_cast<double>(partition.group_size());
    std::vector<double> mean(groups);
    for (size_t g = 0; g < groups; ++g) mean[g] = sum[g] / count;
    for_each_element(tensor, partition, [&](int64_t g, float x) {
        double d = x - mean[g];
        dev_sq[g] += d * d;
    });

    std::vector<GroupStats> stats(groups);
    for (size_t g = 0; g < groups; ++g) {
        stats[g].count = partition.group_size();
        stats[g].mean = mean[g];
        stats[g].var = dev_sq[g] / count;
        stats[g].mean_sq = sum_sq[g] / count;
    }
    return stats;
}

}  // namespace normviz::core
