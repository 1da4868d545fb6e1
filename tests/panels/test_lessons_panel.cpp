// Headless tests of the lessons strip: a shipped lesson opened, stepped with PageDown and
// PageUp as the window queues them (AppState::key_presses), and the strip's text checked for
// the step's title and the numbers computed from the step's data.
#include <gtest/gtest.h>

#include <string>

#include "app/state/classroom_actions.h"
#include "headless_imgui.h"

namespace {

using normviz::app::AppState;
using normviz::app::ClaimResult;
using normviz::core::NormKind;
using normviz::test::HeadlessImGui;
using normviz::test::make_state;
namespace app = normviz::app;

// One frame in the program's order (app::draw_ui_frame); returns the text the lessons strip
// rendered.
std::string lesson_frame(HeadlessImGui& ui, AppState& state) {
    std::string captured;
    ImGuiIO& io = ImGui::GetIO();
    void* saved = io.ClipboardUserData;
    io.ClipboardUserData = &captured;  // HeadlessImGui's clipboard callback appends to it
    ui.frame([&] {
        app::UiFrameHooks hooks;
        hooks.canvas = [](AppState&, const app::FrameLayout& layout) { HeadlessImGui::draw_canvas_stand_in(layout); };
        hooks.around = [](const char* panel, const std::function<void()>& draw) {
            const bool strip = std::string(panel) == "lessons";
            if (strip) ImGui::LogToClipboard();
            draw();
            if (strip) ImGui::LogFinish();
        };
        app::draw_ui_frame(state, hooks);
    });
    io.ClipboardUserData = saved;
    return captured;
}

// A key press queued as GLFW reports it, one frame with it, then one idle frame.
std::string press(HeadlessImGui& ui, AppState& state, int key, int mods = 0) {
    ImGuiIO& io = ImGui::GetIO();
    io.KeysDown[key] = true;
    state.key_presses.push_back({key, mods});
    lesson_frame(ui, state);
    io.KeysDown[key] = false;
    return lesson_frame(ui, state);
}

// Runs of spaces and line breaks as one space: the strip wraps long text at spaces.
std::string squeeze(const std::string& s) {
    std::string out;
    for (char ch : s) {
        const bool space = ch == ' ' || ch == '\n' || ch == '\t';
        if (space && (out.empty() || out.back() == ' ')) continue;
        out += space ? ' ' : ch;
    }
    return out;
}

bool contains(const std::string& text, const std::string& part) {
    return squeeze(text).find(squeeze(part)) != std::string::npos;
}

// Every row of the current step's claim is in the strip's text.
void expect_claim_shown(AppState& state, const std::string& text) {
    const ClaimResult& claim = app::current_claim(state);
    ASSERT_TRUE(claim.error.empty()) << claim.error;
    ASSERT_FALSE(claim.rows.empty());
    for (const auto& row : claim.rows) {
        EXPECT_TRUE(contains(text, row.label)) << "missing label '" << row.label << "' in:\n" << text;
        EXPECT_TRUE(contains(text, row.value)) << "missing value '" << row.value << "' in:\n" << text;
    }
}

TEST(LessonsPanel, FirstLessonStepsWithPageDownAndPageUp) {
    HeadlessImGui ui;
    AppState state = make_state();
    const int lesson = app::find_lesson("four-norms");
    ASSERT_EQ(lesson, 0);
    app::go_to_lesson_step(state, lesson, 0);
    lesson_frame(ui, state);
    std::string text = lesson_frame(ui, state);
    EXPECT_EQ(state.classroom.lesson, 0);
    EXPECT_EQ(state.classroom.step, 0);
    EXPECT_TRUE(contains(text, "step 1 of 5")) << text;
    EXPECT_TRUE(contains(text, "Four norms, one tensor")) << text;
    // The step's numbers for its 4 x 6 x 4 x 4 tensor: C, N, N*C and N*G pairs.
    EXPECT_TRUE(contains(text, "C = 6 pairs")) << text;
    EXPECT_TRUE(contains(text, "N = 4 pairs")) << text;
    EXPECT_TRUE(contains(text, "N\u00b7C = 24 pairs")) << text;
    EXPECT_TRUE(contains(text, "N\u00b7G = 8 pairs")) << text;
    EXPECT_TRUE(contains(text, "Ioffe and Szegedy 2015")) << text;
    expect_claim_shown(state, text);
    EXPECT_FALSE(state.scene.single_view);

    text = press(ui, state, GLFW_KEY_PAGE_DOWN);
    EXPECT_EQ(state.classroom.step, 1);
    EXPECT_TRUE(contains(text, "step 2 of 5")) << text;
    EXPECT_TRUE(contains(text, "BatchNorm pools a channel across the batch")) << text;
    EXPECT_TRUE(state.scene.single_view);
    EXPECT_EQ(state.scene.single_norm, NormKind::Batch);
    expect_claim_shown(state, text);

    text = press(ui, state, GLFW_KEY_PAGE_DOWN);
    EXPECT_EQ(state.classroom.step, 2);
    EXPECT_EQ(state.scene.single_norm, NormKind::Layer);
    EXPECT_TRUE(contains(text, "step 3 of 5")) << text;

    text = press(ui, state, GLFW_KEY_PAGE_UP);
    text = press(ui, state, GLFW_KEY_PAGE_UP);
    EXPECT_EQ(state.classroom.step, 0);
    EXPECT_TRUE(contains(text, "step 1 of 5")) << text;
    EXPECT_FALSE(state.scene.single_view);

    // PageUp at the first step stays there; PageDown stops at the last.
    press(ui, state, GLFW_KEY_PAGE_UP);
    EXPECT_EQ(state.classroom.step, 0);
    for (int i = 0; i < 8; ++i) text = press(ui, state, GLFW_KEY_PAGE_DOWN);
    EXPECT_EQ(state.classroom.step, 4);
    EXPECT_TRUE(contains(text, "step 5 of 5")) << text;
    EXPECT_EQ(state.scene.single_norm, NormKind::Group);
}

// The batch-size lesson changes N between steps: the strip's numbers follow the data.
TEST(LessonsPanel, NumbersFollowTheStepsData) {
    HeadlessImGui ui;
    AppState state = make_state();
    app::go_to_lesson_step(state, app::find_lesson("batch-size"), 0);
    lesson_frame(ui, state);
    std::string text = lesson_frame(ui, state);
    EXPECT_EQ(state.tensor.shape.N, 8);
    EXPECT_TRUE(contains(text, "N = 8: BatchNorm")) << text;
    expect_claim_shown(state, text);

    text = press(ui, state, GLFW_KEY_PAGE_DOWN);
    EXPECT_EQ(state.classroom.step, 1);
    EXPECT_EQ(state.tensor.shape.N, 2);
    EXPECT_FALSE(contains(text, "N = 8: BatchNorm")) << text;
    EXPECT_TRUE(contains(text, "N = 2: BatchNorm")) << text;
    expect_claim_shown(state, text);
}

// Presenter mode: the arrows still move the focus (a lecturer points with them), PageDown and
// PageUp step, Shift with them changes the lesson, and Escape leaves.
TEST(LessonsPanel, PresenterArrowsMoveTheFocusPagesStepAndEscapeLeaves) {
    HeadlessImGui ui;
    AppState state = make_state();
    app::go_to_lesson_step(state, 0, 0);
    lesson_frame(ui, state);
    press(ui, state, GLFW_KEY_F5);
    EXPECT_TRUE(state.classroom.presenter);
    EXPECT_FALSE(state.show_controls);
    EXPECT_FALSE(state.show_stats);
    const normviz::core::Index focus = state.scene.focus;
    press(ui, state, GLFW_KEY_RIGHT);
    EXPECT_EQ(state.classroom.step, 0);
    EXPECT_EQ(state.scene.focus.w, focus.w + 1) << "the arrows move the focus in presenter mode too";
    press(ui, state, GLFW_KEY_LEFT);
    EXPECT_EQ(state.scene.focus, focus);
    std::string text = press(ui, state, GLFW_KEY_PAGE_DOWN);
    EXPECT_EQ(state.classroom.step, 1);
    EXPECT_TRUE(contains(text, "step 2 of 5")) << text;
    press(ui, state, GLFW_KEY_PAGE_DOWN, GLFW_MOD_SHIFT);
    EXPECT_EQ(state.classroom.lesson, 1);
    EXPECT_EQ(state.classroom.step, 0);
    press(ui, state, GLFW_KEY_PAGE_UP, GLFW_MOD_SHIFT);
    EXPECT_EQ(state.classroom.lesson, 0);
    press(ui, state, GLFW_KEY_PAGE_UP, GLFW_MOD_SHIFT);
    EXPECT_EQ(state.classroom.lesson, 0) << "no lesson before the first";
    press(ui, state, GLFW_KEY_ESCAPE);
    EXPECT_FALSE(state.classroom.presenter);
    EXPECT_TRUE(state.show_controls);
    EXPECT_TRUE(state.show_stats);
}

// Q starts the quiz (statistics hidden, however show_stats is set), Enter reveals, Enter
// again asks the next question, Q leaves and gives the sidebar back.
TEST(LessonsPanel, QuizKeys) {
    HeadlessImGui ui;
    AppState state = make_state();
    lesson_frame(ui, state);
    std::string text = press(ui, state, GLFW_KEY_Q);
    ASSERT_TRUE(state.classroom.quiz.active);
    EXPECT_EQ(compute_frame_layout(state).right, 0.0f) << "the statistics sidebar is drawn during the quiz";
    EXPECT_TRUE(contains(text, "Quiz, question 1")) << text;
    press(ui, state, GLFW_KEY_ENTER);
    EXPECT_TRUE(state.classroom.quiz.revealed);
    text = lesson_frame(ui, state);
    EXPECT_TRUE(contains(text, "Hits 1 (filled dot; the ringed cell is given"))
        << text;  // nothing marked: the asked cell only
    press(ui, state, GLFW_KEY_ENTER);
    EXPECT_FALSE(state.classroom.quiz.revealed);
    EXPECT_EQ(state.classroom.quiz.round, 2u);
    press(ui, state, GLFW_KEY_Q);
    EXPECT_FALSE(state.classroom.quiz.active);
    EXPECT_TRUE(state.show_stats);
    EXPECT_GT(compute_frame_layout(state).right, 0.0f);
}

// The quiz strip (app/ui/quiz_panel.cpp): after the reveal, the sentence on the asked cell's
// group; the third question offers choices, and its number key answers it right.
TEST(LessonsPanel, QuizExplainsAndAsksMultipleChoice) {
    HeadlessImGui ui;
    AppState state = make_state();
    lesson_frame(ui, state);
    press(ui, state, GLFW_KEY_Q);
    std::string text = press(ui, state, GLFW_KEY_ENTER);
    const std::string why = app::current_quiz_explanation(state);
    ASSERT_FALSE(why.empty());
    EXPECT_TRUE(contains(text, why)) << text;
    for (int k = 0; k < 3; ++k) press(ui, state, GLFW_KEY_ENTER);  // next, reveal, next
    const app::QuizState& q = state.classroom.quiz;
    ASSERT_NE(q.kind, app::QuizKind::Cells) << "the third question is multiple choice";
    text = lesson_frame(ui, state);
    EXPECT_TRUE(contains(text, "How many")) << text;
    for (int64_t v : q.choices.values) EXPECT_TRUE(contains(text, ")  " + std::to_string(v))) << text;
    ASSERT_GE(q.choices.answer, 0);
    text = press(ui, state, GLFW_KEY_1 + q.choices.answer);
    EXPECT_TRUE(q.revealed);
    EXPECT_TRUE(contains(text, "Right: " + std::to_string(q.choices.values[q.choices.answer]) + ".")) << text;
}

// A step with a saved sweep opens the Train panel with its figure over the canvases: clear of
// the lesson's text below and of both sidebars (it once opened in the middle of the window,
// over the step's sentences and numbers).
TEST(LessonsPanel, TrainingStepPlacesTheTrainPanelOverTheCanvases) {
    HeadlessImGui ui;
    AppState state = make_state();
    const int lesson = app::find_lesson("training");
    ASSERT_GE(lesson, 0);
    app::go_to_lesson_step(state, lesson, 1);
    ASSERT_TRUE(state.train.show);
    lesson_frame(ui, state);
    lesson_frame(ui, state);
    const app::FrameLayout layout = app::compute_frame_layout(state);
    ASSERT_GT(layout.bottom, 0.0f);
    const ImGuiWindow* train = ImGui::FindWindowByName("Train##train");
    ASSERT_NE(train, nullptr);
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    EXPECT_GE(train->Pos.x, layout.left);
    EXPECT_GE(train->Pos.y, layout.menu_height);
    EXPECT_LE(train->Pos.x + train->Size.x, display.x - layout.right + 0.5f);
    EXPECT_LE(train->Pos.y + train->Size.y, display.y - layout.bottom + 0.5f);
    EXPECT_GT(state.train.sweep_lines_drawn, 0);  // the figure is drawn
    // Moved by the user afterwards, it stays where it was put.
    ImGui::SetWindowPos("Train##train", ImVec2(10, 40));
    lesson_frame(ui, state);
    EXPECT_EQ(ImGui::FindWindowByName("Train##train")->Pos.x, 10.0f);
}

}  // namespace
