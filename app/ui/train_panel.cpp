// The Train panel (F8): train the built-in CNN with a chosen norm, watch its loss and held-out
// error per epoch (runs overlaid), stop it, and put a block's activations of the trained
// network into the grid (app/state/train_actions.h); run the batch-size sweep, or load one
// saved by normviz train --sweep --csv, and see its figure (app/ui/sweep_figure.h).
#include <imgui.h>

#include <algorithm>
#include <string>

#include "app/state/train_actions.h"
#include "app/ui/panels.h"
#include "app/ui/plot.h"
#include "app/ui/sweep_figure.h"

namespace normviz::app {

namespace {

// Where the item just drawn is, for the status line (tests click it).
void remember_button(float& x, float& y) {
    const ImVec2 lo = ImGui::GetItemRectMin(), hi = ImGui::GetItemRectMax();
    x = (lo.x + hi.x) * 0.5f;
    y = (lo.y + hi.y) * 0.5f;
}

void draw_settings(TrainWindow& w, bool busy) {
    ImGui::BeginDisabled(busy);
    const auto choices = train_norm_choices();
    const float field = ImGui::GetFontSize() * 9;
    ImGui::SetNextItemWidth(field);
    if (ImGui::BeginCombo("norm##train", choices[static_cast<size_t>(w.norm)].label)) {
        for (size_t i = 0; i < choices.size(); ++i)
            if (ImGui::Selectable(choices[i].label, w.norm == static_cast<int>(i))) w.norm = static_cast<int>(i);
        ImGui::EndCombo();
    }
    if (choices[static_cast<size_t>(w.norm)].kind == core::NormKind::Group) {
        ImGui::SameLine();
        ImGui::SetNextItemWidth(field * 0.6f);
        ImGui::InputInt("G (divides 8, 16, 32)##train", &w.groups);
    }
    ImGui::SetNextItemWidth(field);
    ImGui::InputInt("batch##train", &w.batch);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(field * 0.6f);
    ImGui::InputInt("epochs##train", &w.epochs);
    ImGui::SetNextItemWidth(field);
    ImGui::InputInt("training images##train", &w.images, 100, 1000);
    remember_button(w.images_x, w.images_y);
    w.images_x = ImGui::GetItemRectMin().x + ImGui::GetFontSize() * 2;  // inside the text, not on -/+
    ImGui::SetNextItemWidth(field);
    ImGui::InputFloat("learning rate at batch 32##train", &w.lr, 0, 0, "%.4g");
    ImGui::EndDisabled();
    w.images = std::clamp(w.images, 4, 20000);
    w.batch = std::clamp(w.batch, 1, 4000);
    w.epochs = std::clamp(w.epochs, 1, 100);
    w.groups = std::clamp(w.groups, 1, 32);
}

// Loss and held-out error per epoch, one line per run.
void draw_curves(const std::vector<TrainRun>& runs) {
    std::vector<PlotSeries> loss, error;
    for (size_t i = 0; i < runs.size(); ++i) {
        PlotSeries l{runs[i].label, {}, {}, series_color(static_cast<int>(i))};
        PlotSeries e = l;
        for (const core::train::EpochReport& r : runs[i].epochs) {
            l.x.push_back(r.epoch), l.y.push_back(r.train_loss);
            e.x.push_back(r.epoch), e.y.push_back(r.val_error);
        }
        loss.push_back(std::move(l));
        error.push_back(std::move(e));
    }
    const float height = ImGui::GetFontSize() * 11;
    draw_plot("loss", loss, {"training loss", "epoch", height, true, 1, true});
    draw_plot("error", error, {"held-out error (%; eval mode)", "epoch", height, true, 100, true});
}

// Run or Stop (a run or the sweep), Sweep, Clear.
void draw_buttons(AppState& state, bool busy) {
    TrainWindow& w = state.train;
    if (!busy) {
        if (ImGui::Button("Run##train")) start_training(state);
        remember_button(w.run_x, w.run_y);
        w.stop_x = w.stop_y = -1;
    } else {
        if (ImGui::Button("Stop##train")) w.worker->stop();
        remember_button(w.stop_x, w.stop_y);
        w.run_x = w.run_y = -1;
    }
    ImGui::SameLine();
    ImGui::BeginDisabled(busy);
    if (ImGui::Button("Sweep##train")) start_training_sweep(state);
    remember_button(w.sweep_x, w.sweep_y);
    if (ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
        ImGui::BeginTooltip();
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 24);
        ImGui::TextUnformatted(
            "Trains none, BatchNorm, LayerNorm, InstanceNorm, GroupNorm (G above) and RMSNorm at batch 2, 4, 8, 16 "
            "and 32 with these epochs, images and learning rate: 30 runs, one after another");
        ImGui::PopTextWrapPos();
        ImGui::EndTooltip();
    }
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (ImGui::Button("Clear##train") && !busy) w.worker->clear();
}

// The sweep's progress, the CSV path and Load button, and its figure.
void draw_sweep(AppState& state, bool busy) {
    TrainWindow& w = state.train;
    const SweepProgress progress = w.worker->sweep_progress();
    SweepTable table = w.worker->sweep();
    if (progress.total > 0) {
        std::string line =
            "sweep: " + std::to_string(progress.done) + " of " + std::to_string(progress.total) + " runs";
        line += progress.running ? ", training..." : (progress.message.empty() ? ", done" : ", " + progress.message);
        ImGui::TextUnformatted(line.c_str());
    } else if (!table.rows.empty()) {
        ImGui::Text("sweep from %s: %zu runs", w.worker->sweep_source().c_str(), table.rows.size());
    }
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 16);
    const bool enter = ImGui::InputTextWithHint("##sweep_path", "sweep.csv (normviz train --sweep --csv)", w.sweep_path,
                                                sizeof w.sweep_path, ImGuiInputTextFlags_EnterReturnsTrue);
    remember_button(w.path_x, w.path_y);
    ImGui::SameLine();
    ImGui::BeginDisabled(busy);
    if ((ImGui::Button("Load sweep CSV##train") || (enter && !busy)) && load_sweep_csv(state, w.sweep_path))
        table = w.worker->sweep();  // the loaded one, in this frame
    remember_button(w.load_x, w.load_y);
    ImGui::EndDisabled();
    if (table.rows.empty()) {
        w.sweep_lines_drawn = w.sweep_points_drawn = 0;
        w.figure_x = w.figure_y = -1;
        return;
    }
    const ImVec2 at = ImGui::GetCursorScreenPos();
    const SweepFigureDrawn drawn = draw_sweep_figure(table, ImGui::GetFontSize() * 13);
    w.figure_x = at.x, w.figure_y = at.y;
    w.sweep_lines_drawn = drawn.lines, w.sweep_points_drawn = drawn.points;
}

}  // namespace

