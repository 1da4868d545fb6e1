// Tensor construction and the dims that restore a tensor's layout.
#include "core/tensor.h"

#include "core/assert.h"

namespace normviz::core {

Tensor make_tensor(const Shape& shape) {
    Tensor t;
    t.shape = shape;
    t.data.assign(static_cast<size_t>(shape.numel()), 0.0f);
    return t;
}

std::vector<int64_t> source_dims(const Tensor& t) {
    NORMVIZ_ASSERT(fits_layout(t.shape, t.layout), "tensor shape does not fit its layout");
    return dims_in_layout(t.shape, t.layout);
}

}  // namespace normviz::core
