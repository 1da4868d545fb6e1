// TensorRenderer: float textures for values and group statistics, one framebuffer per canvas.
#include "app/render/tensor_renderer.h"

#include <algorithm>
#include <cmath>

#include "app/render/gl_textures.h"
#include "app/render/shader_sources.h"
#include "core/assert.h"

namespace normviz::app {

namespace {

// Everything a canvas's picture depends on; an equal key lets draw() skip the canvas.
std::vector<float> canvas_key(const CanvasParams& p, int width, int height) {
    const core::Shape& s = p.layout.shape;
    return {float(width),
            float(height),
            float(s.N),
            float(s.C),
            float(s.H),
            float(s.W),
            float(p.layout.tiles_per_row),
            float(p.layout.blocks_per_row),
            p.layout.tile_gap,
            p.layout.sample_gap,
            p.view.pan.x,
            p.view.pan.y,
            p.view.zoom,
            float(p.partition.block[0]),
            float(p.partition.block[1]),
            float(p.partition.block[2]),
            float(p.partition.block[3]),
            float(p.focus.n),
            float(p.focus.c),
            float(p.focus.h),
            float(p.focus.w),
            float(p.has_focus),
            float(p.show_group),
            float(p.frozen_group),
            float(p.show_normalized),
            p.center,
            p.half_range,
            p.normalized_half_range,
            p.outline_px,
            float(p.palette),
            float(p.per_channel),
            p.mark_px,
            float(p.group.lo.n),
            float(p.group.lo.c),
            float(p.group.lo.h),
            float(p.group.lo.w),
            float(p.group.hi.n),
            float(p.group.hi.c),
            float(p.group.hi.h),
            float(p.group.hi.w)};
}

// Sizes the kept cells' textures to width x height and attaches them, with `color`, as the
// first pass's three targets.
void attach_cell_targets(GLuint cells_framebuffer, GLuint color, GLuint cells, GLuint cell_index, int width,
                         int height) {
    glBindTexture(GL_TEXTURE_2D, cells);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA32F, width, height, 0, GL_RGBA, GL_FLOAT, nullptr);
    glBindTexture(GL_TEXTURE_2D, cell_index);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);  // integer: no filtering
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA32I, width, height, 0, GL_RGBA_INTEGER, GL_INT, nullptr);
    glBindFramebuffer(GL_FRAMEBUFFER, cells_framebuffer);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, color, 0);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT1, GL_TEXTURE_2D, cells, 0);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT2, GL_TEXTURE_2D, cell_index, 0);
    const GLenum all[] = {GL_COLOR_ATTACHMENT0, GL_COLOR_ATTACHMENT1, GL_COLOR_ATTACHMENT2};
    glDrawBuffers(3, all);
}

// Shrinks a canvas's kept cells to one pixel when a small tensor no longer needs them (36
// bytes a canvas pixel), and marks them as not allocated.
void release_cell_targets(GLuint cells, GLuint cell_index, int& cells_width, int& cells_height) {
    glBindTexture(GL_TEXTURE_2D, cells);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA32F, 1, 1, 0, GL_RGBA, GL_FLOAT, nullptr);
    glBindTexture(GL_TEXTURE_2D, cell_index);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA32I, 1, 1, 0, GL_RGBA_INTEGER, GL_INT, nullptr);
    glBindTexture(GL_TEXTURE_2D, 0);
    cells_width = cells_height = 0;
}

