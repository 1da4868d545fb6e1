// The training lab's built-in data: small RGB images of four shape classes (0 square, 1 disk,
// 2 triangle, 3 cross) at random position and size, random shape and background colours and
// per-image brightness, contrast and noise. Made from a seed; image i depends only on the
// seed and i, so a smaller set is a prefix of a larger one.
#pragma once

#include <cstdint>
#include <vector>

#include "core/train/layers.h"

namespace normviz::core::train {

inline constexpr int kShapeClasses = 4;

struct ShapesConfig {
    int64_t train_count = 4000;
    int64_t val_count = 1000;
    int64_t size = 16;  // images are size x size, multiple of 4 (two 2x2 poolings)
    uint64_t seed = 1;
};

struct Dataset {
    int64_t count = 0;
    int64_t size = 0;
    std::vector<float> images;  // count x 3 x size x size, NCHW
    std::vector<int> labels;    // count, balanced: class = index % 4 before shuffling
};

// The train split (train_count images) or the held-out split (val_count images, another
// stream of the same seed).
Dataset make_shapes(const ShapesConfig& config, bool held_out);

// Copies images `indices` into a batch.
void gather_batch(const Dataset& data, const std::vector<int64_t>& indices, Act& images, std::vector<int>& labels);

}  // namespace normviz::core::train
