// The training lab's network: six blocks of 3x3 convolution -> norm -> ReLU, 2x2 average
// pooling after the second and fourth, global average pooling, a linear classifier:
//   conv1 conv2 pool conv3 conv4 pool conv5 conv6 gap fc
// widths[0] channels for conv1-2, widths[1] for conv3-4, widths[2] for conv5-6.
// scripts/make_train_fixtures.py builds the same network in PyTorch, parameter for parameter.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/norm_spec.h"
#include "core/result.h"
#include "core/train/layers.h"
#include "core/train/norm_layer.h"

namespace normviz::core::train {

struct NetworkConfig {
    int64_t in_channels = 3;
    std::array<int64_t, 3> widths{8, 16, 32};
    int64_t classes = 4;
    std::optional<NormSpec> norm;  // nullopt: no normalization ("none")
};

inline constexpr int kConvLayers = 6;

// The error when the norm cannot be used in every layer of the network (G must divide each
// layer's channel count), without building it.
Status validate_network(const NetworkConfig& config);

class Network {
public:
    // PyTorch's default initialization (nn.Conv2d, nn.Linear): weights and biases uniform in
    // +-1 / sqrt(fan_in); gamma 1, beta 0; from `seed`.
    // Precondition: validate_network(config) passed.
    Network(const NetworkConfig& config, uint64_t seed);

    // PyTorch's parameter order: conv1.weight, conv1.bias, norm1.weight, norm1.bias, ...,
    // fc.weight, fc.bias.
    std::vector<Param*> params();
    NormLayer* norm(int layer);  // nullptr for "none"

    // Logits of a batch (N, C, H, W). Training mode keeps what backward needs. Error from a
    // norm that is invalid for the batch (BatchNorm with one value per channel).
    Status forward(const Act& images, Act& logits, bool training, int threads);
    // The input of block `layer`'s norm in the last forward (its conv's output, N x C x H x W):
    // the activations the norm pools. Precondition: 0 <= layer < kConvLayers, a forward ran.
    const Act& norm_input(int layer) const { return conv_out_[static_cast<size_t>(layer)]; }
    // Zeroes every gradient, then backpropagates dlogits through the last forward.
    void backward(const Act& dlogits, int threads);

private:
    NetworkConfig config_;
    std::array<Param, kConvLayers> conv_w_, conv_b_;
    std::vector<NormLayer> norms_;
    Param fc_w_, fc_b_;
    // Kept from the forward pass: each conv's input shape and columns, each block's ReLU output, the pools'
    // outputs, the classifier's input.
    std::array<Shape, kConvLayers> conv_in_shape_;
    std::array<std::vector<float>, kConvLayers> cols_;  // each conv's im2col columns
    std::array<Act, kConvLayers> conv_out_, relu_out_;
    Act pooled_;
};

}  // namespace normviz::core::train
