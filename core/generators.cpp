// Deterministic synthetic tensors: own PRNG (splitmix64) and Box-Muller, so a seed gives the
// same tensor on every platform and standard library.
#include "core/generators.h"

#include <algorithm>
#include <cmath>

#include "core/splitmix.h"

namespace normviz::core {

namespace {

class Rng {
public:
    explicit Rng(uint64_t seed) : state_(seed) {}

    uint64_t next_u64() { return splitmix64(state_); }
    // Uniform in (0, 1): 53 random bits, never 0 (Box-Muller takes its log).
    double next_uniform() { return (static_cast<double>(next_u64() >> 11) + 0.5) * 0x1.0p-53; }
    // Standard normal by Box-Muller; keeps the second value for the next call.
    double next_normal() {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        const double kTwoPi = 6.283185307179586;
        double r = std::sqrt(-2.0 * std::log(next_uniform()));
        double theta = kTwoPi * next_uniform();
        spare_ = r * std::sin(theta);
        has_spare_ = true;
        return r * std::cos(theta);
    }

private:
    uint64_t state_;
    double spare_ = 0;
    bool has_spare_ = false;
};

}  // namespace

const char* generator_name(Generator g) {
    switch (g) {
        case Generator::Normal: return "normal";
        case Generator::PerChannel: return "per-channel";
        case Generator::PerSample: return "per-sample";
        case Generator::Constant: return "constant";
        case Generator::LargeOffset: return "large-offset";
        case Generator::Smooth: return "smooth";
    }
    return "?";
}

Result<Generator> parse_generator(const std::string& text) {
    for (Generator g : kAllGenerators)
        if (text == generator_name(g)) return g;
    return make_error("unknown generator '" + text +
                      "'; choose one of normal, per-channel, per-sample, constant, large-offset, smooth");
}

namespace {

// The seed of sample n's own stream: a splitmix64 step away from the seed, so streams of
// neighbouring samples (and seeds) are unrelated.
uint64_t sample_seed(uint64_t seed, int64_t n) {
    Rng mix(seed ^ (0xD1B54A32D192ED03ull * static_cast<uint64_t>(n + 1)));
    return mix.next_u64();
}

}  // namespace

Tensor generate(const Shape& shape, Generator g, uint64_t seed) {
    Tensor t = make_tensor(shape);
    Rng rng(seed);
    const int64_t plane = shape.H * shape.W;
    // Channel offsets and scales come first from the seed's stream, so they do not depend on
    // N, H or W.
    std::vector<double> channel_offset(shape.C), channel_scale(shape.C);
    for (int64_t c = 0; c < shape.C; ++c) {
        channel_offset[c] =
            4.0 * (static_cast<double>(c) / std::max<int64_t>(1, shape.C - 1) - 0.5) * 2.0 + 0.5 * rng.next_normal();
        channel_scale[c] = 0.5 + 1.5 * rng.next_uniform();
    }

    float* x = t.data.data();
    for (int64_t n = 0; n < shape.N; ++n) {
        // Each sample draws from its own stream: a batch of N is the first N samples of any
        // larger batch of the same seed, so changing N keeps every remaining sample's values.
        Rng sample(sample_seed(seed, n));
        const double sample_offset = 3.0 * sample.next_normal();
        for (int64_t c = 0; c < shape.C; ++c) {
            // Smooth: each (n, c) plane is a sum of two waves with random frequency and phase.
            double fx = 0.5 + 2.0 * sample.next_uniform(), fy = 0.5 + 2.0 * sample.next_uniform();
            double phase = 6.283185307179586 * sample.next_uniform();
            for (int64_t i = 0; i < plane; ++i, ++x) {
                const double h = static_cast<double>(i / shape.W) / std::max<int64_t>(1, shape.H);
                const double w = static_cast<double>(i % shape.W) / std::max<int64_t>(1, shape.W);
                double v = 0;
                switch (g) {
                    case Generator::Normal: v = sample.next_normal(); break;
                    case Generator::PerChannel: v = sample.next_normal() * channel_scale[c] + channel_offset[c]; break;
                    case Generator::PerSample: v = sample.next_normal() + sample_offset; break;
                    case Generator::Constant: v = 1.5; break;
                    case Generator::LargeOffset: v = 1e4 + sample.next_normal(); break;
                    case Generator::Smooth:
                        v = std::sin(6.283185307179586 * fx * h + phase) +
                            std::cos(6.283185307179586 * fy * w - phase) + 0.1 * sample.next_normal();
                        break;
                }
                *x = static_cast<float>(v);
            }
        }
    }
    return t;
}

}  // namespace normviz::core
