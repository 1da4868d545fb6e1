// Formatting of the --status block.
#include "app/desktop/status_line.h"

#include <cmath>
#include <cstdio>

#include "app/state/classroom_actions.h"

namespace normviz::app {

namespace {

std::string number(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}

// The shape, the focus and the canvases' layout, and what covers or moves them.
std::string head_lines(const AppState& state) {
    const core::Index& f = state.scene.focus;
    const core::Shape& s = state.tensor.shape;
    std::string out = "status shape=" + std::to_string(s.N) + "," + std::to_string(s.C) + "," + std::to_string(s.H) +
                      "," + std::to_string(s.W) + " focus=" + std::to_string(f.n) + "," + std::to_string(f.c) + "," +
                      std::to_string(f.h) + "," + std::to_string(f.w) +
                      " normalized=" + (state.scene.show_normalized ? "1" : "0") +
                      " panels=" + std::to_string(state.panels.size()) + "\n";
    // The canvases' layout (before the first grid frame, and in the cube view: the default one).
    const GridLayout layout = state.canvas_layout.shape == s ? state.canvas_layout : make_grid_layout(s);
    out += "layout tiles_per_row=" + std::to_string(layout.tiles_per_row) +
           " blocks_per_row=" + std::to_string(layout.blocks_per_row) + " tile_gap=" + number(layout.tile_gap) +
           " sample_gap=" + number(layout.sample_gap) + " zoom=" + number(state.camera.zoom) +
           " pan=" + number(state.camera.pan.x) + "," + number(state.camera.pan.y) + "\n";
    // What covers or moves the canvases, where the "Load .npy" field is, and the raw colour scale.
    out += "ui controls=" + std::string(state.show_controls ? "1" : "0") +
           " stats=" + (state.show_stats && !quiz_hides_statistics(state) ? "1" : "0") +
           " help=" + (state.show_help ? "1" : "0") + " presenter=" + (state.classroom.presenter ? "1" : "0") +
           " lesson=" + std::to_string(state.classroom.lesson) + "," + std::to_string(state.classroom.step) +
           " lesson_text_scale=" + number(state.classroom.text_scale) +
           " lesson_fits=" + (state.classroom.text_fits ? "1" : "0") +
           " lesson_steps=" + std::to_string(current_lesson(state) ? current_lesson(state)->steps.size() : 0) +
           " lessons=" + std::to_string(shipped_lessons().lessons.size()) +
           " quiz=" + (state.classroom.quiz.active ? "1" : "0") + " busy=" + (state.work->busy() ? "1" : "0") +
           " tensor=" + std::to_string(state.tensor_version) + " font=" + number(state.font_size) +
           " path_field=" + number(state.path_field_x) + "," + number(state.path_field_y) +
           " path_visible=" + (state.path_field_visible ? "1" : "0") + " value_center=" + number(state.value_center) +
           " value_half_range=" + number(state.value_half_range) +
           " color_scale=" + color_scale_name(state.scene.color_scale) +
           " nan=" + std::to_string(state.value_colors.summary.nan) +
           " inf=" + std::to_string(state.value_colors.summary.pos_inf + state.value_colors.summary.neg_inf) +
           " kept_canvases=" + std::to_string(state.kept_canvases) + "," + std::to_string(state.kept_cube_canvases) +
           "\n";
    return out;
}

std::string cube_line(const AppState& state) {
    const core::Shape& s = state.tensor.shape;
    // What a test needs to predict where a voxel is drawn: make_cube_geometry(shape, split,
    // max_voxels) and make_cube_view(camera, geometry, canvas size) (app/view/cube_camera.h).
    const CubeCamera& cam = state.cube_camera;
    const CubeGeometry g = make_cube_geometry(s, state.cube_split_hw);
    return "cube split=" + std::string(state.cube_split_hw ? "1" : "0") + " yaw=" + number(cam.yaw) +
           " pitch=" + number(cam.pitch) + " distance=" + number(cam.distance) +
           " max_voxels=" + std::to_string(kCubeMaxVoxels) + " bins=" + std::to_string(g.bin[0]) + "," +
           std::to_string(g.bin[1]) + "," + std::to_string(g.bin[2]) + "," + std::to_string(g.bin[3]) + "\n";
}

std::string batch_line(const AppState& state) {
    // The batch editor: its edits so far and where its buttons are (remove, swap, outlier,
    // padded, other domain), for tests to click.
    const BatchEditor& b = state.batch_editor;
    std::string out = "batch edits=" + std::to_string(b.edits.size()) + " sample=" + std::to_string(b.sample);
    const char* names[] = {"remove", "swap", "outlier", "padded", "shifted"};
    for (int i = 0; i < 5; ++i)
        out += std::string(" ") + names[i] + "=" + number(b.button_x[i]) + "," + number(b.button_y[i]);
    return out + "\n";
}

std::string tokens_line(const AppState& state) {
    // The tokens x features window: where its matrix is and how many cells it outlined.
    const TokenWindow& t = state.tokens;
    return "tokens panel=" + std::to_string(t.panel) + " rows=" + std::to_string(t.rows) +
           " cols=" + std::to_string(t.cols) + " cell=" + number(t.cell) + " gap=" + number(t.gap) +
           " origin=" + number(t.origin_x) + "," + number(t.origin_y) + " outlined=" + std::to_string(t.outlined) +
           "\n";
}

// The Train panel's lines: its runs, the last one's epochs and error, the sweep and its
// figure, its buttons' centres.
std::string train_status(const TrainWindow& w) {
    std::string out;
    const std::vector<TrainRun> runs = w.worker->runs();
    const TrainRun* last = runs.empty() ? nullptr : &runs.back();
    out += "train busy=" + std::to_string(w.worker->busy() ? 1 : 0) + " runs=" + std::to_string(runs.size()) +
           " epochs=" + std::to_string(last ? last->epochs.size() : 0) +
           " finished=" + std::to_string(last && last->finished ? 1 : 0) +
           " val_error=" + number(last && !last->epochs.empty() ? last->epochs.back().val_error : -1) +
           " run=" + number(w.run_x) + "," + number(w.run_y) + " stop=" + number(w.stop_x) + "," + number(w.stop_y) +
           " show=" + number(w.show_x) + "," + number(w.show_y) + " images=" + number(w.images_x) + "," +
           number(w.images_y) + " training_images=" + std::to_string(w.images) + "\n";
    const SweepProgress p = w.worker->sweep_progress();
    out += "sweep done=" + std::to_string(p.done) + " total=" + std::to_string(p.total) +
           " running=" + std::to_string(p.running ? 1 : 0) + " rows=" + std::to_string(w.worker->sweep().rows.size()) +
           " lines=" + std::to_string(w.sweep_lines_drawn) + " points=" + std::to_string(w.sweep_points_drawn) +
           " figure=" + number(w.figure_x) + "," + number(w.figure_y) + " button=" + number(w.sweep_x) + "," +
           number(w.sweep_y) + " path=" + number(w.path_x) + "," + number(w.path_y) + " load=" + number(w.load_x) +
           "," + number(w.load_y) + " error=" + std::to_string(w.error.empty() ? 0 : 1) + "\n";
    return out;
}

std::string arithmetic_line(const AppState& state) {
    // The arithmetic window's stage and its numbers (core/group_arithmetic.h).
    const ArithmeticWindow& w = state.arithmetic;
    const core::GroupArithmetic& a = w.result;
    return "arithmetic stage=" + std::to_string(w.stage) + " panel=" + std::to_string(w.panel) +
           " count=" + std::to_string(a.count) + " sum=" + number(a.sum) + " mean=" + number(a.mean) +
           " var=" + number(a.var) + " x=" + number(a.x) + " x_hat=" + number(a.x_hat) + " y=" + number(a.y) + "\n";
}

std::string quiz_line(const AppState& state) {
    // The quiz's question, the student's marks and the score the reveal shows (app/classroom/quiz.h).
    const QuizState& q = state.classroom.quiz;
    const QuizScore score = current_quiz_score(state);
    std::string choices;
    for (int64_t v : q.choices.values) choices += (choices.empty() ? "" : ",") + std::to_string(v);
    if (choices.empty()) choices = "-";
    return "quiz norm=" + std::string(core::norm_name(q.norm)) + " focus=" + std::to_string(q.focus.n) + "," +
           std::to_string(q.focus.c) + "," + std::to_string(q.focus.h) + "," + std::to_string(q.focus.w) +
           " round=" + std::to_string(q.round) + " guesses=" + std::to_string(q.guesses.size()) +
           " revealed=" + (q.revealed ? "1" : "0") + " pooled=" + std::to_string(score.pooled) +
           " hits=" + std::to_string(score.hits) + " misses=" + std::to_string(score.misses) +
           " false_alarms=" + std::to_string(score.false_alarms) + " score=" + number(score.score) +
           " kind=" + quiz_kind_name(q.kind) + " choice=" + std::to_string(q.choice) + " choices=" + choices +
           " answer=" + std::to_string(q.choices.answer) +
           " explained=" + (q.revealed && !current_quiz_explanation(state).empty() ? "1" : "0") + "\n";
}

// One shown norm: its canvas, its labels and the focus's group.
std::string panel_line(const AppState& state, const std::vector<PanelRect>& rects, size_t i) {
    const core::Index& f = state.scene.focus;
    const core::Shape& s = state.tensor.shape;
    const PanelDerived& p = state.panels[i];
    std::string line = "panel i=" + std::to_string(i) + " norm=" + core::norm_name(p.spec.kind);
    if (i < rects.size()) {
        const PanelRect& r = rects[i];
        line += " canvas=" + number(r.canvas_x) + "," + number(r.canvas_y) + "," + number(r.canvas_w) + "," +
                number(r.canvas_h) + " sample_labels=" + std::to_string(r.sample_labels) + "/" +
                std::to_string(r.samples_in_view) + " device_labels=" + std::to_string(r.device_labels) + "/" +
                std::to_string(r.devices_in_view);
    }
    if (!p.stats.empty() && core::contains(s, f)) {
        const int64_t g = p.partition.group_of(f);
        const core::GroupStats& st = p.stats[g];
        const double x = state.tensor.at(f);
        line += " group=" + std::to_string(g) + " groups=" + std::to_string(p.partition.group_count()) +
                " count=" + std::to_string(st.count) + " mean=" + number(st.mean) + " var=" + number(st.var) +
                " mean_sq=" + number(st.mean_sq) + " x=" + number(x) +
                " xhat=" + number(core::normalize_value(x, st, core::is_centered(p.spec), p.spec.eps));
        // The statistics panel shows a sentence for this group (core::explain_group).
        if (!core::explain_group(p.spec, st).empty()) line += " explained=1";
    }
    if (!p.error.empty()) line += " error=1";
    return line + "\n";
}

}  // namespace

std::string format_status(const AppState& state, const std::vector<PanelRect>& rects) {
    std::string out = head_lines(state);
    if (state.cube_view) out += cube_line(state);
    out += batch_line(state);
    if (state.tokens.show) out += tokens_line(state);
    if (state.train.show) out += train_status(state.train);
    if (state.arithmetic.show) out += arithmetic_line(state);
    if (state.classroom.quiz.active) out += quiz_line(state);
    for (size_t i = 0; i < state.panels.size(); ++i) out += panel_line(state, rects, i);
    return out + "end\n";
}

}  // namespace normviz::app