// Draws into the canvas: the whole picture, or only the group and focus over the kept cells.
void run_passes(bool draw_cells, bool keep_cells, GLint pass, GLuint framebuffer, GLuint cells_framebuffer,
                GLuint cells, GLuint cell_index) {
    if (draw_cells) {  // the whole picture, keeping each pixel's cell for later focus changes
        glBindFramebuffer(GL_FRAMEBUFFER, keep_cells ? cells_framebuffer : framebuffer);
        glUniform1i(pass, 0);
        glDrawArrays(GL_TRIANGLES, 0, 3);
    } else {  // the group and focus over the kept cells
        glBindFramebuffer(GL_FRAMEBUFFER, framebuffer);
        glActiveTexture(GL_TEXTURE4);
        glBindTexture(GL_TEXTURE_2D, cells);
        glActiveTexture(GL_TEXTURE5);
        glBindTexture(GL_TEXTURE_2D, cell_index);
        glUniform1i(pass, 1);
        glDrawArrays(GL_TRIANGLES, 0, 3);
        glBindTexture(GL_TEXTURE_2D, 0);  // both are drawn into again by a first pass
        glActiveTexture(GL_TEXTURE4);
        glBindTexture(GL_TEXTURE_2D, 0);
        glActiveTexture(GL_TEXTURE0);
    }
}

}  // namespace

struct TensorRenderer::Uniforms {
    GLint values, group_stats, palette, values_shift, stats_shift, shape, tiles_per_row, tile_rows, blocks_per_row,
        tile_gap, sample_gap, pan, zoom, canvas_height, block, inv_block, key_extents, focus, focus_key, has_focus,
        show_group, show_normalized, center, half_range, normalized_half_range, outline_px, background, highlight,
        focus_ring, channel_range, channel_shift, per_channel, mark_px, group_lo, group_hi, focus_origin, cells,
        cell_index, pass;

    // Sets the uniforms that come from the canvas's parameters alone (shape, layout, view,
    // partition, focus, colouring), which keeps draw() to the passes and their targets.
    void set_params(const CanvasParams& p, int height) const;
};

void TensorRenderer::Uniforms::set_params(const CanvasParams& p, int height) const {
    const Uniforms& u = *this;
    const core::Shape& s = p.layout.shape;
    auto k = p.partition.key_extents();
    glUniform4i(u.shape, int(s.N), int(s.C), int(s.H), int(s.W));
    glUniform1i(u.tiles_per_row, static_cast<int>(p.layout.tiles_per_row));
    glUniform1i(u.tile_rows, static_cast<int>(p.layout.tile_rows()));
    glUniform1i(u.blocks_per_row, static_cast<int>(p.layout.blocks_per_row));
    glUniform1f(u.tile_gap, p.layout.tile_gap);
    glUniform1f(u.sample_gap, p.layout.sample_gap);
    glUniform2f(u.pan, p.view.pan.x, p.view.pan.y);
    glUniform1f(u.zoom, p.view.zoom);
    glUniform1f(u.canvas_height, static_cast<float>(height));
    glUniform4i(u.block, int(p.partition.block[0]), int(p.partition.block[1]), int(p.partition.block[2]),
                int(p.partition.block[3]));
    const auto& b = p.partition.block;
    glUniform4f(u.inv_block, 1.0f / float(b[0]), 1.0f / float(b[1]), 1.0f / float(b[2]), 1.0f / float(b[3]));
    glUniform4i(u.key_extents, int(k[0]), int(k[1]), int(k[2]), int(k[3]));
    glUniform4i(u.focus, int(p.focus.n), int(p.focus.c), int(p.focus.h), int(p.focus.w));
    glUniform4i(u.focus_key, int(p.focus.n / b[0]), int(p.focus.c / b[1]), int(p.focus.h / b[2]),
                int(p.focus.w / b[3]));
    glUniform1i(u.has_focus, p.has_focus ? 1 : 0);
    glUniform1i(u.show_group, !p.show_group ? 0 : p.frozen_group ? 2 : 1);
    glUniform1i(u.show_normalized, p.show_normalized ? 1 : 0);
    glUniform1f(u.center, p.center);
    glUniform1f(u.half_range, std::max(p.half_range, 1e-30f));
    glUniform1f(u.normalized_half_range, p.normalized_half_range);
    glUniform1f(u.outline_px, p.outline_px);
    set_rgb_uniform(u.background, kCanvasBackground);
    set_rgb_uniform(u.highlight, kHighlight);
    set_rgb_uniform(u.focus_ring, kFocusRing);
    glUniform1i(u.per_channel, p.per_channel ? 1 : 0);
    glUniform1f(u.mark_px, p.mark_px);
    glUniform4i(u.group_lo, int(p.group.lo.n), int(p.group.lo.c), int(p.group.lo.h), int(p.group.lo.w));
    glUniform4i(u.group_hi, int(p.group.hi.n), int(p.group.hi.c), int(p.group.hi.h), int(p.group.hi.w));
    const Vec2 focus_origin = core::contains(s, p.focus) ? cell_origin(p.layout, p.focus) : Vec2{-1e9f, -1e9f};
    glUniform2f(u.focus_origin, focus_origin.x, focus_origin.y);
}

