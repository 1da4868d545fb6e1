#include "app/ui/plot.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "app/view/plot_axes.h"

namespace normviz::app {

namespace {

ImU32 to_u32(Rgb c, int alpha = 255) { return IM_COL32(c.r, c.g, c.b, alpha); }

// The plot area in pixels and the value ranges it shows.
struct PlotFrame {
    ImVec2 a, b;  // top left, bottom right of the area inside the axes
    AxisRange xr, yr;
    bool x_log2 = false;
    float px(double x) const {
        const double t = x_log2 ? (std::log2(x) - std::log2(xr.lo)) / (std::log2(xr.hi) - std::log2(xr.lo))
                                : (x - xr.lo) / (xr.hi - xr.lo);
        return a.x + static_cast<float>(t) * (b.x - a.x);
    }
    float py(double y) const { return b.y - static_cast<float>((y - yr.lo) / (yr.hi - yr.lo)) * (b.y - a.y); }
};

PlotFrame plot_frame(const std::vector<PlotSeries>& series, const PlotStyle& style, ImVec2 origin, ImVec2 size) {
    std::vector<double> xs, ys;
    for (const PlotSeries& s : series) {
        xs.insert(xs.end(), s.x.begin(), s.x.end());
        for (double v : s.y) ys.push_back(v * style.y_scale);
    }
    const float font = ImGui::GetFontSize();
    // Plot area: room for tick labels on the left, the title above, x labels below.
    float legend = 0;
    if (style.legend_right)
        for (const PlotSeries& s : series) legend = std::max(legend, ImGui::CalcTextSize(s.label.c_str()).x + font * 2);
    const float left = font * 3.2f, top = font * 1.4f, bottom = font * 2.4f, right = font * 0.6f + legend;
    PlotFrame f;
    f.a = ImVec2(origin.x + left, origin.y + top);
    f.b = ImVec2(origin.x + size.x - right, origin.y + size.y - bottom);
    f.x_log2 = style.x_log2;
    f.xr = style.x_log2 ? log2_axis_range(xs) : axis_range(xs, false);
    f.yr = axis_range(ys, style.y_from_zero);
    return f;
}

void draw_axes(ImDrawList* dl, const PlotFrame& f, const PlotStyle& style, ImVec2 origin) {
    const float font = ImGui::GetFontSize();
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text), faint = ImGui::GetColorU32(ImGuiCol_TextDisabled);
    dl->AddText(ImVec2(origin.x, origin.y), text, style.title);
    dl->AddRect(f.a, f.b, faint);
    // Whole-number x (epochs, batch sizes) gets whole-number ticks; a log2 x, powers of two.
    const int x_ticks = style.x_whole ? static_cast<int>(std::clamp(f.xr.hi - f.xr.lo + 1, 2.0, 7.0)) : 7;
    const std::vector<double> yt = axis_ticks(f.yr, 5);
    const std::vector<double> xt = style.x_log2 ? log2_axis_ticks(f.xr, 9) : axis_ticks(f.xr, x_ticks);
    const double ystep = yt.size() > 1 ? yt[1] - yt[0] : 1;
    const double xstep = style.x_log2 ? 1 : (xt.size() > 1 ? xt[1] - xt[0] : 1);
    for (double t : yt) {
        const float y = f.py(t);
        dl->AddLine(ImVec2(f.a.x, y), ImVec2(f.b.x, y), IM_COL32(255, 255, 255, 28));
        const std::string label = tick_label(t, ystep);
        const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
        dl->AddText(ImVec2(f.a.x - ts.x - font * 0.3f, y - ts.y * 0.5f), faint, label.c_str());
    }
    for (double t : xt) {
        const float x = f.px(t);
        dl->AddLine(ImVec2(x, f.b.y), ImVec2(x, f.b.y + font * 0.3f), faint);
        const std::string label = tick_label(t, xstep);
        const ImVec2 ts = ImGui::CalcTextSize(label.c_str());
        dl->AddText(ImVec2(x - ts.x * 0.5f, f.b.y + font * 0.3f), faint, label.c_str());
    }
    const ImVec2 xl = ImGui::CalcTextSize(style.x_label);
    dl->AddText(ImVec2((f.a.x + f.b.x - xl.x) * 0.5f, f.b.y + font * 1.2f), faint, style.x_label);
}

// Lines and points; returns the series of the nearest point to the mouse (within a few
// pixels) when `hovered`, and that point in `point`; else -1.
int draw_lines(ImDrawList* dl, const PlotFrame& f, const std::vector<PlotSeries>& series, const PlotStyle& style,
               bool hovered, size_t& point) {
    const float font = ImGui::GetFontSize();
    // Every value lies inside the ranges; the margin lets a point on an edge (batch 2 and 32,
    // a minimum on the axis) show whole.
    constexpr float kPointRadius = 3.0f;
    const ImVec2 margin(kPointRadius + 1, kPointRadius + 1);
    dl->PushClipRect(ImVec2(f.a.x - margin.x, f.a.y - margin.y), ImVec2(f.b.x + margin.x, f.b.y + margin.y), true);
    int hovered_series = -1;
    float best = font * font;
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    for (size_t s = 0; s < series.size(); ++s) {
        const PlotSeries& ser = series[s];
        const ImU32 color = to_u32(ser.color);
        for (size_t i = 0; i < ser.x.size(); ++i) {
            const double y = ser.y[i] * style.y_scale;
            if (!std::isfinite(y)) continue;
            const ImVec2 p(f.px(ser.x[i]), f.py(y));
            if (i > 0 && std::isfinite(ser.y[i - 1]))
                dl->AddLine(ImVec2(f.px(ser.x[i - 1]), f.py(ser.y[i - 1] * style.y_scale)), p, color, 2.0f);
            dl->AddCircleFilled(p, kPointRadius, color);
            const float d = (p.x - mouse.x) * (p.x - mouse.x) + (p.y - mouse.y) * (p.y - mouse.y);
            if (hovered && d < best) best = d, hovered_series = static_cast<int>(s), point = i;
        }
    }
    dl->PopClipRect();
    return hovered_series;
}

// Legend, top right inside the plot or beside it.
void draw_legend(ImDrawList* dl, const PlotFrame& f, const std::vector<PlotSeries>& series, bool right) {
    const float font = ImGui::GetFontSize();
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    float ly = f.a.y + font * 0.2f;
    for (const PlotSeries& ser : series) {
        const ImVec2 ts = ImGui::CalcTextSize(ser.label.c_str());
        const float lx = right ? f.b.x + font * 0.6f : f.b.x - ts.x - font * 1.6f;
        if (!right)
            dl->AddRectFilled(ImVec2(lx - font * 0.2f, ly), ImVec2(f.b.x - font * 0.2f, ly + ts.y),
                              IM_COL32(20, 20, 24, 190));
        dl->AddLine(ImVec2(lx, ly + ts.y * 0.5f), ImVec2(lx + font, ly + ts.y * 0.5f), to_u32(ser.color), 3.0f);
        dl->AddText(ImVec2(lx + font * 1.2f, ly), text, ser.label.c_str());
        ly += ts.y;
    }
}

}  // namespace

