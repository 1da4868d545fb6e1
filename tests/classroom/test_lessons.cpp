// The shipped lessons parse, every step applies and shows numbers, and each lesson's numbers
// agree with a direct computation (or with PyTorch's, through the running-stats fixture).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "app/state/classroom_actions.h"
#include "app/classroom/lesson_numbers.h"
#include "core/npy.h"

namespace normviz::app {
namespace {

// Mean of channel c over samples [n0, n1) and positions with w < limit[n] (all when empty).
double direct_mean(const core::Tensor& t, int64_t c, int64_t n0, int64_t n1, const std::vector<int64_t>& limit = {}) {
    double sum = 0;
    int64_t count = 0;
    for (int64_t n = n0; n < n1; ++n)
        for (int64_t h = 0; h < t.shape.H; ++h)
            for (int64_t w = 0; w < (limit.empty() ? t.shape.W : limit[n]); ++w) {
                sum += t.at({n, c, h, w});
                ++count;
            }
    return sum / count;
}

ClaimInputs inputs_of(const AppState& state) {
    ClaimInputs in;
    in.tensor = &state.tensor;
    in.focus = state.scene.focus;
    in.groups = state.scene.groups;
    in.eps = state.scene.eps;
    in.devices = state.scene.devices;
    in.lengths = state.scene.lengths;
    in.generator = state.scene.generator;
    in.seed = state.scene.seed;
    if (const LessonStep* step = current_step(state)) in.params = step->params;
    return in;
}

AppState at_step(const std::string& id, int step) {
    AppState state;
    regenerate_tensor(state);
    const int lesson = find_lesson(id);
    EXPECT_GE(lesson, 0) << id;
    go_to_lesson_step(state, lesson, step);
    update_derived(state);
    return state;
}

TEST(Lessons, TenShippedLessonsParse) {
    const LessonLibrary& lib = shipped_lessons();
    for (const std::string& e : lib.errors) ADD_FAILURE() << e;
    ASSERT_EQ(lib.lessons.size(), 10u);
    const char* ids[] = {"four-norms", "group-sweep", "two-layernorms", "batch-size",        "train-eval",
                         "padding",    "devices",     "finetuning",     "when-to-use-which", "training"};
    for (size_t i = 0; i < 10; ++i) EXPECT_EQ(lib.lessons[i].id, ids[i]);
    const char* sources[] = {"Ioffe and Szegedy 2015", "Ba et al. 2016",          "Ulyanov et al. 2016",
                             "Wu and He 2018",         "Zhang and Sennrich 2019", "Santurkar et al. 2018"};
    std::string all_sources;
    for (const Lesson& l : lib.lessons) {
        for (const LessonStep& s : l.steps)  // a step's saved sweep is one of assets/sweeps/
            if (!s.train_sweep.empty()) {
                EXPECT_TRUE(shipped_sweep(s.train_sweep)) << l.id << ": " << s.train_sweep;
            }
        EXPECT_GE(l.steps.size(), 3u) << l.id;
        for (const LessonStep& s : l.steps) {
            EXPECT_FALSE(s.text.empty());
            EXPECT_FALSE(s.source.empty()) << l.id << ": " << s.title;
            all_sources += s.source + ";";
        }
    }
    for (const char* src : sources) EXPECT_NE(all_sources.find(src), std::string::npos) << src;
}

TEST(Lessons, EmbeddedLessonsEqualTheAssetFiles) {
    // The embedded copy is what ships; the files in assets/ are what people edit.
    for (const char* file : {"01_four_norms.json", "06_padding.json"}) {
        std::ifstream in(std::string(NORMVIZ_LESSON_DIR) + "/" + file);
        std::ostringstream text;
        text << in.rdbuf();
        auto parsed = parse_lesson_json(text.str(), file);
        ASSERT_TRUE(parsed) << parsed.error().message;
        const int i = find_lesson(parsed.value().id);
        ASSERT_GE(i, 0);
        EXPECT_EQ(shipped_lessons().lessons[i].steps.size(), parsed.value().steps.size());
    }
}

TEST(Lessons, EveryStepAppliesAndShowsNumbers) {
    const auto& lessons = shipped_lessons().lessons;
    for (size_t l = 0; l < lessons.size(); ++l)
        for (size_t s = 0; s < lessons[l].steps.size(); ++s) {
            AppState state;
            regenerate_tensor(state);
            go_to_lesson_step(state, static_cast<int>(l), static_cast<int>(s));
            update_derived(state);
            EXPECT_EQ(state.classroom.lesson, static_cast<int>(l));
            EXPECT_EQ(state.classroom.step, static_cast<int>(s));
            EXPECT_FALSE(state.message_is_error) << state.message;
            const ClaimResult& claim = current_claim(state);
            EXPECT_TRUE(claim.error.empty()) << lessons[l].id << " step " << s + 1 << ": " << claim.error;
            EXPECT_FALSE(claim.headline.empty()) << lessons[l].id << " step " << s + 1;
            EXPECT_FALSE(claim.rows.empty());
        }
}

// A decision rule's "show why" link opens the step it names, and Back returns.
TEST(Lessons, SeeLinksOpenTheirStepAndComeBack) {
    int links = 0;
    const auto& lessons = shipped_lessons().lessons;
    for (size_t l = 0; l < lessons.size(); ++l)
        for (size_t s = 0; s < lessons[l].steps.size(); ++s) {
            const LessonStep& step = lessons[l].steps[s];
            if (step.see_lesson.empty()) continue;
            ++links;
            const int target = find_lesson(step.see_lesson);
            ASSERT_GE(target, 0) << lessons[l].id << " step " << s + 1 << " links to " << step.see_lesson;
            ASSERT_LE(step.see_step, static_cast<int>(lessons[target].steps.size()));
            AppState state;
            regenerate_tensor(state);
            go_to_lesson_step(state, static_cast<int>(l), static_cast<int>(s));
            follow_lesson_link(state);
            EXPECT_EQ(state.classroom.lesson, target);
            EXPECT_EQ(state.classroom.step, step.see_step - 1);
            back_from_link(state);
            EXPECT_EQ(state.classroom.lesson, static_cast<int>(l));
            EXPECT_EQ(state.classroom.step, static_cast<int>(s));
        }
    EXPECT_GE(links, 4);
    EXPECT_FALSE(parse_lesson_json(R"({"normviz_lesson": 1, "id": "x", "title": "X", "steps": [
        {"title": "a", "text": "b", "claim": "costs", "see": {"lesson": "padding", "step": 0}}]})",
                                   "x.json"));
}

