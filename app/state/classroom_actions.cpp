// Classroom transitions: scenes, lesson steps, presenter mode, quiz.
#include "app/state/classroom_actions.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "app/model/scene_io.h"
#include "core/input_file.h"
#include "core/npy.h"
#include "core/scenarios.h"

namespace normviz::app {

core::Status apply_scene(AppState& state, const Scene& scene) {
    if (state.work->busy())
        return core::make_error("wait until the current tensor is ready, then open the scene again");
    if (!scene.data_path.empty()) {
        auto loaded = read_tensor_file(scene.data_path, scene.layout);
        if (!loaded) return loaded.error();
        const core::Shape file_shape = loaded.value().shape;
        // The file gives the shape: lengths are checked against it, not against the scene's.
        if (!scene.lengths.empty())
            if (auto ok = core::validate_lengths(file_shape, scene.lengths); !ok)
                return core::make_error(scene.data_path + " read as " + core::to_string(file_shape) + ": " +
                                        ok.error().message);
        if (scene.shape_from_file) {
            const std::string where = scene.data_path + " read as " + core::to_string(file_shape) + ": ";
            if (file_shape.C % scene.groups != 0)
                return core::make_error(where + "the scene's groups = " + std::to_string(scene.groups) +
                                        " does not divide C = " + std::to_string(file_shape.C));
            if (!core::contains(file_shape, scene.focus))
                return core::make_error(where + "the scene's focus " + core::to_string(scene.focus) + " is outside it");
            if (scene.devices > 1)
                if (auto ok = core::validate_batch_split(file_shape, scene.devices); !ok)
                    return core::make_error(where + ok.error().message);
        }
        if (!scene.running_source.empty())
            if (auto buffers = core::read_batchnorm_buffers(scene.running_source); !buffers) return buffers.error();
        state.scene = scene;
        state.scene.shape = file_shape;
        state.scene.layout = loaded.value().layout;
        state.scene.shape_from_file = false;
        if (state.scene.devices > 1 && !core::validate_batch_split(file_shape, state.scene.devices))
            state.scene.devices = 1;
        set_tensor(state, std::move(loaded.value()));
        load_running_stats(state, scene.running_source);
    } else {
        if (auto ok = core::validate_shape(scene.shape); !ok) return ok.error();
        state.scene = scene;
        regenerate_tensor(state);
    }
    if (scene.picture) show_picture(state, *scene.picture);
    state.camera.needs_fit = true;
    return core::Ok{};
}

bool open_scene_file(AppState& state, const std::string& path, int step) {
    // A lesson file opens its shipped lesson at `step` (assets/lessons/*.json are lessons).
    // Lessons and scenes share the size cap; a pipe or device is refused before any read.
    auto text = core::read_small_file(path, kSceneMaxFileBytes, "a scene file");
    if (!text) {
        set_message(state, text.error().message + "; the current scene is kept", true);
        return false;
    }
    if (text.value().find("\"normviz_lesson\"") != std::string::npos) {
        auto lesson = parse_lesson_json(text.value(), std::filesystem::path(path).filename().string());
        if (!lesson) {
            set_message(state, lesson.error().message + "; the current scene is kept", true);
            return false;
        }
        const int index = find_lesson(lesson.value().id);
        if (index < 0) {
            set_message(state, path + ": lesson '" + lesson.value().id + "' is not one this normviz ships", true);
            return false;
        }
        const int steps = static_cast<int>(shipped_lessons().lessons[index].steps.size());
        if (step >= steps) {
            // --step is 1-based on the command line; `step` is 0-based here.
            set_message(state,
                        path + ": lesson '" + lesson.value().id + "' has " + std::to_string(steps) + " steps; --step " +
                            std::to_string(step + 1) + " is past its last, use 1 to " + std::to_string(steps),
                        true);
            return false;
        }
        go_to_lesson_step(state, index, std::max(step, 0));
        return state.classroom.lesson == index;
    }
    auto scene = read_scene_file(path);
    if (!scene) {
        set_message(state, scene.error().message + "; the current scene is kept", true);
        return false;
    }
    if (auto ok = apply_scene(state, scene.value()); !ok) {
        set_message(state, ok.error().message + "; the current scene is kept", true);
        return false;
    }
    state.classroom.lesson = -1;
    if (!state.scene.lesson_id.empty()) {
        const int lesson = find_lesson(state.scene.lesson_id);
        if (lesson >= 0) {
            state.classroom.lesson = lesson;
            state.classroom.step = std::clamp<int>(step >= 0 ? step : state.scene.lesson_step, 0,
                                                   int(shipped_lessons().lessons[lesson].steps.size()) - 1);
            state.classroom.show_lessons = true;
        }
    }
    set_message(state, "opened scene " + path, false);
    return true;
}

bool save_scene_file(AppState& state, const std::string& path) {
    Scene scene = state.scene;
    scene.picture = current_picture(state);
    if (const Lesson* lesson = current_lesson(state)) {
        scene.lesson_id = lesson->id;
        scene.lesson_step = state.classroom.step;
    }
    if (auto ok = write_scene_file(path, scene); !ok) {
        set_message(state, ok.error().message, true);
        return false;
    }
    if (!state.batch_editor.edits.empty())
        set_message(state,
                    "saved scene " + path + "; it holds the batch before its " +
                        std::to_string(state.batch_editor.edits.size()) + " sample edits (they are not saved)",
                    false);
    else set_message(state, "saved scene " + path, false);
    return true;
}

bool may_replace(AppState& state, const std::string& path) {
    namespace fs = std::filesystem;
    std::string& asked = state.classroom.replace_confirmed;
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(path, ec)) || asked == path) {
        asked.clear();
        return true;
    }
    asked = path;
    const std::string data = core::parse_array_source(state.scene.data_path).path;
    const bool open_data = !state.scene.data_path.empty() && fs::equivalent(data, path, ec);
    set_message(state,
                open_data ? path + " is the tensor file that is open; press Save again to replace its data"
                          : path + " exists; press Save again to replace it",
                true);
    return false;
}

