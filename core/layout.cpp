// Layout names, shapes and the channels-last <-> NCHW transposes.
#include "core/layout.h"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "core/assert.h"

namespace normviz::core {

const char* layout_name(Layout layout) {
    switch (layout) {
        case Layout::NCHW: return "NCHW";
        case Layout::NHWC: return "NHWC";
        case Layout::NCL: return "NCL";
        case Layout::NLC: return "NLC";
        case Layout::NC: return "NC";
    }
    return "?";
}

Result<Layout> parse_layout(const std::string& text) {
    std::string upper = text;
    for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    for (Layout layout : kAllLayouts) {
        if (upper == layout_name(layout)) return layout;
    }
    return make_error("unknown layout '" + text +
                      "'; use NCHW, NHWC (channels-last), NCL, NLC ((batch, tokens, features)) "
                      "or NC");
}

int layout_rank(Layout layout) {
    switch (layout) {
        case Layout::NCHW:
        case Layout::NHWC: return 4;
        case Layout::NCL:
        case Layout::NLC: return 3;
        case Layout::NC: return 2;
    }
    return 4;
}

Layout default_layout(int rank) { return rank == 2 ? Layout::NC : rank == 3 ? Layout::NCL : Layout::NCHW; }

bool is_channels_last(Layout layout) { return layout == Layout::NHWC || layout == Layout::NLC; }

namespace {

std::string dims_text(const std::vector<int64_t>& dims) {
    std::string out = "(";
    for (size_t i = 0; i < dims.size(); ++i) out += (i ? ", " : "") + std::to_string(dims[i]);
    return out + ")";
}

}  // namespace

Result<Shape> shape_in_layout(const std::vector<int64_t>& dims, Layout layout, const std::string& name) {
    const int rank = static_cast<int>(dims.size());
    if (rank != layout_rank(layout)) {
        std::string fits;
        for (Layout l : kAllLayouts) {
            if (layout_rank(l) == rank) fits += std::string(fits.empty() ? "" : " or ") + layout_name(l);
        }
        return make_error(name + ": layout " + layout_name(layout) + " reads rank " +
                          std::to_string(layout_rank(layout)) + " arrays, but the array " + dims_text(dims) +
                          " has rank " + std::to_string(rank) +
                          (fits.empty() ? "; normviz reads rank 2, 3 or 4" : "; use --layout " + fits));
    }
    switch (layout) {
        case Layout::NCHW: return Shape{dims[0], dims[1], dims[2], dims[3]};
        case Layout::NHWC: return Shape{dims[0], dims[3], dims[1], dims[2]};
        case Layout::NCL: return Shape{dims[0], dims[1], 1, dims[2]};
        case Layout::NLC: return Shape{dims[0], dims[2], 1, dims[1]};
        case Layout::NC: return Shape{dims[0], dims[1], 1, 1};
    }
    return Shape{};
}

bool fits_layout(const Shape& s, Layout layout) {
    switch (layout) {
        case Layout::NCHW:
        case Layout::NHWC: return true;
        case Layout::NCL:
        case Layout::NLC: return s.H == 1;
        case Layout::NC: return s.H == 1 && s.W == 1;
    }
    return false;
}

std::vector<int64_t> dims_in_layout(const Shape& s, Layout layout) {
    NORMVIZ_ASSERT(fits_layout(s, layout), "shape does not fit the layout");
    switch (layout) {
        case Layout::NCHW: return {s.N, s.C, s.H, s.W};
        case Layout::NHWC: return {s.N, s.H, s.W, s.C};
        case Layout::NCL: return {s.N, s.C, s.W};
        case Layout::NLC: return {s.N, s.W, s.C};
        case Layout::NC: return {s.N, s.C};
    }
    return {};
}

Index index_in_layout(const std::vector<int64_t>& v, Layout layout) {
    NORMVIZ_ASSERT(static_cast<int>(v.size()) == layout_rank(layout), "one coordinate per axis");
    switch (layout) {
        case Layout::NCHW: return {v[0], v[1], v[2], v[3]};
        case Layout::NHWC: return {v[0], v[3], v[1], v[2]};
        case Layout::NCL: return {v[0], v[1], 0, v[2]};
        case Layout::NLC: return {v[0], v[2], 0, v[1]};
        case Layout::NC: return {v[0], v[1], 0, 0};
    }
    return {};
}

std::string index_in_words(const Index& i, Layout layout) {
    std::vector<int64_t> v;
    switch (layout) {
        case Layout::NCHW: v = {i.n, i.c, i.h, i.w}; break;
        case Layout::NHWC: v = {i.n, i.h, i.w, i.c}; break;
        case Layout::NCL: v = {i.n, i.c, i.w}; break;
        case Layout::NLC: v = {i.n, i.w, i.c}; break;
        case Layout::NC: v = {i.n, i.c}; break;
    }
    const std::string l = layout_name(layout);
    std::string names = "(", values = "(";
    for (size_t k = 0; k < v.size(); ++k) {
        names += (k ? ", " : "") + std::string(1, static_cast<char>(std::tolower(static_cast<unsigned char>(l[k]))));
        values += (k ? ", " : "") + std::to_string(v[k]);
    }
    return names + ") = " + values + ")";
}

std::string layout_axes(Layout layout) {
    std::string out = "(";
    const std::string l = layout_name(layout);
    for (size_t i = 0; i < l.size(); ++i) out += (i ? ", " : "") + std::string(1, l[i]);
    return out + ")";
}

std::string describe_reading(const std::vector<int64_t>& dims, Layout layout) {
    const std::string l = layout_name(layout);
    std::string out = "read " + dims_text(dims) + " as ";
    // Name the axes in the array's order, so the reader sees which number became which axis.
    for (size_t i = 0; i < l.size() && i < dims.size(); ++i)
        out += (i ? ", " : "") + std::string(1, l[i]) + "=" + std::to_string(dims[i]);
    return out + " (" + l + ")";
}

namespace {

// dst[c * P + p] = src[p * C + c] for each sample: a (P, C) -> (C, P) transpose in tiles
// that stay in cache on both sides. Serial: it runs once per load or write.
template <class T>
void transpose_samples(const T* src, int64_t N, int64_t P, int64_t C, T* dst) {
    constexpr int64_t kTile = 32;
    for (int64_t n = 0; n < N; ++n) {
        const T* s = src + n * P * C;
        T* d = dst + n * P * C;
        for (int64_t p0 = 0; p0 < P; p0 += kTile) {
            const int64_t p1 = std::min(P, p0 + kTile);
            for (int64_t c0 = 0; c0 < C; c0 += kTile) {
                const int64_t c1 = std::min(C, c0 + kTile);
                for (int64_t p = p0; p < p1; ++p)
                    for (int64_t c = c0; c < c1; ++c) d[c * P + p] = s[p * C + c];
            }
        }
    }
}

// Both directions: a copy for channels-first layouts; for channels-last ones each sample's
// (P, C) matrix transposed to (C, P) into NCHW, or back with the roles of P and C swapped.
template <class T>
void reorder(const T* src, const Shape& s, Layout layout, T* dst, bool into_nchw) {
    NORMVIZ_ASSERT(src != dst, "reordering a layout cannot work in place");
    if (!is_channels_last(layout)) {
        std::memcpy(dst, src, static_cast<size_t>(s.numel()) * sizeof(T));
        return;
    }
    const int64_t P = s.H * s.W;
    if (into_nchw) transpose_samples(src, s.N, P, s.C, dst);
    else transpose_samples(src, s.N, s.C, P, dst);
}

}  // namespace

void to_nchw(const float* src, const Shape& s, Layout l, float* dst) { reorder(src, s, l, dst, true); }
void to_nchw(const double* src, const Shape& s, Layout l, double* dst) { reorder(src, s, l, dst, true); }
void from_nchw(const float* src, const Shape& s, Layout l, float* dst) { reorder(src, s, l, dst, false); }
void from_nchw(const double* src, const Shape& s, Layout l, double* dst) { reorder(src, s, l, dst, false); }
void from_nchw(const uint8_t* src, const Shape& s, Layout l, uint8_t* dst) { reorder(src, s, l, dst, false); }

}  // namespace normviz::core
