// The arithmetic window (F6): the focus's group under one shown norm, worked out the way a
// student would by hand, one stage at a time (Back / Next, or ',' and '.'): gather the values,
// sum them, divide by the count, subtract the mean, square, average, normalize the focus, then
// scale and shift it. Each pooled axis of the sum is coloured the same in every formula. The
// numbers come from core/group_arithmetic.h; a test checks them against PyTorch.
#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "app/view/number_format.h"
#include "app/ui/panels.h"
#include "app/view/colormap.h"

namespace normviz::app {

namespace {

constexpr int kStripCells = 64;  // values drawn as boxes per strip; the rest are counted

// One colour per axis, used for the axis's letter in the sums.
ImVec4 axis_color(core::Axis a) {
    switch (a) {
        case core::Axis::N: return ImVec4(1.00f, 0.67f, 0.31f, 1);
        case core::Axis::C: return ImVec4(0.47f, 0.78f, 1.00f, 1);
        case core::Axis::H: return ImVec4(0.63f, 0.90f, 0.47f, 1);
        case core::Axis::W: return ImVec4(0.90f, 0.55f, 0.90f, 1);
    }
    return ImVec4(1, 1, 1, 1);
}

// "<label> Σ over n, h, w:" with each pooled axis's letter in its colour; the caller goes on
// on the same line.
void sum_over(const char* label, const core::Partition& p) {
    ImGui::Text("%s \u03a3 over", label);
    const char* letters[] = {"n", "c", "h", "w"};
    bool first = true;
    for (int a = 0; a < 4; ++a) {
        if (p.block[a] <= 1) continue;  // a kept axis: one value along it per group
        ImGui::SameLine(0, first ? -1.0f : 0.0f);
        if (!first) {
            ImGui::TextUnformatted(",");
            ImGui::SameLine();
        }
        ImGui::TextColored(axis_color(static_cast<core::Axis>(a)), "%s", letters[a]);
        first = false;
    }
    if (first) {
        ImGui::SameLine();
        ImGui::TextUnformatted("(one value)");
    }
    ImGui::SameLine(0, 0);
    ImGui::TextUnformatted(":");
    ImGui::SameLine();
}

// The first values as rows of boxes coloured by `value_of(v)`; the focus's box ringed white.
template <class F>
void strip(const core::GroupArithmetic& a, F value_of, float half_range, Palette palette) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float box = ImGui::GetFontSize() * 0.9f;
    const int shown = std::min<int>(kStripCells, static_cast<int>(a.shown.size()));
    const float avail = ImGui::GetContentRegionAvail().x;
    const int per_row = std::max(1, static_cast<int>(avail / (box + 2)));
    const ImVec2 p0 = ImGui::GetCursorScreenPos();
    for (int i = 0; i < shown; ++i) {
        const ImVec2 q(p0.x + (i % per_row) * (box + 2), p0.y + (i / per_row) * (box + 2));
        const double v = value_of(a.shown[i]);
        const Rgb c = palette_color(palette, static_cast<float>(half_range > 0 ? v / half_range : 0));
        dl->AddRectFilled(q, ImVec2(q.x + box, q.y + box), IM_COL32(c.r, c.g, c.b, 255));
        if (i == a.focus_position)
            dl->AddRect(q, ImVec2(q.x + box, q.y + box), IM_COL32(255, 255, 255, 255), 0, 0, 2.5f);
    }
    const int rows = (shown + per_row - 1) / per_row;
    ImGui::Dummy(ImVec2(avail, rows * (box + 2)));
    if (a.count > shown)
        ImGui::TextDisabled("the first %d of %lld values shown%s", shown, static_cast<long long>(a.count),
                            a.focus_position >= shown ? "; the focus is further on" : "");
}

std::string n(double v) { return format_number(v); }

// The focus's group worked out again only when the norm, the focus, the data or the affine
// parameters changed.
const core::GroupArithmetic& refresh_arithmetic(AppState& state, const PanelDerived& p, double gamma, double beta) {
    ArithmeticWindow& w = state.arithmetic;
    const core::Index& f = state.scene.focus;
    const std::string key = std::to_string(w.panel) + "/" + core::norm_name(p.spec.kind) + "/" +
                            std::to_string(p.stats_version) + "/" + core::to_string(f) + "/" +
                            std::to_string(state.tensor_version) + "/" + std::to_string(gamma) + "/" +
                            std::to_string(beta);
    if (key != w.key) {
        w.result =
            core::group_arithmetic(state.tensor, p.partition, f, core::is_centered(p.spec), p.spec.eps, gamma, beta);
        w.key = key;
    }
    return w.result;
}

void draw_stage_buttons(ArithmeticWindow& w) {
    if (ImGui::Button("< Back##arithmetic_back")) w.stage = std::max(0, w.stage - 1);
    ImGui::SameLine();
    ImGui::Text("stage %d of %d", w.stage + 1, core::kArithmeticStages);
    ImGui::SameLine();
    if (ImGui::Button("Next >##arithmetic_next")) w.stage = std::min(core::kArithmeticStages - 1, w.stage + 1);
    ImGui::SameLine();
    ImGui::TextDisabled("(, and . step)");
    ImGui::Separator();
}

// Stages 1 to 8, each shown once the window has reached it.
void draw_stages(const AppState& state, const PanelDerived& p, const core::GroupArithmetic& a, double gamma,
                 double beta);

}  // namespace