void draw_train_panel(AppState& state, const FrameLayout& frame) {
    TrainWindow& w = state.train;
    if (!w.show) return;
    const ImGuiIO& io = ImGui::GetIO();
    const bool for_lesson = w.place_for_lesson;
    w.place_for_lesson = false;
    if (for_lesson) {
        // Over the right of the canvases (the lessons' focus cells sit at the left), between
        // the sidebars and above the lesson's text.
        const float view_w = io.DisplaySize.x - frame.left - frame.right;
        const float width = std::clamp(view_w, ImGui::GetFontSize() * 20, ImGui::GetFontSize() * 34);
        const float height = std::max(ImGui::GetFontSize() * 12, io.DisplaySize.y - frame.menu_height - frame.bottom);
        ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x - frame.right - width, frame.menu_height), ImGuiCond_Always);
        ImGui::SetNextWindowSize(ImVec2(width, height), ImGuiCond_Always);
    } else {
        const float height = std::min(ImGui::GetFontSize() * 46, io.DisplaySize.y * 0.94f);
        ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 34, height), ImGuiCond_FirstUseEver);
        ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.5f), ImGuiCond_FirstUseEver,
                                ImVec2(0.5f, 0.5f));
    }
    if (!ImGui::Begin("Train##train", &w.show, ImGuiWindowFlags_NoSavedSettings)) {
        ImGui::End();
        return;
    }
    ImGui::TextWrapped(
        "A 6-block CNN (conv 3x3, norm, ReLU) learns 4 shapes from 16x16 images. The learning "
        "rate follows the batch (lr x B / 32), as in the Group Normalization paper.");
    const bool busy = w.worker->busy();
    draw_settings(w, busy);
    draw_buttons(state, busy);
    const std::vector<TrainRun> runs = w.worker->runs();
    if (!runs.empty()) {
        const TrainRun& last = runs.back();
        const std::string status =
            last.label + ": epoch " + std::to_string(last.epochs.size()) + " of " + std::to_string(last.config.epochs) +
            (last.finished ? (last.message.empty() ? ", done" : ", " + last.message) : ", training...");
        ImGui::TextUnformatted(status.c_str());
    }
    if (!w.error.empty()) ImGui::TextColored(ImVec4(1.0f, 0.5f, 0.45f, 1.0f), "%s", w.error.c_str());
    if (for_lesson) {
        ImGui::SetNextItemOpen(true);
        ImGui::SetScrollHereY(0.0f);  // the lesson is about the figure: it starts at the top
    }
    if (ImGui::CollapsingHeader("Sweep: error by batch size##train", ImGuiTreeNodeFlags_DefaultOpen))
        draw_sweep(state, busy);
    if (!runs.empty()) draw_curves(runs);
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    int block = w.layer + 1;
    ImGui::SliderInt("block##train", &block, 1, core::train::kConvLayers);
    w.layer = block - 1;
    ImGui::SameLine();
    if (ImGui::Button("Show its activations in the grid##train")) show_trained_activations(state, w.layer);
    remember_button(w.show_x, w.show_y);
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped(
        "the norm's input of that block for one held-out batch; BatchNorm's running statistics go "
        "to eval mode");
    ImGui::PopStyleColor();
    ImGui::End();
}

}  // namespace normviz::app
