// AppState: scene changes, the one place derived data is recomputed (update_derived), G kept
// a divisor of C, user errors shown as sentences (never a bare NaN), failed loads that keep
// the old tensor.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "app/state/classroom_actions.h"
#include "app/state/focus_histograms.h"
#include "app/classroom/lesson_numbers.h"
#include "app/view/number_format.h"
#include "core/npy.h"
#include "core/scenarios.h"
#include "headless_imgui.h"

namespace {

using normviz::app::AppState;
using normviz::app::format_number;
using normviz::app::load_tensor_file;
using normviz::app::move_focus;
using normviz::app::regenerate_tensor;
using normviz::app::set_tensor;
using normviz::app::update_derived;
using normviz::core::Axis;
using normviz::core::Index;
using normviz::core::NormKind;
using normviz::core::Shape;
using normviz::test::HeadlessImGui;
using normviz::test::make_state;

const normviz::app::PanelDerived& panel_of(const AppState& state, NormKind kind) {
    for (const auto& p : state.panels)
        if (p.spec.kind == kind) return p;
    ADD_FAILURE() << "no panel for " << normviz::core::norm_title(kind);
    return state.panels.front();
}

TEST(AppState, StartsWithOnePanelPerComparedNorm) {
    AppState state = make_state();
    ASSERT_EQ(state.panels.size(), state.scene.compared.size());
    for (size_t i = 0; i < state.panels.size(); ++i) {
        EXPECT_EQ(state.panels[i].spec.kind, state.scene.compared[i]);
        EXPECT_TRUE(state.panels[i].error.empty()) << state.panels[i].error;
        EXPECT_EQ(static_cast<int64_t>(state.panels[i].stats.size()), state.panels[i].partition.group_count());
    }
}

TEST(AppState, GroupCountsFollowTheShape) {
    AppState state = make_state();  // (4, 6, 4, 4), G = 2
    EXPECT_EQ(panel_of(state, NormKind::Batch).partition.group_count(), 6);
    EXPECT_EQ(panel_of(state, NormKind::Layer).partition.group_count(), 4);
    EXPECT_EQ(panel_of(state, NormKind::Instance).partition.group_count(), 24);
    EXPECT_EQ(panel_of(state, NormKind::Group).partition.group_count(), 8);
    EXPECT_EQ(panel_of(state, NormKind::LayerToken).partition.group_count(), 64);
    EXPECT_EQ(panel_of(state, NormKind::Rms).partition.group_count(), 64);

    state.scene.shape = {2, 8, 3, 5};
    regenerate_tensor(state);
    update_derived(state);
    ASSERT_EQ(state.tensor.shape, (Shape{2, 8, 3, 5}));
    EXPECT_EQ(panel_of(state, NormKind::Batch).partition.group_count(), 8);
    EXPECT_EQ(panel_of(state, NormKind::Layer).partition.group_count(), 2);
    EXPECT_EQ(panel_of(state, NormKind::Instance).partition.group_count(), 16);
    EXPECT_EQ(panel_of(state, NormKind::Group).partition.group_count(), 4);
    EXPECT_EQ(panel_of(state, NormKind::LayerToken).partition.group_count(), 30);
    for (const auto& p : state.panels) {
        EXPECT_EQ(static_cast<int64_t>(p.stats.size()), p.partition.group_count());
        EXPECT_EQ(p.partition.group_count() * p.partition.group_size(), state.tensor.shape.numel());
    }
}

TEST(AppState, UpdateDerivedRecomputesOnNormChangesOnly) {
    AppState state = make_state();
    const uint64_t batch_version = panel_of(state, NormKind::Batch).stats_version;
    update_derived(state);  // nothing changed
    EXPECT_EQ(panel_of(state, NormKind::Batch).stats_version, batch_version);

    state.scene.groups = 3;
    update_derived(state);
    EXPECT_EQ(panel_of(state, NormKind::Group).partition.group_count(), 4 * 3);
    EXPECT_EQ(panel_of(state, NormKind::Group).spec.groups, 3);
    EXPECT_EQ(panel_of(state, NormKind::Batch).stats_version, batch_version);  // spec unchanged

    state.scene.single_view = true;
    state.scene.single_norm = NormKind::Custom;
    update_derived(state);
    ASSERT_EQ(state.panels.size(), 1u);
    EXPECT_EQ(state.panels[0].spec.kind, NormKind::Custom);
    EXPECT_EQ(state.panels[0].partition.group_count(), 6 * 4);  // custom N, W -> keys (c, h)

    state.scene.single_view = false;
    state.scene.compared = {NormKind::Layer, NormKind::Rms};
    update_derived(state);
    ASSERT_EQ(state.panels.size(), 2u);
    EXPECT_EQ(state.panels[0].spec.kind, NormKind::Layer);
    EXPECT_EQ(state.panels[1].spec.kind, NormKind::Rms);
}

float total(const normviz::core::Histogram& h) {
    float sum = 0;
    for (float c : h.counts) sum += c;
    return sum;
}

TEST(AppState, FocusChangeBringsTheNewGroupsHistogramsNotNewStatistics) {
    AppState state = make_state();
    const auto& batch = panel_of(state, NormKind::Batch);
    const uint64_t version = batch.stats_version;
    const normviz::core::Histogram before = batch.histograms.inputs;
    EXPECT_EQ(total(before), 4.0f * 4 * 4);    // BatchNorm pools N*H*W values
    EXPECT_EQ(batch.histograms_key.group, 2);  // the focus's channel
    move_focus(state, Axis::C, +1);
    update_derived(state);
    const auto& after = panel_of(state, NormKind::Batch);
    EXPECT_EQ(after.stats_version, version);
    EXPECT_EQ(after.histograms_key.group, 3);
    EXPECT_EQ(after.histograms_key, after.histograms_wanted);  // a small group: at once
    EXPECT_TRUE(after.histograms.inputs.lo != before.lo || after.histograms.inputs.counts != before.counts);
    EXPECT_EQ(state.derived_focus, state.scene.focus);
}

// A group larger than kSyncHistogramValues is counted on the worker, which then counts the
// panel's other groups too: once it is idle, every group's histograms come from the cache at
// once, without waiting for anything.
TEST(AppState, LargeGroupsHistogramsComeFromTheWorkerAndTheCache) {
    AppState state = make_state();
    state.scene.shape = {2, 8, 128, 160};
    regenerate_tensor(state);
    state.scene.focus = {0, 0, 0, 0};
    update_derived(state);
    normviz::app::finish_focus_histograms(state);
    const auto& layer = panel_of(state, NormKind::Layer);
    ASSERT_GT(layer.partition.group_size(), normviz::app::kSyncHistogramValues);
    EXPECT_EQ(layer.histograms_key, layer.histograms_wanted);
    EXPECT_EQ(total(layer.histograms.inputs), 8.0f * 128 * 160);
    const normviz::app::HistogramKey first = layer.histograms_key;
    const std::vector<float> first_counts = layer.histograms.outputs.counts;
    const float first_hi = layer.histograms.outputs.hi;

    state.scene.focus.n = 1;
    update_derived(state);
    EXPECT_EQ(panel_of(state, NormKind::Layer).histograms_key.group, 1);
    EXPECT_EQ(panel_of(state, NormKind::Layer).histograms_key, panel_of(state, NormKind::Layer).histograms_wanted);
    EXPECT_EQ(total(panel_of(state, NormKind::Layer).histograms.inputs), 8.0f * 128 * 160);

    state.scene.focus.n = 0;
    update_derived(state);
    EXPECT_EQ(panel_of(state, NormKind::Layer).histograms_key, first);
    EXPECT_EQ(panel_of(state, NormKind::Layer).histograms.outputs.counts, first_counts);

    // An affine edit makes the cached outputs stale: the new ones come from the worker.
    state.affine.gamma.assign(8, 2.0f);
    update_derived(state);
    normviz::app::finish_focus_histograms(state);
    const auto& edited = panel_of(state, NormKind::Layer);
    EXPECT_EQ(edited.histograms_key, edited.histograms_wanted);
    EXPECT_NE(edited.histograms_key, first);
    EXPECT_NEAR(edited.histograms.outputs.hi, 2.0f * first_hi, 1e-4f);
}

TEST(AppState, AffineEditRecomputesOutputs) {
    AppState state = make_state();
    const normviz::core::Histogram before = panel_of(state, NormKind::Layer).histograms.outputs;
    state.affine.gamma.assign(state.tensor.shape.C, 2.0f);
    state.affine.beta.assign(state.tensor.shape.C, 0.5f);
    update_derived(state);
    const normviz::core::Histogram& after = panel_of(state, NormKind::Layer).histograms.outputs;
    EXPECT_NEAR(after.lo, 2.0f * before.lo + 0.5f, 1e-5f);
    EXPECT_NEAR(after.hi, 2.0f * before.hi + 0.5f, 1e-5f);
    EXPECT_EQ(total(after), total(before));
}

TEST(AppState, MoveFocusClampsToTheShape) {
    AppState state = make_state();
    move_focus(state, Axis::N, +100);
    move_focus(state, Axis::C, -100);
    move_focus(state, Axis::H, +3);
    move_focus(state, Axis::W, -1);
    EXPECT_EQ(state.scene.focus, (Index{3, 0, 3, 1}));
}

TEST(AppState, SmallerShapeClampsFocusAndBumpsVersion) {
    AppState state = make_state();
    const uint64_t version = state.tensor_version;
    state.scene.shape = {1, 2, 1, 1};
    regenerate_tensor(state);
    EXPECT_EQ(state.scene.focus, (Index{0, 1, 0, 0}));
    EXPECT_GT(state.tensor_version, version);
    EXPECT_TRUE(state.camera.needs_fit);
}

TEST(AppState, NewChannelCountKeepsGroupsADivisor) {
    AppState state = make_state();
    struct Case {
        int64_t groups_before, channels, groups_after;
    };
    for (Case k : {Case{2, 8, 2}, Case{4, 6, 3}, Case{6, 4, 4}, Case{4, 7, 1}, Case{5, 10, 5}, Case{8, 12, 6}}) {
        state.scene.groups = k.groups_before;
        set_tensor(state, normviz::core::generate({2, k.channels, 3, 3}, state.scene.generator, 1));
        EXPECT_EQ(state.scene.groups, k.groups_after) << "G " << k.groups_before << " with C = " << k.channels;
        EXPECT_EQ(k.channels % state.scene.groups, 0);
        update_derived(state);
        EXPECT_TRUE(panel_of(state, NormKind::Group).error.empty()) << panel_of(state, NormKind::Group).error;
        EXPECT_EQ(panel_of(state, NormKind::Group).partition.group_count(), 2 * k.groups_after);
    }
}

TEST(AppState, BatchNormOfOneValuePerChannelExplainsItselfWithoutNaN) {
    HeadlessImGui ui;
    AppState state = make_state();
    state.scene.shape = {1, 4, 1, 1};
    regenerate_tensor(state);
    state.scene.single_view = true;
    state.scene.single_norm = NormKind::Batch;
    update_derived(state);
    ASSERT_EQ(state.panels.size(), 1u);
    const auto& p = state.panels[0];
    EXPECT_NE(p.error.find("PyTorch"), std::string::npos) << p.error;
    EXPECT_NE(p.error.find("BatchNorm"), std::string::npos) << p.error;
    for (const auto& s : p.stats) {
        EXPECT_TRUE(std::isfinite(s.mean));
        EXPECT_TRUE(std::isfinite(s.var));
    }
    EXPECT_FALSE(p.histograms.outputs.counts.empty());
    EXPECT_TRUE(std::isfinite(p.histograms.outputs.lo) && std::isfinite(p.histograms.outputs.hi));

    ui.app_frame(state);
    const std::string text = ui.app_frame_text(state);
    EXPECT_NE(text.find("PyTorch"), std::string::npos) << text;
    EXPECT_EQ(text.find("NaN"), std::string::npos) << text;
    EXPECT_EQ(text.find("nan"), std::string::npos) << text;

    // In the comparison view too (InstanceNorm also refuses H*W = 1).
    state.scene.single_view = false;
    ui.app_frame(state);
    const std::string all = ui.app_frame_text(state);
    EXPECT_EQ(all.find("NaN"), std::string::npos) << all;
    EXPECT_EQ(all.find("nan"), std::string::npos) << all;
    EXPECT_NE(panel_of(state, NormKind::Instance).error.find("PyTorch"), std::string::npos);
}

// A loaded tensor has no training stream: eval mode refuses to invent running statistics and
// says why, until the model's own are loaded; then the panel holds exactly those.
TEST(AppState, EvalModeOnALoadedTensorNeedsTheModelsRunningStats) {
    HeadlessImGui ui;
    AppState state = make_state();       // (4, 6, 4, 4)
    state.scene.data_path = "acts.npy";  // as after a load
    ++state.tensor_version;
    state.scene.batchnorm_eval = true;
    update_derived(state);
    EXPECT_EQ(panel_of(state, NormKind::Batch).error, normviz::app::kEvalNeedsRunningStats);
    EXPECT_TRUE(panel_of(state, NormKind::Batch).stats.empty());

    normviz::core::BatchNormBuffers buffers;
    buffers.prefix = "layer1.0.bn1";
    for (int c = 0; c < 6; ++c) {
        buffers.running_mean.push_back(0.25 * c);
        buffers.running_var.push_back(1.0 + c);
    }
    state.running = buffers;
    ++state.running_version;
    update_derived(state);
    const auto& bn = panel_of(state, NormKind::Batch);
    EXPECT_TRUE(bn.error.empty()) << bn.error;
    ASSERT_EQ(bn.stats.size(), 6u);
    for (int c = 0; c < 6; ++c) {
        EXPECT_EQ(bn.stats[c].count, 0);
        EXPECT_DOUBLE_EQ(bn.stats[c].mean, 0.25 * c);
        EXPECT_DOUBLE_EQ(bn.stats[c].var, 1.0 + c);
    }
    EXPECT_EQ(bn.running_prefix, "layer1.0.bn1");
    ui.app_frame(state);
    const std::string text = ui.app_frame_text(state);
    EXPECT_NE(text.find("the model's running mean/var"), std::string::npos) << text;

    // Buffers of another layer (C = 3) do not fit: said in words, nothing shown.
    buffers.running_mean.resize(3);
    buffers.running_var.resize(3);
    state.running = buffers;
    ++state.running_version;
    update_derived(state);
    EXPECT_NE(panel_of(state, NormKind::Batch).error.find("have 3 channels, but the tensor has C = 6"),
              std::string::npos);
}

TEST(AppState, BatchNormInEvalModePoolsNoValuesOfTheBatch) {
    HeadlessImGui ui;
    AppState state = make_state();  // (4, 6, 4, 4)
    const auto train = panel_of(state, NormKind::Batch);
    const auto layer_version = panel_of(state, NormKind::Layer).stats_version;
    ASSERT_FALSE(train.eval_mode);
    ASSERT_EQ(train.stats[0].count, 4 * 4 * 4);

    state.scene.batchnorm_eval = true;
    update_derived(state);
    const auto& bn = panel_of(state, NormKind::Batch);
    EXPECT_TRUE(bn.eval_mode);
    EXPECT_TRUE(bn.error.empty()) << bn.error;
    ASSERT_EQ(bn.stats.size(), 6u);                        // one per channel: the running statistics
    for (const auto& s : bn.stats) EXPECT_EQ(s.count, 0);  // no value of this batch pooled
    EXPECT_TRUE(bn.histograms.inputs.counts.empty());
    EXPECT_TRUE(bn.histograms.outputs.counts.empty());
    EXPECT_NE(bn.stats_version, train.stats_version);  // the renderer re-uploads
    // The same running statistics lesson 5 computes: a fresh BatchNorm over 30 batches.
    auto running = normviz::core::eval_running_stats(state.tensor.shape, state.scene.generator, state.scene.seed);
    ASSERT_TRUE(running) << running.error().message;
    EXPECT_EQ(running.value().batches, 30);
    EXPECT_EQ(bn.running_batches, 30);
    for (int64_t c = 0; c < 6; ++c) {
        EXPECT_DOUBLE_EQ(bn.stats[c].mean, running.value().running.mean()[c]);
        EXPECT_DOUBLE_EQ(bn.stats[c].var, running.value().running.var()[c]);
    }
    // Other norms are untouched (not even recomputed).
    EXPECT_FALSE(panel_of(state, NormKind::Layer).eval_mode);
    EXPECT_EQ(panel_of(state, NormKind::Layer).stats_version, layer_version);

    // The statistics sidebar says so, with the running mean and var, and no pooled histogram.
    ui.app_frame(state);
    const std::string text = ui.app_frame_text(state);
    EXPECT_NE(text.find("BatchNorm (eval)"), std::string::npos) << text;
    EXPECT_NE(text.find("none (eval mode: simulated running mean/var)"), std::string::npos) << text;
    EXPECT_NE(text.find("running mean"), std::string::npos) << text;
    EXPECT_NE(text.find("30 training batches"), std::string::npos) << text;
    EXPECT_NE(text.find("simulated running statistics"), std::string::npos) << text;
    EXPECT_EQ(text.find("nan"), std::string::npos) << text;

    // Off again: train mode, the batch's statistics.
    state.scene.batchnorm_eval = false;
    update_derived(state);
    EXPECT_FALSE(panel_of(state, NormKind::Batch).eval_mode);
    EXPECT_EQ(panel_of(state, NormKind::Batch).stats[0].count, 4 * 4 * 4);
    EXPECT_FALSE(panel_of(state, NormKind::Batch).histograms.inputs.counts.empty());
}

// The first tensor may have the shape the empty one has, (1, 1, 1, 1): G still fits C.
TEST(AppState, SameShapeTensorStillFitsGroups) {
    AppState state = make_state();
    set_tensor(state, normviz::core::generate({1, 1, 1, 1}, state.scene.generator, 1));
    state.scene.groups = 2;
    set_tensor(state, normviz::core::generate({1, 1, 1, 1}, state.scene.generator, 2));
    EXPECT_EQ(state.scene.groups, 1);
    update_derived(state);
    EXPECT_TRUE(panel_of(state, NormKind::Group).error.empty()) << panel_of(state, NormKind::Group).error;
}

TEST(AppState, GroupNormWithANonDivisorShowsTheErrorAndNoStatistics) {
    HeadlessImGui ui;
    AppState state = make_state();
    state.scene.groups = 4;  // C = 6: only reachable by editing the scene directly
    update_derived(state);
    const auto& g = panel_of(state, NormKind::Group);
    EXPECT_FALSE(g.error.empty());
    EXPECT_TRUE(g.stats.empty());
    EXPECT_TRUE(g.histograms.inputs.counts.empty());
    const std::string text = ui.app_frame_text(state);
    EXPECT_NE(text.find("divisible"), std::string::npos) << text;
    EXPECT_EQ(text.find("NaN"), std::string::npos) << text;
}

TEST(AppState, NaNInTheTensorIsShownWithAnExplanation) {
    HeadlessImGui ui;
    AppState state = make_state();
    normviz::core::Tensor t = state.tensor;
    t.at(state.scene.focus) = NAN;
    set_tensor(state, std::move(t));
    state.scene.single_view = true;
    state.scene.single_norm = NormKind::Layer;
    update_derived(state);
    EXPECT_TRUE(std::isfinite(state.value_center));
    EXPECT_GT(state.value_half_range, 0.0f);
    ui.app_frame(state);
    const std::string text = ui.app_frame_text(state);
    EXPECT_NE(text.find("NaN"), std::string::npos);
    EXPECT_NE(text.find("contains NaN"), std::string::npos) << text;
    EXPECT_EQ(text.find("nan"), std::string::npos) << text;  // never printf's bare "nan"
}

TEST(AppState, LoadingAMissingFileKeepsTheTensorAndReportsAnError) {
    AppState state = make_state();
    const normviz::core::Tensor before = state.tensor;
    const uint64_t version = state.tensor_version;
    const std::string data_path = state.scene.data_path;
    EXPECT_FALSE(load_tensor_file(state, "/nonexistent/dir/activations.npy"));
    EXPECT_TRUE(state.message_is_error);
    EXPECT_NE(state.message.find("activations.npy"), std::string::npos) << state.message;
    EXPECT_EQ(state.tensor.shape, before.shape);
    EXPECT_EQ(state.tensor.data, before.data);
    EXPECT_EQ(state.tensor_version, version);
    EXPECT_EQ(state.scene.data_path, data_path);
    update_derived(state);
    EXPECT_EQ(state.panels.size(), 6u);
}

TEST(AppState, LoadingAFileReplacesTheTensor) {
    AppState state = make_state();
    normviz::core::Tensor t = normviz::core::generate({3, 5, 2, 2}, normviz::core::Generator::Normal, 7);
    const std::string path = std::string(NORMVIZ_TEST_TMP_DIR) + "/app_state_load.npy";
    ASSERT_TRUE(normviz::core::write_npy(path, t));
    state.scene.groups = 2;
    ASSERT_TRUE(load_tensor_file(state, path));
    EXPECT_FALSE(state.message_is_error);
    EXPECT_EQ(state.tensor.shape, (Shape{3, 5, 2, 2}));
    EXPECT_EQ(state.tensor.data, t.data);
    EXPECT_EQ(state.scene.data_path, path);
    EXPECT_EQ(state.scene.groups, 1);  // 2 does not divide 5
    EXPECT_EQ(state.scene.focus, (Index{1, 2, 1, 1}));
    update_derived(state);
    EXPECT_EQ(panel_of(state, NormKind::Batch).partition.group_count(), 5);
    // Regenerating forgets the file.
    regenerate_tensor(state);
    EXPECT_TRUE(state.scene.data_path.empty());
}

// The desktop has no --convert-int to ask for: integer files load, converted to float32.
TEST(AppState, LoadingAnIntegerFileConvertsIt) {
    AppState state = make_state();
    const std::string path = std::string(NORMVIZ_TEST_TMP_DIR) + "/app_state_u8.npy";
    ASSERT_TRUE(normviz::core::write_npy_u8(path, {1, 2, 1, 3}, {0, 1, 2, 3, 4, 255}));
    ASSERT_TRUE(load_tensor_file(state, path)) << state.message;
    EXPECT_EQ(state.tensor.shape, (Shape{1, 2, 1, 3}));
    EXPECT_EQ(state.tensor.data, (std::vector<float>{0, 1, 2, 3, 4, 255}));
}

TEST(AppState, SmallRequestsRunAtOnce) {
    AppState state = make_state();
    const uint64_t version = state.tensor_version;
    state.scene.shape = {2, 4, 3, 3};
    normviz::app::request_regenerate(state);
    EXPECT_FALSE(state.work->busy());
    EXPECT_EQ(state.tensor.shape, (Shape{2, 4, 3, 3}));
    EXPECT_GT(state.tensor_version, version);
    normviz::app::request_load(state, "/nonexistent/small.npy");  // missing: read at once, fails
    EXPECT_FALSE(state.work->busy());
    EXPECT_TRUE(state.message_is_error);
    EXPECT_EQ(state.tensor.shape, (Shape{2, 4, 3, 3}));
}

TEST(AppState, LargeRegenerateRunsOnTheWorkerAndInstallsTheSameStatistics) {
    AppState state = make_state();
    state.scene.shape = {4, 64, 64, 80};  // 1.3 M values: above the synchronous limit
    normviz::app::request_regenerate(state);
    EXPECT_TRUE(state.work->busy() || state.tensor.shape == state.scene.shape);
    state.work->wait();
    normviz::app::install_finished_work(state);
    ASSERT_EQ(state.tensor.shape, (Shape{4, 64, 64, 80}));
    EXPECT_EQ(state.scene.groups, 2);
    ASSERT_EQ(state.panels.size(), 6u);
    std::vector<uint64_t> versions;
    for (const auto& p : state.panels) versions.push_back(p.stats_version);
    update_derived(state);  // keeps the worker's statistics
    normviz::app::finish_focus_histograms(state);
    for (size_t i = 0; i < state.panels.size(); ++i) {
        const auto& p = state.panels[i];
        EXPECT_EQ(p.stats_version, versions[i]) << normviz::core::norm_title(p.spec.kind);
        EXPECT_EQ(total(p.histograms.inputs), static_cast<float>(p.partition.group_size()));
        const auto expected = normviz::core::compute_group_stats(state.tensor, p.partition);
        ASSERT_EQ(p.stats.size(), expected.size());
        for (size_t g = 0; g < expected.size(); g += 7) {
            EXPECT_DOUBLE_EQ(p.stats[g].mean, expected[g].mean);
            EXPECT_DOUBLE_EQ(p.stats[g].var, expected[g].var);
        }
    }
}

// The worker's path and the frame's give the same panels: a large batch split over devices
// keeps BatchNorm's per-device groups (a worker job once partitioned it as one device).
TEST(AppState, LargeRegenerateKeepsTheDeviceSplit) {
    AppState state = make_state();
    state.scene.shape = {4, 64, 64, 80};  // above the synchronous limit: the worker runs
    state.scene.devices = 2;
    update_derived(state);
    normviz::app::request_regenerate(state);
    state.work->wait();
    normviz::app::install_finished_work(state);
    update_derived(state);
    ASSERT_EQ(state.tensor.shape, (Shape{4, 64, 64, 80}));
    const auto& bn = panel_of(state, NormKind::Batch);
    const auto split = normviz::core::make_device_partition(state.tensor.shape, 2);
    EXPECT_EQ(bn.partition.group_count(), split.group_count());
    const auto expected = normviz::core::compute_group_stats(state.tensor, split);
    ASSERT_EQ(bn.stats.size(), expected.size());
    for (size_t g = 0; g < expected.size(); g += 5) {
        EXPECT_EQ(bn.stats[g].count, expected[g].count);
        EXPECT_DOUBLE_EQ(bn.stats[g].mean, expected[g].mean);
    }
}

// A padded batch generated on the worker holds 0 at its padded positions, as a small one does.
TEST(AppState, LargeRegenerateFillsThePadding) {
    AppState state = make_state();
    state.scene.shape = {2, 8, 260, 256};  // over 2^20 values: the worker runs
    state.scene.lengths = {256, 100};
    normviz::app::request_regenerate(state);
    state.work->wait();
    normviz::app::install_finished_work(state);
    ASSERT_EQ(state.tensor.shape, (Shape{2, 8, 260, 256}));
    int64_t padded_nonzero = 0, padded = 0;
    for (int64_t c = 0; c < 8; ++c)
        for (int64_t h = 0; h < 260; ++h)
            for (int64_t w = 100; w < 256; ++w) {
                ++padded;
                if (state.tensor.at({1, c, h, w}) != 0.0f) ++padded_nonzero;
            }
    EXPECT_EQ(padded_nonzero, 0) << "of " << padded << " padded values";
    EXPECT_NE(state.tensor.at({0, 0, 0, 200}), 0.0f);  // sample 0 is not padded
}

TEST(AppState, ValueRangeIsSymmetricAroundZeroForSignedData) {
    AppState state = make_state();
    normviz::core::Tensor t = normviz::core::make_tensor({1, 2, 1, 2});
    t.data = {-3.0f, 1.0f, 2.0f, 0.5f};
    set_tensor(state, t);
    EXPECT_FLOAT_EQ(state.value_center, 0.0f);
    EXPECT_FLOAT_EQ(state.value_half_range, 3.0f);
    t.data = {1.5f, 1.5f, 1.5f, 1.5f};  // constant: a positive range anyway
    set_tensor(state, t);
    EXPECT_FLOAT_EQ(state.value_center, 1.5f);
    EXPECT_GT(state.value_half_range, 0.0f);
}

TEST(AppState, ColorScaleOfPostReluDataSpansItsValuesAndFollowsTheScene) {
    AppState state = make_state();
    normviz::core::Tensor t = normviz::core::make_tensor({1, 2, 10, 10});
    for (size_t i = 0; i < t.data.size(); ++i) t.data[i] = i % 2 ? 0.0f : 0.01f * float(i);  // >= 0, long tail
    t.data[107] = 100.0f;                                                                    // one outlier, in c = 1
    set_tensor(state, t);
    const uint64_t summarized = state.value_colors.summary_version;
    EXPECT_EQ(summarized, state.tensor_version);
    // Symmetric (the default) on data of one sign: min .. max.
    EXPECT_FLOAT_EQ(state.value_center, 50.0f);
    state.scene.color_scale = normviz::app::ColorScale::Percentile;
    update_derived(state);
    EXPECT_LT(state.value_center + state.value_half_range, 5.0f);  // the outlier is clipped away
    EXPECT_TRUE(state.value_colors.channels.empty());
    state.scene.color_scale = normviz::app::ColorScale::ChannelMinMax;
    const uint64_t before = state.value_colors.channels_version;
    update_derived(state);
    ASSERT_EQ(state.value_colors.channels.size(), 2u);
    EXPECT_GT(state.value_colors.channels_version, before);
    EXPECT_DOUBLE_EQ(normviz::app::raw_color_range(state, 1).high(), 100.0);  // channel 1 holds the outlier
    EXPECT_LT(normviz::app::raw_color_range(state, 0).high(), 1.0);
    EXPECT_EQ(state.value_colors.summary_version, summarized);  // a scale change does not summarize again
}

TEST(AppState, NextNonFiniteMovesTheFocusInMemoryOrder) {
    AppState state = make_state();
    normviz::core::Tensor t = normviz::core::make_tensor({2, 3, 2, 2});
    t.at({0, 2, 1, 1}) = NAN;
    t.at({1, 0, 0, 0}) = INFINITY;
    set_tensor(state, t);
    state.scene.focus = {0, 0, 0, 0};
    ASSERT_TRUE(normviz::app::focus_next_non_finite(state));
    EXPECT_EQ(state.scene.focus, (Index{0, 2, 1, 1}));
    EXPECT_NE(state.message.find("NaN"), std::string::npos) << state.message;
    ASSERT_TRUE(normviz::app::focus_next_non_finite(state));
    EXPECT_EQ(state.scene.focus, (Index{1, 0, 0, 0}));
    ASSERT_TRUE(normviz::app::focus_next_non_finite(state));
    EXPECT_EQ(state.scene.focus, (Index{0, 2, 1, 1}));  // wraps around
    EXPECT_EQ(state.value_colors.summary.nan, 1);
    EXPECT_EQ(state.value_colors.summary.pos_inf, 1);

    set_tensor(state, normviz::core::make_tensor({2, 3, 2, 2}));
    state.scene.focus = {1, 1, 1, 1};
    EXPECT_FALSE(normviz::app::focus_next_non_finite(state));
    EXPECT_EQ(state.scene.focus, (Index{1, 1, 1, 1}));
    EXPECT_FALSE(state.message_is_error);
}

TEST(Format, NumbersNeverPrintABareNaN) {
    EXPECT_EQ(format_number(NAN), "NaN");
    EXPECT_EQ(format_number(-NAN), "NaN");
    EXPECT_EQ(format_number(INFINITY), "+Inf");
    EXPECT_EQ(format_number(-INFINITY), "-Inf");
    EXPECT_EQ(format_number(0.0), "0");
    EXPECT_EQ(format_number(1.5), "1.5");
    EXPECT_EQ(format_number(-2.25), "-2.25");
    EXPECT_EQ(format_number(1e-7), "1e-07");
    EXPECT_EQ(format_number(123456789.0), "1.23457e+08");
}

}  // namespace