TEST(Lessons, BadLessonFilesAreRefusedWithTheStep) {
    auto bad = parse_lesson_json(R"({"normviz_lesson": 1, "id": "x", "title": "X", "steps": [
        {"title": "a", "text": "b", "claim": "group_counts"},
        {"title": "a", "text": "b", "claim": "group_counts", "scene": {"shape": [2, 2]}}]})",
                                 "x.json");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("x.json step 2"), std::string::npos) << bad.error().message;
    EXPECT_FALSE(parse_lesson_json(R"({"normviz_lesson": 1, "id": "x", "title": "X", "steps": [
        {"title": "a", "text": "b", "claim": "magic"}]})",
                                   "x.json"));
    EXPECT_FALSE(parse_lesson_json(R"({"normviz_scene": 1})", "x.json"));
    EXPECT_FALSE(parse_lesson_json("not json", "x.json"));
}

TEST(LessonNumbers, FourNormsCountTheirPairs) {
    AppState state = at_step("four-norms", 0);
    const ClaimResult r = compute_claim("group_counts", inputs_of(state));
    const core::Shape& s = state.tensor.shape;
    EXPECT_EQ(r.values.at("groups.batch"), s.C);
    EXPECT_EQ(r.values.at("groups.layer"), s.N);
    EXPECT_EQ(r.values.at("groups.instance"), s.N * s.C);
    EXPECT_EQ(r.values.at("groups.group"), s.N * state.scene.groups);
    EXPECT_EQ(r.values.at("size.batch"), s.N * s.H * s.W);
}

