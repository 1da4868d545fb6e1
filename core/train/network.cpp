// The training lab's network; see network.h.
#include "core/train/network.h"

#include <cmath>

#include "core/assert.h"
#include "core/train/random.h"

namespace normviz::core::train {

namespace {
int64_t width_of(const NetworkConfig& config, int layer) { return config.widths[static_cast<size_t>(layer / 2)]; }
int64_t in_width_of(const NetworkConfig& config, int layer) {
    return layer == 0 ? config.in_channels : width_of(config, layer - 1);
}
// Pooling after blocks 2 and 4 (indices 1 and 3).
bool pools_after(int layer) { return layer == 1 || layer == 3; }
}  // namespace

Status validate_network(const NetworkConfig& config) {
    if (!config.norm) return Ok{};
    for (int layer = 0; layer < kConvLayers; ++layer) {
        // A shape with H = W = 2 and N = 2 passes every check but C's.
        const Shape probe{2, width_of(config, layer), 2, 2};
        if (Status valid = validate(*config.norm, probe); !valid) {
            return make_error("conv" + std::to_string(layer + 1) + " (" + std::to_string(probe.C) +
                              " channels): " + valid.error().message);
        }
    }
    return Ok{};
}

Network::Network(const NetworkConfig& config, uint64_t seed) : config_(config) {
    Random random(seed);
    for (int layer = 0; layer < kConvLayers; ++layer) {
        const int64_t cout = width_of(config, layer), cin = in_width_of(config, layer);
        const std::string name = "conv" + std::to_string(layer + 1);
        conv_w_[static_cast<size_t>(layer)].init(name + ".weight", {cout, cin, 3, 3});
        conv_b_[static_cast<size_t>(layer)].init(name + ".bias", {cout});
        const double bound = 1.0 / std::sqrt(static_cast<double>(cin * 9));
        for (float& w : conv_w_[static_cast<size_t>(layer)].value)
            w = static_cast<float>(random.uniform(-bound, bound));
        for (float& b : conv_b_[static_cast<size_t>(layer)].value)
            b = static_cast<float>(random.uniform(-bound, bound));
        if (config.norm) norms_.emplace_back(*config.norm, cout, "norm" + std::to_string(layer + 1));
    }
    const int64_t last = config.widths[2];
    fc_w_.init("fc.weight", {config.classes, last});
    fc_b_.init("fc.bias", {config.classes});
    const double bound = 1.0 / std::sqrt(static_cast<double>(last));
    for (float& w : fc_w_.value) w = static_cast<float>(random.uniform(-bound, bound));
    for (float& b : fc_b_.value) b = static_cast<float>(random.uniform(-bound, bound));
}

std::vector<Param*> Network::params() {
    std::vector<Param*> out;
    for (int layer = 0; layer < kConvLayers; ++layer) {
        out.push_back(&conv_w_[static_cast<size_t>(layer)]);
        out.push_back(&conv_b_[static_cast<size_t>(layer)]);
        if (!norms_.empty()) {
            out.push_back(&norms_[static_cast<size_t>(layer)].gamma);
            out.push_back(&norms_[static_cast<size_t>(layer)].beta);
        }
    }
    out.push_back(&fc_w_);
    out.push_back(&fc_b_);
    return out;
}

NormLayer* Network::norm(int layer) { return norms_.empty() ? nullptr : &norms_[static_cast<size_t>(layer)]; }

Status Network::forward(const Act& images, Act& logits, bool training, int threads) {
    Act current = images;
    for (int layer = 0; layer < kConvLayers; ++layer) {
        const size_t l = static_cast<size_t>(layer);
        conv_in_shape_[l] = current.shape;
        conv3x3_forward(current, conv_w_[l], conv_b_[l], conv_out_[l], cols_[l], threads);
        if (!norms_.empty()) {
            if (Status ok = norms_[l].forward(conv_out_[l], relu_out_[l], training); !ok) {
                return make_error("norm" + std::to_string(layer + 1) + ": " + ok.error().message);
            }
        } else {
            relu_out_[l] = conv_out_[l];
        }
        relu_forward(relu_out_[l]);
        if (pools_after(layer)) {
            avgpool2_forward(relu_out_[l], current);
        } else {
            current = relu_out_[l];
        }
    }
    global_avgpool_forward(current, pooled_);
    linear_forward(pooled_, fc_w_, fc_b_, logits);
    return Ok{};
}

void Network::backward(const Act& dlogits, int threads) {
    for (Param* p : params()) std::fill(p->grad.begin(), p->grad.end(), 0.0f);
    Act grad, tmp;
    linear_backward(pooled_, dlogits, fc_w_, fc_b_, tmp);
    global_avgpool_backward(tmp, relu_out_[kConvLayers - 1].shape, grad);
    for (int layer = kConvLayers - 1; layer >= 0; --layer) {
        const size_t l = static_cast<size_t>(layer);
        if (pools_after(layer)) {
            avgpool2_backward(grad, relu_out_[l].shape, tmp);
            grad = std::move(tmp);
        }
        relu_backward(relu_out_[l], grad);
        if (!norms_.empty()) {
            norms_[l].backward(grad, tmp);
            grad = std::move(tmp);
        }
        conv3x3_backward(grad, cols_[l], conv_in_shape_[l], conv_w_[l], conv_b_[l], layer == 0 ? nullptr : &tmp,
                         threads);
        if (layer > 0) grad = std::move(tmp);
    }
}

}  // namespace normviz::core::train