const Lesson* current_lesson(const AppState& state) {
    const auto& lessons = shipped_lessons().lessons;
    const int i = state.classroom.lesson;
    return i >= 0 && i < static_cast<int>(lessons.size()) ? &lessons[i] : nullptr;
}

const LessonStep* current_step(const AppState& state) {
    const Lesson* lesson = current_lesson(state);
    if (!lesson) return nullptr;
    const int s = state.classroom.step;
    return s >= 0 && s < static_cast<int>(lesson->steps.size()) ? &lesson->steps[s] : nullptr;
}

namespace {

// A step with a saved sweep opens the Train panel with its figure (a sweep running there is
// left alone: the panel then shows that one).
void show_step_sweep(AppState& state, const LessonStep& step) {
    if (step.train_sweep.empty()) return;
    core::Result<SweepTable> table = shipped_sweep(step.train_sweep);
    if (!table) {
        set_message(state, table.error().message, true);
        return;
    }
    state.train.show = true;
    state.train.place_for_lesson = true;
    if (state.train.worker->set_sweep(std::move(table.value()), "assets/sweeps/" + step.train_sweep))
        state.train.error.clear();
}

}  // namespace

void go_to_lesson_step(AppState& state, int lesson, int step) {
    const auto& lessons = shipped_lessons().lessons;
    if (lesson < 0 || lesson >= static_cast<int>(lessons.size())) return;
    step = std::clamp(step, 0, static_cast<int>(lessons[lesson].steps.size()) - 1);
    Scene scene = lessons[lesson].steps[step].scene;
    scene.palette = state.scene.palette;  // the viewer's palette choice wins over the lesson's
    if (auto ok = apply_scene(state, scene); !ok) {
        set_message(state, ok.error().message, true);
        return;
    }
    state.classroom.lesson = lesson;
    state.classroom.step = step;
    state.classroom.show_lessons = true;
    if (state.classroom.quiz.active) stop_quiz(state);
    show_step_sweep(state, lessons[lesson].steps[step]);
}

