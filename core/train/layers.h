// The training lab's plain layers: activations and parameters, 3x3 convolution (padding 1),
// ReLU, average pooling, a linear layer and softmax cross-entropy, forward and backward.
// Every sum runs in a fixed order, so results do not depend on the thread count.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/shape.h"

namespace normviz::core::train {

// An NCHW float32 activation (a linear layer's (N, C) is (N, C, 1, 1)).
struct Act {
    Shape shape;
    std::vector<float> v;
    // Zero-filled: for outputs that are accumulated into.
    void resize(const Shape& s) {
        shape = s;
        v.assign(static_cast<size_t>(s.numel()), 0.0f);
    }
    // Old values kept: for outputs that are written whole (saves the fill).
    void reshape(const Shape& s) {
        shape = s;
        v.resize(static_cast<size_t>(s.numel()));
    }
};

// A trainable parameter, its gradient and SGD's momentum buffer, PyTorch's dims.
struct Param {
    std::string name;
    std::vector<int64_t> dims;
    std::vector<float> value, grad, momentum;
    void init(std::string param_name, std::vector<int64_t> param_dims);
    int64_t size() const { return static_cast<int64_t>(value.size()); }
};

// 3x3 convolution, stride 1, zero padding 1, with bias: weight (Cout, Cin, 3, 3), as im2col
// and a matrix product. The forward pass keeps each sample's columns in `cols` for the
// backward pass. `threads` splits the forward pass and input gradients by sample and weight
// gradients by output channel: each work item sums in the same order on any thread.
void conv3x3_forward(const Act& x, const Param& weight, const Param& bias, Act& y, std::vector<float>& cols,
                     int threads);
// Adds to weight.grad and bias.grad; writes dx when `dx` is not null.
void conv3x3_backward(const Act& dy, const std::vector<float>& cols, const Shape& x_shape, Param& weight, Param& bias,
                      Act* dx, int threads);

void relu_forward(Act& x);  // in place
// dy *= (y > 0), in place: y is the ReLU's output.
void relu_backward(const Act& y, Act& dy);

// 2x2 average pooling, stride 2 (H and W even).
void avgpool2_forward(const Act& x, Act& y);
void avgpool2_backward(const Act& dy, const Shape& x_shape, Act& dx);
// Mean over H and W: (N, C, H, W) -> (N, C, 1, 1).
void global_avgpool_forward(const Act& x, Act& y);
void global_avgpool_backward(const Act& dy, const Shape& x_shape, Act& dx);

// y = x W^T + b, x (N, C, 1, 1), weight (K, C): y (N, K, 1, 1).
void linear_forward(const Act& x, const Param& weight, const Param& bias, Act& y);
void linear_backward(const Act& x, const Act& dy, Param& weight, Param& bias, Act& dx);

// Mean over the batch of -log softmax(logits)[label]; dlogits is its gradient. Returns the
// loss (NaN when a logit is not finite).
double cross_entropy(const Act& logits, const std::vector<int>& labels, Act& dlogits);
// Number of samples whose largest logit is not their label.
int64_t count_errors(const Act& logits, const std::vector<int>& labels);

}  // namespace normviz::core::train
