// The classroom layer's part of AppState: lessons, quiz, presenter mode, scene files and
// exports. Plain data; transitions live in app/state/classroom_actions.h, drawing in app/ui/*.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "app/classroom/lesson_numbers.h"
#include "app/classroom/quiz.h"
#include "core/norm_spec.h"
#include "core/shape.h"

namespace normviz::app {

// Predict, then reveal: the program names a norm and a focus, the student marks the cells
// they think are pooled with it (or picks a number among choices), the reveal scores the
// guess and explains the group (app/classroom/quiz.h). While a quiz runs the statistics sidebar is
// not drawn whatever show_stats says (quiz_hides_statistics), so no view change shows it.
struct QuizState {
    bool active = false;
    bool revealed = false;
    QuizKind kind = QuizKind::Cells;
    core::NormKind norm = core::NormKind::Batch;
    core::Index focus;
    std::set<int64_t> guesses;  // flat NCHW indices the student marked
    QuizChoices choices;        // Count and Size questions
    int choice = -1;            // the student's pick, an index into choices.values (-1: none)
    uint64_t round = 0;         // question number; picks the next norm and focus
    Vec2 drag_from;             // where a rectangle dragged over a grid canvas started, in world units
    // The view before the quiz (it shows one norm at a time), given back when it stops.
    bool saved_single_view = false;
    core::NormKind saved_single_norm = core::NormKind::Batch;
};

// Which small modal the File menu opened.
enum class ClassroomDialog { None, OpenScene, SaveScene, Export };

struct ClassroomState {
    // Lessons: index into shipped_lessons() (-1: none) and the step shown.
    int lesson = -1;
    int step = 0;
    // Where a step's "show why" link was followed from (-1: none): a Back button returns there.
    int back_lesson = -1, back_step = 0;
    bool show_lessons = true;

    // Presenter mode (F5): large text, high contrast, full screen, hidden controls. What it
    // changed, to restore on leaving.
    bool presenter = false;
    float saved_font_size = 16;
    bool saved_show_controls = true, saved_show_stats = true;
    bool styled_for_presenter = false;  // which ImGui style is applied now
    bool pointer = false;               // L: a large ring follows the mouse, for a projected screen
    // The lesson strip's text scale: shrunk (not below 0.5) until the step's
    // text and table fit without scrolling; back to 1 for each new step or window size.
    // `text_fits`: they fitted in the last frame (the status line says so).
    float text_scale = 1;
    std::string text_scale_key;
    bool text_fits = true;

    QuizState quiz;

    // File dialogs (a path field in a popup) and exports.
    ClassroomDialog dialog = ClassroomDialog::None;
    bool dialog_opened = false;  // the popup was opened this dialog (OpenPopup once)
    std::string dialog_path = "scene.json";
    std::string replace_confirmed;               // an existing file the user was asked about (may_replace)
    std::string export_base = "normviz-figure";  // .png, .svg, .csv appended
    int export_width = 1920, export_height = 1080;
    bool export_png_requested = false;  // done after the frame, where the renderer is
    int panel_columns = 0;              // columns of panels the grid view drew last: the SVG export's arrangement

    // The current step's numbers, cached: recomputed when claim_key (lesson, step, tensor
    // version, focus, settings) changes. Derived data: written by current_claim() only.
    std::string claim_key;
    ClaimResult claim;
};

}  // namespace normviz::app
