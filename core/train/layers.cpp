// The plain layers of the training lab; see layers.h. Gradient sums accumulate in double.
#include "core/train/layers.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/assert.h"

namespace normviz::core::train {

void Param::init(std::string param_name, std::vector<int64_t> param_dims) {
    name = std::move(param_name);
    dims = std::move(param_dims);
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    value.assign(static_cast<size_t>(n), 0.0f);
    grad.assign(static_cast<size_t>(n), 0.0f);
    momentum.assign(static_cast<size_t>(n), 0.0f);
}

void relu_forward(Act& x) {
    for (float& v : x.v) v = v > 0.0f ? v : 0.0f;
}

void relu_backward(const Act& y, Act& dy) {
    for (size_t i = 0; i < dy.v.size(); ++i) {
        if (!(y.v[i] > 0.0f)) dy.v[i] = 0.0f;
    }
}

void avgpool2_forward(const Act& x, Act& y) {
    const Shape s = x.shape;
    NORMVIZ_ASSERT(s.H % 2 == 0 && s.W % 2 == 0, "even H and W");
    y.reshape({s.N, s.C, s.H / 2, s.W / 2});
    const int64_t Ho = s.H / 2, Wo = s.W / 2;
    for (int64_t p = 0; p < s.N * s.C; ++p) {
        const float* in = &x.v[static_cast<size_t>(p * s.H * s.W)];
        float* out = &y.v[static_cast<size_t>(p * Ho * Wo)];
        for (int64_t h = 0; h < Ho; ++h) {
            for (int64_t w = 0; w < Wo; ++w) {
                const float* a = in + 2 * h * s.W + 2 * w;
                out[h * Wo + w] = (a[0] + a[1] + a[s.W] + a[s.W + 1]) * 0.25f;
            }
        }
    }
}

void avgpool2_backward(const Act& dy, const Shape& x_shape, Act& dx) {
    dx.reshape(x_shape);
    const Shape s = x_shape;
    const int64_t Ho = s.H / 2, Wo = s.W / 2;
    for (int64_t p = 0; p < s.N * s.C; ++p) {
        const float* g = &dy.v[static_cast<size_t>(p * Ho * Wo)];
        float* out = &dx.v[static_cast<size_t>(p * s.H * s.W)];
        for (int64_t h = 0; h < s.H; ++h) {
            for (int64_t w = 0; w < s.W; ++w) out[h * s.W + w] = g[(h / 2) * Wo + w / 2] * 0.25f;
        }
    }
}

void global_avgpool_forward(const Act& x, Act& y) {
    const Shape s = x.shape;
    y.resize({s.N, s.C, 1, 1});
    const int64_t plane = s.H * s.W;
    for (int64_t p = 0; p < s.N * s.C; ++p) {
        double sum = 0;
        for (int64_t i = 0; i < plane; ++i) sum += x.v[static_cast<size_t>(p * plane + i)];
        y.v[static_cast<size_t>(p)] = static_cast<float>(sum / static_cast<double>(plane));
    }
}

void global_avgpool_backward(const Act& dy, const Shape& x_shape, Act& dx) {
    dx.resize(x_shape);
    const int64_t plane = x_shape.H * x_shape.W;
    for (int64_t p = 0; p < x_shape.N * x_shape.C; ++p) {
        const float g = dy.v[static_cast<size_t>(p)] / static_cast<float>(plane);
        for (int64_t i = 0; i < plane; ++i) dx.v[static_cast<size_t>(p * plane + i)] = g;
    }
}

void linear_forward(const Act& x, const Param& weight, const Param& bias, Act& y) {
    const int64_t N = x.shape.N, C = x.shape.C * x.shape.H * x.shape.W, K = weight.dims[0];
    NORMVIZ_ASSERT(weight.dims[1] == C, "shape mismatch");
    y.resize({N, K, 1, 1});
    for (int64_t n = 0; n < N; ++n) {
        for (int64_t k = 0; k < K; ++k) {
            double sum = bias.value[static_cast<size_t>(k)];
            for (int64_t c = 0; c < C; ++c)
                sum += double(weight.value[static_cast<size_t>(k * C + c)]) * x.v[static_cast<size_t>(n * C + c)];
            y.v[static_cast<size_t>(n * K + k)] = static_cast<float>(sum);
        }
    }
}

void linear_backward(const Act& x, const Act& dy, Param& weight, Param& bias, Act& dx) {
    const int64_t N = x.shape.N, C = x.shape.C * x.shape.H * x.shape.W, K = weight.dims[0];
    dx.resize(x.shape);
    for (int64_t k = 0; k < K; ++k) {
        double bsum = 0;
        for (int64_t n = 0; n < N; ++n) bsum += dy.v[static_cast<size_t>(n * K + k)];
        bias.grad[static_cast<size_t>(k)] += static_cast<float>(bsum);
        for (int64_t c = 0; c < C; ++c) {
            double sum = 0;
            for (int64_t n = 0; n < N; ++n)
                sum += double(dy.v[static_cast<size_t>(n * K + k)]) * x.v[static_cast<size_t>(n * C + c)];
            weight.grad[static_cast<size_t>(k * C + c)] += static_cast<float>(sum);
        }
    }
    for (int64_t n = 0; n < N; ++n) {
        for (int64_t c = 0; c < C; ++c) {
            double sum = 0;
            for (int64_t k = 0; k < K; ++k)
                sum += double(dy.v[static_cast<size_t>(n * K + k)]) * weight.value[static_cast<size_t>(k * C + c)];
            dx.v[static_cast<size_t>(n * C + c)] = static_cast<float>(sum);
        }
    }
}

double cross_entropy(const Act& logits, const std::vector<int>& labels, Act& dlogits) {
    const int64_t N = logits.shape.N, K = logits.shape.C;
    NORMVIZ_ASSERT(static_cast<int64_t>(labels.size()) == N, "one label per sample");
    dlogits.resize(logits.shape);
    double loss = 0;
    for (int64_t n = 0; n < N; ++n) {
        const float* z = &logits.v[static_cast<size_t>(n * K)];
        double top = -std::numeric_limits<double>::infinity();
        for (int64_t k = 0; k < K; ++k) top = std::max<double>(top, z[k]);
        double total = 0;
        for (int64_t k = 0; k < K; ++k) total += std::exp(double(z[k]) - top);
        const double log_total = std::log(total) + top;
        const int label = labels[static_cast<size_t>(n)];
        loss += log_total - z[label];
        for (int64_t k = 0; k < K; ++k) {
            const double p = std::exp(double(z[k]) - log_total);
            dlogits.v[static_cast<size_t>(n * K + k)] =
                static_cast<float>((p - (k == label ? 1.0 : 0.0)) / static_cast<double>(N));
        }
    }
    return loss / static_cast<double>(N);
}

int64_t count_errors(const Act& logits, const std::vector<int>& labels) {
    const int64_t N = logits.shape.N, K = logits.shape.C;
    int64_t errors = 0;
    for (int64_t n = 0; n < N; ++n) {
        const float* z = &logits.v[static_cast<size_t>(n * K)];
        int64_t best = 0;
        for (int64_t k = 1; k < K; ++k) {
            if (z[k] > z[best]) best = k;
        }
        if (best != labels[static_cast<size_t>(n)] || !std::isfinite(z[best])) ++errors;
    }
    return errors;
}

}  // namespace normviz::core::train
