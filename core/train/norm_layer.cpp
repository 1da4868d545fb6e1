// The normalization layer over a partition; see norm_layer.h.
#include "core/train/norm_layer.h"

#include <cmath>

#include "core/assert.h"
#include "core/partition.h"

namespace normviz::core::train {

namespace {
constexpr AxisMask kNHW = axis_bit(Axis::N) | axis_bit(Axis::H) | axis_bit(Axis::W);
}

NormLayer::NormLayer(const NormSpec& spec, int64_t channels, const std::string& name) : spec_(spec) {
    gamma.init(name + ".weight", {channels});
    beta.init(name + ".bias", {channels});
    std::fill(gamma.value.begin(), gamma.value.end(), 1.0f);
    centered_ = is_centered(spec);
    // Groups that are exactly the channels have one statistic per channel to keep.
    running_ = centered_ && reduced_axes(spec) == kNHW;
    if (running_) {
        running_mean.assign(static_cast<size_t>(channels), 0.0);
        running_var.assign(static_cast<size_t>(channels), 1.0);
    }
}

void NormLayer::cache_groups(const Shape& shape) {
    if (shape == cached_shape_) return;
    const Partition partition = make_partition(spec_, shape);
    group_count_ = partition.group_count();
    group_size_ = partition.group_size();
    group_.resize(static_cast<size_t>(shape.numel()));
    for (int64_t i = 0; i < shape.numel(); ++i)
        group_[static_cast<size_t>(i)] = static_cast<int32_t>(partition.group_of_flat(i));
    cached_shape_ = shape;
}

Status NormLayer::forward(const Act& x, Act& y, bool training) {
    const Shape s = x.shape;
    NORMVIZ_ASSERT(s.C == gamma.size(), "shape mismatch");
    const bool use_running = running_ && !training;
    if (!use_running) {
        if (Status valid = validate(spec_, s); !valid) return valid;
    }
    y.reshape(s);
    xhat_.resize(x.v.size());
    // Elements in (n, c) planes of H * W: the channel is fixed within a plane.
    const size_t plane = static_cast<size_t>(s.H * s.W), planes = static_cast<size_t>(s.N * s.C);
    const size_t C = static_cast<size_t>(s.C);
    if (use_running) {
        for (size_t p = 0; p < planes; ++p) {
            const size_t c = p % C;
            const double inv = 1.0 / std::sqrt(running_var[c] + spec_.eps);
            for (size_t i = p * plane; i < (p + 1) * plane; ++i) {
                const double xh = (x.v[i] - running_mean[c]) * inv;
                xhat_[i] = static_cast<float>(xh);
                y.v[i] = static_cast<float>(gamma.value[c] * xh + beta.value[c]);
            }
        }
        return Ok{};
    }
    cache_groups(s);
    const size_t G = static_cast<size_t>(group_count_);
    const double count = static_cast<double>(group_size_);
    std::vector<double> mean(G, 0.0), second(G, 0.0);
    if (centered_) {
        for (size_t i = 0; i < x.v.size(); ++i) mean[static_cast<size_t>(group_[i])] += x.v[i];
        for (double& m : mean) m /= count;
        for (size_t i = 0; i < x.v.size(); ++i) {
            const double d = x.v[i] - mean[static_cast<size_t>(group_[i])];
            second[static_cast<size_t>(group_[i])] += d * d;
        }
    } else {
        for (size_t i = 0; i < x.v.size(); ++i) {
            const double v = x.v[i];
            second[static_cast<size_t>(group_[i])] += v * v;
        }
    }
    inv_sigma_.resize(G);
    for (size_t g = 0; g < G; ++g) inv_sigma_[g] = 1.0 / std::sqrt(second[g] / count + spec_.eps);
    for (size_t p = 0; p < planes; ++p) {
        const double ga = gamma.value[p % C], be = beta.value[p % C];
        for (size_t i = p * plane; i < (p + 1) * plane; ++i) {
            const size_t g = static_cast<size_t>(group_[i]);
            const double xh = (x.v[i] - mean[g]) * inv_sigma_[g];
            xhat_[i] = static_cast<float>(xh);
            y.v[i] = static_cast<float>(ga * xh + be);
        }
    }
    if (running_ && training) {
        // Group number of key (0, c, 0, 0) is c: the running statistics are per group.
        for (size_t c = 0; c < G; ++c) {
            const double unbiased = second[c] / (count - 1.0);
            running_mean[c] = 0.9 * running_mean[c] + 0.1 * mean[c];
            running_var[c] = 0.9 * running_var[c] + 0.1 * unbiased;
        }
        ++batches_tracked;
    }
    return Ok{};
}

void NormLayer::backward(const Act& dy, Act& dx) {
    const Shape s = dy.shape;
    NORMVIZ_ASSERT(s == cached_shape_ && xhat_.size() == dy.v.size(),
                   "backward after a training-mode forward of the same shape");
    const size_t plane = static_cast<size_t>(s.H * s.W), planes = static_cast<size_t>(s.N * s.C);
    const size_t C = static_cast<size_t>(s.C);
    const size_t G = static_cast<size_t>(group_count_);
    const double count = static_cast<double>(group_size_);
    std::vector<double> sum_g(G, 0.0), sum_gx(G, 0.0);
    std::vector<double> dgamma(C, 0.0), dbeta(C, 0.0);
    for (size_t p = 0; p < planes; ++p) {
        const size_t c = p % C;
        const double ga = gamma.value[c];
        for (size_t i = p * plane; i < (p + 1) * plane; ++i) {
            const size_t g = static_cast<size_t>(group_[i]);
            const double d = dy.v[i];
            const double gd = d * ga;
            dgamma[c] += d * xhat_[i];
            dbeta[c] += d;
            sum_g[g] += gd;
            sum_gx[g] += gd * xhat_[i];
        }
    }
    // Per group: the centre and the projection on xhat, then one pass over the elements.
    std::vector<double> centre(G), slope(G);
    for (size_t g = 0; g < G; ++g) {
        centre[g] = centered_ ? sum_g[g] / count : 0.0;
        slope[g] = sum_gx[g] / count;
    }
    dx.reshape(s);
    for (size_t p = 0; p < planes; ++p) {
        const double ga = gamma.value[p % C];
        for (size_t i = p * plane; i < (p + 1) * plane; ++i) {
            const size_t g = static_cast<size_t>(group_[i]);
            const double gd = double(dy.v[i]) * ga;
            dx.v[i] = static_cast<float>(inv_sigma_[g] * (gd - centre[g] - xhat_[i] * slope[g]));
        }
    }
    for (size_t c = 0; c < C; ++c) {
        gamma.grad[c] += static_cast<float>(dgamma[c]);
        beta.grad[c] += static_cast<float>(dbeta[c]);
    }
}

}  // namespace normviz::core::train
