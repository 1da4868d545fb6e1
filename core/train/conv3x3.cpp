// The 3x3 convolution of the training lab (declared in layers.h): im2col and three matrix
// products, register-blocked and compiled for SSE2, AVX2 and AVX-512F (eight-float vectors), chosen at run time as
// the statistics kernels are (core/simd.h). Blocking only changes which values share a
// register: every output element is summed in the same order as the plain loops below
// (forward: bias, then k = 0..K-1; input gradient: 0, then co = 0..Cout-1; weight gradient:
// eight float lanes per (k, sample), merged into a double in a fixed order), with no fused
// multiply-adds (-ffp-contract=off), so every path and every thread count give the same bits.
#include <algorithm>
#include <cstring>

#include "core/assert.h"
#include "core/parallel.h"
#include "core/simd.h"
#include "core/train/layers.h"

namespace normviz::core::train {

namespace {

using detail::Float4;
using detail::Float8;

template <class V>
inline constexpr int kLanes = static_cast<int>(sizeof(V) / sizeof(float));

template <class V>
NORMVIZ_INLINE V load(const float* p) {
    V v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
template <class V>
NORMVIZ_INLINE void store(float* p, V v) {
    std::memcpy(p, &v, sizeof v);
}
template <class V>
NORMVIZ_INLINE V splat(float x) {
    return V{} + x;
}

// Output columns w whose tap kw reads inside the image (iw = w + kw - 1 in [0, W)).
NORMVIZ_INLINE int64_t first_w(int64_t kw) { return kw == 0 ? 1 : 0; }
NORMVIZ_INLINE int64_t end_w(int64_t kw, int64_t W) { return kw == 2 ? W - 1 : W; }

// im2col of one sample: col[(ci * 9 + kh * 3 + kw) * H * W + h * W + w] =
// x[ci, h + kh - 1, w + kw - 1], 0 outside the image (padding 1).
void im2col(const float* x, int64_t cin, int64_t H, int64_t W, float* col) {
    const int64_t plane = H * W;
    for (int64_t ci = 0; ci < cin; ++ci) {
        for (int64_t kh = 0; kh < 3; ++kh) {
            for (int64_t kw = 0; kw < 3; ++kw) {
                float* row = col + ((ci * 9) + kh * 3 + kw) * plane;
                for (int64_t h = 0; h < H; ++h) {
                    float* out = row + h * W;
                    const int64_t ih = h + kh - 1;
                    if (ih < 0 || ih >= H) {
                        std::fill(out, out + W, 0.0f);
                        continue;
                    }
                    const float* in = x + ci * plane + ih * W;  // row ih; column w reads w + kw - 1
                    const int64_t w0 = first_w(kw), w1 = end_w(kw, W);
                    std::fill(out, out + w0, 0.0f);
                    std::copy(in + w0 + kw - 1, in + w1 + kw - 1, out + w0);
                    std::fill(out + w1, out + W, 0.0f);
                }
            }
        }
    }
}

// Adds each column-gradient row back onto the input pixels it was copied from, in the order
// (ci, kh, kw, h, w) for every input pixel.
void col2im_add(const float* dcol, int64_t cin, int64_t H, int64_t W, float* dx) {
    const int64_t plane = H * W;
    for (int64_t ci = 0; ci < cin; ++ci) {
        for (int64_t kh = 0; kh < 3; ++kh) {
            for (int64_t kw = 0; kw < 3; ++kw) {
                const float* drow = dcol + ((ci * 9) + kh * 3 + kw) * plane;
                for (int64_t h = 0; h < H; ++h) {
                    const int64_t ih = h + kh - 1;
                    if (ih < 0 || ih >= H) continue;
                    float* out = dx + ci * plane + ih * W;
                    const float* in = drow + h * W;
                    for (int64_t w = first_w(kw); w < end_w(kw, W); ++w) out[w + kw - 1] += in[w];
                }
            }
        }
    }
}

// Matrix products of one sample. Blocks of kRows rows (output channels, or column rows)
// times kChunks vectors of V along the plane, in registers for the whole sum.
constexpr int kRows = 4, kChunks = 2;

// y[co][p] = bias[co] + sum_k weight[co][k] * col[k][p], k in order.
template <class V>
NORMVIZ_INLINE void forward_product(const float* col, const float* weight, const float* bias, float* y, int64_t cout,
                                    int64_t K, int64_t plane) {
    constexpr int64_t step = kChunks * kLanes<V>;
    int64_t co = 0;
    for (; co + kRows <= cout; co += kRows) {
        int64_t p = 0;
        for (; p + step <= plane; p += step) {
            V acc[kRows][kChunks];
            for (int r = 0; r < kRows; ++r)
                for (int c = 0; c < kChunks; ++c) acc[r][c] = splat<V>(bias[co + r]);
            for (int64_t k = 0; k < K; ++k) {
                V x[kChunks];
                for (int c = 0; c < kChunks; ++c) x[c] = load<V>(col + k * plane + p + c * kLanes<V>);
                for (int r = 0; r < kRows; ++r) {
                    const V w = splat<V>(weight[(co + r) * K + k]);
                    for (int c = 0; c < kChunks; ++c) acc[r][c] += w * x[c];
                }
            }
            for (int r = 0; r < kRows; ++r)
                for (int c = 0; c < kChunks; ++c) store(y + (co + r) * plane + p + c * kLanes<V>, acc[r][c]);
        }
        for (; p < plane; ++p) {
            for (int r = 0; r < kRows; ++r) {
                float a = bias[co + r];
                for (int64_t k = 0; k < K; ++k) a += weight[(co + r) * K + k] * col[k * plane + p];
                y[(co + r) * plane + p] = a;
            }
        }
    }
    for (; co < cout; ++co) {
        for (int64_t p = 0; p < plane; ++p) {
            float a = bias[co];
            for (int64_t k = 0; k < K; ++k) a += weight[co * K + k] * col[k * plane + p];
            y[co * plane + p] = a;
        }
    }
}

// dcol[k][p] = sum_co weight[co][k] * dy[co][p], co in order, from 0.
template <class V>
NORMVIZ_INLINE void input_grad_product(const float* dy, const float* weight, float* dcol, int64_t cout, int64_t K,
                                       int64_t plane) {
    constexpr int64_t step = kChunks * kLanes<V>;
    int64_t k = 0;
    for (; k + kRows <= K; k += kRows) {
        int64_t p = 0;
        for (; p + step <= plane; p += step) {
            V acc[kRows][kChunks];
            for (int r = 0; r < kRows; ++r)
                for (int c = 0; c < kChunks; ++c) acc[r][c] = splat<V>(0.0f);
            for (int64_t co = 0; co < cout; ++co) {
                V g[kChunks];
                for (int c = 0; c < kChunks; ++c) g[c] = load<V>(dy + co * plane + p + c * kLanes<V>);
                for (int r = 0; r < kRows; ++r) {
                    const V w = splat<V>(weight[co * K + k + r]);
                    for (int c = 0; c < kChunks; ++c) acc[r][c] += w * g[c];
                }
            }
            for (int r = 0; r < kRows; ++r)
                for (int c = 0; c < kChunks; ++c) store(dcol + (k + r) * plane + p + c * kLanes<V>, acc[r][c]);
        }
        for (; p < plane; ++p) {
            for (int r = 0; r < kRows; ++r) {
                float a = 0.0f;
                for (int64_t co = 0; co < cout; ++co) a += weight[co * K + k + r] * dy[co * plane + p];
                dcol[(k + r) * plane + p] = a;
            }
        }
    }
    for (; k < K; ++k) {
        for (int64_t p = 0; p < plane; ++p) {
            float a = 0.0f;
            for (int64_t co = 0; co < cout; ++co) a += weight[co * K + k] * dy[co * plane + p];
            dcol[k * plane + p] = a;
        }
    }
}

// sums[k] += dot(dy[co], col[k]) for every k: eight float lanes per k (lane j takes the
// elements p = j mod 8), kRows rows of col sharing each load of dy. The rows' lanes are merged
// side by side (lane 0, then 1, ... 7, then the tail), so the eight dependent additions of
// one row overlap with the other rows'.
NORMVIZ_INLINE void weight_grad_product(const float* g, const float* col, double* sums, int64_t K, int64_t plane) {
    static_assert(kRows == 4, "the merge below holds four rows in one Double4");
    using detail::Double4;
    const int64_t full = plane / 8 * 8;
    int64_t k = 0;
    for (; k + kRows <= K; k += kRows) {
        const float* rows[kRows] = {col + k * plane, col + (k + 1) * plane, col + (k + 2) * plane, col + (k + 3) * plane};
        Float8 lanes[kRows] = {};
        for (int64_t i = 0; i < full; i += 8) {
            const Float8 gv = load<Float8>(g + i);
            for (int r = 0; r < kRows; ++r) lanes[r] += gv * load<Float8>(rows[r] + i);
        }
        Double4 sum = {};
        for (int j = 0; j < 8; ++j) sum += Double4{lanes[0][j], lanes[1][j], lanes[2][j], lanes[3][j]};
        for (int64_t i = full; i < plane; ++i)
            sum += double(g[i]) * Double4{rows[0][i], rows[1][i], rows[2][i], rows[3][i]};
        for (int r = 0; r < kRows; ++r) sums[k + r] += sum[r];
    }
    for (; k < K; ++k) {
        Float8 lanes = {};
        for (int64_t i = 0; i < full; i += 8) lanes += load<Float8>(g + i) * load<Float8>(col + k * plane + i);
        double sum = 0;
        for (int j = 0; j < 8; ++j) sum += lanes[j];
        for (int64_t i = full; i < plane; ++i) sum += double(g[i]) * col[k * plane + i];
        sums[k] += sum;
    }
}

// One function per instruction set for each product (the vector width follows it).
#define NORMVIZ_CONV_PATH(ATTR, SUFFIX, V)                                                                            \
    ATTR void forward_##SUFFIX(const float* col, const float* w, const float* b, float* y, int64_t cout, int64_t K,    \
                               int64_t plane) {                                                                        \
        forward_product<V>(col, w, b, y, cout, K, plane);                                                              \
    }                                                                                                                  \
    ATTR void input_grad_##SUFFIX(const float* dy, const float* w, float* dcol, int64_t cout, int64_t K,               \
                                  int64_t plane) {                                                                     \
        input_grad_product<V>(dy, w, dcol, cout, K, plane);                                                            \
    }                                                                                                                  \
    ATTR void weight_grad_##SUFFIX(const float* g, const float* col, double* sums, int64_t K, int64_t plane) {         \
        weight_grad_product(g, col, sums, K, plane);                                                                   \
    }

