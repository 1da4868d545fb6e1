// The normalization layer over a partition; see norm_layer.h.
#include "core/train/norm_layer.h"

#include <cmath>

#include "core/assert.h"
#include "core/partition.h"

namespace normviz::core::train {

namespace {
constexpr AxisMask kNHW = axis_bit(Axis::N) | axis_bit(Axis::H) | axis_bit(Axis::W);
}

NormLayer::NormLayer(const NormSpec& spec, int64_t channels, const std::string& name)
    : spec_(spec) {
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
    y.resize(s);
    xhat_.resize(x.v.size());
    const int64_t plane = s.H * s.W;
    const auto channel_of = [&](size_t i) { return static_cast<size_t>((static_cast<int64_t>(i) / plane) % s.C); };
    if (use_running) {
        for (size_t i = 0; i < x.v.size(); ++i) {
            const size_t c = channel_of(i);
            const double xh = (x.v[i] - running_mean[c]) / std::sqrt(running_var[c] + spec_.eps);
            xhat_[i] = static_cast<float>(xh);
            y.v[i] = static_cast<float>(gamma.value[c] * xh + beta.value[c]);
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
    for (size_t i = 0; i < x.v.size(); ++i) {
        const size_t g = static_cast<size_t>(group_[i]);
        const size_t c = channel_of(i);
        const double xh = (x.v[i] - mean[g]) * inv_sigma_[g];
        xhat_[i] = static_cast<float>(xh);
        y.v[i] = static_cast<float>(gamma.value[c] * xh + beta.value[c]);
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
    NORMVIZ_ASSERT(s == cached_shape_ && xhat_.size() == dy.v.size(), "backward after a training-mode forward of the same shape");
    const int64_t plane = s.H * s.W;
    const size_t G = static_cast<size_t>(group_count_);
    const double count = static_cast<double>(group_size_);
    std::vector<double> sum_g(G, 0.0), sum_gx(G, 0.0);
    std::vector<double> dgamma(static_cast<size_t>(s.C), 0.0), dbeta(static_cast<size_t>(s.C), 0.0);
    for (size_t i = 0; i < dy.v.size(); ++i) {
        const size_t c = static_cast<size_t>((static_cast<int64_t>(i) / plane) % s.C);
        const size_t g = static_cast<size_t>(group_[i]);
        const double d = dy.v[i];
        const double gd = d * gamma.value[c];
        dgamma[c] += d * xhat_[i];
        dbeta[c] += d;
        sum_g[g] += gd;
        sum_gx[g] += gd * xhat_[i];
    }
    dx.resize(s);
    for (size_t i = 0; i < dy.v.size(); ++i) {
        const size_t c = static_cast<size_t>((static_cast<int64_t>(i) / plane) % s.C);
        const size_t g = static_cast<size_t>(group_[i]);
        const double gd = double(dy.v[i]) * gamma.value[c];
        const double centre = centered_ ? sum_g[g] / count : 0.0;
        dx.v[i] = static_cast<float>(inv_sigma_[g] * (gd - centre - xhat_[i] * (sum_gx[g] / count)));
    }
    for (size_t c = 0; c < static_cast<size_t>(s.C); ++c) {
        gamma.grad[c] += static_cast<float>(dgamma[c]);
        beta.grad[c] += static_cast<float>(dbeta[c]);
    }
}

}  // namespace normviz::core::train
