// Every sentence of a shipped lesson that states a number or a direction, checked against the
// data its step shows: each check quotes the words it checks (they must still be in the step's
// text, so text and check cannot drift apart) and tests them on the step's tensor, panels and
// numbers, computed here from core (partitions, plain sums), not read back from the table.
// Every step of every lesson has at least one check.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "app/state/classroom_actions.h"
#include "app/classroom/lesson_numbers.h"
#include "app/model/sweep_csv.h"
#include "core/partition.h"

namespace normviz::app {
namespace {

struct Step {
    AppState state;
    ClaimResult claim;
    const LessonStep* step = nullptr;
};

Step open_step(int lesson, int step) {
    Step s;
    regenerate_tensor(s.state);
    go_to_lesson_step(s.state, lesson, step);
    update_derived(s.state);
    s.claim = current_claim(s.state);
    s.step = current_step(s.state);
    return s;
}

core::Partition partition_of(const Step& s, core::NormKind kind) {
    return partition_for(s.state.scene, spec_for(s.state.scene, kind), s.state.tensor.shape);
}

const PanelDerived* panel_of(const Step& s, core::NormKind kind) {
    for (const PanelDerived& p : s.state.panels)
        if (p.spec.kind == kind) return &p;
    return nullptr;
}

double value(const Step& s, const std::string& key) {
    auto it = s.claim.values.find(key);
    EXPECT_NE(it, s.claim.values.end()) << "the step's numbers have no '" << key << "'";
    return it == s.claim.values.end() ? std::nan("") : it->second;
}

bool same_partition(const core::Partition& a, const core::Partition& b) {
    for (int64_t i = 0; i < a.shape.numel(); ++i)
        if (a.group_of_flat(i) != b.group_of_flat(i)) return false;
    return true;
}

// The focus's mean under `kind`, summed here.
double focus_mean(const Step& s, core::NormKind kind) {
    const core::Partition p = partition_of(s, kind);
    const std::vector<uint8_t> mask = core::group_mask(p, s.state.scene.focus);
    double sum = 0;
    int64_t n = 0;
    for (int64_t i = 0; i < p.shape.numel(); ++i)
        if (mask[i]) sum += s.state.tensor.data[i], ++n;
    return sum / double(n);
}

struct Check {
    const char* lesson;
    int step;           // 1-based, as the window shows it
    const char* words;  // quoted from the step's text
    std::function<void(const Step&)> holds;
};

using K = core::NormKind;

std::vector<Check> checks() {
    return {
        // ---- The four norms
        {"four-norms", 1, "so they keep different numbers of mean/variance pairs",
         [](const Step& s) {
             std::set<int64_t> counts;
             for (K k : {K::Batch, K::Layer, K::Instance, K::Group}) counts.insert(partition_of(s, k).group_count());
             EXPECT_EQ(counts.size(), 4u);
         }},
        {"four-norms", 2, "N x H x W values. It keeps C pairs",
         [](const Step& s) {
             const core::Shape& x = s.state.tensor.shape;
             EXPECT_EQ(partition_of(s, K::Batch).group_size(), x.N * x.H * x.W);
             EXPECT_EQ(partition_of(s, K::Batch).group_count(), x.C);
         }},
        {"four-norms", 3, "C x H x W values. It keeps N pairs",
         [](const Step& s) {
             const core::Shape& x = s.state.tensor.shape;
             EXPECT_EQ(partition_of(s, K::Layer).group_size(), x.C * x.H * x.W);
             EXPECT_EQ(partition_of(s, K::Layer).group_count(), x.N);
         }},
        {"four-norms", 4, "That gives N x C pairs",
         [](const Step& s) {
             const core::Shape& x = s.state.tensor.shape;
             EXPECT_EQ(partition_of(s, K::Instance).group_size(), x.H * x.W);
             EXPECT_EQ(partition_of(s, K::Instance).group_count(), x.N * x.C);
         }},
        {"four-norms", 5, "G groups of C/G neighbours and pools each group within one sample: N x G pairs",
         [](const Step& s) {
             const core::Shape& x = s.state.tensor.shape;
             const int64_t g = s.state.scene.groups;
             EXPECT_EQ(partition_of(s, K::Group).group_count(), x.N * g);
             EXPECT_EQ(partition_of(s, K::Group).group_size(), x.C / g * x.H * x.W);
         }},
        // ---- GroupNorm from G = 1 to G = C
        {"group-sweep", 1, "exactly what LayerNorm pools",
         [](const Step& s) {
             EXPECT_EQ(s.state.scene.groups, 1);
             EXPECT_TRUE(same_partition(partition_of(s, K::Group), partition_of(s, K::Layer)));
         }},
        {"group-sweep", 2, "Two groups of four channels each: every sample now keeps two mean/variance pairs",
         [](const Step& s) {
             EXPECT_EQ(s.state.scene.groups, 2);
             EXPECT_EQ(s.state.tensor.shape.C / s.state.scene.groups, 4);
             EXPECT_EQ(partition_of(s, K::Group).group_count(), 2 * s.state.tensor.shape.N);
         }},
        {"group-sweep", 3, "Four groups of two channels. The group shrinks as G grows",
         [](const Step& s) {
             EXPECT_EQ(s.state.scene.groups, 4);
             EXPECT_EQ(s.state.tensor.shape.C / s.state.scene.groups, 2);
             Scene two = s.state.scene;
             two.groups = 2;
             EXPECT_LT(partition_of(s, K::Group).group_size(),
                       partition_for(two, spec_for(two, K::Group), s.state.tensor.shape).group_size());
         }},
        {"group-sweep", 4, "With one channel per group",
         [](const Step& s) {
             EXPECT_EQ(s.state.scene.groups, s.state.tensor.shape.C);
             EXPECT_TRUE(same_partition(partition_of(s, K::Group), partition_of(s, K::Instance)));
         }},
        // ---- Two LayerNorms and RMSNorm
        {"two-layernorms", 1, "W is a sequence of 8 tokens and C = 6 is the feature size",
         [](const Step& s) {
             const core::Shape& x = s.state.tensor.shape;
             EXPECT_EQ(x.W, 8);
             EXPECT_EQ(x.C, 6);
             EXPECT_EQ(partition_of(s, K::Layer).group_size(), x.C * x.H * x.W);
             EXPECT_EQ(partition_of(s, K::LayerToken).group_size(), x.C);
         }},
        {"two-layernorms", 2, "RMSNorm groups exactly the cells of the transformer LayerNorm",
         [](const Step& s) { EXPECT_TRUE(same_partition(partition_of(s, K::Rms), partition_of(s, K::LayerToken))); }},
        {"two-layernorms", 3,
         "far from zero the two outputs differ a lot, and where the mean is near zero they almost agree",
         [](const Step& s) {
             // "A lot" and "almost": a whole standard unit apart against a tenth of one.
             EXPECT_GE(value(s, "diff.far_token"), 1.0);
             EXPECT_LE(value(s, "diff.near_token"), 0.1);
         }},
        // ---- Batch size
        {"batch-size", 1, "the other three norms use only the focus's own sample",
         [](const Step& s) {
             const core::Shape& x = s.state.tensor.shape;
             EXPECT_EQ(partition_of(s, K::Batch).group_size(), x.N * x.H * x.W);
             for (K k : {K::Layer, K::Instance, K::Group}) EXPECT_EQ(partition_of(s, k).block[0], 1);
         }},
        {"batch-size", 2, "LayerNorm, InstanceNorm and GroupNorm give the focus the same numbers as before",
         [](const Step& s) {
             const Step before = open_step(find_lesson("batch-size"), 0);
             EXPECT_LT(s.state.tensor.shape.N, before.state.tensor.shape.N);
             EXPECT_EQ(s.state.tensor.at(s.state.scene.focus), before.state.tensor.at(before.state.scene.focus));
             for (K k : {K::Layer, K::Instance, K::Group}) EXPECT_EQ(focus_mean(s, k), focus_mean(before, k));
             EXPECT_NE(focus_mean(s, K::Batch), focus_mean(before, K::Batch));
             // "estimated from far fewer values"
             EXPECT_LT(partition_of(s, K::Batch).group_size() * 2, partition_of(before, K::Batch).group_size());
         }},
        {"batch-size", 3, "the same group as InstanceNorm",
         [](const Step& s) {
             EXPECT_EQ(s.state.tensor.shape.N, 1);
             EXPECT_TRUE(same_partition(partition_of(s, K::Batch), partition_of(s, K::Instance)));
         }},
        {"batch-size", 4, "gives BatchNorm one value per channel. Its variance is not defined",
         [](const Step& s) {
             const PanelDerived* bn = panel_of(s, K::Batch);
             ASSERT_NE(bn, nullptr);
             EXPECT_FALSE(bn->error.empty()) << "the panel must say why";
             EXPECT_EQ(s.state.tensor.shape.N * s.state.tensor.shape.H * s.state.tensor.shape.W, 1);
             EXPECT_GT(partition_of(s, K::Layer).group_size(), 1);
             EXPECT_GT(partition_of(s, K::Group).group_size(), 1);
         }},
        // ---- Train and eval mode
        {"train-eval", 1, "against the stream's own mean",
         [](const Step& s) {
             // After 30 batches the running mean has moved most of the way from 0 to the stream's.
             EXPECT_LT(std::fabs(value(s, "running_mean") - value(s, "stream_mean")),
                       0.5 * std::fabs(value(s, "stream_mean")));
         }},
        {"train-eval", 2, "every value of the channel is normalized with the same frozen running statistics",
         [](const Step& s) {
             const PanelDerived* bn = panel_of(s, K::Batch);
             ASSERT_NE(bn, nullptr);
             EXPECT_TRUE(bn->eval_mode);
             EXPECT_TRUE(s.state.scene.show_normalized);
         }},
        {"train-eval", 3, "the outlined group is now the 16 values of one channel of this one image",
         [](const Step& s) {
             EXPECT_EQ(s.state.tensor.shape.N, 1);
             EXPECT_EQ(partition_of(s, K::Batch).group_size(), 16);
             const PanelDerived* bn = panel_of(s, K::Batch);
             ASSERT_NE(bn, nullptr);
             EXPECT_FALSE(bn->eval_mode);
             EXPECT_GT(value(s, "gap_batch1"), 0.0);
         }},
        // ---- Padding tokens
        {"padding", 1, "valid lengths 8, 5, 3 and 6; the hatched cells are padding and hold 0",
         [](const Step& s) {
             EXPECT_EQ(s.state.scene.lengths, (std::vector<int64_t>{8, 5, 3, 6}));
             const core::Tensor& t = s.state.tensor;
             for (int64_t i = 0; i < t.shape.numel(); ++i) {
                 const core::Index at = core::unflat_index(t.shape, i);
                 if (at.w >= s.state.scene.lengths[at.n]) {
                     EXPECT_EQ(t.data[i], 0.0f);
                 }
             }
         }},
        {"padding", 1, "every channel's mean is pulled towards 0",
         [](const Step& s) { EXPECT_LT(std::fabs(value(s, "naive_mean")), std::fabs(value(s, "masked_mean"))); }},
        {"padding", 2, "pools only the valid positions",
         [](const Step& s) {
             EXPECT_NE(value(s, "mean_shift"), 0.0);
             EXPECT_EQ(value(s, "padded_count"), double(3 + 5 + 2));
         }},
        {"padding", 3, "a valid token never sees a padded one",
         [](const Step& s) {
             const core::Index& f = s.state.scene.focus;
             ASSERT_LT(f.w, s.state.scene.lengths[f.n]);
             const std::vector<uint8_t> mask = core::group_mask(partition_of(s, K::LayerToken), f);
             for (int64_t i = 0; i < s.state.tensor.shape.numel(); ++i)
                 if (mask[i]) {
                     EXPECT_LT(core::unflat_index(s.state.tensor.shape, i).w, s.state.scene.lengths[f.n]);
                 }
         }},
        // ---- Many devices
        {"devices", 1, "A batch of 8 on one device: BatchNorm pools each channel over all 8 samples",
         [](const Step& s) {
             const core::Shape& x = s.state.tensor.shape;
             EXPECT_EQ(x.N, 8);
             EXPECT_EQ(s.state.scene.devices, 1);
             EXPECT_EQ(partition_of(s, K::Batch).group_size(), 8 * x.H * x.W);
         }},
        {"devices", 2, "only the 4 samples on the focus's device",
         [](const Step& s) {
             const core::Shape& x = s.state.tensor.shape;
             EXPECT_EQ(partition_of(s, K::Batch).group_size(), 4 * x.H * x.W);
             EXPECT_NE(value(s, "device_mean.0"), value(s, "device_mean.1"));
         }},
        {"devices", 3, "each group shrinks to 2 x H x W values and the per-device means spread further apart",
         [](const Step& s) {
             const core::Shape& x = s.state.tensor.shape;
             EXPECT_EQ(partition_of(s, K::Batch).group_size(), 2 * x.H * x.W);
             const Step two = open_step(find_lesson("devices"), 1);
             EXPECT_GT(value(s, "mean_spread"), value(two, "mean_spread"));
         }},
        {"devices", 4, "exactly like four devices without sync",
         [](const Step& s) {
             const Step four = open_step(find_lesson("devices"), 2);
             for (int d = 0; d < 4; ++d) {
                 const std::string key = "device_mean." + std::to_string(d);
                 EXPECT_EQ(value(s, key), value(four, key)) << key;
             }
         }},
        // ---- Fine-tuning with BatchNorm
        {"finetuning", 1, "The first row is the focus channel's pretrained running mean",
         [](const Step& s) {
             ASSERT_FALSE(s.claim.rows.empty());
             EXPECT_NE(s.claim.rows[0].value.find("running mean"), std::string::npos);
             EXPECT_NE(s.claim.rows[0].label.find("pretrained"), std::string::npos);
         }},
        {"finetuning", 2, "on the new data they are re-centred",
         [](const Step& s) {
             // Drifted statistics move most of the way to the shifted data; on it they centre
             // the outputs, where the frozen ones leave them shifted.
             EXPECT_GT(value(s, "drift_mean") - value(s, "frozen_mean"), 1.0);
             EXPECT_LT(std::fabs(value(s, "new_drift_out_mean")), 0.5 * std::fabs(value(s, "new_frozen_out_mean")));
             EXPECT_GT(value(s, "new_frozen_out_mean"), 0.0);
         }},
        {"finetuning", 3, "freezes their running statistics",
         [](const Step& s) { EXPECT_GT(value(s, "output_diff"), 0.0); }},
        // ---- When to use which
        {"when-to-use-which", 1, "from only 2 x H x W values",
         [](const Step& s) {
             const core::Shape& x = s.state.tensor.shape;
             EXPECT_EQ(partition_of(s, K::Batch).group_size(), 2 * x.H * x.W);
             for (K k : {K::Layer, K::Group}) EXPECT_EQ(partition_of(s, k).block[0], 1);
         }},
        {"when-to-use-which", 2, "With 32 images per batch, BatchNorm pools 32 x H x W values per channel",
         [](const Step& s) {
             const core::Shape& x = s.state.tensor.shape;
             EXPECT_EQ(x.N, 32);
             EXPECT_EQ(partition_of(s, K::Batch).group_size(), 32 * x.H * x.W);
             EXPECT_LT(std::fabs(value(s, "running_mean") - value(s, "stream_mean")),
                       0.5 * std::fabs(value(s, "stream_mean")));
         }},
        {"when-to-use-which", 3, "its mean moves; the per-token LayerNorm",
         [](const Step& s) {
             EXPECT_NE(value(s, "mean_shift"), 0.0);
             const core::Index& f = s.state.scene.focus;
             const std::vector<uint8_t> mask = core::group_mask(partition_of(s, K::LayerToken), f);
             for (int64_t i = 0; i < s.state.tensor.shape.numel(); ++i) {
                 if (mask[i]) {
                     EXPECT_LT(core::unflat_index(s.state.tensor.shape, i).w, s.state.scene.lengths[f.n]);
                 }
             }
         }},
        {"when-to-use-which", 4, "Split over 4 devices without sync, each BatchNorm group shrinks to 2 x H x W values",
         [](const Step& s) {
             const core::Shape& x = s.state.tensor.shape;
             EXPECT_EQ(s.state.scene.devices, 4);
             EXPECT_EQ(partition_of(s, K::Batch).group_size(), 2 * x.H * x.W);
             EXPECT_GT(value(s, "mean_spread"), 0.0);
             EXPECT_EQ(partition_of(s, K::Group).block[0], 1);
         }},
        {"when-to-use-which", 5, "Only BatchNorm keeps buffers",
         [](const Step& s) {
             const core::Shape& x = s.state.tensor.shape;
             EXPECT_EQ(value(s, "buffers.batch"), double(2 * x.C + 1));  // running mean, var, batches seen
             for (const char* k : {"layer", "instance", "group", "layer-token", "rms"})
                 EXPECT_EQ(value(s, std::string("buffers.") + k), 0.0) << k;
             // Statistics: a mean and a variance per group (RMSNorm: a mean square).
             EXPECT_EQ(value(s, "statistics.batch"), double(2 * partition_of(s, K::Batch).group_count()));
             EXPECT_EQ(value(s, "statistics.rms"), double(partition_of(s, K::Rms).group_count()));
             EXPECT_EQ(value(s, "pooled.layer"), double(x.C * x.H * x.W));
         }},
        {"when-to-use-which", 5,
         "a gamma and beta for every element of a sample, the others one per channel; RMSNorm has no beta",
         [](const Step& s) {
             const core::Shape& x = s.state.tensor.shape;
             EXPECT_EQ(value(s, "parameters.layer"), double(2 * x.C * x.H * x.W));
             for (const char* k : {"batch", "group", "layer-token"})
                 EXPECT_EQ(value(s, std::string("parameters.") + k), double(2 * x.C)) << k;
             EXPECT_EQ(value(s, "parameters.rms"), double(x.C));
         }},
        {"when-to-use-which", 6, "Here G = 2 of C = 8 channels",
         [](const Step& s) {
             EXPECT_EQ(s.state.scene.groups, 2);
             EXPECT_EQ(s.state.tensor.shape.C, 8);
             // "the same whatever the batch holds": the focus's GroupNorm mean from its sample alone.
             const core::Tensor one = take_samples(s.state.tensor, {s.state.scene.focus.n});
             const core::Partition p = core::make_partition(spec_for(s.state.scene, K::Group), one.shape);
             core::Index f = s.state.scene.focus;
             f.n = 0;
             const std::vector<uint8_t> mask = core::group_mask(p, f);
             double sum = 0;
             int64_t n = 0;
             for (int64_t i = 0; i < one.shape.numel(); ++i)
                 if (mask[i]) sum += one.data[i], ++n;
             EXPECT_NEAR(sum / double(n), focus_mean(s, K::Group), 1e-9);
         }},
    };
}

// ---- The training lesson: its sentences against the saved sweeps' CSVs, read here ----------

const SweepTable& saved_sweep(int epochs) {
    static const SweepTable five = read_sweep_csv(std::string(NORMVIZ_SWEEP_DIR) + "/default_sweep.csv").value();
    static const SweepTable fifteen = read_sweep_csv(std::string(NORMVIZ_SWEEP_DIR) + "/sweep_15_epochs.csv").value();
    return epochs == 15 ? fifteen : five;
}

// The held-out error of `norm` at `batch` in the saved sweep, as the lesson writes it: "60.3".
std::string pct(int epochs, const std::string& norm, int64_t batch) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", 100 * sweep_error(saved_sweep(epochs), norm, batch));
    return text;
}

std::string pct(double fraction) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", 100 * fraction);
    return text;
}

