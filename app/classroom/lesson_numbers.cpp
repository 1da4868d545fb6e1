// Each lesson's claim, computed from the data with core's partitions, statistics, scenarios
// and running statistics; nothing here re-implements a norm.
#include "app/classroom/lesson_numbers.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/classroom/lessons.h"
#include "app/view/number_format.h"
#include "core/group_values.h"
#include "core/norm_spec.h"
#include "core/normalize.h"
#include "core/partition.h"
#include "core/scenarios.h"
#include "core/stats.h"

namespace normviz::app {

namespace {

constexpr const char* kClaims[] = {"group_counts", "group_sweep", "layer_token_rms", "batch_size", "running_stats",
                                   "padding",      "devices",     "finetune",        "costs",      "training_sweep"};

std::string num(double v) { return format_number(v); }
std::string count(int64_t v) { return std::to_string(v); }

double param(const ClaimInputs& in, const char* key, double fallback) {
    auto it = in.params.find(key);
    return it == in.params.end() ? fallback : it->second;
}

core::NormSpec spec_of(core::NormKind kind, const ClaimInputs& in) {
    core::NormSpec s;
    s.kind = kind;
    if (kind == core::NormKind::Group) s.groups = in.groups;
    s.eps = in.eps;
    return s;
}

// Statistics of the focus's group under `spec`, or the error that stops it.
struct FocusStats {
    std::string error;
    core::Partition partition;
    core::GroupStats stats;
    double xhat = 0;
};
FocusStats focus_stats(const core::Tensor& t, const core::NormSpec& spec, const core::Index& focus) {
    FocusStats f;
    if (auto ok = core::validate(spec, t.shape); !ok) {
        f.error = ok.error().message;
        return f;
    }
    f.partition = core::make_partition(spec, t.shape);
    auto stats = core::compute_group_stats(t, f.partition);
    f.stats = stats[f.partition.group_of(focus)];
    f.xhat = core::normalize_value(t.at(focus), f.stats, core::is_centered(spec), spec.eps);
    return f;
}

bool same_groups(const core::Partition& a, const core::Partition& b) {
    const int64_t n = a.shape.numel();
    for (int64_t i = 0; i < n; ++i)
        if (a.group_of_flat(i) != b.group_of_flat(i)) return false;
    return true;
}

// ---- 1. The four norms ---------------------------------------------------------------------
ClaimResult group_counts(const ClaimInputs& in) {
    ClaimResult r;
    const core::Shape& s = in.tensor->shape;
    struct Row {
        core::NormKind kind;
        const char* formula;
        int64_t expected;
    } rows[] = {{core::NormKind::Batch, "C", s.C},
                {core::NormKind::Layer, "N", s.N},
                {core::NormKind::Instance, "N\u00b7C", s.N * s.C},
                {core::NormKind::Group, "N\u00b7G", s.N * in.groups}};
    std::string headline = "Mean/variance pairs kept:";
    for (const Row& row : rows) {
        const core::NormSpec spec = spec_of(row.kind, in);
        std::string title = core::norm_title(row.kind);
        if (row.kind == core::NormKind::Group) title += " (G=" + std::to_string(in.groups) + ")";
        if (auto ok = core::validate(spec, s); !ok) {
            r.rows.push_back({title, ok.error().message});
            continue;
        }
        const core::Partition p = core::make_partition(spec, s);
        r.values[std::string("groups.") + core::norm_name(row.kind)] = double(p.group_count());
        r.values[std::string("size.") + core::norm_name(row.kind)] = double(p.group_size());
        r.rows.push_back({title, std::string(row.formula) + " = " + count(p.group_count()) + " pairs, each over " +
                                     core::group_size_formula(p) + " values"});
        headline +=
            std::string(" ") + core::norm_title(row.kind) + " " + row.formula + " = " + count(row.expected) + ",";
    }
    headline.back() = '.';
    r.headline = headline;
    return r;
}

// ---- 2. GroupNorm's G from 1 to C ---------------------------------------------------------
ClaimResult group_sweep(const ClaimInputs& in) {
    ClaimResult r;
    const core::Tensor& t = *in.tensor;
    const core::Shape& s = t.shape;
    if (s.numel() > (int64_t{1} << 22)) {
        r.error = "the tensor is too large to compare every grouping; use a small shape";
        return r;
    }
    const core::Partition layer = core::make_partition(spec_of(core::NormKind::Layer, in), s);
    std::optional<core::Partition> instance;
    if (core::validate(spec_of(core::NormKind::Instance, in), s))
        instance = core::make_partition(spec_of(core::NormKind::Instance, in), s);
    for (int64_t g = 1; g <= s.C; ++g) {
        if (s.C % g != 0) continue;
        core::NormSpec spec = spec_of(core::NormKind::Group, in);
        spec.groups = g;
        const core::Partition p = core::make_partition(spec, s);
        std::string note;
        if (same_groups(p, layer)) {
            note = " = LayerNorm's groups";
            if (g == 1) r.values["same.g1_layer"] = 1;
        }
        if (instance && same_groups(p, *instance)) {
            note += " = InstanceNorm's groups";
            if (g == s.C) r.values["same.gC_instance"] = 1;
        }
        r.values["groups.g" + std::to_string(g)] = double(p.group_count());
        r.rows.push_back({"G = " + std::to_string(g) + (g == in.groups ? "  (shown)" : ""),
                          count(p.group_count()) + " groups of " + core::group_size_formula(p) + note});
    }
    if (!r.values.count("same.g1_layer")) r.values["same.g1_layer"] = 0;
    if (!r.values.count("same.gC_instance")) r.values["same.gC_instance"] = 0;
    // The focus's numbers under G = 1 and LayerNorm, G = C and InstanceNorm.
    core::NormSpec g1 = spec_of(core::NormKind::Group, in), gc = g1;
    g1.groups = 1;
    gc.groups = s.C;
    FocusStats a = focus_stats(t, g1, in.focus), b = focus_stats(t, spec_of(core::NormKind::Layer, in), in.focus);
    r.rows.push_back({"focus mean, G = 1 | LayerNorm", num(a.stats.mean) + " | " + num(b.stats.mean)});
    FocusStats c = focus_stats(t, gc, in.focus), d = focus_stats(t, spec_of(core::NormKind::Instance, in), in.focus);
    if (c.error.empty() && d.error.empty())
        r.rows.push_back({"focus mean, G = C | InstanceNorm", num(c.stats.mean) + " | " + num(d.stats.mean)});
    r.headline = std::string("G = 1 pools the same values as LayerNorm (") +
                 (r.values["same.g1_layer"] ? "checked on this tensor" : "NOT equal here") +
                 "); G = C = " + std::to_string(s.C) + " pools the same as InstanceNorm (" +
                 (r.values["same.gC_instance"] ? "checked" : "not equal here") + ").";
    return r;
}

// ---- 3. Two LayerNorms and RMSNorm ---------------------------------------------------------
ClaimResult layer_token_rms(const ClaimInputs& in) {
    ClaimResult r;
    const core::Tensor& t = *in.tensor;
    FocusStats layer = focus_stats(t, spec_of(core::NormKind::Layer, in), in.focus);
    FocusStats token = focus_stats(t, spec_of(core::NormKind::LayerToken, in), in.focus);
    FocusStats rms = focus_stats(t, spec_of(core::NormKind::Rms, in), in.focus);
    const bool same = same_groups(token.partition, rms.partition);
    r.values["count.layer"] = double(layer.stats.count);
    r.values["count.token"] = double(token.stats.count);
    r.values["count.rms"] = double(rms.stats.count);
    r.values["same.token_rms"] = same ? 1 : 0;
    r.values["mean.token"] = token.stats.mean;
    r.values["mean_sq.rms"] = rms.stats.mean_sq;
    r.values["xhat.token"] = token.xhat;
    r.values["xhat.rms"] = rms.xhat;
    r.rows.push_back({"LayerNorm (CNN) pools", count(layer.stats.count) + " values: C\u00b7H\u00b7W of sample n"});
    r.rows.push_back({"LayerNorm (token) pools", count(token.stats.count) + " values: C at position (h, w)"});
    r.rows.push_back(
        {"RMSNorm pools", count(rms.stats.count) + " values, " + (same ? "the same cells" : "other cells")});
    r.rows.push_back({"mean | RMS", num(token.stats.mean) + " | " + num(std::sqrt(rms.stats.mean_sq))});
    r.rows.push_back({"focus: LN(token) | RMS", num(token.xhat) + " | " + num(rms.xhat)});
    r.rows.push_back({"focus: LayerNorm (CNN)", num(layer.xhat)});
    // Per token: how far LayerNorm's and RMSNorm's outputs land apart, for the token whose mean
    // is farthest from zero (relative to its RMS) and for the one whose mean is nearest.
    if (layer.error.empty() && token.error.empty() && rms.error.empty()) {
        const core::NormSpec ts = spec_of(core::NormKind::LayerToken, in), rs = spec_of(core::NormKind::Rms, in);
        const auto token_stats = core::compute_group_stats(t, token.partition);
        const auto rms_stats = core::compute_group_stats(t, rms.partition);
        std::vector<double> ratio(token_stats.size()), diff(token_stats.size(), 0.0);
        for (size_t g = 0; g < token_stats.size(); ++g)
            ratio[g] = std::fabs(token_stats[g].mean) / std::sqrt(std::max(rms_stats[g].mean_sq, 1e-300));
        for (int64_t i = 0; i < t.shape.numel(); ++i) {
            const core::Index at = core::unflat_index(t.shape, i);
            const int64_t g = token.partition.group_of(at);
            const double x = t.at(at);
            diff[g] = std::max(diff[g], std::fabs(core::normalize_value(x, token_stats[g], true, ts.eps) -
                                                  core::normalize_value(x, rms_stats[g], false, rs.eps)));
        }
        const size_t far = std::max_element(ratio.begin(), ratio.end()) - ratio.begin();
        const size_t near = std::min_element(ratio.begin(), ratio.end()) - ratio.begin();
        r.values["diff.far_token"] = diff[far];
        r.values["diff.near_token"] = diff[near];
        r.values["mean_over_rms.far_token"] = ratio[far];
        r.values["mean_over_rms.near_token"] = ratio[near];
        r.rows.push_back({"token with mean farthest from 0",
                          "|mean|/RMS " + num(ratio[far]) + ": LN and RMS outputs differ by up to " + num(diff[far])});
        r.rows.push_back({"token with mean nearest 0",
                          "|mean|/RMS " + num(ratio[near]) + ": outputs differ by up to " + num(diff[near])});
    }
    r.headline = "RMSNorm pools the same " + count(rms.stats.count) +
                 " values as the transformer LayerNorm and only skips subtracting their mean (" +
                 num(token.stats.mean) + " here).";
    return r;
}

// ---- 4. Batch size ---------------------------------------------------------------------------
ClaimResult batch_size(const ClaimInputs& in) {
    ClaimResult r;
    const core::Tensor& t = *in.tensor;
    const core::Shape& s = t.shape;
    FocusStats layer = focus_stats(t, spec_of(core::NormKind::Layer, in), in.focus);
    FocusStats inst = focus_stats(t, spec_of(core::NormKind::Instance, in), in.focus);
    FocusStats group = focus_stats(t, spec_of(core::NormKind::Group, in), in.focus);
    // Sub-batches that keep the focus's sample: it first, then the others in order.
    std::vector<int64_t> order{in.focus.n};
    for (int64_t n = 0; n < s.N; ++n)
        if (n != in.focus.n) order.push_back(n);
    std::vector<int64_t> sizes;
    for (int64_t k = s.N; k >= 1; k /= 2) sizes.push_back(k);
    if (sizes.back() != 1) sizes.push_back(1);
    core::Index f = in.focus;
    f.n = 0;
    for (int64_t k : sizes) {
        core::Tensor sub = take_samples(t, std::vector<int64_t>(order.begin(), order.begin() + k));
        FocusStats b = focus_stats(sub, spec_of(core::NormKind::Batch, in), f);
        const std::string label = "N = " + count(k) + ": BatchNorm";
        if (!b.error.empty()) {  // the headline gives the whole sentence; the table the gist
            r.rows.push_back({label, "no variance: " + count(k * s.H * s.W) + " value per channel"});
            r.values["bn_error.n" + count(k)] = 1;
            continue;
        }
        r.values["bn_mean.n" + count(k)] = b.stats.mean;
        r.values["bn_var.n" + count(k)] = b.stats.var;
        r.rows.push_back({label, "mean " + num(b.stats.mean) + ", var " + num(b.stats.var) + " over " +
                                     count(b.stats.count) + " values"});
    }
    auto other = [&](const char* title, const FocusStats& fs, const char* key, int64_t pooled) {
        if (!fs.error.empty()) {
            r.rows.push_back({std::string("any N: ") + title, "no variance: " + count(pooled) + " value per group"});
            return;
        }
        r.values[std::string("mean.") + key] = fs.stats.mean;
        r.rows.push_back({std::string("any N: ") + title, "mean " + num(fs.stats.mean) + ", var " + num(fs.stats.var)});
    };
    other("LayerNorm", layer, "layer", s.C * s.H * s.W);
    other("InstanceNorm", inst, "instance", s.H * s.W);
    other("GroupNorm", group, "group", s.C / std::max<int64_t>(in.groups, 1) * s.H * s.W);
    if (auto ok = core::validate(spec_of(core::NormKind::Batch, in), s); !ok) {
        r.headline = ok.error().message;
    } else {
        r.headline =
            "BatchNorm's statistics of the focus change with the batch; LayerNorm, InstanceNorm and "
            "GroupNorm use only sample n = " +
            count(in.focus.n) + ", so they stay put.";
    }
    return r;
}

// ---- 5. Running statistics, eval mode, train/eval gap ----------------------------------------
ClaimResult running_stats(const ClaimInputs& in) {
    ClaimResult r;
    const core::Tensor& t = *in.tensor;
    const core::Shape& s = t.shape;
    const int batches = std::clamp(static_cast<int>(param(in, "batches", 20)), 1, 500);
    const int64_t bs = std::clamp<int64_t>(static_cast<int64_t>(param(in, "batch_size", double(s.N))), 1, 4096);
    const double momentum = param(in, "momentum", core::kDefaultMomentum);
    if (auto ok = core::validate_momentum(momentum); !ok) {
        r.error = ok.error().message;
        return r;
    }
    if (int64_t(batches) * bs * s.C * s.H * s.W > core::kMaxStreamElements) {
        r.error = "the batch stream would be too large; use fewer or smaller batches";
        return r;
    }
    // The scene's seed: the stream shares the scene tensor's channel offsets and scales.
    auto stream = make_batch_stream(s, bs, batches, in.generator, in.seed);
    const int64_t c = in.focus.c;
    core::RunningStats running(s.C, momentum);
    for (int i = 0; i < batches; ++i) {
        if (auto ok = running.update(stream[i]); !ok) {
            r.error = ok.error().message;
            return r;
        }
        const int k = i + 1;
        if (k == 1 || k == 2 || k == 5 || k == 10 || k == 20 || k == 50 || k == batches)
            r.rows.push_back({"after " + std::to_string(k) + (k == 1 ? " batch" : " batches"),
                              "running mean " + num(running.mean()[c]) + ", var " + num(running.var()[c])});
    }
    // The stream's own channel statistics, pooled over every batch (what running stats track).
    core::Shape all = s;
    all.N = bs * batches;
    core::Tensor joined = core::make_tensor(all);
    for (int i = 0; i < batches; ++i)
        std::copy(stream[i].data.begin(), stream[i].data.end(),
                  joined.data.begin() + int64_t(i) * bs * s.C * s.H * s.W);
    auto pooled = core::compute_group_stats(joined, core::make_partition(spec_of(core::NormKind::Batch, in), all));
    r.rows.push_back(
        {"whole stream, channel " + count(c), "mean " + num(pooled[c].mean) + ", var " + num(pooled[c].var)});
    r.values["running_mean"] = running.mean()[c];
    r.values["running_var"] = running.var()[c];
    r.values["stream_mean"] = pooled[c].mean;

    // Eval mode: the focus is normalized with running statistics; no value of this batch pooled.
    auto eval = core::normalize_eval(t, running, in.eps);
    if (eval) {
        r.values["y_eval"] = eval.value().at(in.focus);
        r.rows.push_back({"eval mode, focus y", num(eval.value().at(in.focus)) + " (pools 0 values of this batch)"});
    }
    FocusStats train = focus_stats(t, spec_of(core::NormKind::Batch, in), in.focus);
    if (train.error.empty()) {
        r.values["y_train"] = train.xhat;
        r.rows.push_back({"train mode, focus y", num(train.xhat) + " (pools " + count(train.stats.count) + " values)"});
    }
    // Served at batch 1 in train mode: one sample's own statistics against the running ones.
    core::Tensor one = take_samples(t, {in.focus.n});
    auto gap1 = core::train_eval_gap(one, running, in.eps);
    if (gap1) {
        r.values["gap_batch1"] = gap1.value().max_abs_diff;
        r.rows.push_back({"train vs eval, batch 1", "outputs differ by up to " + num(gap1.value().max_abs_diff)});
    } else {
        r.rows.push_back({"train vs eval, batch 1", gap1.error().message});
    }
    auto gapn = core::train_eval_gap(t, running, in.eps);
    if (gapn && s.N > 1) {
        r.values["gap_batchN"] = gapn.value().max_abs_diff;
        r.rows.push_back(
            {"train vs eval, batch " + count(s.N), "outputs differ by up to " + num(gapn.value().max_abs_diff)});
    }
    r.headline =
        "After " + std::to_string(batches) + " batches (momentum " + num(momentum) + ") the running mean of channel " +
        count(c) + " is " + num(running.mean()[c]) + "; a batch of 1 in train mode " +
        (gap1 ? "gives outputs up to " + num(gap1.value().max_abs_diff) + " away from eval mode." : "cannot run.");
    return r;
}

// ---- 6. Padding ------------------------------------------------------------------------------
ClaimResult padding(const ClaimInputs& in) {
    ClaimResult r;
    const core::Tensor& t = *in.tensor;
    if (in.lengths.empty()) {
        r.error = "this scene has no padding (set \"lengths\", one valid length per sample along W)";
        return r;
    }
    auto effect = core::padding_effect(t, in.lengths);
    if (!effect) {
        r.error = effect.error().message;
        return r;
    }
    const int64_t c = in.focus.c;
    const core::PaddingEffect& e = effect.value()[c];
    int64_t padded = 0;
    for (int64_t len : in.lengths) padded += (t.shape.W - len) * t.shape.H;
    r.values["naive_mean"] = e.naive.mean;
    r.values["masked_mean"] = e.masked.mean;
    r.values["mean_shift"] = e.mean_shift;
    r.values["naive_var"] = e.naive.var;
    r.values["masked_var"] = e.masked.var;
    r.values["padded_count"] = double(padded);
    r.rows.push_back({"channel " + count(c) + " naive", "mean " + num(e.naive.mean) + ", var " + num(e.naive.var) +
                                                            " over " + count(e.naive.count) + " values (" +
                                                            count(padded) + " padded)"});
    r.rows.push_back({"channel " + count(c) + " masked", "mean " + num(e.masked.mean) + ", var " + num(e.masked.var) +
                                                             " over " + count(e.masked.count) + " valid values"});
    r.rows.push_back({"padding moved the mean by", num(e.mean_shift)});
    r.rows.push_back({"variance ratio naive/masked", num(e.var_ratio)});
    const bool focus_valid = in.focus.w < in.lengths[in.focus.n];
    FocusStats token = focus_stats(t, spec_of(core::NormKind::LayerToken, in), in.focus);
    r.rows.push_back({"LayerNorm (token) at the focus",
                      focus_valid ? "pools " + count(token.stats.count) + " values of this position, 0 padded"
                                  : "the focus is a padded position; choose w < " + count(in.lengths[in.focus.n])});
    r.headline = "Naive BatchNorm pools " + count(padded) + " padded zeros per channel: channel " + count(c) +
                 "'s mean moves by " + num(e.mean_shift) + ". Masked BatchNorm and the per-token LayerNorm pool none.";
    return r;
}

// ---- 7. Devices and micro-batches -------------------------------------------------------------
ClaimResult devices(const ClaimInputs& in) {
    ClaimResult r;
    const core::Tensor& t = *in.tensor;
    const int64_t micro = static_cast<int64_t>(param(in, "micro_batches", 0));
    const int64_t d = micro > 0 ? micro : std::max<int64_t>(in.devices, 1);
    const core::BatchSplit split = micro > 0 ? core::BatchSplit::MicroBatches : core::BatchSplit::Devices;
    const char* what = micro > 0 ? "micro-batch" : "device";
    if (auto ok = core::validate_batch_split(t.shape, d, split); !ok) {
        r.error = ok.error().message;
        return r;
    }
    auto st = core::device_channel_stats(t, d, in.focus.c);
    if (!st) {
        r.error = st.error().message;
        return r;
    }
    const auto& ds = st.value();
    const int64_t shard = t.shape.N / d;
    for (int64_t i = 0; i < d; ++i) {
        r.values["device_mean." + count(i)] = ds.per_device[i].mean;
        r.rows.push_back(
            {std::string(what) + " " + count(i) + " (n " + count(i * shard) + ".." + count((i + 1) * shard - 1) + ")",
             "mean " + num(ds.per_device[i].mean) + ", var " + num(ds.per_device[i].var) + " over " +
                 count(ds.per_device[i].count)});
    }
    r.rows.push_back({"synced (SyncBatchNorm)", "mean " + num(ds.synced.mean) + ", var " + num(ds.synced.var) +
                                                    " over " + count(ds.synced.count)});
    const int64_t own = in.focus.n / shard;
    const double x = t.at(in.focus);
    const double y_own = core::normalize_value(x, ds.per_device[own], true, in.eps);
    const double y_sync = core::normalize_value(x, ds.synced, true, in.eps);
    r.values["synced_mean"] = ds.synced.mean;
    r.values["mean_spread"] = ds.mean_spread;
    r.values["y_own"] = y_own;
    r.values["y_sync"] = y_sync;
    r.rows.push_back({"focus y: own " + std::string(what) + " | synced", num(y_own) + " | " + num(y_sync)});
    const std::string plural = micro > 0 ? "micro-batches" : "devices";
    if (d == 1)
        r.headline = "One " + std::string(what) + " holds all " + count(shard) + " samples: BatchNorm pools channel " +
                     count(in.focus.c) + " over all " + count(ds.synced.count) +
                     " values, exactly the group SyncBatchNorm pools when the batch is split.";
    else
        r.headline = std::to_string(d) + " " + plural + " of " + count(shard) + " samples: the per-" + what +
                     " means of channel " + count(in.focus.c) + " spread over " + num(ds.mean_spread) +
                     (micro > 0 ? "; each micro-batch is normalized alone, as on separate devices."
                                : "; SyncBatchNorm pools all " + count(ds.synced.count) + " values.");
    return r;
}

// ---- 8. Fine-tuning with BatchNorm ------------------------------------------------------------
ClaimResult finetune(const ClaimInputs& in) {
    ClaimResult r;
    const core::Tensor& t = *in.tensor;
    const core::Shape& s = t.shape;
    const int pre = std::clamp(static_cast<int>(param(in, "pretrain_batches", 50)), 1, 500);
    const int fine = std::clamp(static_cast<int>(param(in, "finetune_batches", 20)), 1, 500);
    const double shift = param(in, "shift", 2.0);
    // One stream of a fixed length, so every step of the lesson sees the same batches (the
    // generator's draws depend on the stream's length): the first `pre` batches pretrain, the
    // next `fine` ones, shifted by `shift`, are the new data (the same distribution, moved).
    const int total = pre + std::max(fine, 50);
    if (int64_t(total) * s.numel() > core::kMaxStreamElements) {
        r.error = "the batch stream would be too large; use a smaller shape";
        return r;
    }
    auto stream = make_batch_stream(s, s.N, total, in.generator, in.seed);
    const std::vector<core::Tensor> old_stream(stream.begin(), stream.begin() + pre);
    auto pretrained = track_running_stats(old_stream);
    if (!pretrained) {
        r.error = pretrained.error().message;
        return r;
    }
    std::vector<core::Tensor> new_stream(stream.begin() + pre, stream.begin() + pre + fine);
    for (core::Tensor& b : new_stream)
        for (float& v : b.data) v = static_cast<float>(v + shift);
    core::RunningStats drifting = pretrained.value();
    const core::RunningStats& frozen = pretrained.value();
    const int64_t c = in.focus.c;
    r.rows.push_back(
        {"pretrained (old data)", "running mean " + num(frozen.mean()[c]) + ", var " + num(frozen.var()[c])});
    for (int i = 0; i < fine; ++i) {
        (void)drifting.update(new_stream[i]);
        const int k = i + 1;
        if (k == 1 || k == 5 || k == 10 || k == fine)
            r.rows.push_back({"fine-tuned " + std::to_string(k) + (k == 1 ? " batch" : " batches"),
                              "running mean " + num(drifting.mean()[c]) + ", var " + num(drifting.var()[c])});
    }
    r.rows.push_back({"frozen BN (eval mode)", "running mean " + num(frozen.mean()[c]) + " (unchanged)"});
    // The same old-domain input through the head, normalized with drifted vs frozen stats.
    auto y_drift = core::normalize_eval(t, drifting, in.eps);
    auto y_frozen = core::normalize_eval(t, frozen, in.eps);
    double diff = 0;
    for (size_t i = 0; i < t.data.size(); ++i)
        diff = std::max(diff, double(std::fabs(y_drift.value().data[i] - y_frozen.value().data[i])));
    r.values["frozen_mean"] = frozen.mean()[c];
    r.values["drift_mean"] = drifting.mean()[c];
    r.values["output_diff"] = diff;
    r.rows.push_back({"old-domain input, drifted vs frozen", "outputs differ by up to " + num(diff)});
    // New-domain input (this batch moved by `shift`): frozen statistics leave its outputs
    // shifted; drifted ones re-centre them (what AdaBN does on purpose).
    core::Tensor moved = t;
    for (float& v : moved.data) v = static_cast<float>(v + shift);
    auto channel_mean = [&](const core::Tensor& y) {
        double sum = 0;
        int64_t n = 0;
        for (int64_t i = 0; i < y.shape.numel(); ++i) {
            const core::Index at = core::unflat_index(y.shape, i);
            if (at.c == c) sum += y.at(at), ++n;
        }
        return sum / double(std::max<int64_t>(n, 1));
    };
    const double new_frozen = channel_mean(core::normalize_eval(moved, frozen, in.eps).value());
    const double new_drift = channel_mean(core::normalize_eval(moved, drifting, in.eps).value());
    r.values["new_frozen_out_mean"] = new_frozen;
    r.values["new_drift_out_mean"] = new_drift;
    r.rows.push_back({"new-domain input, frozen BN",
                      "channel " + count(c) + "'s outputs average " + num(new_frozen) + " (shifted)"});
    r.rows.push_back({"new-domain input, drifted BN", "average " + num(new_drift) + " (re-centred, as AdaBN does)"});
    r.headline = "Fine-tuning " + std::to_string(fine) + (fine == 1 ? " batch" : " batches") + " on data shifted by " +
                 num(shift) + " moves channel " + count(c) + "'s running mean from " + num(frozen.mean()[c]) + " to " +
                 num(drifting.mean()[c]) + "; a frozen BN keeps it.";
    return r;
}

// ---- 9. What each norm costs ------------------------------------------------------------------
// Per norm, for the shown shape, with PyTorch's modules and their defaults: BatchNorm2d(C),
// LayerNorm([C, H, W]) as CNNs use it, InstanceNorm2d(C) (no affine, no running statistics),
// GroupNorm(G, C), LayerNorm(C) per token, RMSNorm(C) (a weight, no bias).
ClaimResult costs(const ClaimInputs& in) {
    ClaimResult r;
    const core::Shape& s = in.tensor->shape;
    struct Cost {
        core::NormKind kind;
        const char* key;
        int64_t params, buffers;
    };
    const Cost table[] = {{core::NormKind::Batch, "batch", 2 * s.C, 2 * s.C + 1},
                          {core::NormKind::Layer, "layer", 2 * s.C * s.H * s.W, 0},
                          {core::NormKind::Instance, "instance", 0, 0},
                          {core::NormKind::Group, "group", 2 * s.C, 0},
                          {core::NormKind::LayerToken, "layer-token", 2 * s.C, 0},
                          {core::NormKind::Rms, "rms", s.C, 0}};
    for (const Cost& c : table) {
        const core::NormSpec spec = spec_of(c.kind, in);
        if (!core::validate(spec, s)) continue;
        const core::Partition p = core::make_partition(spec, s);
        const int64_t stats = p.group_count() * (core::is_centered(spec) ? 2 : 1);
        r.values[std::string("statistics.") + c.key] = double(stats);
        r.values[std::string("pooled.") + c.key] = double(p.group_size());
        r.values[std::string("parameters.") + c.key] = double(c.params);
        r.values[std::string("buffers.") + c.key] = double(c.buffers);
        r.rows.push_back({core::norm_title(c.kind), count(stats) +
                                                        (core::is_centered(spec) ? " means+vars" : " mean squares") +
                                                        " over " + count(p.group_size()) + " values each; γβ " +
                                                        count(c.params) + "; buffers " + count(c.buffers)});
    }
    r.values["values_per_pass"] = double(s.numel());
    r.rows.push_back(
        {"work, every norm", "2 passes over " + count(s.numel()) + " values (statistics, then normalizing)"});
    r.headline = "Only BatchNorm keeps buffers (running mean and variance, 2C + 1 = " + count(2 * s.C + 1) +
                 " numbers) and depends on the batch; every norm reads each of the " + count(s.numel()) +
                 " values twice, so the work is about the same.";
    return r;
}

// ---- 10. What the choice does in training ----------------------------------------------------
// The saved sweep (assets/sweeps/, written by normviz train --sweep --csv): held-out error of
// each norm at each batch size after the same epochs; params "epochs": 5 (default_sweep.csv)
// or 15 (sweep_15_epochs.csv).
ClaimResult training_sweep(const ClaimInputs& in) {
    ClaimResult r;
    const int epochs = static_cast<int>(param(in, "epochs", 5));
    const std::string file = epochs == 15 ? "sweep_15_epochs.csv" : "default_sweep.csv";
    core::Result<SweepTable> table = shipped_sweep(file);
    if (!table) {
        r.error = table.error().message;
        return r;
    }
    for (const SweepLine& line : sweep_lines(table.value())) {
        std::string row;
        for (size_t i = 0; i < line.batch.size(); ++i) {
            const std::string b = count(static_cast<int64_t>(line.batch[i]));
            r.values["error." + line.norm + "." + b] = line.error[i];
            char pct[32];
            std::snprintf(pct, sizeof pct, "%.1f %%", line.error[i] * 100);
            row += (row.empty() ? "" : ", ") + ("B=" + b + " ") + pct;
        }
        core::Result<core::NormKind> kind = core::parse_norm_name(line.norm);
        r.rows.push_back({kind ? core::norm_title(kind.value()) : line.norm, row});
    }
    for (const SweepRow& row : table.value().rows) r.values["steps." + count(row.batch)] = double(row.steps);
    char headline[200];
    std::snprintf(headline, sizeof headline,
                  "Held-out error after %d epochs (%s): BatchNorm %.1f %% at batch 2 and %.1f %% at batch 32, "
                  "GroupNorm %.1f %% and %.1f %%.",
                  epochs, file.c_str(), 100 * sweep_error(table.value(), "batch", 2),
                  100 * sweep_error(table.value(), "batch", 32), 100 * sweep_error(table.value(), "group", 2),
                  100 * sweep_error(table.value(), "group", 32));
    r.headline = headline;
    return r;
}

}  // namespace

std::span<const char* const> lesson_claim_names() { return kClaims; }

ClaimResult compute_claim(const std::string& name, const ClaimInputs& in) {
    if (name == "group_counts") return group_counts(in);
    if (name == "group_sweep") return group_sweep(in);
    if (name == "layer_token_rms") return layer_token_rms(in);
    if (name == "batch_size") return batch_size(in);
    if (name == "running_stats") return running_stats(in);
    if (name == "padding") return padding(in);
    if (name == "devices") return devices(in);
    if (name == "finetune") return finetune(in);
    if (name == "costs") return costs(in);
    if (name == "training_sweep") return training_sweep(in);
    ClaimResult r;
    r.error = "unknown claim '" + name + "'";
    return r;
}

}  // namespace normviz::app
