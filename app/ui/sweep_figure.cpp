#include "app/ui/sweep_figure.h"

#include <cmath>
#include <string>

#include "app/ui/plot.h"
#include "core/norm_spec.h"

namespace normviz::app {

namespace {

// "BatchNorm" for "batch"; "none" and unknown names as written.
std::string legend_label(const std::string& norm) {
    core::Result<core::NormKind> kind = core::parse_norm_name(norm);
    return kind ? core::norm_title(kind.value()) : norm;
}

}  // namespace

SweepFigureDrawn draw_sweep_figure(const SweepTable& table, float height) {
    const std::vector<SweepLine> lines = sweep_lines(table);
    std::vector<PlotSeries> series;
    SweepFigureDrawn drawn;
    for (size_t i = 0; i < lines.size(); ++i) {
        series.push_back(
            {legend_label(lines[i].norm), lines[i].batch, lines[i].error, series_color(static_cast<int>(i))});
        for (double e : lines[i].error) drawn.points += std::isfinite(e) ? 1 : 0;
    }
    drawn.lines = static_cast<int>(series.size());
    PlotStyle style;
    style.title = "held-out error (%) after the same epochs, by batch size";
    style.x_label = "batch size";
    style.height = height;
    style.y_from_zero = true;
    style.y_scale = 100;
    style.x_log2 = true;
    style.legend_right = true;
    draw_plot("sweep", series, style);
    return drawn;
}

}  // namespace normviz::app
