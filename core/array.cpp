// From a file's array to an NCHW tensor, and the 16-bit float conversions the readers need.
#include "core/array.h"

#include <bit>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace normviz::core {

Result<Tensor> tensor_from_array(Array&& array, std::optional<Layout> layout, const std::string& name) {
    const int rank = static_cast<int>(array.dims.size());
    if (rank < 2 || rank > 4) {
        std::string dims;
        for (size_t i = 0; i < array.dims.size(); ++i) dims += (i ? ", " : "") + std::to_string(array.dims[i]);
        return make_error(name + ": rank " + std::to_string(rank) + " array (" + dims + (rank == 1 ? ",)" : ")") +
                          "; normviz reads rank 2 (N, C), 3 (N, C, L) or (N, L, C), or 4 "
                          "(N, C, H, W) or (N, H, W, C); reshape before saving");
    }
    const Layout l = layout.value_or(default_layout(rank));
    Result<Shape> shape = shape_in_layout(array.dims, l, name);
    if (!shape) return shape.error();
    Tensor tensor;
    tensor.shape = shape.value();
    tensor.layout = l;
    tensor.source_dtype = array.dtype.empty() ? "float32" : array.dtype;
    if (!is_channels_last(l)) {
        tensor.data = std::move(array.values);  // already NCHW order: no copy
        tensor.data64 = std::move(array.values64);
        return tensor;
    }
    tensor.data.resize(array.values.size());
    to_nchw(array.values.data(), tensor.shape, l, tensor.data.data());
    if (!array.values64.empty()) {
        tensor.data64.resize(array.values64.size());
        to_nchw(array.values64.data(), tensor.shape, l, tensor.data64.data());
    }
    return tensor;
}

std::string describe_reading(const Tensor& tensor) {
    std::string text = describe_reading(source_dims(tensor), tensor.layout);
    const std::string& d = tensor.source_dtype;
    if (tensor.data.is_mapped()) return text + "; memory-mapped, not copied";
    if (d == "float32") return text;
    if (d == "float16" || d == "bfloat16") return text + "; " + d + ", exact in float32";
    if (d == "float64") return text + "; float64, statistics from the float64 values";
    return text + "; " + d + " converted to float32";
}

Status narrow_float64(Array& array, const std::string& name) {
    const std::vector<double>& wide = array.values64;
    array.values.resize(wide.size());
    for (size_t i = 0; i < wide.size(); ++i) {
        const float narrow = static_cast<float>(wide[i]);
        if (std::isinf(narrow) && std::isfinite(wide[i])) {
            // The C-order position as an index into the file's dims, numpy style.
            std::vector<int64_t> index(array.dims.size());
            int64_t rest = static_cast<int64_t>(i);
            for (size_t k = array.dims.size(); k-- > 0;) {
                const int64_t extent = array.dims[k] > 0 ? array.dims[k] : 1;
                index[k] = rest % extent;
                rest /= extent;
            }
            std::string where;
            for (size_t k = 0; k < index.size(); ++k) where += (k ? ", " : "") + std::to_string(index[k]);
            char value[32];
            const auto printed = std::to_chars(value, value + sizeof value, wide[i]);
            std::string message = name + ": float64 value " + std::string(value, printed.ptr) + " at index [" + where +
                                  "] exceeds the range of float32 (at "
                                  "most 3.4028235e+38 in magnitude), in which normviz computes "
                                  "and draws; rescale or clip the array before saving";
            for (char& ch : message) {
                if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
            }
            array.values.clear();
            array.values64.clear();
            return make_error(std::move(message));
        }
        array.values[i] = narrow;
    }
    return Ok{};
}

float half_to_float(uint16_t h) {
    const uint32_t sign = uint32_t(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1fu;
    uint32_t mantissa = h & 0x3ffu;
    if (exponent == 0x1f) return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
    if (exponent != 0) return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
    if (mantissa == 0) return std::bit_cast<float>(sign);
    // Subnormal: mantissa * 2^-24, exact in float32.
    const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return sign ? -magnitude : magnitude;
}

float bfloat16_to_float(uint16_t bits) { return std::bit_cast<float>(uint32_t(bits) << 16); }

uint16_t float_to_half(float value) {
    const uint32_t f = std::bit_cast<uint32_t>(value);
    const uint16_t sign = static_cast<uint16_t>((f >> 16) & 0x8000u);
    const uint32_t abs = f & 0x7fffffffu;
    if (abs >= 0x7f800000u)  // Inf or NaN (NaN keeps a quiet payload bit)
        return sign | 0x7c00u | (abs > 0x7f800000u ? 0x200u : 0u);
    if (abs >= 0x477ff000u) return sign | 0x7c00u;  // rounds past 65504: Inf
    if (abs < 0x38800000u) {
        // Below the smallest normal half (2^-14): a subnormal, value / 2^-24 rounded to even.
        const float scaled = std::bit_cast<float>(abs) * 0x1p24f;
        const float rounded = std::nearbyint(scaled);  // the default rounding mode: to even
        return sign | static_cast<uint16_t>(rounded);
    }
    // Normal: rebias the exponent, round the 13 dropped mantissa bits to nearest even.
    uint32_t half = ((abs >> 13) - (112u << 10));
    const uint32_t dropped = abs & 0x1fffu;
    if (dropped > 0x1000u || (dropped == 0x1000u && (half & 1u))) ++half;
    return sign | static_cast<uint16_t>(half);
}

}  // namespace normviz::core
