// AppState: everything the desktop program knows, in one plain struct passed to panels.
// Scene holds the user's inputs; PanelDerived is recomputed from them in update_derived()
// only, never edited by panels.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/model/background_work.h"
#include "app/model/panel_derivation.h"
#include "app/model/scene.h"
#include "app/model/train_worker.h"
#include "app/classroom/classroom_state.h"
#include "app/model/histogram_worker.h"
#include "app/model/paths.h"
#include "app/view/color_scale.h"
#include "app/view/colormap.h"
#include "app/view/cube_camera.h"
#include "app/view/grid_layout.h"
#include "core/array_file.h"
#include "core/batch_edit.h"
#include "core/channel_summary.h"
#include "core/checkpoint.h"
#include "core/generators.h"
#include "core/group_arithmetic.h"
#include "core/group_histogram.h"
#include "core/group_values.h"
#include "core/norm_spec.h"
#include "core/normalize.h"
#include "core/partition.h"
#include "core/stats.h"
#include "core/tensor.h"
#include "core/value_range.h"

namespace normviz::app {

// Derived data of one norm panel.
struct PanelDerived {
    core::NormSpec spec;
    std::string error;  // validate() message; empty when the norm applies
    core::Partition partition;
    std::vector<core::GroupStats> stats;
    // The statistics panel's histograms (app/state/focus_histograms.h): `histograms` are of
    // `histograms_key`'s group, which lags `histograms_wanted` (the focus's) while the worker
    // computes a large group; groups counted for the statistics and affine edits of
    // `histogram_cache_for` are kept in `histogram_cache`, by group.
    core::GroupHistograms histograms;
    HistogramKey histograms_key, histograms_wanted;
    std::unordered_map<int64_t, core::GroupHistograms> histogram_cache;
    HistogramKey histogram_cache_for;
    uint64_t stats_version = 0;  // bumps when stats change, so the renderer re-uploads
    // BatchNorm in eval mode (Scene::batchnorm_eval): `stats` are the running statistics per
    // channel (count 0: no value of this batch pooled), no histograms, and
    // `running_batches` the training batches they were tracked over.
    bool eval_mode = false;
    int running_batches = 0;     // simulated running statistics: batches tracked
    std::string running_prefix;  // a checkpoint's statistics: the layer they came from
};

// Zoom and pan shared by every canvas (they show the same tensor at the same size).
struct Camera {
    Vec2 pan;
    float zoom = 1;
    float fit_zoom = 1;  // the zoom that shows everything; wheel zoom stays >= half of it
    Vec2 fitted_for;     // canvas size of the last fit; a new size fits again
    bool needs_fit = true;
    int zoom_steps = 0;  // keyboard zoom requests (+1 in, -1 out), applied by the canvas
};

// A key press as GLFW reported it (key code and modifier bits), queued for the frame.
struct KeyPress {
    int key = 0;
    int mods = 0;
};

// The Channels window (app/ui/channel_panel.cpp, F4): one row per channel. `summary` is
// derived data, written only by update_channel_summary (or by install_finished_work with a
// worker's result) for the tensor of `summary_version`; the rest is the table's UI state.
struct ChannelsWindow {
    bool show = false;
    std::vector<core::ChannelSummary> summary;
    uint64_t summary_version = ~uint64_t{0};  // the tensor_version `summary` describes
    core::ChannelColumn sort_column = core::ChannelColumn::Channel;
    bool sort_descending = false;
    std::vector<int64_t> order;             // the channel shown in each row
    uint64_t order_version = ~uint64_t{0};  // the summary_version `order` was sorted for
};

// The arithmetic window (F6, app/ui/arithmetic_panel.cpp): one panel's focus group worked out
// stage by stage (core/group_arithmetic.h). `result` is cached for `key` (panel, norm, focus,
// tensor version, gamma and beta); written only by the window.
struct ArithmeticWindow {
    bool show = false;
    int stage = 0;  // 0 .. core::kArithmeticStages - 1
    int panel = 0;  // index into AppState::panels
    std::string key;
    core::GroupArithmetic result;
};

// The tokens x features window (F7, app/ui/token_panel.cpp): sequence data drawn the way
// transformer people picture it, one row per token (h, w) of each sample, one column per
// feature c, with the focus's group under one shown norm outlined. Geometry of the last frame
// kept for the status line (tests click cells).
struct TokenWindow {
    bool show = false;
    int panel = 0;                                 // index into AppState::panels: whose group is outlined
    float origin_x = -1, origin_y = -1, cell = 0;  // top-left of row 0 / column 0, cell side
    float gap = 0;                                 // between one sample's rows and the next's
    int64_t rows = 0, cols = 0;                    // drawn (samples x tokens, features)
    int64_t outlined = 0;                          // cells outlined in view (in the focus's group)
};

// The Train panel (F8, app/ui/train_panel.cpp): settings of the next run, the runs on their
// worker (app/model/train_worker.h) and which block's activations to show. Button centres of
// the last frame are kept for the status line (tests click them).
struct TrainWindow {
    bool show = false;
    int norm = 4;  // index into train_norm_choices(): group
    int groups = 4;
    int batch = 32;
    int epochs = 5;
    int images = 4000;  // training images (1000 more are held out)
    float lr = 0.02f;   // at batch 32
    int layer = 0;      // block whose norm input "Show activations" puts in the grid
    std::string error;  // why the last Run or Show did not start
    std::shared_ptr<TrainWorker> worker = std::make_shared<TrainWorker>();
    float run_x = -1, run_y = -1, stop_x = -1, stop_y = -1, show_x = -1, show_y = -1;
    float images_x = -1, images_y = -1;  // the training images field
    // The sweep (Sweep button, Load sweep CSV): the CSV path typed, and what the figure drew
    // in the last frame (lines, points) with the centres of its controls, for the status line.
    char sweep_path[512] = "";
    int sweep_lines_drawn = 0, sweep_points_drawn = 0;
    float sweep_x = -1, sweep_y = -1, path_x = -1, path_y = -1, load_x = -1, load_y = -1;
    float figure_x = -1, figure_y = -1;
    // Set when a lesson step opens the panel: the next frame places it over the view area,
    // clear of the lesson's text, with the sweep figure scrolled into view.
    bool place_for_lesson = false;
};

// The batch editor (app/ui/controls_panel.cpp): edits of samples other than the focus's
// (core/batch_edit.h), in the order made; any other new tensor clears them. Button centres are
// kept for the status line (tests click them).
struct BatchEditor {
    int64_t sample = -1;  // the sample the buttons edit (-1: the first one that is not the focus's)
    std::vector<std::string> edits;
    float button_x[5] = {-1, -1, -1, -1, -1}, button_y[5] = {-1, -1, -1, -1, -1};  // by SampleEdit
};

// File > Open... (app/state/file_browser.h, app/ui/file_browser_panel.cpp): a modal listing one
// folder's subfolders and array files, with a path field.
struct FileBrowser {
    bool open = false;                 // asked for (File > Open..., Ctrl+O); the modal shows while set
    bool popup_opened = false;         // ImGui::OpenPopup was called for this showing
    std::string folder;                // the folder listed, absolute
    std::string typed;                 // the path field: a file, folder or x.npz:NAME, relative to `folder`
    std::vector<FolderEntry> entries;  // `folder`'s listing (list_array_folder), read by browse_to
    std::string error;                 // why the folder cannot be listed, or why the typed path did not open
    bool focus_field = false;          // give the path field the keyboard in the next frame
};

// The colour scale of raw values: what the tensor's values span, summarized once per tensor,
// and the per-channel ranges the scene's scale picks from it. Derived data, written only by
// update_derived (and set_tensor); AppState::value_center/value_half_range hold the
// tensor-wide range.
struct ValueColors {
    core::ValueSummary summary;
    uint64_t summary_version = ~uint64_t{0};  // the tensor_version `summary` describes
    std::vector<ColorRange> channels;         // per channel c for a per-channel scale, else empty
    uint64_t channels_version = 0;            // bumps when the ranges change (the renderer uploads)
    uint64_t picked_for = ~uint64_t{0};       // summary_version and scale the ranges were picked for
    ColorScale picked_scale = ColorScale::Symmetric;
};

struct AppState {
    Scene scene;
    core::Tensor tensor;
    uint64_t tensor_version = 0;      // bumps on every new tensor; the renderer uploads once per bump
    uint64_t last_stats_version = 0;  // source of unique PanelDerived::stats_version values
    core::Affine affine;              // per-channel gamma and beta, edited in the statistics panel
    uint64_t affine_version = 0;      // bumps when update_derived sees `affine` changed
    // The checkpoint buffers Scene::running_source named (empty until loaded), and a counter
    // that bumps when they change, so eval-mode panels recompute.
    std::optional<core::BatchNormBuffers> running;
    uint64_t running_version = 0;
    // An archive opened without a member name and holding several arrays: its path and
    // arrays, offered as a list to pick from (app/ui/controls_panel.cpp).
    std::string archive_path;
    std::vector<core::ArrayEntry> archive_entries;
    float value_center = 0, value_half_range = 1;  // colour scale of raw values
    ValueColors value_colors;

