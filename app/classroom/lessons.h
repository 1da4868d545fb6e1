// Lessons: short sequences of steps, each a scene, a few sentences in our own words, the
// sources it leans on, and which claim's numbers (app/classroom/lesson_numbers.h) the panel shows.
// They ship as JSON files in assets/lessons/, embedded into the binary.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "app/model/scene.h"
#include "app/model/sweep_csv.h"
#include "core/result.h"

namespace normviz::app {

inline constexpr int kLessonFormatVersion = 1;

struct LessonStep {
    std::string title;
    std::string text;                      // two or three sentences
    std::string source;                    // who established the fact, e.g. "Ioffe and Szegedy 2015"
    std::string claim;                     // one of lesson_claim_names()
    std::map<std::string, double> params;  // the claim's knobs (batches, momentum, ...)
    // The live step that shows why (a rule of the decision lesson): lesson id and 1-based step;
    // empty when none. The lessons strip draws it as a button.
    std::string see_lesson;
    int see_step = 0;
    // A saved sweep (an embedded assets/sweeps/*.csv, e.g. "default_sweep.csv") the step
    // shows in the Train panel's figure; empty when none.
    std::string train_sweep;
    Scene scene;  // lesson_id and lesson_step filled in
};

struct Lesson {
    std::string id;
    std::string title;
    std::vector<LessonStep> steps;  // at least one
};

// Parses a lesson file: {"normviz_lesson": 1, "id", "title", "steps": [{"title", "text",
// "source", "claim", "params", "see": {"lesson": ID, "step": K}, "scene"}]}. Each step's scene holds only what changes from
// the previous step (the first starts from Scene's defaults) and is checked as
// parse_scene_json checks a scene file. Errors name the file and the step. Never throws.
core::Result<Lesson> parse_lesson_json(const std::string& text, const std::string& name);

// The lessons shipped in assets/lessons/ (embedded), parsed once, in file-name order; a file
// that fails to parse is left out and its message kept in `errors` (a test asserts none).
struct LessonLibrary {
    std::vector<Lesson> lessons;
    std::vector<std::string> errors;
};
const LessonLibrary& shipped_lessons();

// The saved sweep `name` (a file of assets/sweeps/, embedded), parsed; an error when there is
// no such file.
core::Result<SweepTable> shipped_sweep(const std::string& name);

// Index in shipped_lessons().lessons of the lesson with `id`, or -1.
int find_lesson(const std::string& id);

}  // namespace normviz::app
