// PNG export: each shown panel drawn off screen at its share of the chosen size (as the grid,
// or as the cube when the window shows cubes), read back and composed into one image.
#include "app/export_png.h"

#include <algorithm>
#include <cmath>

#include "app/render/cube_renderer.h"
#include "app/render/gl.h"
#include "app/render/tensor_renderer.h"
#include "app/ui/panels.h"
#include "app/window.h"

namespace normviz::app {

namespace {

// Canvas slots 48.. are the export's own, so the window's canvases keep their caches.
constexpr int kExportSlot = 48;

// Panel `p` as the grid in a tile_w x tile_h texture, fitted inside `margin`.
GLuint draw_grid(const AppState& state, const PanelDerived& p, TensorRenderer& renderer, const GridLayout& layout,
                 int slot, int tile_w, int tile_h, float margin) {
    renderer.ensure_group_stats(slot, p.stats, core::is_centered(p.spec), p.spec.eps, p.stats_version);
    CanvasParams params;
    params.layout = layout;
    // fit_view leaves `margin` on the left and top only: fit inside both margins, then
    // centre the picture in its tile (it used to run into the next panel on the right).
    params.view = fit_view(layout, {0, 0}, {tile_w - margin, tile_h - margin}, {margin, margin});
    const float z = params.view.zoom;
    params.view.pan = {-(tile_w - layout.width() * z) / 2 / z, -(tile_h - layout.height() * z) / 2 / z};
    params.partition = p.partition;
    params.focus = state.scene.focus;
    params.has_focus = !(state.classroom.quiz.active && !state.classroom.quiz.revealed);
    params.frozen_group = p.eval_mode;
    params.show_normalized = state.scene.show_normalized;
    params.center = state.value_center;
    params.half_range = state.value_half_range;
    params.outline_px = std::clamp(params.view.zoom * 0.14f, 1.5f, 6.0f);
    params.palette = state.scene.palette;
    params.per_channel = !state.value_colors.channels.empty();
    params.group = group_box(p.partition, state.scene.focus);
    params.mark_px = 2.0f;  // cells below a pixel: the group marked; small cells: the focus
    return renderer.draw(slot, params, tile_w, tile_h);
}

// Panel `p` as the cube, seen from the window's camera, in a tile_w x tile_h texture.
GLuint draw_cube(const AppState& state, const PanelDerived& p, CubeRenderer& cube, const CubeGeometry& geometry,
                 int slot, int tile_w, int tile_h) {
    cube.ensure_group_stats(slot, p.stats, core::is_centered(p.spec), p.spec.eps, p.stats_version);
    const CubeView view = make_cube_view(state.cube_camera, geometry, {float(tile_w), float(tile_h)});
    const float outline_px = std::clamp(std::min(tile_w, tile_h) / 300.0f, 1.5f, 6.0f);
    return cube.draw(slot, cube_params(state, p, geometry, view, outline_px), tile_w, tile_h);
}

}  // namespace

core::Status export_view_png(const AppState& state, TensorRenderer& renderer, const std::string& path, int width,
                             int height) {
    if (width < 16 || height < 16 || width > kExportMaxWidth || height > kExportMaxHeight)
        return core::make_error("export size " + std::to_string(width) + "x" + std::to_string(height) +
                                " is outside 16x16 .. 3840x2160");
    int count = 0;
    for (const PanelDerived& p : state.panels) count += p.stats.empty() ? 0 : 1;
    if (count == 0 || state.tensor.data.empty()) return core::make_error("nothing to export: no panel can be drawn");
    count = std::min(count, 64 - kExportSlot);
    const GridLayout layout = make_grid_layout(state.tensor.shape);
    CubeRenderer* cube = state.cube_view ? renderer.cube() : nullptr;
    if (state.cube_view && !cube) return core::make_error(renderer.cube_error());
    // The grid of panels that gives the largest cells (a cube fills a square best).
    const float picture_w = cube ? 1.0f : layout.width(), picture_h = cube ? 1.0f : layout.height();
    int cols = 1, rows = 1;
    float best = -1;
    for (int c = 1; c <= count; ++c) {
        const int r = (count + c - 1) / c;
        const float zoom = std::min(width / float(c) / picture_w, height / float(r) / picture_h);
        if (zoom > best) best = zoom, cols = c, rows = r;
    }
    const int tile_w = width / cols, tile_h = height / rows;
    // A clear gap between panels (several panels would otherwise read as one grid), and a
    // frame around each.
    const float margin = std::max(4.0f, std::min(tile_w, tile_h) * (count > 1 ? 0.05f : 0.02f));
    std::vector<unsigned char> image(static_cast<size_t>(width) * height * 4);
    for (size_t i = 0; i < image.size(); i += 4) {
        image[i] = kCanvasBackground.r, image[i + 1] = kCanvasBackground.g, image[i + 2] = kCanvasBackground.b;
        image[i + 3] = 255;
    }
    const CubeGeometry geometry = make_cube_geometry(state.tensor.shape, state.cube_split_hw);
    if (cube) cube->ensure_values(state.tensor, state.tensor_version, geometry);
    else renderer.ensure_values(state.tensor, state.tensor_version);
    renderer.ensure_channel_ranges(state.value_colors.channels, state.value_colors.channels_version);
    std::vector<unsigned char> pixels(static_cast<size_t>(tile_w) * tile_h * 4);
    int drawn = 0;
    for (const PanelDerived& p : state.panels) {
        if (p.stats.empty() || drawn >= count) continue;
        const int slot = kExportSlot + drawn;
        const GLuint texture = cube ? draw_cube(state, p, *cube, geometry, slot, tile_w, tile_h)
                                    : draw_grid(state, p, renderer, layout, slot, tile_w, tile_h, margin);
        glBindTexture(GL_TEXTURE_2D, texture);
        glPixelStorei(GL_PACK_ALIGNMENT, 1);
        glGetTexImage(GL_TEXTURE_2D, 0, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
        glBindTexture(GL_TEXTURE_2D, 0);
        const int x0 = (drawn % cols) * tile_w, y0 = (drawn / cols) * tile_h;
        for (int y = 0; y < tile_h; ++y)  // the texture's rows start at the bottom
            std::copy_n(&pixels[static_cast<size_t>(tile_h - 1 - y) * tile_w * 4], tile_w * 4,
                        &image[(static_cast<size_t>(y0 + y) * width + x0) * 4]);
        if (count > 1) {  // a thin light frame, inset a little, around this panel
            const int inset = std::max(1, static_cast<int>(margin * 0.4f)), t = std::max(1, height / 720);
            auto put = [&](int x, int y) {
                unsigned char* px = &image[(static_cast<size_t>(y) * width + x) * 4];
                px[0] = px[1] = px[2] = 110;
            };
            for (int y = y0 + inset; y < y0 + tile_h - inset; ++y)
                for (int k = 0; k < t; ++k) put(x0 + inset + k, y), put(x0 + tile_w - inset - 1 - k, y);
            for (int x = x0 + inset; x < x0 + tile_w - inset; ++x)
                for (int k = 0; k < t; ++k) put(x, y0 + inset + k), put(x, y0 + tile_h - inset - 1 - k);
        }
        ++drawn;
    }
    for (size_t i = 3; i < image.size(); i += 4) image[i] = 255;
    return write_png(path, image, width, height);
}

}  // namespace normviz::app