    std::vector<PanelDerived> panels;
    Camera camera;
    // The grid layout the canvases drew in the last frame (it follows the canvas's size and the
    // text size: app/view/grid_layout.h fit_grid_layout); the status line reports it.
    GridLayout canvas_layout;
    // The cube view (app/ui/cube_panel.cpp): on instead of the grid, H and W kept apart, and
    // the orbit camera every cube shares.
    bool cube_view = false;
    bool cube_split_hw = false;
    CubeCamera cube_camera;

    // UI state.
    bool show_controls = true;
    bool show_stats = true;
    bool show_help = false;
    bool show_debug = false;
    float font_size = 16;
    bool font_dirty = true;
    std::string path_input;
    std::string running_input;   // the "Running statistics" field: FILE.safetensors:PREFIX
    std::string path_input_for;  // the data_path the field was last set to show
    // Screen centre of the "Load .npy" field in the last frame and whether it showed there
    // (the --status "ui" line, so end-to-end tests can type a path into it).
    float path_field_x = -1, path_field_y = -1;
    bool path_field_visible = false;
    // Canvases whose framebuffers the window's renderer kept after the last frame (the
    // --status "ui" line: a view left must give them back).
    int kept_canvases = 0, kept_cube_canvases = 0;
    std::string message;  // last user-facing message (errors explained in words)
    bool message_is_error = false;
    double message_time = 0;  // steady-clock seconds when it was set: the menu bar drops notes after a while
    bool note_shown = false;  // the menu bar showed a note (not an error) in the last frame
    std::string screenshot_path = "normviz.png";
    bool screenshot_requested = false;
    int panel_screenshot_requested = -1;  // index of a norm panel to save as PNG
    bool figure_mode = false;             // `normviz render`: canvases only, no menu or sidebars
    bool fullscreen_requested = false;
    bool quit_requested = false;
    // Something settles over the next frames (the lesson strip fitting its text): draw another
    // frame without waiting for input. Set during a frame, cleared by the run loop.
    bool redraw_requested = false;
    bool print_status = false;          // machine-readable status lines on stdout (tests)
    std::vector<KeyPress> key_presses;  // this frame's key presses, for handle_shortcuts
    // Generating or loading a large tensor runs here, off the frame loop.
    std::shared_ptr<BackgroundWork> work = std::make_shared<BackgroundWork>();
    // Histograms of large groups (app/state/focus_histograms.h). Declared after `tensor`, whose
    // buffer its jobs read, so that it stops first when the state is destroyed.
    HistogramWorker histogram_worker;

