// The norm canvases: one panel per shown norm with a header, the tensor picture (drawn by
// TensorRenderer), axis labels, numbers in cells, hover, click-to-focus, zoom and pan.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <imgui.h>

#include "app/state/classroom_actions.h"
#include "app/render/tensor_renderer.h"
#include "app/view/number_format.h"
#include "app/ui/panels.h"

namespace normviz::app {

namespace {

ImU32 rgb(Rgb c, int alpha = 255) { return IM_COL32(c.r, c.g, c.b, alpha); }

// A sample label ("n=3") or channel label ("c=2") where it was drawn: in a quiz a click on
// it marks the whole sample, or that channel in every sample.
struct LabelHit {
    ImVec2 a, b;
    bool sample = false;
    int64_t index = 0;
};

// "BatchNorm · pools N, H, W · 6 groups of 64 values"; shorter when it does not fit.
std::string panel_header(const PanelDerived& p, const core::Shape& shape, float max_width) {
    std::string title = core::norm_title(p.spec.kind);
    if (p.eval_mode) {  // running statistics from training: nothing of this batch is pooled
        const std::string full = title + " (eval) \u00b7 running statistics \u00b7 pools no values of this batch";
        if (ImGui::CalcTextSize(full.c_str()).x <= max_width) return full;
        return title + " (eval) \u00b7 running stats \u00b7 pools none";
    }
    const bool partitioned = p.partition.shape == shape;  // false when G does not divide C
    if (p.spec.kind == core::NormKind::Group) title += " (G=" + std::to_string(p.spec.groups) + ")";
    if (p.spec.kind == core::NormKind::Custom) title += " (" + core::axes_to_string(p.spec.custom_axes) + ")";
    if (p.spec.kind == core::NormKind::Batch && partitioned && p.partition.block[0] < shape.N)
        title += " (" + std::to_string(shape.N / p.partition.block[0]) + " devices, no sync)";
    std::string pools =
        partitioned ? core::pooled_axes_list(p.partition) : core::axes_to_list(core::reduced_axes(p.spec));
    if (!core::is_centered(p.spec)) pools += ", no centering";
    std::string out = title + " \u00b7 pools " + pools;
    if (!partitioned) return out;
    const int64_t k = p.partition.group_count(), size = p.partition.group_size();
    std::string full = out + " \u00b7 " + std::to_string(k) + (k == 1 ? " group of " : " groups of ") +
                       std::to_string(size) + (size == 1 ? " value" : " values");
    if (ImGui::CalcTextSize(full.c_str()).x <= max_width) return full;
    return title + " \u00b7 " + pools + " \u00b7 " + std::to_string(k) + " \u00d7 " + std::to_string(size);
}

// The header; when `sub_pixel` (cells smaller than a pixel), a note saying so where it fits.
std::string panel_header(const PanelDerived& p, const core::Shape& shape, float max_width, bool sub_pixel) {
    std::string header = panel_header(p, shape, max_width);
    if (!sub_pixel || p.eval_mode) return header;
    for (const char* note : {" \u00b7 cells < 1 px: group marked", " \u00b7 cells < 1 px"})
        if (ImGui::CalcTextSize((header + note).c_str()).x <= max_width) return header + note;
    return header;
}

// Grid of panels (columns x rows) that gives the largest cells for `count` panels, each panel's
// picture laid out for its canvas (fit_grid_layout). Canvas size as draw_canvas_area makes it.
void choose_grid(int count, const core::Shape& shape, ImVec2 area, float header, Vec2 margin, float label_px, int& cols,
                 int& rows) {
    float best = -1;
    cols = rows = 1;
    for (int c = 1; c <= count; ++c) {
        const int r = (count + c - 1) / c;
        const Vec2 canvas{std::max(8.0f, area.x / c - 8), std::max(8.0f, area.y / r - header - 6)};
        const GridLayout layout = fit_grid_layout(shape, canvas, margin, label_px);
        const float below = layout.blocks_per_row > 1 ? label_px + 2 : 0.0f;
        const float zoom = fit_view(layout, {0, 0}, {canvas.x, canvas.y - below}, margin).zoom;
        if (zoom > best) {
            best = zoom;
            cols = c;
            rows = r;
        }
    }
}

// The value a cell shows: raw x, or the panel's normalized value.
double shown_value(const AppState& state, const PanelDerived& p, const core::Index& i) {
    const double x = state.tensor.at(i);
    if (!state.scene.show_normalized || p.stats.empty()) return x;
    return core::normalize_value(x, p.stats[p.partition.group_of(i)], core::is_centered(p.spec), p.spec.eps);
}

// Palette position of the value shown in cell i (the same as the shader's).
float color_t(const AppState& state, double v, const core::Index& i) {
    if (state.scene.show_normalized) return static_cast<float>(v / 3.0);
    return raw_color_range(state, i.c).t_of(v);
}

// Sample and channel labels; counts the sample labels drawn and the blocks in view in `r`.
void draw_labels(const AppState& state, const GridLayout& layout, const ViewTransform& view, ImVec2 p0, ImVec2 p1,
                 ImDrawList* dl, PanelRect& r, std::vector<LabelHit>& hits) {
    const float font = ImGui::GetFontSize();
    const core::Shape& s = state.tensor.shape;
    const ImU32 color = IM_COL32(200, 200, 205, 255);
    char buf[32];
    // Sample labels: left of each block in a single column, else in the gap below each block
    // (channel labels take the space above tiles).
    const bool one_column = layout.blocks_per_row == 1;
    const bool room_below = layout.sample_gap * view.zoom >= font + 1;  // fit_grid_layout makes room
    // Only the blocks and tiles in view (with a label's reach around it) are visited, so the
    // cost follows the view, not N x C; the checks below still decide each label.
    const float reach = 8 * font / view.zoom;
    const Vec2 w0 = view.to_world({p0.x, p0.y}), w1 = view.to_world({p1.x, p1.y});
    const Vec2 a{w0.x - reach, w0.y - reach}, z{w1.x + reach, w1.y + reach};
    const GridSpan blocks = blocks_in_rect(layout, a, z);
    std::vector<int64_t> visible;  // samples whose block is in view, in order
    for (int64_t row = blocks.row0; row <= blocks.row1; ++row)
        for (int64_t col = blocks.col0; col <= blocks.col1; ++col)
            if (const int64_t n = row * layout.blocks_per_row + col; n < s.N) visible.push_back(n);
    int drawn = 0;
    for (int64_t n : visible) {
        if (drawn >= 512) break;
        Vec2 b = view.to_screen(block_origin(layout, n));
        const float bw = layout.block_width() * view.zoom, bh = layout.block_height() * view.zoom;
        if (b.x > p1.x || b.x + bw < p0.x || b.y > p1.y || b.y + bh < p0.y) continue;
        ++r.samples_in_view;
        std::snprintf(buf, sizeof buf, "n=%lld", static_cast<long long>(n));
        const ImVec2 size = ImGui::CalcTextSize(buf);
        ImVec2 at;
        if (one_column) {
            float y = std::clamp(b.y + 0.5f * (bh - font), std::max(p0.y, b.y), std::max(p0.y, b.y + bh - font));
            at = ImVec2(std::max(p0.x + 2, b.x - size.x - 4), y);
        } else if ((room_below || n / layout.blocks_per_row == layout.block_rows() - 1) && size.x < bw) {
            // (the fit keeps room under the last row of blocks)
            at = ImVec2(b.x, b.y + bh + 1);
        } else {
            continue;
        }
        dl->AddText(at, color, buf);
        hits.push_back({at, ImVec2(at.x + size.x, at.y + size.y), true, n});
        ++drawn;
    }
    r.sample_labels = drawn;
    // Channel labels above tiles: every tile when the gap has room, else the first block's.
    const bool every_tile = layout.tile_gap * view.zoom >= font + 2;
    const float tile_w_px = s.W * view.zoom;
    for (int64_t n : every_tile ? visible : std::vector<int64_t>{0}) {
        Vec2 b = view.to_screen(block_origin(layout, n));
        if (b.x > p1.x || b.x + layout.block_width() * view.zoom < p0.x || b.y > p1.y ||
            b.y + layout.block_height() * view.zoom < p0.y)
            continue;
        // Every tile in view, or the first block's first row of tiles.
        GridSpan tiles = tiles_in_rect(layout, n, a, z);
        if (!every_tile) tiles = {0, layout.tiles_per_row - 1, 0, 0};
        for (int64_t tile = 0; tile < (tiles.col1 - tiles.col0 + 1) * (tiles.row1 - tiles.row0 + 1); ++tile) {
            const int64_t row = tiles.row0 + tile / (tiles.col1 - tiles.col0 + 1);
            const int64_t c = row * layout.tiles_per_row + tiles.col0 + tile % (tiles.col1 - tiles.col0 + 1);
            if (c >= s.C || c >= 4096) continue;
            std::snprintf(buf, sizeof buf, "c=%lld", static_cast<long long>(c));
            // "c=k", or just "k", with a space before the next tile's label ("c=0c=1" read as one).
            const float pitch = tile_w_px + layout.tile_gap * view.zoom, space = 0.4f * font;
            ImVec2 size = ImGui::CalcTextSize(buf);
            if (size.x + space > pitch) {
                std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(c));
                size = ImGui::CalcTextSize(buf);
                if (size.x + space > pitch) continue;
            }
            Vec2 t = view.to_screen(tile_origin(layout, n, c));
            if (t.x + size.x < p0.x || t.x > p1.x || t.y < p0.y - size.y || t.y > p1.y + size.y) continue;
            float y = t.y - size.y - 1;
            if (!every_tile) y = std::max(p0.y, y);
            dl->AddText(ImVec2(t.x, y), color, buf);
            hits.push_back({ImVec2(t.x, y), ImVec2(t.x + size.x, y + size.y), false, c});
        }
    }
}

// Values printed in cells, when cells are big enough to read them (bounded count).
void draw_cell_numbers(const AppState& state, const PanelDerived& p, const GridLayout& layout,
                       const ViewTransform& view, ImVec2 p0, ImVec2 p1, ImDrawList* dl) {
    if (ImGui::CalcTextSize("-0.00").x + 4 > view.zoom) return;
    const core::Shape& s = state.tensor.shape;
    Vec2 w0 = view.to_world({p0.x, p0.y}), w1 = view.to_world({p1.x, p1.y});
    int drawn = 0;
    const core::Index key = p.stats.empty() ? core::Index{} : p.partition.key_of(state.scene.focus);
    // Only the blocks and tiles in view (and a cell around it; the checks below decide each
    // cell): the cost follows the view, not N x C.
    const Vec2 a{w0.x - 1, w0.y - 1}, z{w1.x + 1, w1.y + 1};
    const GridSpan blocks = blocks_in_rect(layout, a, z);
    for (int64_t block = 0; block < (blocks.col1 - blocks.col0 + 1) * (blocks.row1 - blocks.row0 + 1) && drawn < 4000;
         ++block) {
        const int64_t n = (blocks.row0 + block / (blocks.col1 - blocks.col0 + 1)) * layout.blocks_per_row +
                          blocks.col0 + block % (blocks.col1 - blocks.col0 + 1);
        if (n >= s.N) continue;
        const GridSpan tiles = tiles_in_rect(layout, n, a, z);
        for (int64_t tile = 0; tile < (tiles.col1 - tiles.col0 + 1) * (tiles.row1 - tiles.row0 + 1) && drawn < 4000;
             ++tile) {
            const int64_t c = (tiles.row0 + tile / (tiles.col1 - tiles.col0 + 1)) * layout.tiles_per_row + tiles.col0 +
                              tile % (tiles.col1 - tiles.col0 + 1);
            if (c >= s.C) continue;
            Vec2 t = tile_origin(layout, n, c);
            if (t.x > w1.x || t.x + s.W < w0.x || t.y > w1.y || t.y + s.H < w0.y) continue;
            int64_t h0 = std::max<int64_t>(0, static_cast<int64_t>(w0.y - t.y));
            int64_t h1 = std::min<int64_t>(s.H - 1, static_cast<int64_t>(w1.y - t.y));
            int64_t x0 = std::max<int64_t>(0, static_cast<int64_t>(w0.x - t.x));
            int64_t x1 = std::min<int64_t>(s.W - 1, static_cast<int64_t>(w1.x - t.x));
            for (int64_t h = h0; h <= h1; ++h)
                for (int64_t w = x0; w <= x1 && drawn < 4000; ++w, ++drawn) {
                    core::Index i{n, c, h, w};
                    double v = shown_value(state, p, i);
                    char buf[16];
                    if (std::isfinite(v)) std::snprintf(buf, sizeof buf, std::fabs(v) >= 100 ? "%.0f" : "%.2f", v);
                    else std::snprintf(buf, sizeof buf, "%s", std::isnan(v) ? "NaN" : (v > 0 ? "Inf" : "-Inf"));
                    const bool quiz_hidden = quiz_answer_hidden(state);
                    const bool in_group = quiz_hidden || p.eval_mode ||  // eval mode: nothing dimmed
                                          (!p.stats.empty() && p.partition.key_of(i) == key);
                    Rgb bg = palette_color(state.scene.palette, color_t(state, v, i));
                    float lum = 0.299f * bg.r + 0.587f * bg.g + 0.114f * bg.b;
                    ImU32 text = !in_group ? IM_COL32(190, 190, 190, 255)
                                           : (lum > 140 ? IM_COL32(0, 0, 0, 255) : IM_COL32(255, 255, 255, 255));
                    Vec2 cell = view.to_screen({t.x + w, t.y + h});
                    ImVec2 size = ImGui::CalcTextSize(buf);
                    if (size.x + 2 > view.zoom) continue;
                    dl->AddText(ImVec2(cell.x + 0.5f * (view.zoom - size.x), cell.y + 0.5f * (view.zoom - size.y)),
                                text, buf);
                }
        }
    }
}

void draw_tooltip(const AppState& state, const PanelDerived& p, const core::Index& i) {
    ImGui::BeginTooltip();
    ImGui::Text("(n, c, h, w) = (%lld, %lld, %lld, %lld)", (long long)i.n, (long long)i.c, (long long)i.h,
                (long long)i.w);
    ImGui::Text("x = %s", format_number(state.tensor.at(i)).c_str());
    if (!p.stats.empty()) {
        const int64_t g = p.partition.group_of(i);
        const double y = core::normalize_value(state.tensor.at(i), p.stats[g], core::is_centered(p.spec), p.spec.eps);
        ImGui::Text("normalized (%s) = %s", core::norm_title(p.spec.kind), format_number(y).c_str());
        if (p.eval_mode)
            ImGui::Text("eval mode: running statistics of channel %lld (no value of this batch pooled)",
                        (long long)i.c);
        else
            ImGui::Text("group %lld of %lld (%s)", (long long)g + 1, (long long)p.partition.group_count(),
                        core::key_to_string(p.partition, p.partition.key_of(i)).c_str());
        // A NaN or Inf here gets its reason too, not only in the statistics of the focus.
        const std::string why = std::isfinite(y) ? std::string() : core::explain_group(p.spec, p.stats[g]);
        if (!why.empty()) {
            ImGui::PushTextWrapPos(ImGui::GetFontSize() * 24);
            ImGui::TextColored(ImVec4(1.0f, 0.8f, 0.4f, 1.0f), "%s", why.c_str());
            ImGui::PopTextWrapPos();
        }
    }
    ImGui::EndTooltip();
}

// The NaN/Inf swatch: the shader's hatching (tensor_view.frag), magenta and dark stripes.
void draw_hatch_swatch(ImVec2 a, float size, ImDrawList* dl) {
    dl->AddRectFilled(a, ImVec2(a.x + size, a.y + size), IM_COL32(38, 38, 38, 255));
    dl->PushClipRect(a, ImVec2(a.x + size, a.y + size), true);
    const float stripe = std::max(2.0f, size / 4);
    for (float k = -size; k < size; k += 2 * stripe)
        dl->AddQuadFilled(ImVec2(a.x + k, a.y + size), ImVec2(a.x + k + stripe, a.y + size),
                          ImVec2(a.x + k + stripe + size, a.y), ImVec2(a.x + k + size, a.y),
                          IM_COL32(217, 0, 217, 255));
    dl->PopClipRect();
}

// "3 NaN, 1 Inf" (+Inf and -Inf together); "" when every value is finite.
std::string non_finite_text(const core::ValueSummary& v) {
    std::string out;
    if (v.nan > 0) out = std::to_string(v.nan) + " NaN";
    if (v.pos_inf + v.neg_inf > 0) out += (out.empty() ? "" : ", ") + std::to_string(v.pos_inf + v.neg_inf) + " Inf";
    return out;
}

// The colour scale combo, beside what it scales (ImGui items inside the canvas area window).
void draw_color_scale_combo(AppState& state, ColorScale scale, ImVec2 pos, float combo_w) {
    ImGui::SetCursorScreenPos(pos);
    ImGui::SetNextItemWidth(combo_w);
    if (ImGui::BeginCombo("##color_scale", color_scale_label(scale))) {
        for (ColorScale s : kAllColorScales)
            if (ImGui::Selectable(color_scale_label(s), s == scale)) state.scene.color_scale = s;
        ImGui::EndCombo();
    }
    if (ImGui::IsItemHovered())
        ImGui::SetTooltip(
            "colour scale of raw values: what range the palette spans (1 \u2013 99 %%: values "
            "beyond the percentiles take the end colours; per channel: each channel its own)");
}

// The legend's NaN/Inf count: its hatched swatch, the count and (in the window) a button to
// the next one.
void draw_non_finite_entry(AppState& state, const std::string& nan_text, bool next_button, ImVec2 p0, float bar_h,
                           float gap, ImU32 color, ImDrawList* dl) {
    const float font = ImGui::GetFontSize();
    float x = p0.x;
    draw_hatch_swatch(ImVec2(x, p0.y), bar_h, dl);
    x += bar_h + gap * 0.5f;
    dl->AddText(ImVec2(x, p0.y - 0.1f * font), color, nan_text.c_str());
    x += ImGui::CalcTextSize(nan_text.c_str()).x + gap;
    if (next_button) {
        ImGui::SetCursorScreenPos(ImVec2(x, p0.y + 0.5f * bar_h - 0.5f * ImGui::GetFrameHeight()));
        if (ImGui::Button("Next##next_non_finite")) focus_next_non_finite(state);
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("focus the next NaN or Inf after the focus, in memory order (N)");
    }
}

// Under the canvases, left to right: what is coloured (raw values: the colour scale combo),
// the low end, the bar, the high end of the range actually used (a per-channel scale: the
// focus's channel), the NaN/Inf count with its swatch and a button to the next one, and at
// the right the note on cells smaller than a pixel and the highlight key. A narrow window
// drops the key's words, then the note, then the combo's room, rather than print over the ends.
void draw_legend(AppState& state, ImVec2 p0, float width, bool sub_pixel, ImDrawList* dl) {
    const float font = ImGui::GetFontSize();
    const ImU32 color = IM_COL32(220, 220, 225, 255);
    const bool raw = !state.scene.show_normalized;
    const ColorScale scale = state.scene.color_scale;
    const bool per_channel = raw && !state.value_colors.channels.empty();
    std::string what = raw ? "raw value x" : "normalized value";
    if (per_channel) what = "raw x, c=" + std::to_string(state.scene.focus.c);
    // A figure (normviz render) has no controls: the scale in words instead of the combo.
    if (raw && state.figure_mode) what += std::string(" (") + color_scale_label(scale) + ")";
    double lo = -3, mid = 0, hi = 3;
    if (raw) {
        const ColorRange r = raw_color_range(state, state.scene.focus.c);
        lo = r.low();
        mid = r.center;
        hi = r.high();
    }
    // A clipped scale gives values beyond its ends the end colours.
    const bool clipped = raw && (scale == ColorScale::Percentile || scale == ColorScale::ChannelPercentile);
    const std::string l = (clipped ? "\u2264 " : "") + format_number(lo), m = format_number(mid),
                      h = (clipped ? "\u2265 " : "") + format_number(hi);
    const std::string nan_text = non_finite_text(state.value_colors.summary);
    // Eval-mode BatchNorm pools nothing: its outline (dashed, cyan) marks the values normalized
    // with the same frozen running statistics.
    bool frozen = !state.panels.empty();
    for (const PanelDerived& p : state.panels) frozen = frozen && p.eval_mode;
    const char* key = frozen ? "normalized with the same frozen running statistics" : "pooled with the focus";
    const ImU32 key_color = frozen ? IM_COL32(77, 217, 255, 255) : rgb(kHighlight);
    const char* note = sub_pixel ? "cells < 1 px: group marked" : "";
    const float bar_h = font * 0.8f, gap = font * 0.6f;
    const ImGuiStyle& style = ImGui::GetStyle();
    float combo_w = 0;
    for (ColorScale s : kAllColorScales) combo_w = std::max(combo_w, ImGui::CalcTextSize(color_scale_label(s)).x);
    combo_w += ImGui::GetFrameHeight() + 2 * style.FramePadding.x;
    const float button_w = ImGui::CalcTextSize("Next").x + 2 * style.FramePadding.x;
    const float ends_w = ImGui::CalcTextSize(l.c_str()).x + ImGui::CalcTextSize(h.c_str()).x + 40.0f + 2 * gap + 4;
    const float what_w = ImGui::CalcTextSize(what.c_str()).x + gap;
    const bool next_button = !nan_text.empty() && !state.figure_mode;
    const float nan_w = nan_text.empty() ? 0.0f
                                         : bar_h + gap * 0.5f + ImGui::CalcTextSize(nan_text.c_str()).x + gap +
                                               (next_button ? button_w + gap : 0.0f);
    float key_w = ImGui::CalcTextSize(key).x + gap, note_w = *note ? ImGui::CalcTextSize(note).x + gap : 0.0f;
    float scale_w = raw && !state.figure_mode ? combo_w + gap : 0.0f;
    float need = ends_w + what_w + scale_w + nan_w + note_w + key_w + bar_h;
    if (need > width) need -= key_w, key = "", key_w = 0;
    if (need > width) need -= note_w, note = "", note_w = 0;
    if (need > width) need -= scale_w, scale_w = 0;
    if (need > width) need -= what_w, what.clear();

    float x = p0.x + 4;
    if (scale_w > 0) {
        draw_color_scale_combo(state, scale, ImVec2(x, p0.y + 0.5f * bar_h - 0.5f * ImGui::GetFrameHeight()), combo_w);
        x += scale_w;
    }
    if (!what.empty()) {
        dl->AddText(ImVec2(x, p0.y), color, what.c_str());
        x += what_w;
    }
    dl->AddText(ImVec2(x, p0.y), color, l.c_str());
    x += ImGui::CalcTextSize(l.c_str()).x + gap;
    const float right_w = nan_w + note_w + key_w + bar_h + gap;
    // At most 26 em long: a 4K figure's bar as long, for its text, as the window's.
    const float bar_w = std::clamp(p0.x + width - right_w - gap - ImGui::CalcTextSize(h.c_str()).x - x, 40.0f,
                                   std::max(40.0f, font * 26));
    const int steps = 64;
    for (int i = 0; i < steps; ++i) {
        float t = -1.0f + 2.0f * (i + 0.5f) / steps;
        dl->AddRectFilled(ImVec2(x + bar_w * i / steps, p0.y), ImVec2(x + bar_w * (i + 1) / steps + 1, p0.y + bar_h),
                          rgb(palette_color(state.scene.palette, t)));
    }
    dl->AddText(ImVec2(x + 0.5f * bar_w - 0.5f * ImGui::CalcTextSize(m.c_str()).x, p0.y + bar_h), color, m.c_str());
    x += bar_w + gap;
    dl->AddText(ImVec2(x, p0.y), color, h.c_str());
    x += ImGui::CalcTextSize(h.c_str()).x + gap;
    if (!nan_text.empty()) draw_non_finite_entry(state, nan_text, next_button, ImVec2(x, p0.y), bar_h, gap, color, dl);
    const float kx = p0.x + width - key_w - bar_h;
    if (*note) dl->AddText(ImVec2(kx - note_w, p0.y - 0.1f * font), rgb(kHighlight), note);
    dl->AddRect(ImVec2(kx, p0.y), ImVec2(kx + bar_h, p0.y + bar_h), key_color, 0, 0, 2.5f);
    if (*key) dl->AddText(ImVec2(kx + bar_h + gap * 0.5f, p0.y - 0.1f * font), color, key);
}

// Where the first NaN/Inf values are (ValueSummary::non_finite), ringed in the hatching's
// magenta: their hatching alone vanishes once cells are a few pixels or less.
void draw_non_finite_marks(const AppState& state, const GridLayout& layout, const ViewTransform& view, ImVec2 c0,
                           ImVec2 c1, ImDrawList* dl) {
    if (view.zoom >= 4) return;
    const float r = 3.5f;
    for (int64_t flat : state.value_colors.summary.non_finite) {
        if (flat >= state.tensor.shape.numel()) break;
        const Vec2 o = view.to_screen(cell_origin(layout, core::unflat_index(state.tensor.shape, flat)));
        const float cx = o.x + 0.5f * view.zoom, cy = o.y + 0.5f * view.zoom;
        if (cx < c0.x - r || cx > c1.x + r || cy < c0.y - r || cy > c1.y + r) continue;
        dl->AddRect(ImVec2(cx - r - 1, cy - r - 1), ImVec2(cx + r + 1, cy + r + 1), IM_COL32(20, 20, 20, 255));
        dl->AddRect(ImVec2(cx - r, cy - r), ImVec2(cx + r, cy + r), IM_COL32(217, 0, 217, 255), 0, 0, 2.0f);
    }
}

// Fits the shared camera to a new layout or canvas size, then applies the keyboard's zoom steps.
void update_camera(Camera& cam, const GridLayout& layout, bool new_layout, ImVec2 canvas_size, Vec2 margin,
                   float label_px) {
    if (cam.needs_fit || new_layout || cam.fitted_for.x != canvas_size.x || cam.fitted_for.y != canvas_size.y) {
        // Sample labels sit below the blocks when blocks wrap: keep room for the last row's.
        const float below = layout.blocks_per_row > 1 ? label_px + 2 : 0.0f;
        ViewTransform fit = fit_view(layout, {0, 0}, {canvas_size.x, canvas_size.y - below}, margin);
        cam.pan = fit.pan;
        cam.zoom = fit.zoom;
        cam.fit_zoom = fit.zoom;
        cam.fitted_for = {canvas_size.x, canvas_size.y};
        cam.needs_fit = false;
    }
    if (cam.zoom_steps != 0) {  // keyboard zoom, about the canvas centre
        ViewTransform v{{0, 0}, cam.pan, cam.zoom};
        ViewTransform z = zoom_about(v, std::pow(1.25f, float(cam.zoom_steps)),
                                     {canvas_size.x * 0.5f, canvas_size.y * 0.5f}, cam.fit_zoom * 0.5f, 400.0f);
        cam.pan = z.pan;
        cam.zoom = z.zoom;
        cam.zoom_steps = 0;
    }
}

// A panel's title line, clipped to the panel: the norm and its groups, red when it does not apply.
void draw_panel_title(const AppState& state, const PanelDerived& p, ImVec2 pos, float panel_w, float header_h,
                      float font, bool sub_pixel, bool ok, ImDrawList* dl) {
    const float px = pos.x, py = pos.y;
    dl->PushClipRect(ImVec2(px, py), ImVec2(px + panel_w - 4, py + header_h), true);
    dl->AddText(ImVec2(px + 2, py + 0.2f * font), ok ? IM_COL32(235, 235, 240, 255) : IM_COL32(255, 120, 110, 255),
                quiz_answer_hidden(state)  // the header would tell
                    ? core::norm_title(p.spec.kind)
                    : panel_header(p, state.tensor.shape, panel_w - 8, sub_pixel).c_str());
    dl->PopClipRect();
}

// What the renderer needs to draw one panel's canvas with the shared camera.
CanvasParams canvas_params(const AppState& state, const PanelDerived& p, const GridLayout& layout, float font) {
    const ImGuiIO& io = ImGui::GetIO();
    const Camera& cam = state.camera;
    CanvasParams params;
    params.layout = layout;
    params.view = {{0, 0}, cam.pan, cam.zoom * io.DisplayFramebufferScale.x};
    params.view.pan = cam.pan;
    params.partition = p.partition;
    params.focus = state.scene.focus;
    // Quiz: the group stays hidden until the reveal (the overlay rings the asked cell).
    params.has_focus = !quiz_answer_hidden(state);
    params.frozen_group = p.eval_mode;  // eval mode pools nothing; the channel shares frozen stats
    params.show_normalized = state.scene.show_normalized;
    params.center = state.value_center;
    params.half_range = state.value_half_range;
    // Thicker with larger text (presenter mode, a 4K figure), as the text is.
    params.outline_px = std::clamp(cam.zoom * 0.14f, 1.5f, std::max(4.0f, font * 0.25f)) * io.DisplayFramebufferScale.x;
    params.palette = state.scene.palette;
    params.per_channel = !state.value_colors.channels.empty();
    params.group = group_box(p.partition, state.scene.focus);
    params.mark_px = 2.0f * io.DisplayFramebufferScale.x;
    return params;
}

// Why the norm does not apply, wrapped on a dark band over the bottom of its picture.
void draw_norm_error(const std::string& error, float canvas_w, float font, ImVec2 c0, ImVec2 c1, ImDrawList* dl) {
    const float wrap = canvas_w - 12;
    const ImVec2 size = ImGui::CalcTextSize(error.c_str(), nullptr, false, wrap);
    const ImVec2 t0(c0.x + 6, c1.y - size.y - 6);
    dl->AddRectFilled(ImVec2(c0.x, t0.y - 4), c1, IM_COL32(20, 20, 24, 230));
    dl->AddText(ImGui::GetFont(), font, t0, IM_COL32(255, 120, 110, 255), error.c_str(), nullptr, wrap);
}

// Input on one canvas (the last item drawn): click, drag, wheel, quiz marks and the tooltip.
void handle_canvas_input(AppState& state, const PanelDerived& p, const GridLayout& layout, const ViewTransform& view,
                         const std::vector<LabelHit>& labels, bool hovered, ImDrawList* dl) {
    ImGuiIO& io = ImGui::GetIO();
    Camera& cam = state.camera;
    // Input: click selects, drag pans (right drag too), wheel zooms (every canvas shares the
    // camera). While a quiz asks for cells, a left drag marks a rectangle instead.
    const Vec2 mouse = view.to_world({io.MousePos.x, io.MousePos.y});
    QuizState& quiz = state.classroom.quiz;
    const bool marking = quiz_answer_hidden(state) && quiz.kind == QuizKind::Cells;
    if (marking && ImGui::IsItemActivated()) quiz.drag_from = mouse;
    if (marking && ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 3.0f)) {
        const Vec2 a = view.to_screen(quiz.drag_from);
        dl->AddRectFilled(ImVec2(a.x, a.y), io.MousePos, IM_COL32(255, 255, 255, 40));
        dl->AddRect(ImVec2(a.x, a.y), io.MousePos, IM_COL32(255, 255, 255, 230), 0, 0, 2.0f);
    }
    const bool pan_left = !marking && ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 3.0f);
    if (pan_left || (hovered && ImGui::IsMouseDragging(ImGuiMouseButton_Right, 3.0f))) {
        cam.pan.x -= io.MouseDelta.x / cam.zoom;
        cam.pan.y -= io.MouseDelta.y / cam.zoom;
    }
    if (hovered && io.MouseWheel != 0) {
        ViewTransform z = zoom_about(view, std::pow(1.2f, io.MouseWheel), {io.MousePos.x, io.MousePos.y},
                                     cam.fit_zoom * 0.5f, 400.0f);
        cam.zoom = z.zoom;
        cam.pan = z.pan;
    }
    std::optional<core::Index> under = cell_at(layout, mouse);
    // A click in a gap between tiles or blocks takes the nearest cell.
    const std::optional<core::Index> clicked = under ? under : nearest_cell(layout, mouse);
    const bool click = ImGui::IsItemDeactivated() && io.MouseDragMaxDistanceSqr[0] < 9.0f;
    if (marking && ImGui::IsItemDeactivated() && !click)
        toggle_quiz_guesses(state, cells_in_rect(layout, quiz.drag_from, mouse));
    const LabelHit* label = nullptr;
    if (click && quiz.active)  // a label click marks its whole sample or channel
        for (const LabelHit& h : labels)
            if (io.MousePos.x >= h.a.x && io.MousePos.x < h.b.x && io.MousePos.y >= h.a.y && io.MousePos.y < h.b.y)
                label = &h;
    if (label) {
        const core::Shape& shape = state.tensor.shape;
        toggle_quiz_guesses(state,
                            label->sample ? sample_cells(shape, label->index) : channel_cells(shape, label->index));
    } else if (click && clicked) {
        click_cell(state, *clicked, io.KeyShift);
    }
    // No tooltips in presenter mode: on a projector they cover what the class looks at.
    if (hovered && under && !ImGui::IsItemActive() && !state.classroom.quiz.active && !state.classroom.presenter)
        draw_tooltip(state, p, *under);
}

}  // namespace

