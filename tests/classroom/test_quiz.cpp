// Quiz scoring and questions.
#include <gtest/gtest.h>

#include <algorithm>

#include "app/state/classroom_actions.h"
#include "app/classroom/quiz.h"
#include "core/scenarios.h"

namespace normviz::app {
namespace {

const core::Shape kShape{2, 4, 2, 2};

core::Partition partition(core::NormKind kind, int64_t groups = 2) {
    core::NormSpec spec;
    spec.kind = kind;
    spec.groups = groups;
    return core::make_partition(spec, kShape);
}

std::set<int64_t> group_of(const core::Partition& p, const core::Index& focus) {
    std::set<int64_t> out;
    for (int64_t i = 0; i < kShape.numel(); ++i)
        if (p.same_group(core::unflat_index(kShape, i), focus)) out.insert(i);
    return out;
}

TEST(Quiz, ExactGroupScoresOne) {
    const core::Index f{1, 2, 0, 1};
    for (core::NormKind k : {core::NormKind::Batch, core::NormKind::Layer, core::NormKind::Instance,
                             core::NormKind::Group, core::NormKind::LayerToken}) {
        const core::Partition p = partition(k);
        const QuizScore s = score_quiz(p, f, group_of(p, f));
        EXPECT_EQ(s.hits, p.group_size());
        EXPECT_EQ(s.misses, 0);
        EXPECT_EQ(s.false_alarms, 0);
        EXPECT_DOUBLE_EQ(s.score, 1.0);
    }
}

TEST(Quiz, NoGuessesCountsOnlyTheFocus) {
    const core::Partition p = partition(core::NormKind::Batch);  // 2 * 2 * 2 = 8 per group
    const QuizScore s = score_quiz(p, {0, 1, 0, 0}, {});
    EXPECT_EQ(s.pooled, 8);
    EXPECT_EQ(s.hits, 1);
    EXPECT_EQ(s.misses, 7);
    EXPECT_EQ(s.false_alarms, 0);
    EXPECT_DOUBLE_EQ(s.score, 1.0 / 8);
}

TEST(Quiz, FalseAlarmsAndOutOfRangeGuessesLowerTheScore) {
    const core::Partition p = partition(core::NormKind::Instance);  // 4 per group
    const core::Index f{0, 0, 0, 0};
    std::set<int64_t> guesses = group_of(p, f);
    guesses.insert(core::flat_index(kShape, {1, 0, 0, 0}));  // other sample: false alarm
    guesses.insert(-5);
    guesses.insert(kShape.numel());
    const QuizScore s = score_quiz(p, f, guesses);
    EXPECT_EQ(s.hits, 4);
    EXPECT_EQ(s.misses, 0);
    EXPECT_EQ(s.false_alarms, 3);
    EXPECT_DOUBLE_EQ(s.score, 4.0 / 7);
}

TEST(Quiz, MarkingTheFocusIsNotCountedTwice) {
    const core::Partition p = partition(core::NormKind::Instance);
    const core::Index f{1, 3, 1, 1};
    const QuizScore s = score_quiz(p, f, {core::flat_index(kShape, f)});
    EXPECT_EQ(s.hits, 1);
    EXPECT_EQ(s.misses, 3);
}

TEST(Quiz, QuestionsAreValidDeterministicAndVaried) {
    std::set<int> kinds;
    for (uint64_t round = 0; round < 20; ++round) {
        const QuizQuestion q = quiz_question(kShape, 2, round);
        EXPECT_TRUE(core::contains(kShape, q.focus));
        core::NormSpec spec;
        spec.kind = q.norm;
        spec.groups = 2;
        EXPECT_TRUE(core::validate(spec, kShape));
        const QuizQuestion again = quiz_question(kShape, 2, round);
        EXPECT_EQ(again.norm, q.norm);
        EXPECT_EQ(again.focus, q.focus);
        kinds.insert(static_cast<int>(q.norm));
    }
    EXPECT_EQ(kinds.size(), 5u);
    // N = 1, H = W = 1: BatchNorm and InstanceNorm do not apply, so they are never asked.
    for (uint64_t round = 0; round < 10; ++round) {
        const QuizQuestion q = quiz_question({1, 4, 1, 1}, 2, round);
        EXPECT_NE(q.norm, core::NormKind::Batch);
        EXPECT_NE(q.norm, core::NormKind::Instance);
    }
}

// Stopping the quiz gives back the view it replaced (it shows one norm per question); the
// statistics sidebar is kept hidden while it runs, whatever show_stats says.
TEST(Quiz, StoppingRestoresTheView) {
    AppState state;
    regenerate_tensor(state);
    state.scene.single_view = false;
    state.show_stats = true;
    start_quiz(state);
    EXPECT_TRUE(state.scene.single_view);
    EXPECT_TRUE(quiz_hides_statistics(state));
    next_quiz_question(state);
    start_quiz(state);  // again while running: still the view from before the quiz
    stop_quiz(state);
    EXPECT_FALSE(state.classroom.quiz.active);
    EXPECT_FALSE(state.scene.single_view);
    EXPECT_TRUE(state.show_stats);
    EXPECT_FALSE(quiz_hides_statistics(state));
}

// Leaving presenter mode during a quiz gives back show_stats, but not the sidebar: it would
// name the asked cell's group.
TEST(Quiz, LeavingPresenterModeKeepsTheStatisticsHidden) {
    AppState state;
    regenerate_tensor(state);
    state.show_stats = true;
    set_presenter(state, true);
    start_quiz(state);
    set_presenter(state, false);
    EXPECT_TRUE(state.show_stats);
    EXPECT_TRUE(quiz_hides_statistics(state));
    state.show_stats = !state.show_stats;  // F3 or the View menu
    EXPECT_TRUE(quiz_hides_statistics(state));
}

// The sentence after the reveal, for BatchNorm on (8, 3, 4, 4): the example of issue 12.
TEST(Quiz, ExplanationNamesThePooledAxesAndTheGroup) {
    const core::Shape shape{8, 3, 4, 4};
    core::NormSpec spec;
    spec.kind = core::NormKind::Batch;
    EXPECT_EQ(explain_quiz_group(spec, core::make_partition(spec, shape), {5, 2, 1, 3}),
              "BatchNorm pools N, H, W: channel 2 of every sample, 128 values.");
    spec.kind = core::NormKind::Instance;
    EXPECT_EQ(explain_quiz_group(spec, core::make_partition(spec, shape), {5, 2, 1, 3}),
              "InstanceNorm pools H, W: channel 2 of sample 5, 16 values.");
    spec.kind = core::NormKind::LayerToken;
    EXPECT_EQ(explain_quiz_group(spec, core::make_partition(spec, shape), {5, 2, 1, 3}),
              "LayerNorm (token) pools C: every channel of sample 5 at h = 1, w = 3, 3 values.");
    spec.kind = core::NormKind::Group;
    spec.groups = 2;
    const core::Shape wide{2, 8, 2, 2};
    EXPECT_EQ(explain_quiz_group(spec, core::make_partition(spec, wide), {1, 6, 0, 0}),
              "GroupNorm (G = 2) pools C/G, H, W: channels 4\u20137 of sample 1, 16 values.");
    // BatchNorm on 2 devices without sync: the device's samples only.
    spec.kind = core::NormKind::Batch;
    const core::Partition split = core::make_device_partition(shape, 2);
    EXPECT_NE(explain_quiz_group(spec, split, {5, 2, 0, 0}).find("channel 2 of samples 4\u20137"), std::string::npos)
        << explain_quiz_group(spec, split, {5, 2, 0, 0});
}

// Multiple choice: the true number is read from the partition, appears once, and the other
// choices differ from it; the questions alternate between counts and sizes.
TEST(Quiz, ChoicesHoldTheAnswerFromThePartition) {
    for (const core::Shape shape : {core::Shape{8, 3, 4, 4}, core::Shape{8, 8, 4, 4}, core::Shape{2, 4, 1, 1}})
        for (core::NormKind k : {core::NormKind::Batch, core::NormKind::Layer, core::NormKind::Instance,
                                 core::NormKind::Group, core::NormKind::LayerToken}) {
            core::NormSpec spec;
            spec.kind = k;
            spec.groups = shape.C % 4 == 0 ? 4 : 1;
            if (!core::validate(spec, shape)) continue;
            const core::Partition p = core::make_partition(spec, shape);
            for (QuizKind kind : {QuizKind::Count, QuizKind::Size})
                for (uint64_t round = 0; round < 6; ++round) {
                    SCOPED_TRACE(std::string(core::norm_name(k)) + " " + quiz_kind_name(kind) + " " +
                                 core::to_string(shape));
                    const QuizChoices c = quiz_choices(p, kind, spec.groups, round);
                    ASSERT_GE(c.values.size(), 2u);
                    ASSERT_LE(c.values.size(), 4u);
                    ASSERT_GE(c.answer, 0);
                    ASSERT_LT(c.answer, static_cast<int>(c.values.size()));
                    EXPECT_EQ(c.values[c.answer], kind == QuizKind::Count ? p.group_count() : p.group_size());
                    EXPECT_TRUE(std::is_sorted(c.values.begin(), c.values.end()));
                    EXPECT_EQ(std::adjacent_find(c.values.begin(), c.values.end()), c.values.end()) << "distinct";
                }
        }
    // "How many statistics does GroupNorm with G = 4 keep here?" on (8, 8, 4, 4): one per
    // sample and group, N * G = 32.
    core::NormSpec gn;
    gn.kind = core::NormKind::Group;
    gn.groups = 4;
    const QuizChoices c = quiz_choices(core::make_partition(gn, {8, 8, 4, 4}), QuizKind::Count, 4, 0);
    EXPECT_EQ(c.values[c.answer], 8 * 4);
    QuizQuestion q{QuizKind::Count, core::NormKind::Group, {}};
    EXPECT_EQ(
        quiz_prompt(q, {8, 8, 4, 4}, 4),
        "How many statistics (mean and variance pairs) does GroupNorm (G = 4) keep for this (8, 8, 4, 4) tensor?");
    std::set<QuizKind> kinds;
    for (uint64_t round = 0; round < 6; ++round) kinds.insert(quiz_question({8, 8, 4, 4}, 4, round).kind);
    EXPECT_EQ(kinds.size(), 3u) << "cells, count and size questions";
}

// In the program: a multiple-choice question's choices come from the partition the window
// draws (two devices without sync split BatchNorm's groups), a pick reveals it, and cells
// cannot be marked meanwhile.
TEST(Quiz, ChoosingAnAnswerRevealsIt) {
    AppState state;
    state.scene.shape = {8, 4, 2, 2};
    state.scene.devices = 2;
    regenerate_tensor(state);
    start_quiz(state);
    while (state.classroom.quiz.kind == QuizKind::Cells) next_quiz_question(state);
    QuizState& q = state.classroom.quiz;
    const core::NormSpec spec = spec_for(state.scene, q.norm);
    const core::Partition p = partition_for(state.scene, spec, state.tensor.shape);
    ASSERT_GE(q.choices.answer, 0);
    EXPECT_EQ(q.choices.values[q.choices.answer], q.kind == QuizKind::Count ? p.group_count() : p.group_size());
    toggle_quiz_guess(state, {0, 0, 0, 0});
    EXPECT_TRUE(q.guesses.empty()) << "a multiple-choice question takes no cells";
    choose_quiz_answer(state, q.choices.answer);
    EXPECT_TRUE(q.revealed);
    EXPECT_EQ(q.choice, q.choices.answer);
    choose_quiz_answer(state, 0);  // after the reveal the pick stays
    EXPECT_EQ(q.choice, q.choices.answer);
    EXPECT_FALSE(current_quiz_explanation(state).empty());
}

// One gesture marks a tile, a sample, a channel in every sample or a rectangle; BatchNorm's
// group on (8, 3, 4, 4) is one channel label click, not 128 cell clicks.
TEST(Quiz, GesturesMarkWholeTilesSamplesChannelsAndRectangles) {
    const core::Shape shape{8, 3, 4, 4};
    const GridLayout layout = make_grid_layout(shape);
    const std::vector<int64_t> tile = tile_cells(shape, 3, 1);
    EXPECT_EQ(tile.size(), 16u);
    for (int64_t f : tile) {
        const core::Index i = core::unflat_index(shape, f);
        EXPECT_EQ(i.n, 3);
        EXPECT_EQ(i.c, 1);
    }
    EXPECT_EQ(sample_cells(shape, 7).size(), 48u);
    EXPECT_TRUE(tile_cells(shape, 8, 0).empty());

    core::NormSpec bn;
    bn.kind = core::NormKind::Batch;
    const core::Partition p = core::make_partition(bn, shape);
    const std::vector<int64_t> channel = channel_cells(shape, 2);
    const std::set<int64_t> marked(channel.begin(), channel.end());
    EXPECT_DOUBLE_EQ(score_quiz(p, {5, 2, 1, 3}, marked).score, 1.0);

    // A rectangle from inside the first cell of tile (3, 1) to inside its last cell: the tile.
    const Vec2 t = tile_origin(layout, 3, 1);
    std::vector<int64_t> rect =
        cells_in_rect(layout, {t.x + shape.W - 0.5f, t.y + shape.H - 0.5f}, {t.x + 0.5f, t.y + 0.5f});
    std::sort(rect.begin(), rect.end());
    EXPECT_EQ(rect, tile);
    // One that only touches a tile's gap marks nothing; a zero-size one neither.
    EXPECT_TRUE(cells_in_rect(layout, {t.x - layout.tile_gap + 0.1f, t.y + 0.5f}, {t.x - 0.1f, t.y + 1.5f}).empty());
    EXPECT_TRUE(cells_in_rect(layout, {t.x + 0.5f, t.y + 0.5f}, {t.x + 0.5f, t.y + 0.5f}).empty());
    // Around the whole picture: every cell once.
    const std::vector<int64_t> all = cells_in_rect(layout, {-1, -1}, {layout.width() + 1, layout.height() + 1});
    EXPECT_EQ(all.size(), static_cast<size_t>(shape.numel()));
    EXPECT_EQ(std::set<int64_t>(all.begin(), all.end()).size(), all.size());

    // Toggling: marks all unless all are marked; then unmarks them all.
    std::set<int64_t> guesses = {tile[0]};
    toggle_cells(guesses, tile);
    EXPECT_EQ(guesses.size(), 16u);
    toggle_cells(guesses, tile);
    EXPECT_TRUE(guesses.empty());
}

}  // namespace
}  // namespace normviz::app