TEST(LessonNumbers, GroupSweepFindsLayerAndInstanceNorm) {
    AppState state = at_step("group-sweep", 0);
    const ClaimResult r = compute_claim("group_sweep", inputs_of(state));
    EXPECT_EQ(r.values.at("same.g1_layer"), 1);
    EXPECT_EQ(r.values.at("same.gC_instance"), 1);
    EXPECT_EQ(r.values.at("groups.g4"), state.tensor.shape.N * 4);
}

TEST(LessonNumbers, RmsPoolsTheTransformerLayerNormsCells) {
    AppState state = at_step("two-layernorms", 1);
    const ClaimResult r = compute_claim("layer_token_rms", inputs_of(state));
    const core::Shape& s = state.tensor.shape;
    EXPECT_EQ(r.values.at("count.token"), s.C);
    EXPECT_EQ(r.values.at("count.rms"), s.C);
    EXPECT_EQ(r.values.at("count.layer"), s.C * s.H * s.W);
    EXPECT_EQ(r.values.at("same.token_rms"), 1);
}

TEST(LessonNumbers, BatchSizeMatchesDirectMeansAndExplainsOneValue) {
    AppState state = at_step("batch-size", 0);
    const ClaimResult r = compute_claim("batch_size", inputs_of(state));
    const core::Tensor& t = state.tensor;
    const int64_t c = state.scene.focus.c;  // focus n = 0, so sub-batches are prefixes
    ASSERT_EQ(state.scene.focus.n, 0);
    EXPECT_NEAR(r.values.at("bn_mean.n8"), direct_mean(t, c, 0, 8), 1e-6);
    EXPECT_NEAR(r.values.at("bn_mean.n2"), direct_mean(t, c, 0, 2), 1e-6);
    EXPECT_NEAR(r.values.at("bn_mean.n1"), direct_mean(t, c, 0, 1), 1e-6);
    AppState one = at_step("batch-size", 3);
    ASSERT_EQ(one.tensor.shape, (core::Shape{1, 4, 1, 1}));
    const ClaimResult e = compute_claim("batch_size", inputs_of(one));
    core::NormSpec batch;
    EXPECT_EQ(e.headline, core::validate(batch, one.tensor.shape).error().message);
    EXPECT_EQ(e.values.at("bn_error.n1"), 1);
    EXPECT_FALSE(one.panels[0].error.empty());  // the BatchNorm panel says it too
}

// One batch held fixed: steps 1-3 of the batch-size lesson show the same focus value and the
// same LayerNorm, InstanceNorm and GroupNorm statistics for it, while BatchNorm's change; and
// step 1's table predicts exactly what steps 2 and 3 then show.
TEST(LessonNumbers, BatchSizeStepsHoldTheBatchFixed) {
    const AppState first = at_step("batch-size", 0);
    const ClaimResult table = compute_claim("batch_size", inputs_of(first));
    auto focus_stats = [](const AppState& state, core::NormKind kind) {
        for (const PanelDerived& p : state.panels)
            if (p.spec.kind == kind) return p.stats.at(static_cast<size_t>(p.partition.group_of(state.scene.focus)));
        ADD_FAILURE() << "no panel of " << core::norm_name(kind);
        return core::GroupStats{};
    };
    for (int step : {1, 2}) {
        const AppState later = at_step("batch-size", step);
        SCOPED_TRACE("step " + std::to_string(step + 1) + ", N = " + std::to_string(later.tensor.shape.N));
        ASSERT_EQ(later.scene.focus, first.scene.focus);
        EXPECT_EQ(later.tensor.at(later.scene.focus), first.tensor.at(first.scene.focus));
        for (core::NormKind kind : {core::NormKind::Layer, core::NormKind::Instance, core::NormKind::Group}) {
            const core::GroupStats a = focus_stats(first, kind), b = focus_stats(later, kind);
            EXPECT_EQ(a.mean, b.mean) << core::norm_name(kind);
            EXPECT_EQ(a.var, b.var) << core::norm_name(kind);
        }
        const core::GroupStats bn = focus_stats(later, core::NormKind::Batch);
        const std::string n = std::to_string(later.tensor.shape.N);
        EXPECT_NE(bn.mean, focus_stats(first, core::NormKind::Batch).mean);
        EXPECT_NEAR(bn.mean, table.values.at("bn_mean.n" + n), 1e-12 * (1 + std::abs(bn.mean)));
        EXPECT_NEAR(bn.var, table.values.at("bn_var.n" + n), 1e-12 * (1 + bn.var));
    }
}