const SweepLine& line_of(int epochs, const std::string& norm) {
    static std::map<int, std::vector<SweepLine>> lines;
    if (!lines.count(epochs)) lines[epochs] = sweep_lines(saved_sweep(epochs));
    for (const SweepLine& l : lines[epochs])
        if (l.norm == norm) return l;
    ADD_FAILURE() << "no " << norm << " in the saved sweep";
    return lines[epochs].front();
}

double min_error(int epochs, const std::string& norm) {
    const std::vector<double>& e = line_of(epochs, norm).error;
    return *std::min_element(e.begin(), e.end());
}

double max_error(int epochs, const std::string& norm) {
    const std::vector<double>& e = line_of(epochs, norm).error;
    return *std::max_element(e.begin(), e.end());
}

int64_t steps_at(int epochs, int64_t batch) {
    for (const SweepRow& r : saved_sweep(epochs).rows)
        if (r.batch == batch) return r.steps;
    return -1;
}

std::vector<Check> training_checks() {
    return {
        {"training", 1, "trained 30 times, once for each of 6 norm choices at each batch size from 2 to 32",
         [](const Step& s) {
             EXPECT_TRUE(s.state.train.show) << "the step opens the Train panel";
             EXPECT_EQ(s.state.train.worker->sweep().rows.size(), 30u);
             EXPECT_EQ(sweep_lines(saved_sweep(5)).size(), 6u);
             std::set<int64_t> batches;
             for (const SweepRow& r : saved_sweep(5).rows) batches.insert(r.batch);
             EXPECT_EQ(*batches.begin(), 2);
             EXPECT_EQ(*batches.rbegin(), 32);
         }},
        {"training", 1, "every run for 5 epochs over the same 4000 images",
         [](const Step&) {
             for (const SweepRow& r : saved_sweep(5).rows) {
                 EXPECT_EQ(r.epoch, 5) << r.norm << " " << r.batch;
                 EXPECT_EQ(r.steps * r.batch, 5 * 4000) << r.norm << " " << r.batch;
             }
         }},
        {"training", 1, "the table lists the held-out errors",
         [](const Step& s) {
             for (const SweepRow& r : saved_sweep(5).rows)
                 EXPECT_EQ(value(s, "error." + r.norm + "." + std::to_string(r.batch)), r.val_error);
         }},
        {"training", 2, "pools each channel over just 2 images (the outlined cells)",
         [](const Step& s) {
             EXPECT_EQ(s.state.tensor.shape.N, 2);
             const core::Shape& x = s.state.tensor.shape;
             EXPECT_EQ(partition_of(s, K::Batch).group_size(), 2 * x.H * x.W);
         }},
        {"training", 2, "its held-out error is 60.3 %, while GroupNorm, which pools within one image, reaches 6.7 %",
         [](const Step& s) {
             EXPECT_EQ(pct(5, "batch", 2), "60.3");
             EXPECT_EQ(pct(5, "group", 2), "6.7");
             EXPECT_EQ(partition_of(s, K::Group).group_size() % (s.state.tensor.shape.H * s.state.tensor.shape.W), 0);
         }},
        {"training", 2, "At batch 32 BatchNorm is at 35.9 %, better than GroupNorm's 46.6 %",
         [](const Step&) {
             EXPECT_EQ(pct(5, "batch", 32), "35.9");
             EXPECT_EQ(pct(5, "group", 32), "46.6");
             EXPECT_LT(sweep_error(saved_sweep(5), "batch", 32), sweep_error(saved_sweep(5), "group", 32));
         }},
        {"training", 2, "Its best batch size here is 8, at 5.8 %",
         [](const Step&) {
             const SweepLine& bn = line_of(5, "batch");
             const size_t best = size_t(std::min_element(bn.error.begin(), bn.error.end()) - bn.error.begin());
             EXPECT_EQ(bn.batch[best], 8);
             EXPECT_EQ(pct(bn.error[best]), "5.8");
         }},
        {"training", 3, "it rises from 6.7 % at batch 2 to 46.6 % at batch 32",
         [](const Step&) {
             EXPECT_EQ(pct(5, "group", 2), "6.7");
             EXPECT_EQ(pct(5, "group", 32), "46.6");
             EXPECT_LT(sweep_error(saved_sweep(5), "group", 2), sweep_error(saved_sweep(5), "group", 32));
         }},
        {"training", 3, "batch 32 takes 625 steps against 10000 at batch 2, 16 times fewer",
         [](const Step&) {
             EXPECT_EQ(steps_at(5, 32), 625);
             EXPECT_EQ(steps_at(5, 2), 10000);
             EXPECT_EQ(steps_at(5, 2), 16 * steps_at(5, 32));
         }},
        {"training", 4, "LayerNorm stays between 73.3 and 75.5 % error at every batch size",
         [](const Step&) {
             EXPECT_EQ(pct(min_error(5, "layer")), "73.3");
             EXPECT_EQ(pct(max_error(5, "layer")), "75.5");
         }},
        {"training", 4,
         "no better than guessing one of 4 shapes (75 %), like the network without a norm (75.0 % everywhere)",
         [](const Step&) {
             EXPECT_EQ(1.0 - 1.0 / 4, 0.75);  // 4 shapes, equally many of each held out
             EXPECT_GT(min_error(5, "layer"), 0.75 - 0.02);
             EXPECT_EQ(pct(min_error(5, "none")), "75.0");
             EXPECT_EQ(pct(max_error(5, "none")), "75.0");
         }},
        {"training", 4, "InstanceNorm lands between 45.8 and 53.9 %",
         [](const Step&) {
             EXPECT_EQ(pct(min_error(5, "instance")), "45.8");
             EXPECT_EQ(pct(max_error(5, "instance")), "53.9");
         }},
        {"training", 4, "their errors move by less than 10 points across batch sizes",
         [](const Step& s) {
             for (const char* norm : {"layer", "instance"})
                 EXPECT_LT(max_error(5, norm) - min_error(5, norm), 0.10) << norm;
             // "Both pool within one image": each group lies in one sample.
             EXPECT_EQ(partition_of(s, K::Layer).group_size(),
                       s.state.tensor.shape.C * s.state.tensor.shape.H * s.state.tensor.shape.W);
         }},
        {"training", 5, "BatchNorm at batch 2 reaches 6.4 % and GroupNorm 4.9 %",
         [](const Step& s) {
             EXPECT_EQ(value(s, "error.batch.2"), sweep_error(saved_sweep(15), "batch", 2));
             for (const SweepRow& r : saved_sweep(15).rows) EXPECT_EQ(r.epoch, 15);
             EXPECT_EQ(pct(15, "batch", 2), "6.4");
             EXPECT_EQ(pct(15, "group", 2), "4.9");
         }},
        {"training", 5, "both stay between 4.7 and 7.2 % at every batch size",
         [](const Step&) {
             EXPECT_EQ(pct(std::min(min_error(15, "batch"), min_error(15, "group"))), "4.7");
             EXPECT_EQ(pct(std::max(max_error(15, "batch"), max_error(15, "group"))), "7.2");
         }},
        {"training", 5, "most of the 5-epoch gap came from training length",
         [](const Step&) {
             // The gap between BatchNorm and GroupNorm at batch 2 shrinks by more than half.
             const double gap5 = sweep_error(saved_sweep(5), "batch", 2) - sweep_error(saved_sweep(5), "group", 2);
             const double gap15 = sweep_error(saved_sweep(15), "batch", 2) - sweep_error(saved_sweep(15), "group", 2);
             EXPECT_LT(std::abs(gap15), 0.5 * std::abs(gap5));
         }},
        {"training", 5, "LayerNorm now learns at batch 2 (4.3 %) but still fails at batch 32 (76.7 %)",
         [](const Step&) {
             EXPECT_EQ(pct(15, "layer", 2), "4.3");
             EXPECT_EQ(pct(15, "layer", 32), "76.7");
             EXPECT_GE(sweep_error(saved_sweep(15), "layer", 32), 0.75);
         }},
    };
}

