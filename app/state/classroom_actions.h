// State transitions of the classroom layer: opening and saving scenes, stepping through
// lessons, presenter mode, the quiz, and the current lesson step's numbers. No ImGui here;
// the panels (app/ui/lessons_panel.cpp, app/ui/classroom_dialogs.cpp) call these.
#pragma once

#include <string>

#include "app/state/app_state.h"
#include "app/classroom/lessons.h"
#include "app/classroom/quiz.h"

namespace normviz::app {

// Makes `scene` the current one: loads its data file or generates its tensor. On any error
// (unreadable file, busy worker) the program keeps the scene it had and the error is returned.
core::Status apply_scene(AppState& state, const Scene& scene);
// Reads a scene file and applies it (and its lesson step, when it names a shipped lesson);
// a lesson file (assets/lessons/*.json) opens that shipped lesson at `step` (0-based; -1:
// the scene's own step, or the first). Errors become state.message; the current scene
// stays. Returns whether it was applied.
bool open_scene_file(AppState& state, const std::string& path, int step = -1);
bool save_scene_file(AppState& state, const std::string& path);
// Saving from the window onto a file that exists asks first: false (and the question in
// state.message) the first time for `path`, true when asked again for the same path or when
// nothing is there. The open tensor file gets its own warning.
bool may_replace(AppState& state, const std::string& path);

// Shows step `step` of shipped lesson `lesson` (clamped to the lesson's steps).
void go_to_lesson_step(AppState& state, int lesson, int step);
// Next (+1) or previous (-1) step of the current lesson; no-op without a lesson.
void step_lesson(AppState& state, int delta);
// Follows the current step's "see" link (LessonStep::see_lesson), remembering where from;
// back_from_link returns there. No-op without a link or a place to return to.
void follow_lesson_link(AppState& state);
void back_from_link(AppState& state);
// The first step of the next (+1) or previous (-1) shipped lesson; without a lesson, +1
// opens the first. No-op past either end.
void change_lesson(AppState& state, int delta);
void close_lesson(AppState& state);
const Lesson* current_lesson(const AppState& state);
const LessonStep* current_step(const AppState& state);

// The current step's numbers for the current tensor and focus (cached).
const ClaimResult& current_claim(AppState& state);

// Presenter mode on/off: font x1.75, full screen, sidebars and menu hidden; restores them.
void set_presenter(AppState& state, bool on);

// Quiz: a new question (single view of its norm, its focus, no guesses), reveal, leave.
void start_quiz(AppState& state);
void next_quiz_question(AppState& state);
void reveal_quiz(AppState& state);
void stop_quiz(AppState& state);
// Whether the answer must stay hidden: a quiz question is asked and not yet revealed.
bool quiz_answer_hidden(const AppState& state);
// The statistics sidebar names the focus's group and its size: it is not drawn while a quiz
// runs, whatever show_stats says (presenter mode, F3 and the View menu change show_stats).
bool quiz_hides_statistics(const AppState& state);
// Marks or unmarks a cell as pooled (before the reveal, Cells questions only).
void toggle_quiz_guess(AppState& state, const core::Index& cell);
// Marks every cell of `cells` as pooled, or unmarks them all when all are marked.
void toggle_quiz_guesses(AppState& state, const std::vector<int64_t>& cells);
// A click on a cell of the grid or a voxel of the cube: outside a quiz it becomes the focus; in a
// quiz it marks the cell (with Shift: its whole tile) instead.
void click_cell(AppState& state, const core::Index& cell, bool shift);
// A Count or Size question's answer: picks choice `index` and reveals.
void choose_quiz_answer(AppState& state, int index);
// Score of the current guesses against the quiz norm's partition.
QuizScore current_quiz_score(const AppState& state);
// The sentence the reveal shows on the asked cell's group (explain_quiz_group); "" when the
// norm does not apply.
std::string current_quiz_explanation(const AppState& state);

}  // namespace normviz::app
