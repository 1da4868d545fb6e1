// Partition: the one idea of normviz. Every norm splits the tensor into groups that share a
// mean and a variance; a group is named by a key, the element's coordinates divided by
// per-axis block sizes. Masks, statistics, normalization and the shader all use this.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "core/norm_spec.h"
#include "core/shape.h"

namespace normviz::core {

// key[a] = coord[a] / block[a]. A kept axis has block 1, a reduced axis has block = extent,
// GroupNorm's C has block C / G. Extensions (per-device BatchNorm) only change blocks.
struct Partition {
    Shape shape;
    std::array<int64_t, 4> block{1, 1, 1, 1};
    AxisMask reduced = 0;  // axes the norm reduces over (GroupNorm: C, within blocks)

    // Extent of the key space along each axis: extent / block.
    std::array<int64_t, 4> key_extents() const;
    int64_t group_count() const;  // product of key_extents
    int64_t group_size() const;   // product of blocks: every group has the same size
    // Key coordinates of an element.
    Index key_of(const Index& index) const;
    // Group number in [0, group_count), the key's flat index in key space (NCHW order).
    int64_t group_of(const Index& index) const;
    int64_t group_of_flat(int64_t flat) const;
    bool same_group(const Index& a, const Index& b) const { return key_of(a) == key_of(b); }
};

// Partition of `shape` under `spec`. Precondition: validate(spec, shape) passed (it asserts
// C % G == 0 and non-empty custom axes).
Partition make_partition(const NormSpec& spec, const Shape& shape);

// 1 for every element in the same group as `focus`, else 0; NCHW order.
// Precondition: contains(shape, focus).
std::vector<uint8_t> group_mask(const Partition& partition, const Index& focus);

// One coordinate of a key, named "n", "c", "h", "w", "g" for GroupNorm's channel group,
// or "d" for the device of a BatchNorm split over devices.
struct KeyField {
    const char* name;
    int64_t value;
};
// The coordinates that name a group: the axes not fully reduced, in NCHW order.
std::vector<KeyField> key_fields(const Partition& partition, const Index& key);

// The axes a group spans, from the partition itself: "N, H, W"; an axis reduced only in
// blocks reads "C/G" (GroupNorm) or "N/D" (BatchNorm split over D devices).
std::string pooled_axes_list(const Partition& partition);
// The name of axis `a` as a factor of a group: "N", or "C/G" / "N/D" when partly reduced.
std::string pooled_axis_name(const Partition& partition, int a);

// Human wording of a key for the kept axes, e.g. "c=3" or "n=1, g=0"; "all" when one group
// holds the whole tensor.
std::string key_to_string(const Partition& partition, const Index& key);

}  // namespace normviz::core