std::vector<Check> all_checks() {
    std::vector<Check> all = checks();
    for (Check& c : training_checks()) all.push_back(std::move(c));
    return all;
}

TEST(LessonSentences, EveryCheckedSentenceIsInItsStepAndHoldsOnItsData) {
    for (const Check& c : all_checks()) {
        const int lesson = find_lesson(c.lesson);
        ASSERT_GE(lesson, 0) << c.lesson;
        SCOPED_TRACE(std::string(c.lesson) + " step " + std::to_string(c.step) + ": \"" + c.words + "\"");
        const Step s = open_step(lesson, c.step - 1);
        ASSERT_NE(s.step, nullptr);
        ASSERT_EQ(s.state.classroom.step, c.step - 1);
        EXPECT_NE(s.step->text.find(c.words), std::string::npos) << "the step no longer says this:\n" << s.step->text;
        EXPECT_TRUE(s.claim.error.empty()) << s.claim.error;
        c.holds(s);
    }
}

TEST(LessonSentences, EveryStepOfEveryLessonIsChecked) {
    std::set<std::pair<std::string, int>> checked;
    for (const Check& c : all_checks()) checked.insert({c.lesson, c.step});
    for (const Lesson& l : shipped_lessons().lessons)
        for (size_t i = 0; i < l.steps.size(); ++i)
            EXPECT_TRUE(checked.count({l.id, static_cast<int>(i) + 1}))
                << l.id << " step " << i + 1 << " (" << l.steps[i].title << ") has no check";
}

}  // namespace
}  // namespace normviz::app
