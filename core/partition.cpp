// Partition: key = coordinates / blocks. Every other piece of normviz derives from it.
#include "core/partition.h"

#include "core/assert.h"

namespace normviz::core {

std::array<int64_t, 4> Partition::key_extents() const {
    auto d = shape.dims();
    return {d[0] / block[0], d[1] / block[1], d[2] / block[2], d[3] / block[3]};
}

int64_t Partition::group_count() const {
    auto k = key_extents();
    return k[0] * k[1] * k[2] * k[3];
}

int64_t Partition::group_size() const { return block[0] * block[1] * block[2] * block[3]; }

Index Partition::key_of(const Index& i) const {
    return {i.n / block[0], i.c / block[1], i.h / block[2], i.w / block[3]};
}

int64_t Partition::group_of(const Index& i) const {
    auto k = key_extents();
    Index key = key_of(i);
    return ((key.n * k[1] + key.c) * k[2] + key.h) * k[3] + key.w;
}

int64_t Partition::group_of_flat(int64_t flat) const { return group_of(unflat_index(shape, flat)); }

Partition make_partition(const NormSpec& spec, const Shape& shape) {
    Partition p;
    p.shape = shape;
    AxisMask reduced = reduced_axes(spec);
    p.reduced = reduced;
    NORMVIZ_ASSERT((reduced & kAllAxes) != 0, "a norm must reduce at least one axis");
    auto dims = shape.dims();
    for (int a = 0; a < kAxisCount; ++a) p.block[a] = (reduced & (1u << a)) ? dims[a] : 1;
    if (spec.kind == NormKind::Group) {
        NORMVIZ_ASSERT(spec.groups >= 1 && shape.C % spec.groups == 0, "C must be divisible by G");
        p.block[static_cast<int>(Axis::C)] = shape.C / spec.groups;
    }
    return p;
}

std::vector<uint8_t> group_mask(const Partition& p, const Index& focus) {
    NORMVIZ_ASSERT(contains(p.shape, focus), "focus outside the shape");
    const Shape& s = p.shape;
    Index key = p.key_of(focus);
    std::vector<uint8_t> mask(static_cast<size_t>(s.numel()), 0);
    size_t flat = 0;
    for (int64_t n = 0; n < s.N; ++n)
        for (int64_t c = 0; c < s.C; ++c)
            for (int64_t h = 0; h < s.H; ++h)
                for (int64_t w = 0; w < s.W; ++w, ++flat) mask[flat] = p.key_of({n, c, h, w}) == key ? 1 : 0;
    return mask;
}

std::vector<KeyField> key_fields(const Partition& p, const Index& key) {
    static constexpr const char* kNames[kAxisCount] = {"n", "c", "h", "w"};
    auto dims = p.shape.dims();
    auto coords = key.coords();
    std::vector<KeyField> fields;
    for (int a = 0; a < kAxisCount; ++a) {
        bool reduced = p.reduced & (1u << a);
        bool grouped = reduced && p.block[a] != dims[a];
        if (reduced && !grouped) continue;
        // A partly reduced axis is a group index: GroupNorm's channel group "g", or the
        // device "d" of a BatchNorm split over devices.
        const char* grouped_name = a == static_cast<int>(Axis::N) ? "d" : "g";
        fields.push_back({grouped ? grouped_name : kNames[a], coords[a]});
    }
    return fields;
}

std::string key_to_string(const Partition& p, const Index& key) {
    std::string out;
    for (const KeyField& f : key_fields(p, key))
        out += (out.empty() ? "" : ", ") + std::string(f.name) + "=" + std::to_string(f.value);
    return out.empty() ? "all" : out;
}

std::string pooled_axis_name(const Partition& p, int a) {
    const std::string letter(1, kAxisLetters[a]);
    if (p.block[a] == p.shape.dims()[a]) return letter;
    return a == static_cast<int>(Axis::N) ? "N/D" : letter + "/G";
}

std::string pooled_axes_list(const Partition& p) {
    std::string out;
    for (int a = 0; a < kAxisCount; ++a)
        if (p.reduced & (1u << a)) out += (out.empty() ? "" : ", ") + pooled_axis_name(p, a);
    return out;
}

}  // namespace normviz::core