core::Result<std::unique_ptr<TensorRenderer>> TensorRenderer::create() {
    auto program = link_program("tensor_view.vert", shader_sources::k_tensor_view_vert, "tensor_view.frag",
                                shader_sources::k_tensor_view_frag);
    if (!program) return program.error();
    std::unique_ptr<TensorRenderer> r(new TensorRenderer());
    r->program_ = std::move(program.value());
    GLuint vao = 0;
    glGenVertexArrays(1, &vao);
    r->empty_vao_ = VertexArray(vao);
    r->values_ = Texture(new_texture());
    r->channel_ranges_ = Texture(new_texture());
    const float neutral[2] = {0.0f, 1.0f};  // until a per-channel scale uploads its ranges
    upload_float_rows(r->channel_ranges_.get(), neutral, 1, 2, 1);
    for (int p = 0; p < 2; ++p) {
        r->palettes_[p] = Texture(new_texture());
        upload_palette(r->palettes_[p].get(), p == 0 ? Palette::BlueRed : Palette::BlueOrange);
    }
    auto u = std::make_shared<Uniforms>();
    const Program& pr = r->program_;
    u->values = uniform_location(pr, "t_values");
    u->group_stats = uniform_location(pr, "t_group_stats");
    u->palette = uniform_location(pr, "t_palette");
    u->values_shift = uniform_location(pr, "u_values_shift");
    u->stats_shift = uniform_location(pr, "u_stats_shift");
    u->shape = uniform_location(pr, "u_shape");
    u->tiles_per_row = uniform_location(pr, "u_tiles_per_row");
    u->tile_rows = uniform_location(pr, "u_tile_rows");
    u->blocks_per_row = uniform_location(pr, "u_blocks_per_row");
    u->tile_gap = uniform_location(pr, "u_tile_gap");
    u->sample_gap = uniform_location(pr, "u_sample_gap");
    u->pan = uniform_location(pr, "u_pan");
    u->zoom = uniform_location(pr, "u_zoom");
    u->canvas_height = uniform_location(pr, "u_canvas_height");
    u->block = uniform_location(pr, "u_block");
    u->inv_block = uniform_location(pr, "u_inv_block");
    u->key_extents = uniform_location(pr, "u_key_extents");
    u->focus = uniform_location(pr, "u_focus");
    u->focus_key = uniform_location(pr, "u_focus_key");
    u->has_focus = uniform_location(pr, "u_has_focus");
    u->show_group = uniform_location(pr, "u_show_group");
    u->show_normalized = uniform_location(pr, "u_show_normalized");
    u->center = uniform_location(pr, "u_center");
    u->half_range = uniform_location(pr, "u_half_range");
    u->normalized_half_range = uniform_location(pr, "u_normalized_half_range");
    u->outline_px = uniform_location(pr, "u_outline_px");
    u->background = uniform_location(pr, "u_background");
    u->highlight = uniform_location(pr, "u_highlight");
    u->focus_ring = uniform_location(pr, "u_focus_ring");
    u->channel_range = uniform_location(pr, "t_channel_range");
    u->channel_shift = uniform_location(pr, "u_channel_shift");
    u->per_channel = uniform_location(pr, "u_per_channel");
    u->mark_px = uniform_location(pr, "u_mark_px");
    u->group_lo = uniform_location(pr, "u_group_lo");
    u->group_hi = uniform_location(pr, "u_group_hi");
    u->focus_origin = uniform_location(pr, "u_focus_origin");
    u->cells = uniform_location(pr, "t_cells");
    u->cell_index = uniform_location(pr, "t_cell_index");
    u->pass = uniform_location(pr, "u_pass");
    r->uniforms_ = u;
    return r;
}