void step_lesson(AppState& state, int delta) {
    const Lesson* lesson = current_lesson(state);
    if (!lesson) return;
    const int next = state.classroom.step + delta;
    if (next < 0 || next >= static_cast<int>(lesson->steps.size())) return;
    go_to_lesson_step(state, state.classroom.lesson, next);
}

void follow_lesson_link(AppState& state) {
    const LessonStep* step = current_step(state);
    if (!step || step->see_lesson.empty()) return;
    const int target = find_lesson(step->see_lesson);
    if (target < 0) return;
    const int from_lesson = state.classroom.lesson, from_step = state.classroom.step;
    go_to_lesson_step(state, target, step->see_step - 1);
    if (state.classroom.lesson == target)
        state.classroom.back_lesson = from_lesson, state.classroom.back_step = from_step;
}

void back_from_link(AppState& state) {
    ClassroomState& c = state.classroom;
    if (c.back_lesson < 0) return;
    const int lesson = c.back_lesson, step = c.back_step;
    c.back_lesson = -1;
    go_to_lesson_step(state, lesson, step);
}

void change_lesson(AppState& state, int delta) {
    const int count = static_cast<int>(shipped_lessons().lessons.size());
    const int next = state.classroom.lesson < 0 ? (delta > 0 ? 0 : -1) : state.classroom.lesson + delta;
    if (next < 0 || next >= count) return;
    go_to_lesson_step(state, next, 0);
}

void close_lesson(AppState& state) {
    state.classroom.back_lesson = -1;
    state.classroom.lesson = -1;
    state.classroom.step = 0;
    state.scene.lesson_id.clear();
    state.scene.lesson_step = 0;
}

const ClaimResult& current_claim(AppState& state) {
    ClassroomState& c = state.classroom;
    const LessonStep* step = current_step(state);
    if (!step || state.tensor.data.empty()) {
        c.claim = {};
        c.claim_key.clear();
        return c.claim;
    }
    const Scene& s = state.scene;
    std::string lengths;
    for (int64_t l : s.lengths) lengths += std::to_string(l) + ",";
    const std::string key = std::to_string(c.lesson) + "/" + std::to_string(c.step) + "/" +
                            std::to_string(state.tensor_version) + "/" + core::to_string(s.focus) + "/" +
                            std::to_string(s.groups) + "/" + std::to_string(s.devices) + "/" + lengths + "/" +
                            std::to_string(s.eps) + "/" + std::to_string(s.seed);
    if (key == c.claim_key) return c.claim;
    ClaimInputs in;
    in.tensor = &state.tensor;
    in.focus = s.focus;
    in.groups = s.groups;
    in.eps = s.eps;
    in.devices = s.devices;
    in.lengths = s.lengths;
    in.generator = s.generator;
    in.seed = s.seed;
    in.params = step->params;
    c.claim = compute_claim(step->claim, in);
    c.claim_key = key;
    return c.claim;
}

void set_presenter(AppState& state, bool on) {
    ClassroomState& c = state.classroom;
    if (c.presenter == on) return;
    c.presenter = on;
    if (on) {
        c.saved_font_size = state.font_size;
        c.saved_show_controls = state.show_controls;
        c.saved_show_stats = state.show_stats;
        state.font_size = std::min(48.0f, state.font_size * 1.75f);
        state.show_controls = state.show_stats = false;
        c.show_lessons = true;
    } else {
        state.font_size = c.saved_font_size;
        state.show_controls = c.saved_show_controls;
        state.show_stats = c.saved_show_stats;
    }
    state.font_dirty = true;
    state.fullscreen_requested = true;  // toggles: on entering and on leaving
}

