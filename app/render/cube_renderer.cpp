// CubeRenderer: voxel values and group statistics as float textures, one multisampled
// framebuffer per cube resolved into a texture for ImGui::Image.
#include "app/render/cube_renderer.h"

#include <algorithm>
#include <cmath>

#include <glm/geometric.hpp>
#include <glm/gtc/type_ptr.hpp>

#include "app/render/gl_textures.h"
#include "app/render/shader_sources.h"
#include "app/render/tensor_renderer.h"
#include "core/assert.h"

namespace normviz::app {

namespace {

void delete_renderbuffer(GLuint name) { glDeleteRenderbuffers(1, &name); }
using Renderbuffer = GlName<delete_renderbuffer>;

GLuint new_framebuffer() {
    GLuint name = 0;
    glGenFramebuffers(1, &name);
    return name;
}

GLuint new_renderbuffer() {
    GLuint name = 0;
    glGenRenderbuffers(1, &name);
    return name;
}

}  // namespace

struct CubeRenderer::Canvas {
    Framebuffer multisampled, resolved;
    Renderbuffer color_ms, depth_ms;
    Texture color;
    Texture stats;
    int stats_width = 1;
    int width = 0, height = 0;
    uint64_t stats_version = ~uint64_t{0};
    std::vector<float> last_key;
};

struct CubeRenderer::Uniforms {
    GLint shape, bin, counts, split, gap, voxel, lo, hi, view_proj, eye, block, key_extents, focus, has_focus, pass,
        values, group_stats, palette, values_width, stats_width, show_normalized, center, half_range,
        normalized_half_range, background, highlight, focus_ring, shell_edge, light, outline_px;
};

CubeRenderer::CubeRenderer() = default;
CubeRenderer::~CubeRenderer() = default;

core::Result<std::unique_ptr<CubeRenderer>> CubeRenderer::create() {
    auto program = link_program("cube_view.vert", shader_sources::k_cube_view_vert, "cube_view.frag",
                                shader_sources::k_cube_view_frag);
    if (!program) return program.error();
    std::unique_ptr<CubeRenderer> r(new CubeRenderer());
    r->program_ = std::move(program.value());
    GLuint vao = 0;
    glGenVertexArrays(1, &vao);
    r->empty_vao_ = VertexArray(vao);
    r->values_ = Texture(new_texture());
    for (int p = 0; p < 2; ++p) {
        r->palettes_[p] = Texture(new_texture());
        upload_palette(r->palettes_[p].get(), p == 0 ? Palette::BlueRed : Palette::BlueOrange);
    }
    GLint max_samples = 0;
    glGetIntegerv(GL_MAX_SAMPLES, &max_samples);
    r->samples_ = std::clamp(max_samples, 0, 4);

    auto u = std::make_unique<Uniforms>();
    const Program& pr = r->program_;
    u->shape = uniform_location(pr, "u_shape");
    u->bin = uniform_location(pr, "u_bin");
    u->counts = uniform_location(pr, "u_counts");
    u->split = uniform_location(pr, "u_split");
    u->gap = uniform_location(pr, "u_gap");
    u->voxel = uniform_location(pr, "u_voxel");
    u->lo = uniform_location(pr, "u_lo");
    u->hi = uniform_location(pr, "u_hi");
    u->view_proj = uniform_location(pr, "u_view_proj");
    u->eye = uniform_location(pr, "u_eye");
    u->block = uniform_location(pr, "u_block");
    u->key_extents = uniform_location(pr, "u_key_extents");
    u->focus = uniform_location(pr, "u_focus");
    u->has_focus = uniform_location(pr, "u_has_focus");
    u->pass = uniform_location(pr, "u_pass");
    u->values = uniform_location(pr, "t_values");
    u->group_stats = uniform_location(pr, "t_group_stats");
    u->palette = uniform_location(pr, "t_palette");
    u->values_width = uniform_location(pr, "u_values_width");
    u->stats_width = uniform_location(pr, "u_stats_width");
    u->show_normalized = uniform_location(pr, "u_show_normalized");
    u->center = uniform_location(pr, "u_center");
    u->half_range = uniform_location(pr, "u_half_range");
    u->normalized_half_range = uniform_location(pr, "u_normalized_half_range");
    u->background = uniform_location(pr, "u_background");
    u->highlight = uniform_location(pr, "u_highlight");
    u->focus_ring = uniform_location(pr, "u_focus_ring");
    u->shell_edge = uniform_location(pr, "u_shell_edge");
    u->light = uniform_location(pr, "u_light");
    u->outline_px = uniform_location(pr, "u_outline_px");
    r->uniforms_ = std::move(u);
    return r;
}

void CubeRenderer::ensure_values(const core::Tensor& tensor, uint64_t version, const CubeGeometry& geometry) {
    if (version == values_version_ && geometry.bin == values_bins_) return;
    const std::vector<float> values = voxel_values(tensor, geometry);
    const int64_t count = static_cast<int64_t>(values.size());
    values_width_ = texture_width_for(count);
    upload_float_rows(values_.get(), values.data(), count, 1, values_width_);
    values_version_ = version;
    values_bins_ = geometry.bin;
    for (auto& c : canvases_) c->last_key.clear();
}

CubeRenderer::Canvas& CubeRenderer::canvas(int slot) {
    NORMVIZ_ASSERT(slot >= 0 && slot < 64, "cube slot out of range");
    while (static_cast<int>(canvases_.size()) <= slot) {
        auto c = std::make_unique<Canvas>();
        c->multisampled = Framebuffer(new_framebuffer());
        c->resolved = Framebuffer(new_framebuffer());
        c->color_ms = Renderbuffer(new_renderbuffer());
        c->depth_ms = Renderbuffer(new_renderbuffer());
        c->color = Texture(new_texture());
        c->stats = Texture(new_texture());
        canvases_.push_back(std::move(c));
    }
    return *canvases_[slot];
}

void CubeRenderer::ensure_group_stats(int slot, const std::vector<core::GroupStats>& stats, bool centered,
                                      double eps, uint64_t version) {
    Canvas& c = canvas(slot);
    if (c.stats_version == version) return;
    c.stats_version = version;
    c.last_key.clear();
    // (shift, scale, pre) per group: shown = (x * pre - shift) * scale (app/view/colormap.h).
    std::vector<float> shift_scale(stats.size() * 3);
    for (size_t g = 0; g < stats.size(); ++g) {
        const GroupTransform t = group_transform(centered ? stats[g].mean : 0.0,
                                                 centered ? stats[g].var : stats[g].mean_sq, eps);
        shift_scale[3 * g] = t.shift;
        shift_scale[3 * g + 1] = t.scale;
        shift_scale[3 * g + 2] = t.pre;
    }
    c.stats_width = texture_width_for(static_cast<int64_t>(stats.size()));
    upload_float_rows(c.stats.get(), shift_scale.data(), static_cast<int64_t>(stats.size()), 3, c.stats_width);
}

GLuint CubeRenderer::draw(int slot, const CubeParams& p, int width, int height) {
    Canvas& c = canvas(slot);
    width = std::max(width, 1);
    height = std::max(height, 1);
    const CubeGeometry& g = p.geometry;
    const glm::mat4 view_proj = p.view.projection * p.view.view;
    std::vector<float> key = {float(width), float(height), float(g.split_hw), float(p.focus.n), float(p.focus.c),
                              float(p.focus.h), float(p.focus.w), float(p.has_focus), float(p.show_normalized),
                              p.center, p.half_range, p.normalized_half_range, p.outline_px, float(p.palette)};
    for (int a = 0; a < 4; ++a) {
        key.push_back(float(g.bin[a]));
        key.push_back(float(g.counts[a]));
        key.push_back(float(p.partition.block[a]));
    }
    const float* m = glm::value_ptr(view_proj);
    key.insert(key.end(), m, m + 16);
    if (key == c.last_key) return c.color.get();
    c.last_key = std::move(key);

    if (c.width != width || c.height != height) {
        glBindRenderbuffer(GL_RENDERBUFFER, c.color_ms.get());
        glRenderbufferStorageMultisample(GL_RENDERBUFFER, samples_, GL_RGBA8, width, height);
        glBindRenderbuffer(GL_RENDERBUFFER, c.depth_ms.get());
        glRenderbufferStorageMultisample(GL_RENDERBUFFER, samples_, GL_DEPTH_COMPONENT24, width, height);
        glBindRenderbuffer(GL_RENDERBUFFER, 0);
        glBindFramebuffer(GL_FRAMEBUFFER, c.multisampled.get());
        glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, c.color_ms.get());
        glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, c.depth_ms.get());
        attach_color_texture(c.resolved.get(), c.color.get(), width, height, GL_LINEAR);
        c.width = width;
        c.height = height;
    }
    glBindFramebuffer(GL_FRAMEBUFFER, c.multisampled.get());
    glViewport(0, 0, width, height);
    glDisable(GL_SCISSOR_TEST);
    glDisable(GL_CULL_FACE);
    glDisable(GL_BLEND);
    glEnable(GL_DEPTH_TEST);
    glDepthFunc(GL_LESS);
    glDepthMask(GL_TRUE);
    glClearColor(kCanvasBackground.r / 255.0f, kCanvasBackground.g / 255.0f, kCanvasBackground.b / 255.0f, 1.0f);
    glClearDepth(1.0);
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
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
    glActiveTexture(GL_TEXTURE0);

    const core::Shape& s = g.shape;
    const auto k = p.partition.key_extents();
    glUniform4i(u.shape, int(s.N), int(s.C), int(s.H), int(s.W));
    glUniform4i(u.bin, int(g.bin[0]), int(g.bin[1]), int(g.bin[2]), int(g.bin[3]));
    glUniform4i(u.counts, int(g.counts[0]), int(g.counts[1]), int(g.counts[2]), int(g.counts[3]));
    glUniform1i(u.split, g.split_hw ? 1 : 0);
    glUniform1f(u.gap, g.gap);
    glUniform3fv(u.voxel, 1, glm::value_ptr(g.voxel));
    glUniform3fv(u.lo, 1, glm::value_ptr(g.lo));
    glUniform3fv(u.hi, 1, glm::value_ptr(g.hi));
    glUniformMatrix4fv(u.view_proj, 1, GL_FALSE, m);
    glUniform3fv(u.eye, 1, glm::value_ptr(p.view.eye));
    glUniform4i(u.block, int(p.partition.block[0]), int(p.partition.block[1]), int(p.partition.block[2]),
                int(p.partition.block[3]));
    glUniform4i(u.key_extents, int(k[0]), int(k[1]), int(k[2]), int(k[3]));
    glUniform4i(u.focus, int(p.focus.n), int(p.focus.c), int(p.focus.h), int(p.focus.w));
    glUniform1i(u.has_focus, p.has_focus ? 1 : 0);
    glUniform1i(u.values_width, values_width_);
    glUniform1i(u.stats_width, c.stats_width);
    glUniform1i(u.show_normalized, p.show_normalized ? 1 : 0);
    glUniform1f(u.center, p.center);
    glUniform1f(u.half_range, std::max(p.half_range, 1e-30f));
    glUniform1f(u.normalized_half_range, p.normalized_half_range);
    set_rgb_uniform(u.background, kCanvasBackground);
    set_rgb_uniform(u.highlight, kHighlight);
    set_rgb_uniform(u.focus_ring, kFocusRing);
    glUniform3f(u.shell_edge, 0.82f, 0.83f, 0.86f);
    const glm::vec3 light = glm::normalize(glm::vec3(0.25f, 0.85f, 0.5f));
    glUniform3fv(u.light, 1, glm::value_ptr(light));
    glUniform1f(u.outline_px, p.outline_px);

    const GLsizei instances = static_cast<GLsizei>(g.voxel_count());
    // Pass 0: the group, opaque. Passes 1 and 2: the shell's back then front faces, blended
    // over it without writing depth (low alpha, so their order within a pass does not show).
    glUniform1i(u.pass, 0);
    glDrawArraysInstanced(GL_TRIANGLES, 0, 36, instances);
    glEnable(GL_BLEND);
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
    glDepthMask(GL_FALSE);
    glUniform1i(u.pass, 1);
    glDrawArraysInstanced(GL_TRIANGLES, 0, 36, instances);
    glUniform1i(u.pass, 2);
    glDrawArraysInstanced(GL_TRIANGLES, 0, 36, instances);

    glDepthMask(GL_TRUE);
    glDisable(GL_BLEND);
    glDisable(GL_DEPTH_TEST);
    glBindVertexArray(0);
    glUseProgram(0);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, c.multisampled.get());
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, c.resolved.get());
    glBlitFramebuffer(0, 0, width, height, 0, 0, width, height, GL_COLOR_BUFFER_BIT, GL_NEAREST);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    return c.color.get();
}

// TensorRenderer::cube() lives here so tensor_renderer.cpp needs no cube code.
CubeRenderer* TensorRenderer::cube() {
    if (!cube_ && cube_error_.empty()) {
        auto created = CubeRenderer::create();
        if (created) cube_ = std::move(created.value());
        else cube_error_ = created.error().message;
    }
    return cube_.get();
}

}  // namespace normviz::app