void TensorRenderer::ensure_values(const core::Tensor& tensor, uint64_t version) {
    if (version == values_version_) return;
    const int64_t count = tensor.shape.numel();
    values_width_ = texture_width_for(count);
    const core::Status uploaded = upload_float_rows(values_.get(), tensor.data.data(), count, 1, values_width_);
    values_error_ = uploaded ? "" : uploaded.error().message;
    if (uploaded) uploaded_value_bytes_ += static_cast<size_t>(count) * sizeof(float);
    values_version_ = version;
    forget_drawn();
}

void TensorRenderer::ensure_channel_ranges(const std::vector<ColorRange>& ranges, uint64_t version) {
    if (version == channel_ranges_version_ || ranges.empty()) return;
    std::vector<float> texels(ranges.size() * 2);
    for (size_t c = 0; c < ranges.size(); ++c) {
        texels[2 * c] = ranges[c].center;
        texels[2 * c + 1] = std::max(ranges[c].half_range, 1e-30f);
    }
    channel_ranges_width_ = texture_width_for(static_cast<int64_t>(ranges.size()));
    upload_float_rows(channel_ranges_.get(), texels.data(), static_cast<int64_t>(ranges.size()), 2,
                      channel_ranges_width_);
    channel_ranges_version_ = version;
    forget_drawn();
}

void TensorRenderer::forget_drawn() {
    for (auto& c : canvases_) {
        if (!c) continue;  // released: made anew when next drawn
        c->last_key.clear();
        c->last_cells_key.clear();
    }
}

TensorRenderer::Canvas& TensorRenderer::canvas(int slot) {
    NORMVIZ_ASSERT(slot >= 0 && slot < 64, "canvas slot out of range");
    if (static_cast<int>(canvases_.size()) <= slot) canvases_.resize(static_cast<size_t>(slot) + 1);
    if (!canvases_[slot]) {  // new, or released by release_undrawn
        auto c = std::make_unique<Canvas>();
        GLuint fb = 0;
        glGenFramebuffers(1, &fb);
        c->framebuffer = Framebuffer(fb);
        c->color = Texture(new_texture());
        glGenFramebuffers(1, &fb);
        c->cells_framebuffer = Framebuffer(fb);
        c->cells = Texture(new_texture());
        c->cell_index = Texture(new_texture());
        c->stats = Texture(new_texture());
        canvases_[slot] = std::move(c);
    }
    canvases_[slot]->used = true;
    return *canvases_[slot];
}

TensorRenderer::KeptCanvases TensorRenderer::release_undrawn() {
    KeptCanvases kept;
    for (std::unique_ptr<Canvas>& c : canvases_) {
        if (c && !c->used) c.reset();
        if (c) c->used = false, ++kept.grid;
    }
    kept.cube = release_undrawn_cube();
    return kept;
}

void TensorRenderer::ensure_group_stats(int slot, const std::vector<core::GroupStats>& stats, bool centered, double eps,
                                        uint64_t version) {
    Canvas& c = canvas(slot);
    if (c.stats_version == version) return;
    c.stats_version = version;
    c.last_key.clear();
    c.last_cells_key.clear();
    // (shift, scale, pre) per group: shown = (x * pre - shift) * scale (app/view/colormap.h).
    std::vector<float> shift_scale(stats.size() * 3);
    for (size_t g = 0; g < stats.size(); ++g) {
        const GroupTransform t =
            group_transform(centered ? stats[g].mean : 0.0, centered ? stats[g].var : stats[g].mean_sq, eps);
        shift_scale[3 * g] = t.shift;
        shift_scale[3 * g + 1] = t.scale;
        shift_scale[3 * g + 2] = t.pre;
    }
    c.stats_width = texture_width_for(static_cast<int64_t>(stats.size()));
    upload_float_rows(c.stats.get(), shift_scale.data(), static_cast<int64_t>(stats.size()), 3, c.stats_width);
}

