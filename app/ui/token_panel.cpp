// The tokens x features window (F7): the tensor drawn as transformer people picture a
// (batch, tokens, features) array, one row per token (every (h, w) of a sample, samples one
// under another) and one column per feature c. The focus's group under a chosen shown norm is
// outlined: the per-token LayerNorm and RMSNorm are one row, BatchNorm one column through the
// whole batch. A click makes a cell the focus, so the grid, the cube and this window agree.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "app/ui/panels.h"
#include "app/view/colormap.h"
#include "core/normalize.h"

namespace normviz::app {

namespace {

constexpr int64_t kMaxRows = 1024, kMaxCols = 512;  // drawn; larger tensors show their start

core::Index cell_of(const core::Shape& s, int64_t row, int64_t col) {
    const int64_t tokens = s.H * s.W;
    const int64_t t = row % tokens;
    return {row / tokens, col, t / s.W, t % s.W};
}

// Where the matrix lies on screen: rows of sample n start after n gaps.
struct TokenGrid {
    int64_t tokens = 1, rows = 0, cols = 0;
    float label_w = 0, cell = 0, gap = 0;
    ImVec2 top, origin;
    float row_y(int64_t r) const { return origin.y + r * cell + (r / tokens) * gap; }
};

// The outlined norm's choice and the matrix's size; returns the chosen panel.
const PanelDerived& draw_token_header(AppState& state, TokenGrid& g) {
    TokenWindow& w = state.tokens;
    const core::Shape& s = state.tensor.shape;
    const float font = ImGui::GetFontSize();
    w.panel = std::clamp(w.panel, 0, static_cast<int>(state.panels.size()) - 1);
    ImGui::SetNextItemWidth(font * 12);
    if (ImGui::BeginCombo("outline##token_norm", core::norm_title(state.panels[w.panel].spec.kind))) {
        for (int i = 0; i < static_cast<int>(state.panels.size()); ++i)
            if (ImGui::Selectable(core::norm_title(state.panels[i].spec.kind), i == w.panel)) w.panel = i;
        ImGui::EndCombo();
    }
    g.tokens = s.H * s.W;
    ImGui::TextDisabled("rows: %lld samples x %lld tokens (h, w); columns: %lld features (c)", (long long)s.N,
                        (long long)g.tokens, (long long)s.C);
    g.rows = std::min(s.N * g.tokens, kMaxRows);
    g.cols = std::min(s.C, kMaxCols);
    if (g.rows < s.N * g.tokens || g.cols < s.C)
        ImGui::TextDisabled("showing the first %lld rows and %lld columns", (long long)g.rows, (long long)g.cols);
    return state.panels[w.panel];
}

void place_token_grid(TokenGrid& g) {
    const float font = ImGui::GetFontSize();
    g.label_w = ImGui::CalcTextSize("n=000 ").x;
    g.cell = std::clamp((ImGui::GetContentRegionAvail().x - g.label_w - 4) / float(g.cols), 3.0f, font * 1.6f);
    g.gap = g.cell >= 6 ? 3.0f : 1.0f;  // between samples
    g.top = ImGui::GetCursorScreenPos();
    g.origin = ImVec2(g.top.x + g.label_w, g.top.y + font * 1.2f);
}

// Column labels: c=0 and every few columns, where they have room.
void draw_column_labels(ImDrawList* dl, const TokenGrid& g) {
    const float label_step = ImGui::CalcTextSize("00 ").x;
    const int64_t every = std::max<int64_t>(1, static_cast<int64_t>(label_step / g.cell) + 1);
    char buf[32];
    for (int64_t c = 0; c < g.cols; c += every) {
        std::snprintf(buf, sizeof buf, "%lld", (long long)c);
        dl->AddText(ImVec2(g.origin.x + c * g.cell, g.top.y), IM_COL32(200, 200, 205, 255), buf);
    }
}

void draw_token_cells(AppState& state, const PanelDerived& p, ImDrawList* dl, const TokenGrid& g) {
    const core::Shape& s = state.tensor.shape;
    const int64_t tokens = g.tokens;
    const float cell = g.cell;
    // The quiz asks for the group: not outlined here before the reveal either.
    const bool quiz_hides = state.classroom.quiz.active && !state.classroom.quiz.revealed;
    const bool have_group = (!p.stats.empty() || !p.error.empty()) && !quiz_hides;
    const core::Index key = have_group ? p.partition.key_of(state.scene.focus) : core::Index{};
    const bool normalized = state.scene.show_normalized && !p.stats.empty();
    // Only the rows and columns inside the scrolled view are drawn: the cost follows the
    // window, not the tensor.
    const ImVec2 clip0 = dl->GetClipRectMin(), clip1 = dl->GetClipRectMax();
    const int64_t c0 = std::clamp<int64_t>(static_cast<int64_t>((clip0.x - g.origin.x) / cell), 0, g.cols);
    const int64_t c1 = std::clamp<int64_t>(static_cast<int64_t>((clip1.x - g.origin.x) / cell) + 1, 0, g.cols);
    char buf[32];
    for (int64_t r = 0; r < g.rows; ++r) {
        const float y = g.row_y(r);
        if (y + cell < clip0.y || y > clip1.y) continue;
        if (r % tokens == 0) {
            std::snprintf(buf, sizeof buf, "n=%lld", (long long)(r / tokens));
            dl->AddText(ImVec2(g.top.x, y), IM_COL32(200, 200, 205, 255), buf);
        }
        for (int64_t c = c0; c < c1; ++c) {
            const core::Index i = cell_of(s, r, c);
            const double x = state.tensor.at(i);
            const float t = normalized
                                ? static_cast<float>(core::normalize_value(x, p.stats[p.partition.group_of(i)],
                                                                           core::is_centered(p.spec), p.spec.eps) /
                                                     3.0)
                                : raw_color_range(state, c).t_of(x);
            Rgb color = palette_color(state.scene.palette, t);
            const bool in_group = have_group && p.partition.key_of(i) == key;
            const float dim = in_group ? 1.0f : 0.35f;
            const ImVec2 a(g.origin.x + c * cell, y), b(a.x + cell, y + cell);
            dl->AddRectFilled(a, b, IM_COL32(int(color.r * dim), int(color.g * dim), int(color.b * dim), 255));
            if (in_group) {
                ++state.tokens.outlined;
                if (cell >= 5) dl->AddRect(a, b, IM_COL32(255, 196, 0, 255), 0, 0, cell >= 12 ? 2.0f : 1.0f);
            }
            if (i == state.scene.focus) dl->AddRect(a, b, IM_COL32(255, 255, 255, 255), 0, 0, 2.5f);
        }
    }
}

// A click makes the cell under the mouse the focus; hovering shows its index and value.
void handle_token_mouse(AppState& state, const TokenGrid& g, bool clicked) {
    const ImVec2 m = ImGui::GetIO().MousePos;
    const int64_t c = static_cast<int64_t>((m.x - g.origin.x) / g.cell);
    int64_t r = -1;
    for (int64_t n = 0; n * g.tokens < g.rows && r < 0; ++n) {  // rows of sample n start after n gaps
        const float y0 = g.origin.y + n * (g.tokens * g.cell + g.gap);
        const int64_t k = static_cast<int64_t>((m.y - y0) / g.cell);
        if (m.y >= y0 && k < g.tokens) r = n * g.tokens + k;
    }
    if (c >= 0 && c < g.cols && r >= 0 && r < g.rows) {
        const core::Index i = cell_of(state.tensor.shape, r, c);
        if (clicked) state.scene.focus = i;
        else if (!state.classroom.presenter)
            ImGui::SetTooltip("(n, c, h, w) = %s\nx = %g", core::to_string(i).c_str(), state.tensor.at(i));
    }
}

}  // namespace

void draw_token_panel(AppState& state) {
    TokenWindow& w = state.tokens;
    w.origin_x = w.origin_y = -1;
    w.rows = w.cols = w.outlined = 0;
    if (!w.show) return;
    const float font = ImGui::GetFontSize();
    ImGui::SetNextWindowSize(ImVec2(font * 30, font * 32), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowPos(ImVec2(8, ImGui::GetFrameHeight() * 2), ImGuiCond_FirstUseEver);
    if (!ImGui::Begin("Tokens x features (F7)##tokens", &w.show)) {
        ImGui::End();
        return;
    }
    if (state.panels.empty() || state.tensor.data.empty()) {
        ImGui::TextUnformatted("No norm is shown.");
        ImGui::End();
        return;
    }
    TokenGrid g;
    const PanelDerived& p = draw_token_header(state, g);

    ImGui::BeginChild("##token_matrix", ImVec2(0, 0), false, ImGuiWindowFlags_HorizontalScrollbar);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    place_token_grid(g);
    const float height = g.rows * g.cell + (g.rows / std::max<int64_t>(g.tokens, 1)) * g.gap;
    ImGui::InvisibleButton("##token_cells", ImVec2(g.label_w + g.cols * g.cell + 2, font * 1.2f + height + 2));
    const bool hovered = ImGui::IsItemHovered();
    const bool clicked = ImGui::IsItemClicked(ImGuiMouseButton_Left);
    draw_column_labels(dl, g);
    draw_token_cells(state, p, dl, g);
    if (hovered || clicked) handle_token_mouse(state, g, clicked);
    w.origin_x = g.origin.x;
    w.origin_y = g.origin.y;
    w.cell = g.cell;
    w.gap = g.gap;
    w.rows = g.rows;
    w.cols = g.cols;
    ImGui::EndChild();
    ImGui::End();
}

}  // namespace normviz::app