void draw_arithmetic_panel(AppState& state) {
    ArithmeticWindow& w = state.arithmetic;
    if (!w.show) return;
    const ImGuiIO& io = ImGui::GetIO();
    ImGui::SetNextWindowSize(ImVec2(ImGui::GetFontSize() * 40, ImGui::GetFontSize() * 30), ImGuiCond_FirstUseEver);
    // Over the statistics sidebar at first (it shows the same group's numbers), clear of the grid.
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x - 8, ImGui::GetFrameHeight() * 2), ImGuiCond_FirstUseEver,
                            ImVec2(1.0f, 0.0f));
    if (!ImGui::Begin("Arithmetic of the focus's group (F6)##arithmetic", &w.show)) {
        ImGui::End();
        return;
    }
    if (state.panels.empty()) {
        ImGui::TextUnformatted("No norm is shown.");
        ImGui::End();
        return;
    }
    w.panel = std::clamp(w.panel, 0, static_cast<int>(state.panels.size()) - 1);
    if (ImGui::BeginCombo("norm##arithmetic_norm", core::norm_title(state.panels[w.panel].spec.kind))) {
        for (int i = 0; i < static_cast<int>(state.panels.size()); ++i)
            if (ImGui::Selectable(core::norm_title(state.panels[i].spec.kind), i == w.panel)) w.panel = i;
        ImGui::EndCombo();
    }
    const PanelDerived& p = state.panels[w.panel];
    if (p.stats.empty() || p.eval_mode) {
        ImGui::TextWrapped("%s", p.eval_mode ? "Eval mode pools no value of this batch: the running statistics are "
                                               "used as they are (the statistics sidebar shows them)."
                                             : p.error.c_str());
        ImGui::End();
        return;
    }
    const core::Index& f = state.scene.focus;
    const double gamma = f.c < static_cast<int64_t>(state.affine.gamma.size()) ? state.affine.gamma[f.c] : 1.0;
    const double beta = f.c < static_cast<int64_t>(state.affine.beta.size()) ? state.affine.beta[f.c] : 0.0;
    const core::GroupArithmetic& a = refresh_arithmetic(state, p, gamma, beta);
    draw_stage_buttons(w);
    draw_stages(state, p, a, gamma, beta);
    ImGui::End();
}

