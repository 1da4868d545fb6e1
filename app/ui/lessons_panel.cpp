// The lessons strip under the canvases: lesson chooser, Prev/Next, the step's text and its
// live numbers; the quiz's question and score; and the classroom's keys (F5 presenter mode,
// PageUp/PageDown step through the lesson, Shift with them through the lessons; L the
// pointer ring; Q the quiz).
#include <imgui.h>

#include <algorithm>
#include <string>

#include "app/state/classroom_actions.h"
#include "app/ui/panels.h"

namespace normviz::app {

namespace {

constexpr float kMinLessonTextScale = 0.5f;

// High contrast for projectors: black background, white text, bright frames.
void apply_style(bool presenter) {
    ImGui::StyleColorsDark();
    if (!presenter) return;
    ImVec4* c = ImGui::GetStyle().Colors;
    c[ImGuiCol_Text] = ImVec4(1, 1, 1, 1);
    c[ImGuiCol_TextDisabled] = ImVec4(0.85f, 0.85f, 0.85f, 1);
    c[ImGuiCol_WindowBg] = ImVec4(0, 0, 0, 1);
    c[ImGuiCol_ChildBg] = ImVec4(0, 0, 0, 1);
    c[ImGuiCol_PopupBg] = ImVec4(0.05f, 0.05f, 0.05f, 1);
    c[ImGuiCol_Border] = ImVec4(1, 1, 1, 0.8f);
    c[ImGuiCol_Button] = ImVec4(0.15f, 0.15f, 0.15f, 1);
    c[ImGuiCol_ButtonHovered] = ImVec4(0.35f, 0.35f, 0.35f, 1);
    c[ImGuiCol_FrameBg] = ImVec4(0.12f, 0.12f, 0.12f, 1);
    c[ImGuiCol_Separator] = ImVec4(1, 1, 1, 0.6f);
}

// Text wrapped at spaces only, to the available width. ImGui 1.86's own wrapping also breaks
// after '.' and ',', which splits numbers such as -0.651593 across two lines.
void text_wrapped_at_spaces(const std::string& text, const ImVec4* color = nullptr) {
    const float width = std::max(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 4);
    auto emit = [color](const std::string& line) {
        if (color) ImGui::TextColored(*color, "%s", line.c_str());
        else ImGui::TextUnformatted(line.c_str());
    };
    std::string line;
    size_t start = 0;
    while (start <= text.size()) {
        size_t space = text.find(' ', start);
        if (space == std::string::npos) space = text.size();
        const std::string word = text.substr(start, space - start);
        const std::string longer = line.empty() ? word : line + " " + word;
        if (!line.empty() && ImGui::CalcTextSize(longer.c_str()).x > width) {
            emit(line);
            line = word;
        } else {
            line = longer;
        }
        start = space + 1;
    }
    if (!line.empty()) emit(line);
}

// A decision rule's link to the live step that shows why, and the way back from one.
void draw_links(AppState& state, const LessonStep& step) {
    const ClassroomState& c = state.classroom;
    const int target = step.see_lesson.empty() ? -1 : find_lesson(step.see_lesson);
    const auto& lessons = shipped_lessons().lessons;
    if (target >= 0) {
        const std::string label =
            "Show why: " + lessons[target].title + ", step " + std::to_string(step.see_step) + "##lesson_see";
        if (ImGui::Button(label.c_str())) follow_lesson_link(state);
    }
    if (c.back_lesson >= 0 && c.back_lesson < static_cast<int>(lessons.size())) {
        if (target >= 0) ImGui::SameLine();
        const std::string label = "Back to " + lessons[c.back_lesson].title + "##lesson_back";
        if (ImGui::Button(label.c_str())) back_from_link(state);
    }
}

void draw_claim(AppState& state) {
    const ClaimResult& claim = current_claim(state);
    if (!claim.error.empty()) {
        ImGui::TextColored(ImVec4(1.0f, 0.5f, 0.45f, 1.0f), "%s", claim.error.c_str());
        return;
    }
    const ImVec4 gold(1.0f, 0.85f, 0.35f, 1.0f);
    text_wrapped_at_spaces(claim.headline, &gold);
    if (claim.rows.empty()) return;
    if (ImGui::BeginTable("##claim_rows", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp)) {
        // Labels are short; numbers need the room (a narrow column would wrap inside a number).
        ImGui::TableSetupColumn("##label", ImGuiTableColumnFlags_WidthStretch, 0.38f);
        ImGui::TableSetupColumn("##value", ImGuiTableColumnFlags_WidthStretch, 0.62f);
        for (const ClaimRow& row : claim.rows) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            text_wrapped_at_spaces(row.label);  // long labels wrap rather than being clipped
            ImGui::TableNextColumn();
            text_wrapped_at_spaces(row.value);
        }
        ImGui::EndTable();
    }
}

// The lesson's choice, Prev / Next / Close and the step's title; returns the step shown now.
const LessonStep* draw_lesson_navigation(AppState& state, const Lesson& lesson) {
    ClassroomState& c = state.classroom;
    const auto& lessons = shipped_lessons().lessons;
    if (!c.presenter) {
        ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
        if (ImGui::BeginCombo("##lesson_choice", lesson.title.c_str())) {
            for (size_t i = 0; i < lessons.size(); ++i) {
                const std::string label = std::to_string(i + 1) + ". " + lessons[i].title;
                if (ImGui::Selectable(label.c_str(), static_cast<int>(i) == c.lesson))
                    go_to_lesson_step(state, static_cast<int>(i), 0);
            }
            ImGui::EndCombo();
        }
        ImGui::SameLine();
    }
    if (ImGui::Button("< Prev##lesson_prev")) step_lesson(state, -1);
    ImGui::SameLine();
    ImGui::Text("step %d of %zu", c.step + 1, lesson.steps.size());
    ImGui::SameLine();
    if (ImGui::Button("Next >##lesson_next")) step_lesson(state, +1);
    if (!c.presenter) {
        ImGui::SameLine();
        if (ImGui::SmallButton("Close##lesson_close")) close_lesson(state);
    }
    const LessonStep* step = current_step(state);  // Prev/Next/Close may have changed it
    if (step) {
        // The combo names the lesson outside presenter mode; the step's title gets the rest
        // of the line, or a line of its own (wrapped) when it does not fit there.
        const std::string title = c.presenter ? lesson.title + ": " + step->title : step->title;
        ImGui::SameLine();
        const std::string beside = "  " + title;
        if (ImGui::CalcTextSize(beside.c_str()).x <= ImGui::GetContentRegionAvail().x) {
            ImGui::TextUnformatted(beside.c_str());
        } else {
            ImGui::NewLine();
            ImGui::TextWrapped("%s", title.c_str());
        }
    }
    return step;
}

// The step's text and sources beside its live numbers, shrunk until they fit the strip.
void draw_lesson_step(AppState& state, const LessonStep& step) {
    ClassroomState& c = state.classroom;
    const ImVec2 display = ImGui::GetIO().DisplaySize;
    const std::string key = std::to_string(c.lesson) + "/" + std::to_string(c.step) + "/" + std::to_string(display.x) +
                            "x" + std::to_string(display.y) + "/" + std::to_string(ImGui::GetFontSize()) + "/" +
                            c.claim_key;
    if (key != c.text_scale_key) c.text_scale = 1, c.text_scale_key = key;
    const float text_w = ImGui::GetContentRegionAvail().x * 0.46f;
    ImGui::BeginChild("##lesson_text", ImVec2(text_w, 0), false);
    ImGui::SetWindowFontScale(c.text_scale);
    text_wrapped_at_spaces(step.text);
    if (!step.source.empty()) {
        ImGui::Spacing();
        const ImVec4 dim = ImGui::GetStyle().Colors[ImGuiCol_TextDisabled];
        text_wrapped_at_spaces("Source: " + step.source, &dim);
    }
    draw_links(state, step);
    float overflow = ImGui::GetCursorPosY() / std::max(1.0f, ImGui::GetWindowHeight());
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("##lesson_numbers", ImVec2(0, 0), false);
    ImGui::SetWindowFontScale(c.text_scale);
    draw_claim(state);
    overflow = std::max(overflow, ImGui::GetCursorPosY() / std::max(1.0f, ImGui::GetWindowHeight()));
    ImGui::EndChild();
    // Text that does not fit shrinks a little each frame until it does: a class cannot
    // scroll the strip.
    if (overflow > 1.0f && c.text_scale > kMinLessonTextScale) {
        c.text_scale = std::max(kMinLessonTextScale, c.text_scale * 0.94f);
        state.redraw_requested = true;
    }
    c.text_fits = overflow <= 1.0f;
}

}  // namespace

