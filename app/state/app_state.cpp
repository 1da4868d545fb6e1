// Scene changes and the one place where derived data is recomputed.
#include "app/state/app_state.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include <filesystem>
#include <new>

#include "app/state/classroom_actions.h"
#include "app/state/focus_histograms.h"
#include "app/classroom/lesson_numbers.h"
#include "app/model/paths.h"
#include "core/npy.h"
#include "core/scenarios.h"

namespace normviz::app {

void set_message(AppState& state, std::string text, bool is_error) {
    if (is_error) std::fprintf(stderr, "normviz: %s\n", text.c_str());
    state.message = std::move(text);
    state.message_is_error = is_error;
    state.message_time = seconds_now();
}

double seconds_now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

namespace {

// Colour scale of raw values (app/view/color_scale.h): the tensor's value summary once per
// tensor, then the ranges the scene's scale picks from it, again only when either changed.
void update_value_range(AppState& state) {
    ValueColors& v = state.value_colors;
    if (v.summary_version != state.tensor_version) {
        v.summary = core::summarize_values(state.tensor);
        v.summary_version = state.tensor_version;
    }
    if (v.picked_for == v.summary_version && v.picked_scale == state.scene.color_scale) return;
    const ColorRange range = tensor_color_range(v.summary, state.scene.color_scale);
    state.value_center = range.center;
    state.value_half_range = range.half_range;
    v.channels = channel_color_ranges(v.summary, state.scene.color_scale);
    ++v.channels_version;
    v.picked_for = v.summary_version;
    v.picked_scale = state.scene.color_scale;
}

void clamp_focus(AppState& state) {
    const core::Shape& s = state.tensor.shape;
    core::Index& f = state.scene.focus;
    f = {std::clamp<int64_t>(f.n, 0, s.N - 1), std::clamp<int64_t>(f.c, 0, s.C - 1),
         std::clamp<int64_t>(f.h, 0, s.H - 1), std::clamp<int64_t>(f.w, 0, s.W - 1)};
}

// GroupNorm needs C % G == 0: keep G if it divides the new C, else the largest divisor <= G.
void fit_groups_to_channels(Scene& scene) {
    int64_t g = std::clamp<int64_t>(scene.groups, 1, scene.shape.C);
    while (scene.shape.C % g != 0) --g;
    scene.groups = g;
}

}  // namespace

Picture current_picture(const AppState& state) {
    return !state.cube_view ? Picture::Grid : state.cube_split_hw ? Picture::CubeHw : Picture::Cube;
}

void show_picture(AppState& state, Picture picture) {
    state.cube_view = picture != Picture::Grid;
    state.cube_split_hw = picture == Picture::CubeHw;
}

void set_tensor(AppState& state, core::Tensor tensor, std::optional<core::ValueSummary> values) {
    const bool new_shape = !(tensor.shape == state.tensor.shape);
    state.histogram_worker.cancel_and_wait();  // its jobs read the buffer about to go
    state.batch_editor.edits.clear();          // a new tensor; apply_sample_edit puts its list back
    state.tensor = std::move(tensor);
    state.scene.shape = state.tensor.shape;
    ++state.tensor_version;
    if (new_shape) {
        state.affine = {};
        state.camera.needs_fit = true;
    }
    // Every time, not only on a new shape: the first tensor may have the shape the empty one
    // had (1, 1, 1, 1), and G = 2 must still become 1 there.
    fit_groups_to_channels(state.scene);
    clamp_focus(state);
    // A quiz's marks and asked cell are of the old shape: ask about the new tensor instead.
    if (new_shape && state.classroom.quiz.active) next_quiz_question(state);
    if (values) {
        state.value_colors.summary = std::move(*values);
        state.value_colors.summary_version = state.tensor_version;
    }
    update_value_range(state);
}

ColorRange raw_color_range(const AppState& state, int64_t c) {
    const std::vector<ColorRange>& channels = state.value_colors.channels;
    if (c >= 0 && c < static_cast<int64_t>(channels.size())) return channels[static_cast<size_t>(c)];
    return {state.value_center, state.value_half_range};
}

bool focus_next_non_finite(AppState& state) {
    auto next = core::next_non_finite(state.tensor, state.scene.focus);
    if (!next) {
        set_message(state, "every value is finite: no NaN or Inf to go to", false);
        return false;
    }
    state.scene.focus = *next;
    const float x = state.tensor.at(*next);
    set_message(state,
                std::string(std::isnan(x) ? "NaN"
                            : x > 0       ? "+Inf"
                                          : "-Inf") +
                    " at (n, c, h, w) = " + core::to_string(*next),
                false);
    return true;
}

void regenerate_tensor(AppState& state) {
    state.scene.data_path.clear();
    set_tensor(state, generate_scene_tensor(state.scene));
}

bool apply_sample_edit(AppState& state, int64_t n, core::SampleEdit edit) {
    const int64_t pinned = state.scene.focus.n;
    if (n == pinned) {
        set_message(state, "sample " + std::to_string(n) + " holds the focus and is pinned; edit another sample", true);
        return false;
    }
    auto edited = core::edit_sample(state.tensor, n, edit);
    if (!edited) {
        set_message(state, edited.error().message, true);
        return false;
    }
    std::vector<std::string> edits = state.batch_editor.edits;
    edits.push_back(std::string(core::sample_edit_name(edit)) + " " + std::to_string(n));
    core::Index focus = state.scene.focus;
    if (edit == core::SampleEdit::Remove && n < pinned) --focus.n;  // the same sample, one place up
    const core::Affine affine = state.affine;                       // per channel: the batch edit does not touch it
    set_tensor(state, std::move(edited.value()));
    state.affine = affine;
    state.scene.focus = focus;
    state.batch_editor.edits = std::move(edits);
    set_message(state,
                "sample " + std::to_string(n) + ": " + core::sample_edit_name(edit) +
                    "; BatchNorm's numbers for the focus move, the norms inside one sample keep theirs",
                false);
    return true;
}

core::Result<core::Tensor> read_tensor_file(const std::string& path, std::optional<core::Layout> layout) {
    return core::read_tensor(path, layout, core::IntegerPolicy::Convert);
}

std::string reading_text(const AppState& state) {
    if (state.scene.data_path.empty()) return "";
    return core::describe_reading(state.tensor);
}

namespace {

// An archive named without a member that holds several arrays: offer them instead of failing.
bool offer_archive_members(AppState& state, const std::string& path) {
    if (!core::parse_array_source(path).member.empty()) return false;
    auto entries = core::list_arrays(path);
    if (!entries || entries.value().size() < 2) return false;
    state.archive_path = path;
    state.archive_entries = std::move(entries.value());
    set_message(
        state,
        path + " holds " + std::to_string(state.archive_entries.size()) + " arrays; pick one in the list under Load",
        false);
    return true;
}

void after_load(AppState& state, const std::string& path) {
    state.scene.data_path = path;
    state.scene.layout = state.tensor.layout;
    state.archive_entries.clear();
    set_message(state, "loaded " + path + ": " + reading_text(state), false);
}

}  // namespace

bool load_tensor_file(AppState& state, const std::string& path) {
    auto loaded = read_tensor_file(path, state.scene.layout);
    if (!loaded && state.scene.layout) {
        // The layout chosen for the previous file may not fit this one's rank: try the default.
        loaded = read_tensor_file(path, std::nullopt);
    }
    if (!loaded) {
        if (!offer_archive_members(state, path)) set_message(state, loaded.error().message, true);
        return false;
    }
    set_tensor(state, std::move(loaded.value()));
    after_load(state, path);
    return true;
}

bool reload_with_layout(AppState& state, std::optional<core::Layout> layout) {
    if (state.scene.data_path.empty()) return false;
    auto loaded = read_tensor_file(state.scene.data_path, layout);
    if (!loaded) {
        set_message(state, loaded.error().message, true);
        return false;
    }
    set_tensor(state, std::move(loaded.value()));
    after_load(state, state.scene.data_path);
    return true;
}

bool load_running_stats(AppState& state, const std::string& source) {
    if (source.empty()) {
        state.running.reset();
        state.scene.running_source.clear();
        ++state.running_version;
        return true;
    }
    auto buffers = core::read_batchnorm_buffers(source);
    if (!buffers) {
        set_message(state, buffers.error().message, true);
        return false;
    }
    state.running = std::move(buffers.value());
    state.scene.running_source = source;
    ++state.running_version;
    const int64_t C = static_cast<int64_t>(state.running->running_mean.size());
    if (C == state.tensor.shape.C) {
        // bn.eval()(x) applies the layer's weight and bias: they become gamma and beta.
        if (!state.running->affine.gamma.empty()) state.affine.gamma = state.running->affine.gamma;
        if (!state.running->affine.beta.empty()) state.affine.beta = state.running->affine.beta;
    }
    set_message(state,
                "running statistics of " + state.running->prefix + " (" + std::to_string(C) + " channels) from " +
                    core::parse_array_source(source).path,
                false);
    return true;
}

void move_focus(AppState& state, core::Axis axis, int64_t delta) {
    core::Index& f = state.scene.focus;
    int64_t* coords[] = {&f.n, &f.c, &f.h, &f.w};
    *coords[static_cast<int>(axis)] += delta;
    clamp_focus(state);
}

namespace {

// A derived panel into the state's panel; the histograms follow through stats_version.
void install_panel(AppState& state, PanelDerived& p, PanelStats derived) {
    p.spec = derived.spec;
    p.error = std::move(derived.error);
    if (derived.has_partition) p.partition = derived.partition;
    p.stats = std::move(derived.stats);
    p.eval_mode = derived.eval_mode;
    p.running_batches = derived.running_batches;
    p.running_prefix = std::move(derived.running_prefix);
    if (!p.stats.empty()) p.stats_version = ++state.last_stats_version;
}

// The panels' partitions and statistics, recomputed where their inputs changed.
void update_panels(AppState& state) {
    const std::vector<core::NormSpec> specs = shown_specs(state.scene);
    const bool tensor_changed = state.derived_tensor_version != state.tensor_version;
    const bool devices_changed = state.scene.devices != state.derived_devices;
    const bool running_changed = state.running_version != state.derived_running_version;
    const bool eval_changed = state.scene.batchnorm_eval != state.derived_batchnorm_eval || running_changed;
    const bool specs_changed = specs != state.derived_specs || devices_changed || eval_changed;
    const bool focus_changed = !(state.scene.focus == state.derived_focus);
    const bool affine_changed =
        state.affine.gamma != state.derived_affine.gamma || state.affine.beta != state.derived_affine.beta;
    if (!tensor_changed && !specs_changed && !focus_changed && !affine_changed) return;
    if (affine_changed) ++state.affine_version;

    if (tensor_changed || specs_changed) {
        state.panels.resize(specs.size());
        for (size_t i = 0; i < specs.size(); ++i) {
            PanelDerived& p = state.panels[i];
            const bool eval = state.scene.batchnorm_eval && specs[i].kind == core::NormKind::Batch;
            if (!tensor_changed && !devices_changed && p.spec == specs[i] && !p.stats.empty() && p.eval_mode == eval &&
                !(eval && running_changed))
                continue;
            install_panel(state, p,
                          derive_panel(state.scene, state.tensor, specs[i], state.running ? &*state.running : nullptr));
        }
    }
    state.derived_tensor_version = state.tensor_version;
    state.derived_specs = specs;
    state.derived_focus = state.scene.focus;
    state.derived_affine = state.affine;
    state.derived_devices = state.scene.devices;
    state.derived_batchnorm_eval = state.scene.batchnorm_eval;
    state.derived_running_version = state.running_version;
}

}  // namespace

void update_derived(AppState& state) {
    update_value_range(state);
    update_channel_summary(state);
    update_panels(state);
    update_focus_histograms(state);
}

}  // namespace normviz::app

