// Devices and padding as partitions: a device index in the key, a mask that excludes padded
// positions from every group. See scenarios.h for the contracts.
#include "core/scenarios.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "core/assert.h"

namespace normviz::core {

namespace {

std::string divisors_of(int64_t n) {
    std::string out;
    for (int64_t d = 1; d <= n && out.size() < 60; ++d)
        if (n % d == 0) out += (out.empty() ? "" : ", ") + std::to_string(d);
    return out;
}

NormSpec batch_spec(double eps) {
    NormSpec spec;
    spec.kind = NormKind::Batch;
    spec.eps = eps;
    return spec;
}

// Group number of (n, c, h, w) as g = gn[n] + gc[c] + gh[h] + gw[w]: the key's flat index,
// with the divisions done once per coordinate instead of once per element.
struct GroupTables {
    std::vector<int64_t> gn, gc, gh, gw;

    explicit GroupTables(const Partition& p) {
        const auto dims = p.shape.dims();
        const auto k = p.key_extents();
        const int64_t stride[4] = {k[1] * k[2] * k[3], k[2] * k[3], k[3], 1};
        std::vector<int64_t>* tables[4] = {&gn, &gc, &gh, &gw};
        for (int a = 0; a < kAxisCount; ++a) {
            tables[a]->resize(static_cast<size_t>(dims[a]));
            for (int64_t i = 0; i < dims[a]; ++i) (*tables[a])[static_cast<size_t>(i)] = (i / p.block[a]) * stride[a];
        }
    }
};

// Calls f(flat, group) for every element in memory order.
template <class F>
void for_each_group_element(const Partition& p, F&& f) {
    const GroupTables t(p);
    const Shape& s = p.shape;
    int64_t flat = 0;
    for (int64_t n = 0; n < s.N; ++n)
        for (int64_t c = 0; c < s.C; ++c)
            for (int64_t h = 0; h < s.H; ++h) {
                const int64_t base =
                    t.gn[static_cast<size_t>(n)] + t.gc[static_cast<size_t>(c)] + t.gh[static_cast<size_t>(h)];
                for (int64_t w = 0; w < s.W; ++w, ++flat) f(flat, base + t.gw[static_cast<size_t>(w)]);
            }
}

}  // namespace

Status validate_batch_split(const Shape& shape, int64_t parts, BatchSplit split) {
    const bool devices = split == BatchSplit::Devices;
    const std::string what = devices ? "devices" : "micro-batches";
    const std::string letter = devices ? "D" : "M";
    if (parts < 1)
        return make_error("splitting the batch " + std::string(devices ? "over " : "into ") + what + " needs " +
                          letter + " >= 1, got " + letter + " = " + std::to_string(parts) + "; use " + letter +
                          " = 1 (" + (devices ? "SyncBatchNorm" : "no accumulation") + ") or more");
    if (shape.N % parts != 0)
        return make_error("splitting a batch of N = " + std::to_string(shape.N) + " over " + letter + " = " +
                          std::to_string(parts) + " " + what + " needs N divisible by " + letter + "; choose " +
                          letter + " from " + divisors_of(shape.N));
    if ((shape.N / parts) * shape.H * shape.W == 1)
        return make_error(
            "BatchNorm needs more than one value per channel in training mode, "
            "but with " +
            letter + " = " + std::to_string(parts) + " " + what +
            " each gets 1 sample of H\u00b7W = 1 value (PyTorch raises the same "
            "error); use fewer " +
            what + " or a larger batch");
    return Ok{};
}

Partition make_device_partition(const Shape& shape, int64_t devices) {
    NORMVIZ_ASSERT(devices >= 1 && shape.N % devices == 0, "devices must divide N");
    Partition p = make_partition(batch_spec(1e-5), shape);
    p.block[static_cast<int>(Axis::N)] = shape.N / devices;
    return p;
}

Result<DeviceChannelStats> device_channel_stats(const Tensor& tensor, int64_t devices, int64_t channel) {
    NORMVIZ_ASSERT(channel >= 0 && channel < tensor.shape.C, "channel outside 0..C-1");
    if (auto ok = validate_batch_split(tensor.shape, devices); !ok) return ok.error();
    const std::vector<GroupStats> split = compute_group_stats(tensor, make_device_partition(tensor.shape, devices));
    const std::vector<GroupStats> synced = compute_group_stats(tensor, make_device_partition(tensor.shape, 1));
    DeviceChannelStats out;
    out.synced = synced[static_cast<size_t>(channel)];
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int64_t d = 0; d < devices; ++d) {
        const GroupStats& g = split[static_cast<size_t>(d * tensor.shape.C + channel)];
        out.per_device.push_back(g);
        lo = std::min(lo, g.mean);
        hi = std::max(hi, g.mean);
    }
    out.mean_spread = hi - lo;
    return out;
}

