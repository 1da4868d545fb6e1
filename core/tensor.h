// A contiguous float32 NCHW tensor, and the layout of the array it came from (for writing back).
#pragma once

#include <string>
#include <vector>

#include "core/float_buffer.h"
#include "core/layout.h"
#include "core/shape.h"

namespace normviz::core {

struct Tensor {
    Shape shape;
    // How the source array's axes map to N, C, H, W (rank 2 = NC, rank 3 = NCL or NLC, ...).
    // Writers restore it. NCL/NLC tensors have H == 1, NC tensors H == W == 1.
    Layout layout = Layout::NCHW;
    FloatBuffer data;  // shape.numel() values in NCHW order (owned, or a large .npy's pages)
    // The exact values, NCHW order, when the source held float64; else empty. Statistics use
    // them when present, so a float64 file keeps its precision. Code that changes `data`
    // must clear this.
    std::vector<double> data64;
    // What the source held ("float32", "float16", "int64", ...), to say how it was read.
    std::string source_dtype = "float32";

    float at(const Index& i) const { return data[flat_index(shape, i)]; }
    float& at(const Index& i) { return data[flat_index(shape, i)]; }
    bool has_exact64() const { return !data64.empty() && data64.size() == data.size(); }
};

// A zero-filled tensor. Precondition: validate_shape(shape) passed.
Tensor make_tensor(const Shape& shape);

// The dims a writer should use to restore the tensor's layout: (N, C), (N, C, L), (N, L, C),
// (N, C, H, W) or (N, H, W, C).
std::vector<int64_t> source_dims(const Tensor& tensor);

}  // namespace normviz::core
