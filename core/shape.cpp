// Shape and index math of a contiguous NCHW tensor; parsing of "N,C,H,W" text.
#include "core/shape.h"

#include <cerrno>
#include <cstdlib>
#include <vector>

#include "core/assert.h"

namespace normviz::core {

Strides contiguous_strides(const Shape& s) { return {s.C * s.H * s.W, s.H * s.W, s.W, 1}; }

int64_t flat_index(const Shape& s, const Index& i) {
    NORMVIZ_ASSERT(contains(s, i), "index outside the shape");
    return ((i.n * s.C + i.c) * s.H + i.h) * s.W + i.w;
}

Index unflat_index(const Shape& s, int64_t flat) {
    NORMVIZ_ASSERT(flat >= 0 && flat < s.numel(), "flat index outside the shape");
    Index i;
    i.w = flat % s.W;
    flat /= s.W;
    i.h = flat % s.H;
    flat /= s.H;
    i.c = flat % s.C;
    i.n = flat / s.C;
    return i;
}

bool contains(const Shape& s, const Index& i) {
    return i.n >= 0 && i.n < s.N && i.c >= 0 && i.c < s.C && i.h >= 0 && i.h < s.H && i.w >= 0 && i.w < s.W;
}

Status validate_shape(const Shape& s) {
    int64_t total = 1;
    for (int a = 0; a < kAxisCount; ++a) {
        int64_t e = s.dims()[a];
        if (e < 1)
            return make_error("shape " + to_string(s) + " has " + kAxisLetters[a] + " = " + std::to_string(e) +
                              "; every dimension must be at least 1");
        if (__builtin_mul_overflow(total, e, &total) || total > kMaxElements)
            return make_error("shape " + to_string(s) + " has too many elements; normviz holds at most " +
                              std::to_string(kMaxElements) + " values");
    }
    return Ok{};
}

namespace {

// Splits "a,b,c,d" into exactly four integers; `what` names the text in errors.
Result<std::array<int64_t, 4>> parse_four(const std::string& text, const char* what, const char* example) {
    std::vector<int64_t> values;
    const char* p = text.c_str();
    while (true) {
        char* end = nullptr;
        errno = 0;
        long long v = std::strtoll(p, &end, 10);
        if (end == p || errno == ERANGE)
            return make_error(std::string(what) + " '" + text + "' is not four integers; write it like " + example);
        values.push_back(v);
        p = end;
        if (*p == '\0') break;
        if (*p != ',')
            return make_error(std::string(what) + " '" + text + "' is not four integers; write it like " + example);
        ++p;
    }
    if (values.size() != 4)
        return make_error(std::string(what) + " '" + text + "' has " + std::to_string(values.size()) +
                          " numbers; write four, like " + example);
    return std::array<int64_t, 4>{values[0], values[1], values[2], values[3]};
}

}  // namespace

Result<Shape> parse_shape(const std::string& text) {
    auto four = parse_four(text, "shape", "4,6,4,4 (N,C,H,W)");
    if (!four) return four.error();
    auto v = four.value();
    Shape s{v[0], v[1], v[2], v[3]};
    if (auto ok = validate_shape(s); !ok) return ok.error();
    return s;
}

Result<Index> parse_index(const std::string& text) {
    auto four = parse_four(text, "index", "0,1,2,3 (n,c,h,w)");
    if (!four) return four.error();
    auto v = four.value();
    return Index{v[0], v[1], v[2], v[3]};
}

Result<std::vector<int64_t>> parse_integers(const std::string& text, size_t count, const std::string& what) {
    std::vector<int64_t> values;
    const char* p = text.c_str();
    while (*p != '\0') {
        char* end = nullptr;
        errno = 0;
        const long long v = std::strtoll(p, &end, 10);
        if (end == p || errno == ERANGE || (*end != ',' && *end != '\0'))
            return make_error(what + " '" + text + "' is not a list of integers like 2,3,4");
        values.push_back(v);
        p = *end == ',' ? end + 1 : end;
    }
    if (count != 0 && values.size() != count)
        return make_error(what + " '" + text + "' has " + std::to_string(values.size()) + " numbers; write " +
                          std::to_string(count));
    return values;
}

std::string to_string(const Shape& s) {
    return "(" + std::to_string(s.N) + ", " + std::to_string(s.C) + ", " + std::to_string(s.H) + ", " +
           std::to_string(s.W) + ")";
}

std::string to_string(const Index& i) {
    return "(" + std::to_string(i.n) + ", " + std::to_string(i.c) + ", " + std::to_string(i.h) + ", " +
           std::to_string(i.w) + ")";
}

}  // namespace normviz::core
