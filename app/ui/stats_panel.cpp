// The statistics sidebar: for the focus under every shown norm, what was pooled and every
// number of x_hat = (x - mean) / sqrt(var + eps), y = gamma * x_hat + beta, with histograms.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "app/view/number_format.h"
#include "app/ui/panels.h"

namespace normviz::app {

namespace {

void row(const char* name, const std::string& value) {
    ImGui::TextUnformatted(name);
    // Values in one column, pushed right when a label (x̂'s formula) is wider than it.
    ImGui::SameLine(std::max(ImGui::GetFontSize() * 8.5f, ImGui::CalcTextSize(name).x + ImGui::GetFontSize()));
    ImGui::TextUnformatted(value.c_str());
}

// A histogram made by app/state/focus_histograms.cpp; `note` follows the title ("updating" while the
// worker computes the focus's group and the previous group's shows).
void histogram(const char* id, const char* title, const core::Histogram& h, const char* note) {
    if (h.counts.empty()) {
        ImGui::TextDisabled("%s: no finite values%s", title, note);
        return;
    }
    std::string label = std::string(title) + "  [" + format_number(h.lo) + ", " + format_number(h.hi) + "]" + note;
    ImGui::PlotHistogram(id, h.counts.data(), static_cast<int>(h.counts.size()), 0, label.c_str(), 0.0f, FLT_MAX,
                         ImVec2(ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 3.2f));
}

// Gamma and beta of the focus's channel; the vectors are created on first edit.
void affine_editor(AppState& state) {
    const int64_t c = state.scene.focus.c, C = state.tensor.shape.C;
    float gamma = state.affine.gamma.empty() ? 1.0f : state.affine.gamma[c];
    float beta = state.affine.beta.empty() ? 0.0f : state.affine.beta[c];
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    bool changed = ImGui::DragFloat("gamma##gamma", &gamma, 0.01f, -10.0f, 10.0f, "%.3f");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6);
    changed |= ImGui::DragFloat("beta##beta", &beta, 0.01f, -10.0f, 10.0f, "%.3f");
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("gamma and beta of channel c = %lld (all others: 1 and 0 unless edited)",
                        static_cast<long long>(c));
    ImGui::PopTextWrapPos();
    if (changed) {
        if (state.affine.gamma.empty()) state.affine.gamma.assign(C, 1.0f);
        if (state.affine.beta.empty()) state.affine.beta.assign(C, 0.0f);
        state.affine.gamma[c] = gamma;
        state.affine.beta[c] = beta;
    }
}

// Eval-mode BatchNorm: the focus is normalized with its channel's running statistics; no
// value of this batch is pooled, so there is no group and no histogram of pooled values.
void eval_rows(const AppState& state, const PanelDerived& p) {
    const core::Index& f = state.scene.focus;
    const core::GroupStats& s = p.stats[p.partition.group_of(f)];
    const double x = state.tensor.at(f);
    const double xhat = core::normalize_value(x, s, true, p.spec.eps);
    const double gamma = state.affine.gamma.empty() ? 1.0 : state.affine.gamma[f.c];
    const double beta = state.affine.beta.empty() ? 0.0 : state.affine.beta[f.c];
    ImGui::PushTextWrapPos(0);
    row("values pooled", p.running_prefix.empty() ? "none (eval mode: simulated running mean/var)"
                                                  : "none (eval mode: the model's running mean/var)");
    ImGui::PopTextWrapPos();
    row("running mean", format_number(s.mean));
    row("running var", format_number(s.var));
    row("std", format_number(std::sqrt(s.var)));
    row("x", format_number(x));
    row("x\u0302 = (x\u2212\u03bc)/\u221a(\u03c3\u00b2+\u03b5)", format_number(xhat));
    row("y = \u03b3x\u0302 + \u03b2", format_number(gamma * xhat + beta));
    ImGui::PushTextWrapPos(0);
    if (!p.running_prefix.empty()) {
        ImGui::TextDisabled(
            "running statistics of channel c = %lld from the model's %s (%s); the output no longer "
            "depends on the batch",
            static_cast<long long>(f.c), p.running_prefix.c_str(),
            core::parse_array_source(state.scene.running_source).path.c_str());
    } else {
        ImGui::TextDisabled(
            "simulated running statistics of channel c = %lld: %d training batches of %lld drawn from "
            "this tensor's generator (momentum 0.1, unbiased variance); the output no longer depends "
            "on the batch",
            static_cast<long long>(f.c), p.running_batches, static_cast<long long>(state.tensor.shape.N));
    }
    ImGui::PopTextWrapPos();
}

void norm_section(AppState& state, const PanelDerived& p, int index) {
    ImGui::PushID(index);
    std::string title = core::norm_title(p.spec.kind);
    if (p.spec.kind == core::NormKind::Group) title += " (G=" + std::to_string(p.spec.groups) + ")";
    if (p.spec.kind == core::NormKind::Custom) title += " (" + core::axes_to_string(p.spec.custom_axes) + ")";
    if (p.eval_mode) title += " (eval)";
    if (ImGui::CollapsingHeader((title + "##stats_header").c_str(), ImGuiTreeNodeFlags_DefaultOpen)) {
        if (!p.error.empty()) {
            ImGui::PushTextWrapPos(0);
            ImGui::TextColored(ImVec4(1.0f, 0.5f, 0.45f, 1.0f), "%s", p.error.c_str());
            ImGui::PopTextWrapPos();
        }
        if (!p.stats.empty() && p.eval_mode) {
            eval_rows(state, p);
        } else if (!p.stats.empty()) {
            const core::Index& f = state.scene.focus;
            const int64_t g = p.partition.group_of(f);
            const core::GroupStats& s = p.stats[g];
            const bool centered = core::is_centered(p.spec);
            const double x = state.tensor.at(f);
            const double xhat = core::normalize_value(x, s, centered, p.spec.eps);
            const double gamma = state.affine.gamma.empty() ? 1.0 : state.affine.gamma[f.c];
            const double beta = state.affine.beta.empty() ? 0.0 : state.affine.beta[f.c];
            row("values pooled", core::group_size_formula(p.partition));
            row("group", std::to_string(g + 1) + " of " + std::to_string(p.partition.group_count()) + " (" +
                             core::key_to_string(p.partition, p.partition.key_of(f)) + ")");
            if (centered) {
                row("mean", format_number(s.mean));
                row("variance", format_number(s.var));
                row("std", format_number(std::sqrt(s.var)));
            } else {
                row("mean of x\u00b2", format_number(s.mean_sq));
                row("RMS", format_number(std::sqrt(s.mean_sq)));
            }
            row("x", format_number(x));
            row(centered ? "x\u0302 = (x\u2212\u03bc)/\u221a(\u03c3\u00b2+\u03b5)"
                         : "x\u0302 = x/\u221a(mean x\u00b2+\u03b5)",
                format_number(xhat));
            row("y = \u03b3x\u0302 + \u03b2", format_number(gamma * xhat + beta));
            std::string why = core::explain_group(p.spec, s);
            if (!why.empty()) {
                ImGui::PushTextWrapPos(0);
                ImGui::TextColored(ImVec4(1.0f, 0.8f, 0.4f, 1.0f), "%s", why.c_str());
                ImGui::PopTextWrapPos();
            }
            if (p.histograms_key.stats_version != 0) {  // none yet: the worker's first result is coming
                const char* note = p.histograms_key == p.histograms_wanted ? "" : "  (updating)";
                histogram("##hist_before", "pooled x", p.histograms.inputs, note);
                histogram("##hist_after", "after: y", p.histograms.outputs, note);
            } else {
                ImGui::TextDisabled("histograms: computing");
            }
        }
    }
    ImGui::PopID();
}

}  // namespace