NORMVIZ_CONV_PATH(, baseline, Float4)
#if NORMVIZ_SIMD_DISPATCH
NORMVIZ_CONV_PATH(NORMVIZ_TARGET_AVX2, avx2, Float8)
// AVX-512 with eight-float vectors: the planes are 16 to 256 values, and 16-float chunks
// would leave the 4x4 layers to the scalar tail (measured: no faster than SSE2).
NORMVIZ_CONV_PATH(NORMVIZ_TARGET_AVX512, avx512, Float8)
#endif
#undef NORMVIZ_CONV_PATH

struct ConvPath {
    decltype(&forward_baseline) forward;
    decltype(&input_grad_baseline) input_grad;
    decltype(&weight_grad_baseline) weight_grad;
};

ConvPath conv_path() {
#if NORMVIZ_SIMD_DISPATCH
    switch (detail::simd_path()) {
        case detail::SimdPath::Avx512: return {forward_avx512, input_grad_avx512, weight_grad_avx512};
        case detail::SimdPath::Avx2: return {forward_avx2, input_grad_avx2, weight_grad_avx2};
        case detail::SimdPath::Baseline: break;
    }
#endif
    return {forward_baseline, input_grad_baseline, weight_grad_baseline};
}

}  // namespace

void conv3x3_forward(const Act& x, const Param& weight, const Param& bias, Act& y, std::vector<float>& cols,
                     int threads) {
    const Shape s = x.shape;
    const int64_t cout = weight.dims[0], cin = weight.dims[1];
    NORMVIZ_ASSERT(cin == s.C, "shape mismatch");
    y.reshape({s.N, cout, s.H, s.W});
    const int64_t plane = s.H * s.W, K = cin * 9;
    cols.resize(static_cast<size_t>(s.N * K * plane));
    const ConvPath path = conv_path();
    parallel_for(s.N, threads, [&](int64_t begin, int64_t end) {
        for (int64_t n = begin; n < end; ++n) {
            float* col = &cols[static_cast<size_t>(n * K * plane)];
            im2col(&x.v[static_cast<size_t>(n * cin * plane)], cin, s.H, s.W, col);
            path.forward(col, weight.value.data(), bias.value.data(), &y.v[static_cast<size_t>(n * cout * plane)], cout,
                         K, plane);
        }
    });
}

