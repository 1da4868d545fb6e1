// One group's statistics written out as the sums a student would do by hand.
#include "core/group_arithmetic.h"

#include <cmath>

namespace normviz::core {

GroupArithmetic group_arithmetic(const Tensor& tensor, const Partition& partition, const Index& focus, bool centered,
                                 double eps, double gamma, double beta, int64_t cap) {
    GroupArithmetic a;
    a.centered = centered;
    const Index key = partition.key_of(focus);
    const Shape& s = tensor.shape;
    // Only the group's own block of cells: key * block .. (key + 1) * block on each axis.
    const Index lo{key.n * partition.block[0], key.c * partition.block[1], key.h * partition.block[2],
                   key.w * partition.block[3]};
    const Index hi{std::min(s.N, lo.n + partition.block[0]), std::min(s.C, lo.c + partition.block[1]),
                   std::min(s.H, lo.h + partition.block[2]), std::min(s.W, lo.w + partition.block[3])};
    std::vector<double> values;
    for (int64_t n = lo.n; n < hi.n; ++n)
        for (int64_t c = lo.c; c < hi.c; ++c)
            for (int64_t h = lo.h; h < hi.h; ++h)
                for (int64_t w = lo.w; w < hi.w; ++w) {
                    const Index i{n, c, h, w};
                    if (i == focus) a.focus_position = static_cast<int64_t>(values.size());
                    values.push_back(tensor.has_exact64() ? tensor.data64[flat_index(s, i)] : double(tensor.at(i)));
                }
    a.count = static_cast<int64_t>(values.size());
    for (double v : values) a.sum += v;
    a.mean = centered && a.count > 0 ? a.sum / double(a.count) : 0.0;
    for (double v : values) a.sum_sq_dev += (v - a.mean) * (v - a.mean);
    a.var = a.count > 0 ? a.sum_sq_dev / double(a.count) : 0.0;
    a.x = values.empty() || a.focus_position < 0 ? 0.0 : values[a.focus_position];
    a.x_hat = (a.x - a.mean) / std::sqrt(a.var + eps);
    a.y = gamma * a.x_hat + beta;
    a.shown.assign(values.begin(), values.begin() + std::min<int64_t>(cap, a.count));
    return a;
}

}  // namespace normviz::core