void draw_stats_panel(AppState& state, const FrameLayout& frame) {
    if (frame.right <= 0) return;  // hidden, or kept hidden by a quiz (compute_frame_layout)
    ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x - frame.right, frame.menu_height));
    ImGui::SetNextWindowSize(ImVec2(frame.right, io.DisplaySize.y - frame.menu_height));
    ImGui::Begin("Statistics of the focus##stats", nullptr,
                 ImGuiWindowFlags_NoNavInputs | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize |
                     ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings);
    const core::Index& f = state.scene.focus;
    ImGui::Text("focus (n, c, h, w) = (%lld, %lld, %lld, %lld)", (long long)f.n, (long long)f.c, (long long)f.h,
                (long long)f.w);
    // A file in another layout: the same element as its owner indexes it, e.g. (b, t, d).
    if (state.tensor.layout != core::Layout::NCHW && !state.scene.data_path.empty())
        ImGui::TextDisabled("in the file: %s", core::index_in_words(f, state.tensor.layout).c_str());
    ImGui::Text("x = %s", format_number(state.tensor.at(f)).c_str());
    affine_editor(state);
    ImGui::Separator();
    for (size_t i = 0; i < state.panels.size(); ++i) norm_section(state, state.panels[i], static_cast<int>(i));
    ImGui::End();
}

}  // namespace normviz::app