Result<Tensor> normalize_per_device(const Tensor& tensor, int64_t devices, double eps, const Affine& affine) {
    if (auto ok = validate_batch_split(tensor.shape, devices); !ok) return ok.error();
    NORMVIZ_ASSERT(eps >= 0, "eps must be >= 0");
    const Partition p = make_device_partition(tensor.shape, devices);
    std::vector<GroupStats> stats;
    Tensor out;
    normalize_with_stats_into(tensor, batch_spec(eps), p, affine, stats, out);
    return out;
}

Status validate_lengths(const Shape& shape, const std::vector<int64_t>& lengths) {
    if (static_cast<int64_t>(lengths.size()) != shape.N)
        return make_error("expected one valid length per sample (N = " + std::to_string(shape.N) + "), got " +
                          std::to_string(lengths.size()) + "; give N lengths, each in 1.." + std::to_string(shape.W));
    for (size_t n = 0; n < lengths.size(); ++n)
        if (lengths[n] < 1 || lengths[n] > shape.W)
            return make_error("valid length of sample " + std::to_string(n) + " is " + std::to_string(lengths[n]) +
                              ", outside 1..W = 1.." + std::to_string(shape.W) +
                              "; a sample keeps at least one position and at most W");
    return Ok{};
}

std::vector<uint8_t> make_padding_mask(const Shape& shape, const std::vector<int64_t>& lengths) {
    NORMVIZ_ASSERT(validate_lengths(shape, lengths).ok(), "lengths not validated");
    std::vector<uint8_t> mask(static_cast<size_t>(shape.numel()));
    size_t flat = 0;
    for (int64_t n = 0; n < shape.N; ++n)
        for (int64_t ch = 0; ch < shape.C * shape.H; ++ch)
            for (int64_t w = 0; w < shape.W; ++w, ++flat) mask[flat] = w < lengths[static_cast<size_t>(n)] ? 1 : 0;
    return mask;
}

void fill_padding(Tensor& tensor, const std::vector<int64_t>& lengths, float value) {
    const std::vector<uint8_t> mask = make_padding_mask(tensor.shape, lengths);
    for (size_t i = 0; i < mask.size(); ++i)
        if (!mask[i]) tensor.data[i] = value;
}