    // Keys of the derived data: what it was computed from.
    uint64_t derived_tensor_version = ~uint64_t{0};
    std::vector<core::NormSpec> derived_specs;
    core::Index derived_focus{-1, -1, -1, -1};
    core::Affine derived_affine;
    int64_t derived_devices = 1;
    bool derived_batchnorm_eval = false;
    uint64_t derived_running_version = 0;

    // Lessons, quiz, presenter mode and exports (app/state/classroom_actions.h).
    ClassroomState classroom;
    // The per-channel summary window and the File > Open... browser.
    ChannelsWindow channels;
    ArithmeticWindow arithmetic;
    BatchEditor batch_editor;
    TokenWindow tokens;
    TrainWindow train;
    FileBrowser file_browser;
};

// The picture on screen (AppState::cube_view, cube_split_hw), and switching to one.
Picture current_picture(const AppState& state);
void show_picture(AppState& state, Picture picture);

// Replaces the tensor with the scene's generator output; resets affine and clamps focus.
void regenerate_tensor(AppState& state);
// Applies `edit` to sample n (never the focus's: it is pinned) and keeps the focus on the same
// sample. Errors become state.message. Returns whether the tensor changed.
bool apply_sample_edit(AppState& state, int64_t n, core::SampleEdit edit);
// Reads an array file (x.npy, x.npz:NAME, x.safetensors:NAME) for the desktop program as
// `layout` says: integer arrays are converted to float32 (a viewer has no --convert-int to
// ask for it, and the file field could not pass one).
core::Result<core::Tensor> read_tensor_file(const std::string& path, std::optional<core::Layout> layout);
// Loads a file as the tensor, read with scene.layout; on error keeps the current tensor and
// sets state.message (an archive with several arrays lists them in archive_entries instead).
bool load_tensor_file(AppState& state, const std::string& path);
// Reads the layout again for the loaded file (a layout switch); false and a message on error.
bool reload_with_layout(AppState& state, std::optional<core::Layout> layout);
// Loads BatchNorm running statistics ("FILE:PREFIX") for eval mode on a loaded tensor; the
// checkpoint's weight and bias become gamma and beta. "" forgets them. False and a message
// on error (the previous statistics are kept).
bool load_running_stats(AppState& state, const std::string& source);
// "read (2, 7, 16) as N=2, L=7, C=16 (NLC)" for a loaded tensor; "" for a generated one.
std::string reading_text(const AppState& state);
// As regenerate_tensor / load_tensor_file, but on the worker thread when the tensor is large
// (the frame loop then shows progress and calls install_finished_work). Ignored while busy.
void request_regenerate(AppState& state);
void request_load(AppState& state, const std::string& path);
// Installs a finished background job's tensor and statistics, or shows its error.
void install_finished_work(AppState& state);
// Sets the tensor (new shape allowed) and everything that depends on it. `values`: its
// core::summarize_values when a worker computed it already (else computed here).
void set_tensor(AppState& state, core::Tensor tensor, std::optional<core::ValueSummary> values = std::nullopt);
// The colour range raw value x of channel c takes under the scene's colour scale.
ColorRange raw_color_range(const AppState& state, int64_t c);
// Moves the focus to the next NaN or Inf value after it in memory order (wrapping around);
// false, with a message, when every value is finite.
bool focus_next_non_finite(AppState& state);
// Recomputes panels whose inputs changed (tensor, specs, affine) and brings the histograms to
// the focus's group (update_focus_histograms). Cheap when nothing changed.
void update_derived(AppState& state);
// Moves the focus by delta along axis, clamped to the shape.
void move_focus(AppState& state, core::Axis axis, int64_t delta);
// Shows a message to the user (and on stderr when it is an error).
void set_message(AppState& state, std::string text, bool is_error);
// Seconds on a steady clock (message_time).
double seconds_now();
// How long the menu bar shows a note ("opened scene ..."); errors stay until the next message.
inline constexpr double kNoteSeconds = 8;
// The Channels window's summary of the current tensor, computed here (on this thread) when it
// is shown and the summary is not the current tensor's; a large tensor's worker job brings
// its summary along, so this is cheap then and whenever nothing changed. Called by
// update_derived.
void update_channel_summary(AppState& state);
// Paths dropped on the window at once: the first is loaded (request_load) and the message
// says the others were left out; while a load or generation runs, the drop is refused with
// a message.
void handle_dropped_paths(AppState& state, const std::vector<std::string>& paths);

}  // namespace normviz::app