TEST(LessonNumbers, PaddingNaiveAndMaskedMeansMatchDirectComputation) {
    AppState state = at_step("padding", 0);
    const core::Tensor& t = state.tensor;
    ASSERT_EQ(state.scene.lengths, (std::vector<int64_t>{8, 5, 3, 6}));
    for (int64_t n = 0; n < 4; ++n)  // padded positions hold 0
        for (int64_t w = state.scene.lengths[n]; w < t.shape.W; ++w) EXPECT_EQ(t.at({n, 1, 0, w}), 0.0f);
    for (int64_t c = 0; c < t.shape.C; ++c) {
        state.scene.focus.c = c;
        const ClaimResult r = compute_claim("padding", inputs_of(state));
        const double naive = direct_mean(t, c, 0, 4), masked = direct_mean(t, c, 0, 4, state.scene.lengths);
        EXPECT_NEAR(r.values.at("naive_mean"), naive, 1e-6);
        EXPECT_NEAR(r.values.at("masked_mean"), masked, 1e-6);
        EXPECT_NEAR(r.values.at("mean_shift"), naive - masked, 1e-6);
        EXPECT_EQ(r.values.at("padded_count"), 0 + 3 + 5 + 2);
    }
}

TEST(LessonNumbers, DevicesPerDeviceAndSyncedMatchDirectComputation) {
    AppState state = at_step("devices", 2);  // 4 devices of 2 samples
    ASSERT_EQ(state.scene.devices, 4);
    const core::Tensor& t = state.tensor;
    const int64_t c = state.scene.focus.c;
    const ClaimResult r = compute_claim("devices", inputs_of(state));
    for (int64_t d = 0; d < 4; ++d)
        EXPECT_NEAR(r.values.at("device_mean." + std::to_string(d)), direct_mean(t, c, 2 * d, 2 * d + 2), 1e-6);
    EXPECT_NEAR(r.values.at("synced_mean"), direct_mean(t, c, 0, 8), 1e-6);
    // The picture's BatchNorm panel uses the per-device partition: 4 devices x C groups.
    ASSERT_EQ(state.panels.size(), 1u);
    EXPECT_EQ(state.panels[0].partition.group_count(), 4 * t.shape.C);
    const core::GroupStats& own = state.panels[0].stats[state.panels[0].partition.group_of(state.scene.focus)];
    EXPECT_NEAR(own.mean, direct_mean(t, c, 2 * (state.scene.focus.n / 2), 2 * (state.scene.focus.n / 2) + 2), 1e-6);
    // SyncBatchNorm (1 device) is the plain batch partition.
    AppState sync = at_step("devices", 0);
    EXPECT_EQ(sync.panels[0].partition.group_count(), t.shape.C);
    // Micro-batches pool like devices.
    AppState micro = at_step("devices", 3);
    const ClaimResult m = compute_claim("devices", inputs_of(micro));
    EXPECT_NEAR(m.values.at("device_mean.1"), direct_mean(micro.tensor, micro.scene.focus.c, 2, 4), 1e-6);
}

// Reads a '<f8' C-order .npy (the fixture's expected running statistics).
std::vector<double> read_f64(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (bytes.size() < 10) return {};
    const size_t header_len = static_cast<uint8_t>(bytes[8]) | (size_t{static_cast<uint8_t>(bytes[9])} << 8);
    const size_t at = 10 + header_len;
    std::vector<double> out((bytes.size() - at) / 8);
    std::memcpy(out.data(), bytes.data() + at, out.size() * 8);
    return out;
}