std::vector<GroupStats> compute_group_stats_masked(const Tensor& tensor, const Partition& partition,
                                                   const std::vector<uint8_t>& mask) {
    NORMVIZ_ASSERT(tensor.shape == partition.shape, "partition made for another shape");
    NORMVIZ_ASSERT(static_cast<int64_t>(tensor.data.size()) == tensor.shape.numel(),
                   "tensor data size does not match its shape");
    NORMVIZ_ASSERT(mask.size() == tensor.data.size(), "mask must have one entry per element");
    const size_t groups = static_cast<size_t>(partition.group_count());
    std::vector<int64_t> count(groups, 0);
    std::vector<double> sum(groups, 0.0), sum_sq(groups, 0.0), dev_sq(groups, 0.0);
    const float* x = tensor.data.data();
    for_each_group_element(partition, [&](int64_t f, int64_t g) {
        if (!mask[static_cast<size_t>(f)]) return;
        const double v = x[f];
        ++count[static_cast<size_t>(g)];
        sum[static_cast<size_t>(g)] += v;
        sum_sq[static_cast<size_t>(g)] += v * v;
    });
    std::vector<double> mean(groups);
    for (size_t g = 0; g < groups; ++g) mean[g] = sum[g] / static_cast<double>(count[g]);
    for_each_group_element(partition, [&](int64_t f, int64_t g) {
        if (!mask[static_cast<size_t>(f)]) return;
        const double d = x[f] - mean[static_cast<size_t>(g)];
        dev_sq[static_cast<size_t>(g)] += d * d;
    });
    std::vector<GroupStats> stats(groups);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for (size_t g = 0; g < groups; ++g) {
        if (count[g] == 0) {
            stats[g] = {0, nan, nan, nan};
            continue;
        }
        const double n = static_cast<double>(count[g]);
        stats[g] = {count[g], mean[g], dev_sq[g] / n, sum_sq[g] / n};
    }
    return stats;
}

Tensor normalize_masked(const Tensor& input, const NormSpec& spec, const Partition& partition,
                        const std::vector<GroupStats>& stats, const std::vector<uint8_t>& mask, const Affine& affine,
                        float excluded_value) {
    const Shape& s = input.shape;
    NORMVIZ_ASSERT(partition.shape == s, "partition made for another shape");
    NORMVIZ_ASSERT(static_cast<int64_t>(input.data.size()) == s.numel(), "tensor data size does not match its shape");
    NORMVIZ_ASSERT(static_cast<int64_t>(stats.size()) == partition.group_count(), "stats size");
    NORMVIZ_ASSERT(mask.size() == input.data.size(), "mask must have one entry per element");
    NORMVIZ_ASSERT(affine.gamma.empty() || static_cast<int64_t>(affine.gamma.size()) == s.C,
                   "gamma must have C values");
    NORMVIZ_ASSERT(affine.beta.empty() || static_cast<int64_t>(affine.beta.size()) == s.C, "beta must have C values");
    const bool centered = is_centered(spec);
    Tensor out = make_tensor(s);
    out.layout = input.layout;
    const int64_t plane = s.H * s.W;
    for_each_group_element(partition, [&](int64_t f, int64_t g) {
        const size_t i = static_cast<size_t>(f);
        if (!mask[i]) {
            out.data[i] = excluded_value;
            return;
        }
        const size_t c = static_cast<size_t>((f / plane) % s.C);
        double v = normalize_value(input.data[i], stats[static_cast<size_t>(g)], centered, spec.eps);
        if (!affine.gamma.empty()) v *= affine.gamma[c];
        if (!affine.beta.empty()) v += affine.beta[c];
        out.data[i] = static_cast<float>(v);
    });
    return out;
}

Result<std::vector<PaddingEffect>> padding_effect(const Tensor& tensor, const std::vector<int64_t>& lengths) {
    if (auto ok = validate_lengths(tensor.shape, lengths); !ok) return ok.error();
    const Partition p = make_partition(batch_spec(1e-5), tensor.shape);
    const std::vector<GroupStats> naive = compute_group_stats(tensor, p);
    const std::vector<GroupStats> masked =
        compute_group_stats_masked(tensor, p, make_padding_mask(tensor.shape, lengths));
    std::vector<PaddingEffect> out(naive.size());
    for (size_t c = 0; c < out.size(); ++c) {
        out[c].naive = naive[c];
        out[c].masked = masked[c];
        out[c].mean_shift = naive[c].mean - masked[c].mean;
        out[c].var_ratio = naive[c].var / masked[c].var;
    }
    return out;
}

}  // namespace normviz::core
