// Every sentence of a shipped lesson that states a number or a direction, checked against the
// data its step shows: each check quotes the words it checks (they must still be in the step's
// text, so text and check cannot drift apart) and tests them on the step's tensor, panels and
// numbers, computed here from core (partitions, plain sums), not read back from the table.
// Every step of every lesson has at least one check.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "app/state/classroom_actions.h"
#include "app/classroom/lesson_numbers.h"
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

TEST(LessonSentences, EveryCheckedSentenceIsInItsStepAndHoldsOnItsData) {
    for (const Check& c : checks()) {
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
    for (const Check& c : checks()) checked.insert({c.lesson, c.step});
    for (const Lesson& l : shipped_lessons().lessons)
        for (size_t i = 0; i < l.steps.size(); ++i)
            EXPECT_TRUE(checked.count({l.id, static_cast<int>(i) + 1}))
                << l.id << " step " << i + 1 << " (" << l.steps[i].title << ") has no check";
}

}  // namespace
}  // namespace normviz::app
