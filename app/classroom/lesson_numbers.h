// The numbers each lesson step shows, computed from the data with core: group counts, G from
// 1 to C, the two LayerNorms and RMSNorm, batch size, running statistics and eval mode,
// padding, devices and micro-batches, fine-tuning drift. Pure functions (no ImGui, no GL), so
// tests check every lesson's claim against a direct computation.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/batch_stream.h"
#include "core/generators.h"
#include "core/running_stats.h"
#include "core/shape.h"
#include "core/tensor.h"

namespace normviz::app {

// What a claim is computed from: the scene's tensor and settings, and the step's params.
struct ClaimInputs {
    const core::Tensor* tensor = nullptr;  // the scene's tensor (not null)
    core::Index focus;
    int64_t groups = 2;
    double eps = 1e-5;
    int64_t devices = 1;
    std::vector<int64_t> lengths;
    core::Generator generator = core::Generator::PerChannel;
    uint64_t seed = 1;
    std::map<std::string, double> params;
};

struct ClaimRow {
    std::string label;
    std::string value;
};

struct ClaimResult {
    std::string headline;                  // the claim in one sentence, with its number
    std::vector<ClaimRow> rows;            // a small table of the numbers behind it
    std::map<std::string, double> values;  // the same numbers by name (tests, CSV)
    std::string error;                     // why it cannot be shown for this data; else empty
};

// Claim names a lesson step may use.
std::span<const char* const> lesson_claim_names();

// Computes claim `name` (one of lesson_claim_names()) for `in`. Data that does not fit the
// claim (N not divisible by the devices, no lengths, ...) gives `error`, never NaN without a
// word. Precondition: in.tensor valid, focus inside its shape.
ClaimResult compute_claim(const std::string& name, const ClaimInputs& in);

}  // namespace normviz::app
