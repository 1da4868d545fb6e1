// An array as a file holds it (dims in the file's order, values in C order), before a layout
// says which axis is N, C, H or W; and the step from an array to a tensor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/layout.h"
#include "core/result.h"
#include "core/tensor.h"

namespace normviz::core {

struct Array {
    std::vector<int64_t> dims;     // the file's shape, e.g. (8, 128, 768)
    FloatValues values;            // C order, every value rounded to float32 (exact for f16/bf16)
    std::vector<double> values64;  // C order, the exact values when the file held float64
    std::string dtype;             // what the file held: "float32", "float16", "int64", ...
};

// The tensor of `array` read as `layout` (default_layout of its rank when nullopt): values
// moved into NCHW order, float64 values kept in data64. `array` is consumed. Error (prefixed
// by `name`) when the rank does not fit the layout.
Result<Tensor> tensor_from_array(Array&& array, std::optional<Layout> layout, const std::string& name);

// How the program read the tensor's source, in words: describe_reading of its dims and
// layout, plus what became of its dtype when that was not float32, e.g. "read (2, 7, 16) as
// N=2, L=7, C=16 (NLC); float16, exact in float32" or "...; int64 converted to float32".
std::string describe_reading(const Tensor& tensor);

// Fills array.values (float32: what the views, colour scales and float32 writers use) from
// array.values64. A finite float64 value beyond float32's range would become +-Inf there
// without a word, so the first one is an Error instead: one line naming `name`, the value's
// index in array.dims (C order) and the value. NaN and Inf stay what they are; values below
// float32's smallest subnormal become 0 there (statistics use values64).
Status narrow_float64(Array& array, const std::string& name);

// float16 / bfloat16 bits -> float32, exactly (subnormals, Inf and NaN included).
float half_to_float(uint16_t bits);
float bfloat16_to_float(uint16_t bits);
// float32 -> float16 bits, rounded to nearest even (overflow gives Inf), as numpy's astype.
uint16_t float_to_half(float value);

}  // namespace normviz::core
