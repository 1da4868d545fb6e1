// NormSpec: presets, axis sets, validation (the errors PyTorch raises) and descriptions.
#include "core/norm_spec.h"

#include <cctype>
#include <cmath>
#include <charconv>

#include "core/partition.h"

namespace normviz::core {

namespace {

// "N·H·W" for the axes in `axes` (the product that counts groups or group sizes).
std::string axes_product(AxisMask axes) {
    std::string out;
    for (int a = 0; a < kAxisCount; ++a) {
        if (!(axes & (1u << a))) continue;
        if (!out.empty()) out += "\u00b7";
        out += kAxisLetters[a];
    }
    return out;
}

std::string divisors_of(int64_t c) {
    std::string out;
    for (int64_t g = 1; g <= c && out.size() < 60; ++g)
        if (c % g == 0) out += (out.empty() ? "" : ", ") + std::to_string(g);
    return out;
}

}  // namespace

AxisMask reduced_axes(const NormSpec& spec) {
    return spec.kind == NormKind::Custom ? spec.custom_axes : norm_info(spec.kind).reduced;
}

bool is_centered(const NormSpec& spec) {
    return spec.kind == NormKind::Custom ? spec.custom_center : norm_info(spec.kind).centered;
}

const char* norm_name(NormKind kind) { return norm_info(kind).name; }

const char* norm_title(NormKind kind) { return norm_info(kind).title; }

Result<NormKind> parse_norm_name(const std::string& text) {
    for (NormKind k : kAllNormKinds)
        if (text == norm_name(k)) return k;
    std::string names;
    for (const NormInfo& n : kNorms) names += std::string(names.empty() ? "" : ", ") + n.name;
    return make_error("unknown norm '" + text + "'; choose one of " + names);
}

Result<AxisMask> parse_axes(const std::string& text) {
    if (text.empty()) return make_error("empty axes; name the reduced axes with letters from N, C, H, W, e.g. NHW");
    AxisMask mask = 0;
    for (char ch : text) {
        char up = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        int axis = -1;
        for (int a = 0; a < kAxisCount; ++a)
            if (kAxisLetters[a] == up) axis = a;
        if (axis < 0)
            return make_error("axes '" + text + "' contain '" + std::string(1, ch) +
                              "'; use only the letters N, C, H, W, e.g. NHW");
        if (mask & (1u << axis))
            return make_error("axes '" + text + "' name " + std::string(1, up) + " twice; name each axis at most once");
        mask |= AxisMask(1u << axis);
    }
    return mask;
}

std::string axes_to_string(AxisMask axes) {
    std::string out;
    for (int a = 0; a < kAxisCount; ++a)
        if (axes & (1u << a)) out += kAxisLetters[a];
    return out;
}

std::string axes_to_list(AxisMask axes) {
    std::string out;
    for (int a = 0; a < kAxisCount; ++a) {
        if (!(axes & (1u << a))) continue;
        if (!out.empty()) out += ", ";
        out += kAxisLetters[a];
    }
    return out;
}

Status validate(const NormSpec& spec, const Shape& shape) {
    if (!std::isfinite(spec.eps) || spec.eps < 0)
        return make_error("eps must be a finite number >= 0, got " + std::to_string(spec.eps));
    switch (spec.kind) {
        case NormKind::Batch:
            if (shape.N * shape.H * shape.W == 1)
                return make_error(
                    "BatchNorm needs more than one value per channel in training mode, "
                    "but shape " +
                    to_string(shape) +
                    " has N\u00b7H\u00b7W = 1 (PyTorch raises the same error); "
                    "use a batch of 2 or more, or another norm");
            break;
        case NormKind::Instance:
            if (shape.H * shape.W == 1)
                return make_error(
                    "InstanceNorm needs more than one spatial value per (n, c) in "
                    "training mode, but shape " +
                    to_string(shape) +
                    " has H\u00b7W = 1 (PyTorch raises the same error); "
                    "use H\u00b7W >= 2, or another norm");
            break;
        case NormKind::Group:
            if (spec.groups < 1)
                return make_error("GroupNorm needs G >= 1, got G = " + std::to_string(spec.groups) +
                                  "; choose G from the divisors of C = " + std::to_string(shape.C) + ": " +
                                  divisors_of(shape.C));
            if (shape.C % spec.groups != 0)
                return make_error("GroupNorm needs C divisible by G, but C = " + std::to_string(shape.C) +
                                  " is not divisible by G = " + std::to_string(spec.groups) + "; choose G from " +
                                  divisors_of(shape.C));
            break;
        case NormKind::Custom:
            if ((spec.custom_axes & kAllAxes) == 0)
                return make_error(
                    "a custom norm needs at least one reduced axis; "
                    "name them with letters from N, C, H, W, e.g. NHW");
            break;
        default: break;
    }
    return Ok{};
}

std::optional<NormKind> matching_preset(AxisMask axes, bool center) {
    // From the norm table; GroupNorm pools C only within its blocks, so no axis set is it.
    for (const NormInfo& n : kNorms)
        if (n.kind != NormKind::Group && n.kind != NormKind::Custom && n.reduced == axes && n.centered == center)
            return n.kind;
    return std::nullopt;
}

std::string describe(const NormSpec& spec, const Shape& shape) {
    AxisMask reduced = reduced_axes(spec);
    std::string title = norm_title(spec.kind);
    std::string pools;
    std::string groups_formula;
    if (spec.kind == NormKind::Group) {
        title += " (G=" + std::to_string(spec.groups) + ")";
        pools = "C/G,H,W";
        groups_formula = "N\u00b7G";
    } else {
        if (spec.kind == NormKind::Custom)
            title += " (" + axes_to_string(reduced) + (spec.custom_center ? "" : ", uncentred") + ")";
        pools = axes_to_string(reduced);
        std::string with_commas;
        for (char ch : pools) with_commas += (with_commas.empty() ? "" : ",") + std::string(1, ch);
        pools = with_commas;
        groups_formula = axes_product(AxisMask(~reduced & kAllAxes));
        if (groups_formula.empty()) groups_formula = "1";
    }
    if (!is_centered(spec)) pools += ", no centering";
    std::string out = title + ": pools " + pools;
    const bool bad_groups = spec.kind == NormKind::Group && (spec.groups < 1 || shape.C % spec.groups);
    if (bad_groups || (reduced & kAllAxes) == 0) return out;  // no partition to count
    Partition p = make_partition(spec, shape);
    int64_t groups = p.group_count();
    int64_t size = p.group_size();
    out += "; " + groups_formula + " = " + std::to_string(groups) + (groups == 1 ? " group of " : " groups of ") +
           std::to_string(size) + (size == 1 ? " value" : " values");
    return out;
}

std::string to_string(const NormSpec& spec) {
    std::string out = norm_name(spec.kind);
    if (spec.kind == NormKind::Group) out += " --groups " + std::to_string(spec.groups);
    if (spec.kind == NormKind::Custom) {
        out += " --axes " + axes_to_string(spec.custom_axes);
        if (!spec.custom_center) out += " --no-center";
    }
    if (spec.eps != 1e-5) {
        char buf[64];
        auto end = std::to_chars(buf, buf + sizeof buf, spec.eps).ptr;  // shortest round trip
        out += " --eps " + std::string(buf, end);
    }
    return out;
}

}  // namespace normviz::core