void next_quiz_question(AppState& state) {
    QuizState& q = state.classroom.quiz;
    const uint64_t round = q.round++;
    const QuizQuestion question = quiz_question(state.tensor.shape, state.scene.groups, round);
    q.active = true;
    q.revealed = false;
    q.guesses.clear();
    q.kind = question.kind;
    q.norm = question.norm;
    q.focus = question.focus;
    q.choice = -1;
    q.choices = {};
    if (q.kind != QuizKind::Cells) {  // the answer from the partition the window draws
        const core::NormSpec spec = spec_for(state.scene, q.norm);
        q.choices =
            quiz_choices(partition_for(state.scene, spec, state.tensor.shape), q.kind, state.scene.groups, round);
    }
    state.scene.single_view = true;
    state.scene.single_norm = question.norm;
    state.scene.focus = question.focus;
}

void start_quiz(AppState& state) {
    QuizState& q = state.classroom.quiz;
    if (!q.active) {
        q.saved_single_view = state.scene.single_view;
        q.saved_single_norm = state.scene.single_norm;
    }
    next_quiz_question(state);
}

void reveal_quiz(AppState& state) {
    QuizState& q = state.classroom.quiz;
    if (!q.active) return;
    q.revealed = true;
    state.scene.focus = q.focus;
}

void stop_quiz(AppState& state) {
    QuizState& q = state.classroom.quiz;
    if (q.active) {  // the view as before; the focus stays on the last question's cell
        state.scene.single_view = q.saved_single_view;
        state.scene.single_norm = q.saved_single_norm;
    }
    q.active = false;
    q.revealed = false;
    q.guesses.clear();
}

bool quiz_answer_hidden(const AppState& state) { return state.classroom.quiz.active && !state.classroom.quiz.revealed; }

bool quiz_hides_statistics(const AppState& state) { return state.classroom.quiz.active; }

void toggle_quiz_guess(AppState& state, const core::Index& cell) {
    if (!core::contains(state.tensor.shape, cell)) return;
    toggle_quiz_guesses(state, {core::flat_index(state.tensor.shape, cell)});
}

void toggle_quiz_guesses(AppState& state, const std::vector<int64_t>& cells) {
    QuizState& q = state.classroom.quiz;
    if (!q.active || q.revealed || q.kind != QuizKind::Cells || cells.empty()) return;
    toggle_cells(q.guesses, cells);
}

void click_cell(AppState& state, const core::Index& cell, bool shift) {
    if (!state.classroom.quiz.active) state.scene.focus = cell;
    else if (shift) toggle_quiz_guesses(state, tile_cells(state.tensor.shape, cell.n, cell.c));
    else toggle_quiz_guess(state, cell);
}

void choose_quiz_answer(AppState& state, int index) {
    QuizState& q = state.classroom.quiz;
    if (!q.active || q.revealed || q.kind == QuizKind::Cells) return;
    if (index < 0 || index >= static_cast<int>(q.choices.values.size())) return;
    q.choice = index;
    reveal_quiz(state);
}

std::string current_quiz_explanation(const AppState& state) {
    const QuizState& q = state.classroom.quiz;
    const core::NormSpec spec = spec_for(state.scene, q.norm);
    if (!core::validate(spec, state.tensor.shape) || !core::contains(state.tensor.shape, q.focus)) return "";
    return explain_quiz_group(spec, partition_for(state.scene, spec, state.tensor.shape), q.focus);
}

QuizScore current_quiz_score(const AppState& state) {
    const QuizState& q = state.classroom.quiz;
    const core::NormSpec spec = spec_for(state.scene, q.norm);
    if (!core::validate(spec, state.tensor.shape) || !core::contains(state.tensor.shape, q.focus)) return {};
    return score_quiz(partition_for(state.scene, spec, state.tensor.shape), q.focus, q.guesses);
}

}  // namespace normviz::app