void conv3x3_backward(const Act& dy, const std::vector<float>& cols, const Shape& x_shape, Param& weight, Param& bias,
                      Act* dx, int threads) {
    const Shape s = x_shape;
    const int64_t cout = weight.dims[0], cin = weight.dims[1];
    const int64_t plane = s.H * s.W, K = cin * 9;
    const ConvPath path = conv_path();
    // Weight and bias gradients: one work item per output channel, samples in order.
    parallel_for(cout, threads, [&](int64_t begin, int64_t end) {
        std::vector<double> sums(static_cast<size_t>(K));
        for (int64_t co = begin; co < end; ++co) {
            double bsum = 0;
            std::fill(sums.begin(), sums.end(), 0.0);
            for (int64_t n = 0; n < s.N; ++n) {
                const float* g = &dy.v[static_cast<size_t>((n * cout + co) * plane)];
                for (int64_t p = 0; p < plane; ++p) bsum += g[p];
                path.weight_grad(g, &cols[static_cast<size_t>(n * K * plane)], sums.data(), K, plane);
            }
            bias.grad[static_cast<size_t>(co)] += static_cast<float>(bsum);
            float* wg = &weight.grad[static_cast<size_t>(co * K)];
            for (int64_t k = 0; k < K; ++k) wg[k] += static_cast<float>(sums[static_cast<size_t>(k)]);
        }
    });
    if (dx == nullptr) return;
    dx->resize(s);
    // Input gradient: one work item per sample; the columns' gradient, then col2im.
    parallel_for(s.N, threads, [&](int64_t begin, int64_t end) {
        std::vector<float> dcol(static_cast<size_t>(K * plane));
        for (int64_t n = begin; n < end; ++n) {
            path.input_grad(&dy.v[static_cast<size_t>(n * cout * plane)], weight.value.data(), dcol.data(), cout, K,
                            plane);
            col2im_add(dcol.data(), cin, s.H, s.W, &dx->v[static_cast<size_t>(n * cin * plane)]);
        }
    });
}

}  // namespace normviz::core::train
