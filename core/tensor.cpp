// Tensor construction and the dims that restore a tensor's source rank.
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
    const Shape& s = t.shape;
    switch (t.source_rank) {
        case 2: return {s.N, s.C};
        case 3: return {s.N, s.C, s.W};
        default: break;
    }
    NORMVIZ_ASSERT(t.source_rank == 4, "source_rank must be 2, 3 or 4");
    return {s.N, s.C, s.H, s.W};
}

}  // namespace normviz::core