TEST(LessonNumbers, RunningStatsOfTheLessonGlueMatchPyTorch) {
    const std::string dir = std::string(NORMVIZ_FIXTURE_DIR) + "/running_stats";
    std::vector<core::Tensor> batches;
    for (int i = 0; i < 5; ++i) {
        auto b = core::read_npy(dir + "/batch" + std::to_string(i) + ".in.npy");
        ASSERT_TRUE(b) << b.error().message;
        batches.push_back(std::move(b.value()));
    }
    auto running = track_running_stats(batches, 0.1);
    ASSERT_TRUE(running) << running.error().message;
    const std::vector<double> mean = read_f64(dir + "/momentum.running_mean.npy");
    const std::vector<double> var = read_f64(dir + "/momentum.running_var.npy");
    // One row of C values after each batch; the last row is after all five.
    ASSERT_EQ(mean.size(), 15u);
    ASSERT_EQ(var.size(), 15u);
    for (int c = 0; c < 3; ++c) {
        EXPECT_NEAR(running.value().mean()[c], mean[12 + c], 1e-6 * (1 + std::fabs(mean[12 + c])));
        EXPECT_NEAR(running.value().var()[c], var[12 + c], 1e-6 * (1 + std::fabs(var[12 + c])));
    }
    EXPECT_EQ(running.value().batches_tracked(), 5);
}

TEST(LessonNumbers, TrainEvalLessonConvergesAndShowsTheBatchOneGap) {
    AppState state = at_step("train-eval", 2);
    const ClaimResult r = compute_claim("running_stats", inputs_of(state));
    ASSERT_TRUE(r.error.empty()) << r.error;
    // 30 batches at momentum 0.1 leave 0.9^30 = 4% of the initial 0: near the stream's mean.
    EXPECT_NEAR(r.values.at("running_mean"), r.values.at("stream_mean"),
                0.1 * std::fabs(r.values.at("stream_mean")) + 0.2);
    EXPECT_GT(r.values.at("gap_batch1"), 0.0);
    // The stream is what make_batch_stream gives, and the glue tracks it like RunningStats.
    auto stream = make_batch_stream(state.tensor.shape, 8, 30, state.scene.generator, state.scene.seed);
    auto running = track_running_stats(stream, 0.1);
    ASSERT_TRUE(running);
    EXPECT_DOUBLE_EQ(r.values.at("running_mean"), running.value().mean()[state.scene.focus.c]);
    auto eval = core::normalize_eval(state.tensor, running.value());
    ASSERT_TRUE(eval);
    EXPECT_DOUBLE_EQ(r.values.at("y_eval"), eval.value().at(state.scene.focus));
}

TEST(LessonNumbers, TrainEvalLessonShowsEvalModeInThePicture) {
    EXPECT_FALSE(at_step("train-eval", 0).scene.batchnorm_eval);
    EXPECT_FALSE(at_step("train-eval", 2).scene.batchnorm_eval);  // served in train mode
    AppState state = at_step("train-eval", 1);
    ASSERT_TRUE(state.scene.batchnorm_eval);
    ASSERT_EQ(state.panels.size(), 1u);
    const PanelDerived& bn = state.panels[0];
    ASSERT_TRUE(bn.eval_mode);
    for (const auto& s : bn.stats) EXPECT_EQ(s.count, 0);
    // The picture normalizes with the running statistics the step's table reports.
    const ClaimResult r = compute_claim("running_stats", inputs_of(state));
    ASSERT_TRUE(r.error.empty()) << r.error;
    const core::GroupStats& s = bn.stats[bn.partition.group_of(state.scene.focus)];
    EXPECT_DOUBLE_EQ(s.mean, r.values.at("running_mean"));
    EXPECT_DOUBLE_EQ(s.var, r.values.at("running_var"));
    EXPECT_NEAR(core::normalize_value(state.tensor.at(state.scene.focus), s, true, state.scene.eps),
                r.values.at("y_eval"), 1e-6);
}

TEST(LessonNumbers, FineTuningDriftsWhileFrozenKeeps) {
    AppState state = at_step("finetuning", 1);
    const ClaimResult r = compute_claim("finetune", inputs_of(state));
    ASSERT_TRUE(r.error.empty()) << r.error;
    // The new data sits 2 higher: the drifted running mean moves up by most of that.
    EXPECT_GT(r.values.at("drift_mean") - r.values.at("frozen_mean"), 1.0);
    EXPECT_GT(r.values.at("output_diff"), 0.1);
}

}  // namespace
}  // namespace normviz::app
