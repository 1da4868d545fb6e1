// The quiz's part of the strip under the canvases: the question, how to mark cells (or the
// choices of a multiple-choice question), Reveal, then the score and one sentence on the
// asked cell's group.
#include <imgui.h>

#include <string>

#include "app/state/classroom_actions.h"
#include "app/ui/panels.h"

namespace normviz::app {

namespace {

void draw_cells_question(AppState& state) {
    QuizState& q = state.classroom.quiz;
    if (!q.revealed) {
        if (state.cube_view)
            ImGui::TextWrapped(
                "%zu cells marked. Click a voxel; Shift+click: its whole (n, c) tile; drag turns the "
                "cube. Each toggles; K shows the grid, where a drag marks a rectangle.",
                q.guesses.size());
        else
            ImGui::TextWrapped(
                "%zu cells marked. Click a cell; drag a rectangle; Shift+click: the cell's whole tile; "
                "click a label n=k: the whole sample, c=k: that channel in every sample (right drag "
                "pans). Each toggles.",
                q.guesses.size());
        if (ImGui::Button("Reveal##quiz_reveal")) reveal_quiz(state);
        ImGui::SameLine();
        if (ImGui::Button("Clear marks##quiz_clear")) q.guesses.clear();
        return;
    }
    const QuizScore s = current_quiz_score(state);
    ImGui::TextWrapped(
        "Pooled: %lld cells. Hits %lld (filled dot; the ringed cell is given, so it counts as one), "
        "misses %lld (ring), false alarms %lld (cross). Score %.0f%%.",
        (long long)s.pooled, (long long)s.hits, (long long)s.misses, (long long)s.false_alarms, 100.0 * s.score);
}

void draw_choice_question(AppState& state) {
    QuizState& q = state.classroom.quiz;
    const auto& values = q.choices.values;
    for (size_t k = 0; k < values.size(); ++k) {
        if (k > 0) ImGui::SameLine();
        const std::string label =
            std::to_string(k + 1) + ")  " + std::to_string(values[k]) + "##quiz_choice" + std::to_string(k);
        const bool picked = q.revealed && static_cast<int>(k) == q.choice;
        const bool right = q.revealed && static_cast<int>(k) == q.choices.answer;
        if (right) ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.10f, 0.45f, 0.15f, 1));
        else if (picked) ImGui::PushStyleColor(ImGuiCol_Button, ImVec4(0.55f, 0.12f, 0.10f, 1));
        if (ImGui::Button(label.c_str())) choose_quiz_answer(state, static_cast<int>(k));
        if (right || picked) ImGui::PopStyleColor();
    }
    if (!q.revealed) {
        ImGui::SameLine();
        ImGui::TextDisabled("(keys 1 to %zu)", values.size());
        return;
    }
    const int64_t answer = q.choices.answer >= 0 ? values[q.choices.answer] : 0;
    if (q.choice == q.choices.answer) ImGui::Text("Right: %lld.", (long long)answer);
    else if (q.choice < 0) ImGui::Text("No answer picked; it is %lld.", (long long)answer);
    else ImGui::Text("Not %lld: it is %lld.", (long long)values[q.choice], (long long)answer);
}

}  // namespace

void draw_quiz_strip(AppState& state) {
    QuizState& q = state.classroom.quiz;
    ImGui::TextWrapped("Quiz, question %llu. %s", static_cast<unsigned long long>(q.round),
                       quiz_prompt({q.kind, q.norm, q.focus}, state.tensor.shape, state.scene.groups).c_str());
    if (q.kind == QuizKind::Cells) draw_cells_question(state);
    else draw_choice_question(state);
    if (q.revealed) {
        const std::string why = current_quiz_explanation(state);
        if (!why.empty()) ImGui::TextColored(ImVec4(1.0f, 0.85f, 0.35f, 1.0f), "%s", why.c_str());
        if (ImGui::Button("Next question##quiz_next")) next_quiz_question(state);
    } else if (q.kind != QuizKind::Cells) {
        if (ImGui::Button("Reveal##quiz_reveal")) reveal_quiz(state);
    }
    ImGui::SameLine();
    if (ImGui::Button("Stop quiz##quiz_stop")) stop_quiz(state);
}

}  // namespace normviz::app
