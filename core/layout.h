// Layouts: which axis of a file's array is N, which is C and which are spatial. normviz keeps
// every tensor in NCHW order; a layout only says how to read an array into that order and how
// to write one back, so partitions, statistics and pictures never depend on it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/shape.h"

namespace normviz::core {

// NCHW: images (PyTorch's default). NHWC: channels-last images. NCL: 1-d conv activations
// (N, C, L), read as (N, C, 1, L). NLC: a transformer's (batch, tokens, features), read as
// (N, C = features, 1, L = tokens). NC: (batch, features), read as (N, C, 1, 1).
enum class Layout { NCHW, NHWC, NCL, NLC, NC };
inline constexpr Layout kAllLayouts[] = {Layout::NCHW, Layout::NHWC, Layout::NCL, Layout::NLC, Layout::NC};

const char* layout_name(Layout layout);  // "NCHW", ...
// Case-insensitive name -> Layout. Error lists the five names.
Result<Layout> parse_layout(const std::string& text);
// Rank of the arrays a layout reads: 4, 4, 3, 3, 2.
int layout_rank(Layout layout);
// What normviz assumes without --layout: NC for rank 2, NCL for rank 3, NCHW for rank 4.
Layout default_layout(int rank);
// Whether C is the array's last axis (NHWC, NLC): reading and writing move values.
bool is_channels_last(Layout layout);

// The NCHW shape of an array with `dims` read as `layout`. Error (prefixed by `name`) when
// the rank does not match the layout, saying which layouts fit that rank.
Result<Shape> shape_in_layout(const std::vector<int64_t>& dims, Layout layout, const std::string& name);
// The array dims that `layout` gives a tensor of NCHW `shape` (the inverse of shape_in_layout).
// Precondition: shape fits the layout (H == 1 for NCL/NLC, H == W == 1 for NC).
std::vector<int64_t> dims_in_layout(const Shape& shape, Layout layout);
// The NCHW index of an element given by its coordinates in the array's order (e.g. (b, t, d)
// for NLC). Precondition: coords.size() == layout_rank(layout).
Index index_in_layout(const std::vector<int64_t>& coords, Layout layout);
// "(n, l, c) = (1, 5, 3)": an element's coordinates as the file's array orders them (the
// inverse of index_in_layout), with the layout's axis letters in lower case.
std::string index_in_words(const Index& index, Layout layout);
// Whether a tensor of `shape` can be written in `layout` (see dims_in_layout).
bool fits_layout(const Shape& shape, Layout layout);

// "read (4, 16, 64) as N=4, C=16, L=64 (NCL)": how the program understood an array.
std::string describe_reading(const std::vector<int64_t>& dims, Layout layout);
// "(N, C, H, W)", "(N, L, C)", ...: the meaning of a layout's axes in array order.
std::string layout_axes(Layout layout);

// Moves C-order values of an array in `layout` into NCHW order (`dst` has shape.numel()
// values), and back. For channels-first layouts this is a copy; for channels-last ones a
// blocked transpose of each sample's (H*W, C) matrix. Precondition: src != dst.
void to_nchw(const float* src, const Shape& shape, Layout layout, float* dst);
void to_nchw(const double* src, const Shape& shape, Layout layout, double* dst);
void from_nchw(const float* src, const Shape& shape, Layout layout, float* dst);
void from_nchw(const double* src, const Shape& shape, Layout layout, double* dst);
void from_nchw(const uint8_t* src, const Shape& shape, Layout layout, uint8_t* dst);

}  // namespace normviz::core