PanelRect begin_view_area(const FrameLayout& frame, const char* id) {
    const ImGuiIO& io = ImGui::GetIO();
    PanelRect r;
    r.x = frame.left;
    r.y = frame.menu_height;
    r.w = std::max(1.0f, io.DisplaySize.x - frame.left - frame.right);
    r.h = std::max(1.0f, io.DisplaySize.y - frame.menu_height - frame.bottom);
    ImGui::SetNextWindowPos(ImVec2(r.x, r.y));
    ImGui::SetNextWindowSize(ImVec2(r.w, r.h));
    ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(6, 4));
    ImGui::Begin(id, nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoScrollWithMouse);
    ImGui::PopStyleVar();
    return r;
}

void draw_canvas_area(AppState& state, const FrameLayout& frame, TensorRenderer& renderer,
                      std::vector<PanelRect>& rects) {
    if (state.cube_view) return draw_cube_area(state, frame, renderer, rects);
    ImGuiIO& io = ImGui::GetIO();
    const PanelRect area = begin_view_area(frame, "##canvas_area");
    const ImVec2 area_pos(area.x, area.y), area_size(area.w, area.h);
    rects.assign(state.panels.size(), PanelRect{});
    const float font = ImGui::GetFontSize();
    const float legend_h = font * 2.4f;
    const float header_h = font * 1.5f;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 inner_pos(area_pos.x + 6, area_pos.y + 4);
    const ImVec2 inner(area_size.x - 12, area_size.y - 8 - legend_h);
    const int count = static_cast<int>(state.panels.size());
    const Vec2 margin{font * 3.2f, font * 1.4f};
    const float label_px = font + 2;
    int cols = 1, rows = 1;
    choose_grid(std::max(count, 1), state.tensor.shape, inner, header_h, margin, label_px, cols, rows);
    state.classroom.panel_columns = cols;  // the SVG export arranges its panels the same way
    const float panel_w = inner.x / cols, panel_h = inner.y / rows;
    const ImVec2 canvas_size(std::max(8.0f, panel_w - 8), std::max(8.0f, panel_h - header_h - 6));
    const GridLayout layout = fit_grid_layout(state.tensor.shape, {canvas_size.x, canvas_size.y}, margin, label_px);

    Camera& cam = state.camera;
    const GridLayout& drawn = state.canvas_layout;
    const bool new_layout = drawn.shape != layout.shape || drawn.blocks_per_row != layout.blocks_per_row ||
                            drawn.sample_gap != layout.sample_gap;
    state.canvas_layout = layout;
    update_camera(cam, layout, new_layout, canvas_size, margin, label_px);
    renderer.ensure_values(state.tensor, state.tensor_version);
    renderer.ensure_channel_ranges(state.value_colors.channels, state.value_colors.channels_version);
    // Cells smaller than a screen pixel: the shader marks the focus's group (CanvasParams::mark_px).
    const bool sub_pixel = cam.zoom < 1.0f;

    for (int i = 0; i < count; ++i) {
        PanelDerived& p = state.panels[i];
        PanelRect& r = rects[i];
        r = grid_panel_rect(i, cols, inner_pos.x, inner_pos.y, panel_w, panel_h, header_h, canvas_size.x, canvas_size.y);
        const float px = r.x, py = r.y;
        ImGui::PushID(i);
        const bool ok = p.error.empty();
        draw_panel_title(state, p, ImVec2(px, py), panel_w, header_h, font, sub_pixel, ok, dl);
        const ImVec2 c0(r.canvas_x, r.canvas_y), c1(r.canvas_x + r.canvas_w, r.canvas_y + r.canvas_h);
        ImGui::SetCursorScreenPos(c0);
        ImGui::InvisibleButton("##canvas", canvas_size);
        const bool hovered = ImGui::IsItemHovered();
        ViewTransform view{{c0.x, c0.y}, cam.pan, cam.zoom};
        std::vector<LabelHit> labels;

        if (!p.stats.empty()) {
            renderer.ensure_group_stats(i, p.stats, core::is_centered(p.spec), p.spec.eps, p.stats_version);
            const CanvasParams params = canvas_params(state, p, layout, font);
            const int fb_w = static_cast<int>(std::lround(canvas_size.x * io.DisplayFramebufferScale.x));
            const int fb_h = static_cast<int>(std::lround(canvas_size.y * io.DisplayFramebufferScale.y));
            GLuint texture = renderer.draw(i, params, fb_w, fb_h);
            if (renderer.values_error().empty())
                dl->AddImage(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture)), c0, c1, ImVec2(0, 1),
                             ImVec2(1, 0));
            else dl->AddRectFilled(c0, c1, rgb(kCanvasBackground));  // no values on the GPU: no cells
            dl->PushClipRect(c0, c1, true);
            draw_labels(state, layout, view, c0, c1, dl, r, labels);
            draw_cell_numbers(state, p, layout, view, c0, c1, dl);
            draw_non_finite_marks(state, layout, view, c0, c1, dl);
            draw_classroom_overlay(state, layout, view, dl, r);
            if (!ok) draw_norm_error(p.error, r.canvas_w, font, c0, c1, dl);
            else if (!renderer.values_error().empty())
                draw_norm_error(renderer.values_error(), r.canvas_w, font, c0, c1, dl);
            dl->PopClipRect();
        } else {
            dl->AddRectFilled(c0, c1, rgb(kCanvasBackground));
            ImGui::SetCursorScreenPos(ImVec2(c0.x + 8, c0.y + 8));
            ImGui::PushTextWrapPos(c1.x - 8);
            ImGui::TextColored(ImVec4(1.0f, 0.5f, 0.45f, 1.0f), "%s", p.error.c_str());
            ImGui::PopTextWrapPos();
        }

        handle_canvas_input(state, p, layout, view, labels, hovered, dl);
        ImGui::PopID();
    }
    draw_legend(state, ImVec2(area_pos.x + 6, area_pos.y + area_size.y - legend_h + font * 0.5f), area_size.x - 12,
                sub_pixel, dl);
    ImGui::End();
}

}  // namespace normviz::app