GLuint TensorRenderer::draw(int slot, const CanvasParams& p, int width, int height) {
    Canvas& c = canvas(slot);
    width = std::max(width, 1);
    height = std::max(height, 1);
    const core::Shape& s = p.layout.shape;
    std::vector<float> key = canvas_key(p, width, height);
    if (key == c.last_key) return c.color.get();
    // The first pass's inputs: everything but the partition's group and the focus.
    std::vector<float> cells_key(key.begin(), key.begin() + 17);
    cells_key.insert(cells_key.end(), {float(p.show_normalized), p.center, p.half_range, p.normalized_half_range,
                                       float(p.palette), float(p.per_channel)});
    c.last_key = std::move(key);
    if (c.width != width || c.height != height) {
        attach_color_texture(c.framebuffer.get(), c.color.get(), width, height, GL_NEAREST);
        c.width = width;
        c.height = height;
        c.last_cells_key.clear();
    }
    // A small tensor's values stay in cache and the whole picture is cheap: it is drawn whole
    // every time, without the kept cells' extra writes (36 bytes a pixel instead of 4).
    const bool keep_cells = s.numel() > kKeepCellsAbove;
    if (keep_cells && (c.cells_width != width || c.cells_height != height)) {
        attach_cell_targets(c.cells_framebuffer.get(), c.color.get(), c.cells.get(), c.cell_index.get(), width, height);
        c.cells_width = width;
        c.cells_height = height;
        c.last_cells_key.clear();
    }
    if (!keep_cells && c.cells_width != 0)
        release_cell_targets(c.cells.get(), c.cell_index.get(), c.cells_width, c.cells_height);
    const bool draw_cells = !keep_cells || cells_key != c.last_cells_key;
    c.last_cells_key = std::move(cells_key);
    glViewport(0, 0, width, height);
    glDisable(GL_BLEND);
    glDisable(GL_DEPTH_TEST);
    glDisable(GL_SCISSOR_TEST);
    glDisable(GL_CULL_FACE);
    glUseProgram(program_.get());
    glBindVertexArray(empty_vao_.get());

    const Uniforms& u = *uniforms_;
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, values_.get());
    glUniform1i(u.values, 0);
    glActiveTexture(GL_TEXTURE1);
    glBindTexture(GL_TEXTURE_2D, c.stats.get());
    glUniform1i(u.group_stats, 1);
    glActiveTexture(GL_TEXTURE2);
    glBindTexture(GL_TEXTURE_2D, palettes_[p.palette == Palette::BlueRed ? 0 : 1].get());
    glUniform1i(u.palette, 2);
    glActiveTexture(GL_TEXTURE3);
    glBindTexture(GL_TEXTURE_2D, channel_ranges_.get());
    glUniform1i(u.channel_range, 3);
    glUniform1i(u.cells, 4);  // bound below, for the second pass
    glUniform1i(u.cell_index, 5);
    glActiveTexture(GL_TEXTURE0);

    glUniform1i(u.values_shift, texture_width_shift(values_width_));
    glUniform1i(u.stats_shift, texture_width_shift(c.stats_width));
    glUniform1i(u.channel_shift, texture_width_shift(channel_ranges_width_));
    u.set_params(p, height);

    run_passes(draw_cells, keep_cells, u.pass, c.framebuffer.get(), c.cells_framebuffer.get(), c.cells.get(),
               c.cell_index.get());
    glBindVertexArray(0);
    glUseProgram(0);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    return c.color.get();
}

}  // namespace normviz::app
