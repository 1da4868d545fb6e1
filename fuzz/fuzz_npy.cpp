// libFuzzer target for the .npy reader: core::parse_npy on the input under both integer
// policies; when it parses a small tensor, one norm (chosen by the input) normalizes it.
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <vector>

#include "core/assert.h"
#include "core/normalize.h"
#include "core/npy.h"

namespace {

using namespace normviz::core;

// Normalization costs O(numel); keep each run fast so the fuzzer explores headers instead.
constexpr int64_t kMaxNormalizedElements = 4096;

void check_parsed(const Tensor& tensor, const uint8_t* data, size_t size) {
    NORMVIZ_ASSERT(static_cast<int64_t>(tensor.data.size()) == tensor.shape.numel(),
                   "parse_npy returns shape.numel() values");
    NORMVIZ_ASSERT(layout_rank(tensor.layout) >= 2 && layout_rank(tensor.layout) <= 4, "rank 2..4");
    // Every value came from the file: an item is at least one byte.
    NORMVIZ_ASSERT(tensor.data.size() <= size, "no more values than the file has bytes");
    if (tensor.shape.numel() > kMaxNormalizedElements) return;

    // One norm per input, picked by its last byte, so every norm gets explored.
    NormSpec spec;
    const uint8_t pick = data[size - 1];
    spec.kind = kAllNormKinds[pick % std::size(kAllNormKinds)];
    spec.groups = 1 + (pick >> 3) % 4;
    spec.custom_axes = AxisMask(1 + (pick >> 3) % 15);
    spec.custom_center = (pick & 0x80) == 0;
    Result<Tensor> out = normalize(tensor, spec, {}, /*threads=*/1);
    if (out) {
        NORMVIZ_ASSERT(out.value().shape == tensor.shape, "normalize keeps the shape");
        NORMVIZ_ASSERT(out.value().data.size() == tensor.data.size(), "one output per input");
    } else {
        NORMVIZ_ASSERT(!out.error().message.empty(), "an error has a message");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::vector<uint8_t> bytes(data, data + size);
    for (IntegerPolicy policy : {IntegerPolicy::Refuse, IntegerPolicy::Convert}) {
        Result<Tensor> tensor = parse_npy(bytes, "fuzz.npy", policy);
        if (tensor) {
            check_parsed(tensor.value(), data, size);
        } else {
            NORMVIZ_ASSERT(!tensor.error().message.empty(), "an error has a message");
            for (char ch : tensor.error().message) {
                NORMVIZ_ASSERT(static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f,
                               "error messages are one printable line");
            }
        }
    }
    return 0;
}
