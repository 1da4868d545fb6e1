// NormSpec: which normalization, over which axes, with which eps; parsing and describing it.
#pragma once

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>

#include "core/result.h"
#include "core/shape.h"

namespace normviz::core {

enum class NormKind { Batch, Layer, Instance, Group, LayerToken, Rms, Custom };

// A set of axes as bits: bit (1 << int(Axis)). N = 1, C = 2, H = 4, W = 8.
using AxisMask = uint8_t;
inline constexpr AxisMask axis_bit(Axis a) { return AxisMask(1u << static_cast<int>(a)); }
inline constexpr AxisMask kAllAxes = 0xF;

// The norm table: one row per NormKind, in its order. Adding a norm is a row here, its
// blocks in make_partition (core/partition.cpp) when they are not the reduced axes', and a
// PyTorch case in tools/make_fixtures.py (docs/ARCHITECTURE.md, "Adding things").
struct NormInfo {
    NormKind kind;
    const char* name;   // command lines and files: "batch"
    const char* title;  // panels and tables: "BatchNorm"
    AxisMask reduced;   // the axes it pools over (Custom: none here, its spec names them)
    bool centered;      // subtracts the mean (Custom: its spec says)
};
inline constexpr AxisMask kAxesN = axis_bit(Axis::N), kAxesC = axis_bit(Axis::C), kAxesH = axis_bit(Axis::H),
                          kAxesW = axis_bit(Axis::W);
inline constexpr NormInfo kNorms[] = {
    {NormKind::Batch, "batch", "BatchNorm", kAxesN | kAxesH | kAxesW, true},
    {NormKind::Layer, "layer", "LayerNorm", kAxesC | kAxesH | kAxesW, true},
    {NormKind::Instance, "instance", "InstanceNorm", kAxesH | kAxesW, true},
    // GroupNorm pools C only within a group of C / G channels (core/partition.h).
    {NormKind::Group, "group", "GroupNorm", kAxesC | kAxesH | kAxesW, true},
    {NormKind::LayerToken, "layer-token", "LayerNorm (token)", kAxesC, true},
    {NormKind::Rms, "rms", "RMSNorm", kAxesC, false},
    {NormKind::Custom, "custom", "Custom", 0, true},
};
inline constexpr int kNormCount = static_cast<int>(NormKind::Custom) + 1;
static_assert(std::size(kNorms) == kNormCount, "one row of kNorms per NormKind");
constexpr bool norm_rows_in_order() {
    for (int i = 0; i < kNormCount; ++i)
        if (static_cast<int>(kNorms[i].kind) != i) return false;
    return true;
}
static_assert(norm_rows_in_order(), "kNorms lists the kinds in NormKind's order");
inline constexpr NormKind kAllNormKinds[] = {NormKind::Batch,      NormKind::Layer, NormKind::Instance, NormKind::Group,
                                             NormKind::LayerToken, NormKind::Rms,   NormKind::Custom};
static_assert(std::size(kAllNormKinds) == kNormCount, "kAllNormKinds lists every NormKind");
inline constexpr const NormInfo& norm_info(NormKind kind) { return kNorms[static_cast<int>(kind)]; }

struct NormSpec {
    NormKind kind = NormKind::Batch;
    int64_t groups = 1;         // G, used by Group only
    AxisMask custom_axes = 0;   // reduced axes, used by Custom only
    bool custom_center = true;  // Custom only: subtract the mean (false: divide by RMS)
    double eps = 1e-5;

    bool operator==(const NormSpec&) const = default;
};

// Axes the norm reduces over. For Group, C is reduced only within a group (see partition.h).
AxisMask reduced_axes(const NormSpec& spec);
// Whether the norm subtracts the mean (all but Rms and uncentred Custom).
bool is_centered(const NormSpec& spec);

// "batch", "layer", "instance", "group", "layer-token", "rms", "custom".
const char* norm_name(NormKind kind);
// "BatchNorm", "LayerNorm", "InstanceNorm", "GroupNorm", "LayerNorm (token)", "RMSNorm",
// "Custom".
const char* norm_title(NormKind kind);
Result<NormKind> parse_norm_name(const std::string& text);

// Letters in any order and case, each of N, C, H, W at most once: "WN" -> N|W. Empty or
// unknown letters are an Error.
Result<AxisMask> parse_axes(const std::string& text);
// Canonical NCHW-ordered letters: N|W -> "NW".
std::string axes_to_string(AxisMask axes);
// "N, H, W" (for headers and descriptions).
std::string axes_to_list(AxisMask axes);

// Errors PyTorch raises and others that make the norm meaningless for `shape`:
// G < 1, C % G != 0, empty custom axes, batch with N*H*W == 1, instance with H*W == 1,
// eps negative or not finite.
Status validate(const NormSpec& spec, const Shape& shape);

// The preset whose partition and centering equal a custom axis set, if any:
// NHW -> batch, CHW -> layer, HW -> instance, C -> layer-token; C uncentred -> rms.
std::optional<NormKind> matching_preset(AxisMask axes, bool center);

// One line: "BatchNorm: pools N,H,W; C = 6 groups of 64 values".
std::string describe(const NormSpec& spec, const Shape& shape);

// Command-line style: "batch", "group --groups 2", "custom --axes NW --no-center", plus
// " --eps 0.001" when eps is not 1e-5.
std::string to_string(const NormSpec& spec);

}  // namespace normviz::core
