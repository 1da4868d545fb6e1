// Synthetic activation tensors the program offers, deterministic for a given seed.
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"
#include "core/tensor.h"

namespace normviz::core {

enum class Generator {
    Normal,       // N(0, 1)
    PerChannel,   // N(0, 1) * scale[c] + offset[c]: BatchNorm groups visibly differ
    PerSample,    // N(0, 1) + offset[n]: LayerNorm groups visibly differ
    Constant,     // every value 1.5
    LargeOffset,  // 1e4 + N(0, 1): defeats E[x^2] - E[x]^2 in float
    Smooth,       // image-like: smooth waves in h, w per (n, c), plus a little noise
};
inline constexpr Generator kAllGenerators[] = {Generator::Normal,   Generator::PerChannel,  Generator::PerSample,
                                               Generator::Constant, Generator::LargeOffset, Generator::Smooth};

const char* generator_name(Generator g);  // "normal", "per-channel", ...
Result<Generator> parse_generator(const std::string& text);

// A tensor of `shape` filled by `g` from `seed`; the same on every platform (own PRNG and
// Box-Muller, not std::normal_distribution). One batch held fixed: the tensor of N samples is
// the first N samples of the tensor of any larger N (same seed, C, H, W), so a smaller batch
// changes only what pools over N. Precondition: validate_shape(shape) passed.
Tensor generate(const Shape& shape, Generator g, uint64_t seed);

}  // namespace normviz::core