namespace normviz::app {

namespace {

// Above these sizes work goes to the worker thread (about 100 ms of work on a slow machine).
constexpr int64_t kSyncElements = int64_t{1} << 20;
constexpr uintmax_t kSyncFileBytes = uintmax_t{4} << 20;

}  // namespace

void request_regenerate(AppState& state) {
    if (state.work->busy()) return;
    if (core::validate_shape(state.scene.shape) && state.scene.shape.numel() <= kSyncElements) {
        regenerate_tensor(state);
        return;
    }
    Scene scene = state.scene;
    scene.data_path.clear();
    const uint64_t running_version = state.running_version;
    state.work->start("Generating " + core::to_string(scene.shape),
                      [scene, running_version](std::atomic<float>& progress) {
                          core::Result<PreparedTensor> out = PreparedTensor{};
                          PreparedTensor& p = out.value();
                          p.tensor = generate_scene_tensor(scene);
                          progress = 0.4f;
                          p.scene = scene;
                          p.running_version = running_version;
                          p.panels = derive_panels(scene, p.tensor, nullptr, progress, 0.4f, 1.0f);
                          p.channels = core::summarize_channels(p.tensor);  // the Channels window opens at once
                          p.values = core::summarize_values(p.tensor);      // the colour scales' ranges
                          return out;
                      });
}

void request_load(AppState& state, const std::string& typed) {
    if (state.work->busy()) return;
    const std::string path = expand_home(typed);  // the Load field and the browser take ~/x.npy
    std::error_code ec;
    const uintmax_t size = std::filesystem::file_size(core::parse_array_source(path).path, ec);
    if (ec || size <= kSyncFileBytes) {
        load_tensor_file(state, path);  // small, or missing: read_npy gives the error message
        return;
    }
    // A large archive named without a member and holding several arrays: its list to pick
    // from, as load_tensor_file offers for a small one, rather than the worker's error.
    if (offer_archive_members(state, path)) return;
    Scene scene = state.scene;
    scene.data_path = path;
    const std::optional<core::BatchNormBuffers> running = state.running;
    const uint64_t running_version = state.running_version;
    state.work->start(
        "Loading " + path,
        [path, scene, running, running_version](std::atomic<float>& progress) -> core::Result<PreparedTensor> {
            const std::optional<core::Layout> layout = scene.layout;
            core::Result<core::Tensor> loaded = core::make_error("not read");
            try {
                loaded = read_tensor_file(path, layout);
                if (!loaded && layout) loaded = read_tensor_file(path, std::nullopt);  // as load_tensor_file
            } catch (const std::bad_alloc&) {
                // Named here: the worker's own catch cannot say which file was too large.
                return core::make_error(path + ": not enough memory to load it; load a slice of the array");
            }
            if (!loaded) return loaded.error();
            progress = 0.4f;
            PreparedTensor p;
            p.tensor = std::move(loaded.value());
            p.source_path = path;
            p.scene = scene;
            p.running_version = running_version;
            p.panels = derive_panels(scene, p.tensor, running ? &*running : nullptr, progress, 0.4f, 1.0f);
            p.channels = core::summarize_channels(p.tensor);  // the Channels window opens at once
            p.values = core::summarize_values(p.tensor);      // the colour scales' ranges
            return p;
        });
}

void install_finished_work(AppState& state) {
    auto result = state.work->take_result();
    if (!result) return;
    if (!*result) {
        set_message(state, result->error().message, true);
        return;
    }
    PreparedTensor& p = result->value();
    state.scene.data_path = p.source_path;
    set_tensor(state, std::move(p.tensor), std::move(p.values));
    if (!p.source_path.empty()) after_load(state, p.source_path);
    if (p.channels) {
        state.channels.summary = std::move(*p.channels);
        state.channels.summary_version = state.tensor_version;
    }
    // Install the panels derived on the worker, with the keys they were derived for:
    // update_derived redoes only what the scene changed since (G fitted to new channels, ...).
    state.panels.assign(p.panels.size(), PanelDerived{});
    for (size_t i = 0; i < p.panels.size(); ++i) install_panel(state, state.panels[i], std::move(p.panels[i]));
    state.derived_tensor_version = state.tensor_version;
    state.derived_specs = shown_specs(p.scene);
    state.derived_focus = {-1, -1, -1, -1};
    state.derived_devices = p.scene.devices;
    state.derived_batchnorm_eval = p.scene.batchnorm_eval;
    state.derived_running_version = p.running_version;
}

void update_channel_summary(AppState& state) {
    ChannelsWindow& w = state.channels;
    if (!w.show || w.summary_version == state.tensor_version) return;
    // Here only for a tensor that no worker job summarized: a small one, or one read on this
    // thread (FILE on the command line, a scene, a layout switch); once per tensor.
    w.summary = core::summarize_channels(state.tensor);
    w.summary_version = state.tensor_version;
}

void handle_dropped_paths(AppState& state, const std::vector<std::string>& paths) {
    if (paths.empty()) return;
    if (state.work->busy()) {
        set_message(state,
                    "still busy (" + state.work->label() + "); drop " +
                        (paths.size() > 1 ? "the files" : paths.front()) + " again when it is done",
                    true);
        return;
    }
    if (paths.size() > 1) set_message(state, "", false);  // below: the load's outcome, or none yet
    request_load(state, paths.front());
    if (paths.size() < 2) return;
    const size_t others = paths.size() - 1;
    const std::string note = std::to_string(paths.size()) + " files dropped: opened only the first, " + paths.front() +
                             "; " + std::to_string(others) + (others == 1 ? " other file" : " other files") +
                             " left out (drop one file at a time)";
    // The load's own outcome (an error, the reading, an archive's list) stays in front; a
    // large file's load runs on the worker and has none yet.
    if (state.message.empty()) set_message(state, note, false);
    else state.message += " (" + note + ")";
}

}  // namespace normviz::app