namespace {

// Stages 1 to 8, each shown once the window has reached it.
void draw_stages(const AppState& state, const PanelDerived& p, const core::GroupArithmetic& a, double gamma,
                 double beta) {
    const ArithmeticWindow& w = state.arithmetic;
    const bool centered = core::is_centered(p.spec);
    using S = core::ArithmeticStage;
    auto reached = [&](S s) { return w.stage >= static_cast<int>(s); };
    double spread = 0;
    for (double v : a.shown) spread = std::max(spread, std::fabs(v - (centered ? a.mean : 0.0)));
    const float half = static_cast<float>(std::max(spread, 1e-12));
    const std::string count = std::to_string(a.count);

    ImGui::Text("1. Gather: %s pools %s = %s values of the focus's group", core::norm_title(p.spec.kind),
                core::group_size_formula(p.partition).c_str(), count.c_str());
    strip(
        a, [&](double v) { return v - (centered ? a.mean : 0.0); }, half, state.scene.palette);
    if (reached(S::Sum)) {
        if (centered) {
            sum_over("2. Sum:", p.partition);
            ImGui::Text("x = %s", n(a.sum).c_str());
        } else {
            sum_over("2. Sum of squares:", p.partition);
            ImGui::Text("x\u00b2 = %s", n(a.sum_sq_dev).c_str());
        }
    }
    if (reached(S::Mean)) {
        if (centered)
            ImGui::Text("3. Mean:  \u03bc = %s / %s = %s", n(a.sum).c_str(), count.c_str(), n(a.mean).c_str());
        else ImGui::TextDisabled("3. No mean: %s does not subtract one (\u03bc = 0)", core::norm_title(p.spec.kind));
    }
    if (reached(S::Deviations)) {
        if (centered) {
            ImGui::Text("4. Deviations:  x \u2212 \u03bc  (the focus: %s \u2212 %s = %s)", n(a.x).c_str(),
                        n(a.mean).c_str(), n(a.x - a.mean).c_str());
            strip(
                a, [&](double v) { return v - a.mean; }, half, state.scene.palette);
        } else {
            ImGui::TextDisabled("4. No deviations: the values are used as they are");
        }
    }
    if (reached(S::Squares)) {
        sum_over("5. Squares:", p.partition);
        if (centered) ImGui::Text("(x \u2212 \u03bc)\u00b2 = %s", n(a.sum_sq_dev).c_str());
        else ImGui::Text("x\u00b2 = %s", n(a.sum_sq_dev).c_str());
        const double m = centered ? a.mean : 0.0;
        strip(
            a, [&](double v) { return (v - m) * (v - m); }, half * half, state.scene.palette);
    }
    if (reached(S::Variance)) {
        if (centered)
            ImGui::Text("6. Variance:  \u03c3\u00b2 = %s / %s = %s  (divided by the count)", n(a.sum_sq_dev).c_str(),
                        count.c_str(), n(a.var).c_str());
        else ImGui::Text("6. Mean square:  %s / %s = %s", n(a.sum_sq_dev).c_str(), count.c_str(), n(a.var).c_str());
    }
    if (reached(S::Normalize)) {
        if (centered)
            ImGui::Text(
                "7. x\u0302 = (x \u2212 \u03bc) / \u221a(\u03c3\u00b2 + \u03b5) = (%s \u2212 %s) / \u221a(%s + %s) = %s",
                n(a.x).c_str(), n(a.mean).c_str(), n(a.var).c_str(), n(p.spec.eps).c_str(), n(a.x_hat).c_str());
        else
            ImGui::Text("7. x\u0302 = x / \u221a(mean square + \u03b5) = %s / \u221a(%s + %s) = %s", n(a.x).c_str(),
                        n(a.var).c_str(), n(p.spec.eps).c_str(), n(a.x_hat).c_str());
    }
    if (reached(S::Affine))
        ImGui::Text("8. y = \u03b3 x\u0302 + \u03b2 = %s \u00d7 %s + %s = %s", n(gamma).c_str(), n(a.x_hat).c_str(),
                    n(beta).c_str(), n(a.y).c_str());
}

}  // namespace

}  // namespace normviz::app