// A quiz outlives the tensor it asked about: a sample removed by the batch editor, a file
// loaded. Its marks are flat indices of the old shape, and the overlay drew them through
// unflat_index, which stopped the program with a cell past the end (found by the window
// soak). A new shape asks a new question about the new tensor.
TEST(AppState, ANewShapeDuringAQuizAsksANewQuestion) {
    AppState state = make_state();  // (4, 6, 4, 4)
    normviz::app::start_quiz(state);
    const int64_t last = state.tensor.shape.numel() - 1;
    normviz::app::toggle_quiz_guess(state, normviz::core::unflat_index(state.tensor.shape, last));
    ASSERT_EQ(state.classroom.quiz.guesses.count(last), 1u);
    const uint64_t round = state.classroom.quiz.round;
    ASSERT_TRUE(normviz::app::apply_sample_edit(state, 0, normviz::core::SampleEdit::Remove));
    update_derived(state);
    const normviz::app::QuizState& q = state.classroom.quiz;
    EXPECT_EQ(state.tensor.shape.N, 3);
    EXPECT_TRUE(q.active);
    EXPECT_EQ(q.round, round + 1);
    EXPECT_TRUE(q.guesses.empty());
    EXPECT_TRUE(normviz::core::contains(state.tensor.shape, q.focus));
    // The same shape again (a new seed): the question and its marks stay.
    normviz::app::toggle_quiz_guess(state, q.focus);
    state.scene.seed += 1;
    regenerate_tensor(state);
    EXPECT_EQ(q.round, round + 1);
    EXPECT_EQ(q.guesses.size(), 1u);
}