float lessons_panel_height(const AppState& state) {
    const ClassroomState& c = state.classroom;
    if (state.figure_mode || !c.show_lessons || (c.lesson < 0 && !c.quiz.active)) return 0;
    const float display_h = ImGui::GetIO().DisplaySize.y;
    // The quiz: up to four lines of text and a row of buttons, without a scroll bar.
    if (c.quiz.active && c.lesson < 0)
        return std::min(6 * ImGui::GetFrameHeightWithSpacing() + 2 * ImGui::GetStyle().WindowPadding.y,
                        display_h * 0.3f);
    // Presenter mode: larger text, and the table should not need scrolling in front of a class.
    return std::clamp(display_h * (c.presenter ? 0.42f : 0.34f), ImGui::GetFontSize() * 8, display_h * 0.5f);
}

void draw_lessons_panel(AppState& state, const FrameLayout& frame) {
    if (frame.bottom <= 0) return;
    const ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(frame.left, io.DisplaySize.y - frame.bottom));
    ImGui::SetNextWindowSize(ImVec2(std::max(1.0f, io.DisplaySize.x - frame.left - frame.right), frame.bottom));
    ImGui::Begin("Lesson##lessons", nullptr,
                 ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                     ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoTitleBar);
    ClassroomState& c = state.classroom;
    if (c.quiz.active) draw_quiz_strip(state);
    const Lesson* lesson = current_lesson(state);
    const LessonStep* step = current_step(state);
    if (lesson && step && !c.quiz.active) {
        step = draw_lesson_navigation(state, *lesson);
        ImGui::Separator();
        if (step) draw_lesson_step(state, *step);
    }
    ImGui::End();
}

void apply_presenter_style(AppState& state) {
    ClassroomState& c = state.classroom;
    if (c.styled_for_presenter != c.presenter) {  // also after --presenter on the command line
        apply_style(c.presenter);
        c.styled_for_presenter = c.presenter;
    }
}

}  // namespace normviz::app
