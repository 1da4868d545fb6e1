// A contiguous float32 NCHW tensor, and the rank it came from (for .npy round trips).
#pragma once

#include <vector>

#include "core/shape.h"

namespace normviz::core {

struct Tensor {
    Shape shape;
    // Rank of the source array: 2 = (N, C) stored as (N, C, 1, 1); 3 = (N, C, L) stored as
    // (N, C, 1, L); 4 = as is. Writers restore this rank.
    int source_rank = 4;
    std::vector<float> data;  // shape.numel() values in NCHW order

    float at(const Index& i) const { return data[flat_index(shape, i)]; }
    float& at(const Index& i) { return data[flat_index(shape, i)]; }
};

// A zero-filled tensor. Precondition: validate_shape(shape) passed.
Tensor make_tensor(const Shape& shape);

// The dims a writer should use to restore source_rank: (N, C), (N, C, W) or (N, C, H, W).
std::vector<int64_t> source_dims(const Tensor& tensor);

}  // namespace normviz::core