Rgb series_color(int index) {
    // Okabe-Ito: told apart with any colour vision, on a dark background.
    constexpr Rgb kColors[] = {{230, 159, 0}, {86, 180, 233}, {0, 158, 115},  {240, 228, 66},
                               {0, 114, 178}, {213, 94, 0},   {204, 121, 167}};
    return kColors[static_cast<size_t>(index) % std::size(kColors)];
}

int draw_plot(const char* id, const std::vector<PlotSeries>& series, const PlotStyle& style) {
    ImGui::PushID(id);
    const float font = ImGui::GetFontSize();
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const float width = std::max(ImGui::GetContentRegionAvail().x, font * 10);
    const ImVec2 size(width, std::max(style.height, font * 6));
    ImGui::InvisibleButton("##plot", size);
    const bool hovered = ImGui::IsItemHovered();
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const PlotFrame f = plot_frame(series, style, origin, size);
    draw_axes(dl, f, style, origin);
    size_t hovered_point = 0;
    const int hovered_series = draw_lines(dl, f, series, style, hovered, hovered_point);
    draw_legend(dl, f, series, style.legend_right);
    if (hovered_series >= 0) {
        const PlotSeries& ser = series[static_cast<size_t>(hovered_series)];
        ImGui::SetTooltip("%s\n%s %s: %.4g", ser.label.c_str(), style.x_label,
                          tick_label(ser.x[hovered_point], 1).c_str(), ser.y[hovered_point] * style.y_scale);
    }
    ImGui::PopID();
    return hovered_series;
}

}  // namespace normviz::app
