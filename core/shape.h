// Shape (N, C, H, W) and the index math of a contiguous NCHW tensor.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace normviz::core {

enum class Axis { N = 0, C = 1, H = 2, W = 3 };
inline constexpr int kAxisCount = 4;
inline constexpr char kAxisLetters[kAxisCount + 1] = "NCHW";

// Extents of a 4-d tensor. All extents are >= 1 for a valid shape.
struct Shape {
    int64_t N = 1, C = 1, H = 1, W = 1;

    int64_t extent(Axis a) const { return dims()[static_cast<int>(a)]; }
    std::array<int64_t, 4> dims() const { return {N, C, H, W}; }
    int64_t numel() const { return N * C * H * W; }
    bool operator==(const Shape&) const = default;
};

// Coordinates of one element.
struct Index {
    int64_t n = 0, c = 0, h = 0, w = 0;
    std::array<int64_t, 4> coords() const { return {n, c, h, w}; }
    bool operator==(const Index&) const = default;
};

// Strides in elements of the contiguous NCHW layout.
struct Strides {
    int64_t stride_n, stride_c, stride_h, stride_w;
};
Strides contiguous_strides(const Shape& shape);

// Flat offset (in elements) of `index` in a contiguous NCHW tensor. Precondition: contains().
int64_t flat_index(const Shape& shape, const Index& index);
// Inverse of flat_index. Precondition: 0 <= flat < shape.numel().
Index unflat_index(const Shape& shape, int64_t flat);
bool contains(const Shape& shape, const Index& index);

// Largest element count normviz accepts (2^34 floats = 64 GiB); guards against overflow.
inline constexpr int64_t kMaxElements = int64_t{1} << 34;

// Checks every extent is >= 1 and the product fits kMaxElements, without overflowing.
Status validate_shape(const Shape& shape);

// "N,C,H,W" (e.g. "4,6,4,4") -> Shape, validated. Error names the text that was wrong.
Result<Shape> parse_shape(const std::string& text);
// "n,c,h,w" -> Index (not checked against a shape).
Result<Index> parse_index(const std::string& text);

// "2,7,16" -> {2, 7, 16}: comma-separated integers, exactly `count` of them (0: any number).
// Error names `what` and the text.
Result<std::vector<int64_t>> parse_integers(const std::string& text, size_t count, const std::string& what);

std::string to_string(const Shape& shape);  // "(4, 6, 4, 4)"
std::string to_string(const Index& index);  // "(0, 1, 2, 3)"

}  // namespace normviz::core
