// Quiz scoring and questions.
#include <gtest/gtest.h>

#include "app/classroom.h"
#include "app/quiz.h"

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

// Stopping the quiz gives back the view it replaced (it shows one norm per question) and the
// statistics sidebar it hid.
TEST(Quiz, StoppingRestoresTheView) {
    AppState state;
    regenerate_tensor(state);
    state.scene.single_view = false;
    state.show_stats = true;
    start_quiz(state);
    EXPECT_TRUE(state.scene.single_view);
    EXPECT_FALSE(state.show_stats);
    next_quiz_question(state);
    start_quiz(state);  // again while running: still the view from before the quiz
    stop_quiz(state);
    EXPECT_FALSE(state.classroom.quiz.active);
    EXPECT_FALSE(state.scene.single_view);
    EXPECT_TRUE(state.show_stats);
}

}  // namespace
}  // namespace normviz::app
