// Edits of one sample of a batch, to watch BatchNorm move while the norms that stay inside a
// sample do not: remove it, swap it with the next, or replace it with an outlier, a padded
// sequence or a sample from another domain. Each returns a new tensor; the other samples keep
// their values bit for bit (float64 values too).
#pragma once

#include <cstdint>

#include "core/result.h"
#include "core/tensor.h"

namespace normviz::core {

enum class SampleEdit {
    Remove,    // the batch loses the sample (N - 1)
    SwapNext,  // the sample and the next one trade places
    Outlier,   // the sample's values times kOutlierScale (an over-exposed image, a loud clip)
    Padded,    // values at w >= ceil(W / 2) set to 0 (a sequence half as long, padded)
    Shifted,   // the sample's values plus kDomainShift (data from another domain)
};
inline constexpr double kOutlierScale = 8.0;
inline constexpr double kDomainShift = 2.0;

const char* sample_edit_name(SampleEdit edit);  // "remove", "swap with the next", ...

// The tensor with `edit` applied to sample `n`. Errors: n outside the batch, removing the only
// sample, swapping the last sample.
Result<Tensor> edit_sample(const Tensor& tensor, int64_t n, SampleEdit edit);

}  // namespace normviz::core
