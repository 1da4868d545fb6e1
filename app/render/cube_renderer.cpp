// CubeRenderer: voxel colours as a float texture per cube (app/view/cube_colors.h), one
// multisampled framebuffer per cube resolved into a texture for ImGui::Image.
#include "app/render/cube_renderer.h"

#include <algorithm>
#include <string>

#include <glm/geometric.hpp>
#include <glm/gtc/type_ptr.hpp>

#include "app/render/gl_textures.h"
#include "app/render/shader_sources.h"
#include "app/render/tensor_renderer.h"
#include "app/view/cube_colors.h"
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

// A cube_view stage's source with cube_common.glsl inserted after its #version line; #line
// keeps the driver's error lines those of each file (source 1: cube_common.glsl, 0: the stage).
std::string with_common(const char* stage) {
    const std::string source(stage);
    const size_t first_line = source.find('\n') + 1;
    return source.substr(0, first_line) + "#line 1 1\n" + shader_sources::k_cube_common_glsl + "\n#line 2 0\n" +
           source.substr(first_line);
}

// Everything a cube's picture depends on; an equal key lets draw() skip the cube.
std::vector<float> cube_key(const CubeParams& p, int width, int height, const float* m) {
    const CubeGeometry& g = p.geometry;
    std::vector<float> key = {
        float(width),     float(height),           float(g.split_hw),  float(p.focus.n),         float(p.focus.c),
        float(p.focus.h), float(p.focus.w),        float(p.has_focus), float(p.show_normalized), p.center,
        p.half_range,     p.normalized_half_range, p.outline_px,       float(p.palette)};
    for (int a = 0; a < 4; ++a) {
        key.push_back(float(g.bin[a]));
        key.push_back(float(g.counts[a]));
        key.push_back(float(p.partition.block[a]));
    }
    key.insert(key.end(), m, m + 16);
    return key;
}

// Sizes a cube's multisampled colour and depth buffers to width x height and attaches them.
void attach_multisampled_targets(GLuint multisampled, GLuint color_ms, GLuint depth_ms, int samples, int width,
                                 int height) {
    glBindRenderbuffer(GL_RENDERBUFFER, color_ms);
    glRenderbufferStorageMultisample(GL_RENDERBUFFER, samples, GL_RGBA8, width, height);
    glBindRenderbuffer(GL_RENDERBUFFER, depth_ms);
    glRenderbufferStorageMultisample(GL_RENDERBUFFER, samples, GL_DEPTH_COMPONENT24, width, height);
    glBindRenderbuffer(GL_RENDERBUFFER, 0);
    glBindFramebuffer(GL_FRAMEBUFFER, multisampled);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, color_ms);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, depth_ms);
}

// Sets the GL state a cube's draw relies on (depth test, no blending) and clears the bound
// framebuffer to the canvas background.
void begin_cube_frame(int width, int height) {
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
}

// Passes 1 and 2 of CubeRenderer::draw: the shell's back then front sides, blended over the
// group, pushed behind it by a few depth units.
void draw_shell_passes(GLint pass_uniform, GLint face_uniform, GLsizei blocks) {
    glEnable(GL_POLYGON_OFFSET_FILL);
    glPolygonOffset(0.0f, 4.0f);
    glEnable(GL_BLEND);
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);
    glDepthMask(GL_FALSE);
    for (int pass = 1; pass <= 2; ++pass) {
        glUniform1i(pass_uniform, pass);
        for (int face = 0; face < 6; ++face) {  // +x, -x, +y, -y, +z, -z
            glUniform1i(face_uniform, face);
            glDrawArraysInstanced(GL_TRIANGLES, 0, 6, blocks);
        }
    }
}

// Restores the GL state draw() changed and resolves the multisampled picture into the
// texture ImGui shows.
void end_cube_frame(GLuint multisampled, GLuint resolved, int width, int height) {
    glDisable(GL_POLYGON_OFFSET_FILL);
    glDepthMask(GL_TRUE);
    glDisable(GL_BLEND);
    glDisable(GL_DEPTH_TEST);
    glBindVertexArray(0);
    glUseProgram(0);
    glBindFramebuffer(GL_READ_FRAMEBUFFER, multisampled);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, resolved);
    glBlitFramebuffer(0, 0, width, height, 0, 0, width, height, GL_COLOR_BUFFER_BIT, GL_NEAREST);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

}  // namespace

struct CubeRenderer::Canvas {
    Framebuffer multisampled, resolved;
    Renderbuffer color_ms, depth_ms;
    Texture color;
    Texture voxel_colors;  // RGBA per voxel, recomputed when colors_key changes
    int colors_width = 1;
    std::vector<float> colors_key;
    std::vector<GroupTransform> transforms;  // per group, for normalized colours
    int width = 0, height = 0;
    uint64_t stats_version = ~uint64_t{0};
    std::vector<float> last_key;
    bool used = false;  // since the last release_undrawn
};

struct CubeRenderer::Uniforms {
    GLint shape, bin, counts, split, gap, voxel, lo, hi, view_proj, eye, block, focus, group_lo, has_focus, pass,
        colors, colors_shift, background, highlight, focus_ring, shell_edge, light, outline_px, range_lo, range_counts,
        face;
};

CubeRenderer::CubeRenderer() = default;
CubeRenderer::~CubeRenderer() = default;

core::Result<std::unique_ptr<CubeRenderer>> CubeRenderer::create() {
    const std::string vertex = with_common(shader_sources::k_cube_view_vert);
    const std::string fragment = with_common(shader_sources::k_cube_view_frag);
    auto program = link_program("cube_view.vert", vertex.c_str(), "cube_view.frag", fragment.c_str());
    if (!program) return program.error();
    std::unique_ptr<CubeRenderer> r(new CubeRenderer());
    r->program_ = std::move(program.value());
    GLuint vao = 0;
    glGenVertexArrays(1, &vao);
    r->empty_vao_ = VertexArray(vao);
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
    u->focus = uniform_location(pr, "u_focus");
    u->group_lo = uniform_location(pr, "u_group_lo");
    u->has_focus = uniform_location(pr, "u_has_focus");
    u->pass = uniform_location(pr, "u_pass");
    u->colors = uniform_location(pr, "t_colors");
    u->colors_shift = uniform_location(pr, "u_colors_shift");
    u->background = uniform_location(pr, "u_background");
    u->highlight = uniform_location(pr, "u_highlight");
    u->focus_ring = uniform_location(pr, "u_focus_ring");
    u->shell_edge = uniform_location(pr, "u_shell_edge");
    u->light = uniform_location(pr, "u_light");
    u->outline_px = uniform_location(pr, "u_outline_px");
    u->range_lo = uniform_location(pr, "u_range_lo");
    u->range_counts = uniform_location(pr, "u_range_counts");
    u->face = uniform_location(pr, "u_face");
    r->uniforms_ = std::move(u);
    return r;
}

void CubeRenderer::ensure_values(const core::Tensor& tensor, uint64_t version, const CubeGeometry& geometry) {
    if (version == values_version_ && geometry.bin == values_bins_) return;
    values_ = voxel_values(tensor, geometry);
    values_version_ = version;
    values_bins_ = geometry.bin;
    for (auto& c : canvases_) {
        if (!c) continue;  // released: made anew when next drawn
        c->last_key.clear();
        c->colors_key.clear();
    }
}

CubeRenderer::Canvas& CubeRenderer::canvas(int slot) {
    NORMVIZ_ASSERT(slot >= 0 && slot < 64, "cube slot out of range");
    if (static_cast<int>(canvases_.size()) <= slot) canvases_.resize(static_cast<size_t>(slot) + 1);
    if (!canvases_[slot]) {  // new, or released by release_undrawn
        auto c = std::make_unique<Canvas>();
        c->multisampled = Framebuffer(new_framebuffer());
        c->resolved = Framebuffer(new_framebuffer());
        c->color_ms = Renderbuffer(new_renderbuffer());
        c->depth_ms = Renderbuffer(new_renderbuffer());
        c->color = Texture(new_texture());
        c->voxel_colors = Texture(new_texture());
        canvases_[slot] = std::move(c);
    }
    canvases_[slot]->used = true;
    return *canvases_[slot];
}

int CubeRenderer::release_undrawn() {
    int kept = 0;
    for (std::unique_ptr<Canvas>& c : canvases_) {
        if (c && !c->used) c.reset();
        if (c) c->used = false, ++kept;
    }
    return kept;
}

void CubeRenderer::ensure_group_stats(int slot, const std::vector<core::GroupStats>& stats, bool centered, double eps,
                                      uint64_t version) {
    Canvas& c = canvas(slot);
    if (c.stats_version == version) return;
    c.stats_version = version;
    c.last_key.clear();
    c.colors_key.clear();
    // shown = (x * pre - shift) * scale per group (app/view/colormap.h).
    c.transforms.resize(stats.size());
    for (size_t g = 0; g < stats.size(); ++g)
        c.transforms[g] =
            group_transform(centered ? stats[g].mean : 0.0, centered ? stats[g].var : stats[g].mean_sq, eps);
}

void CubeRenderer::ensure_colors(Canvas& c, const CubeParams& p) {
    // New values or statistics clear colors_key (ensure_values, ensure_group_stats).
    const std::vector<float> key = {float(p.show_normalized), p.center, p.half_range, p.normalized_half_range,
                                    float(p.palette)};
    if (key == c.colors_key) return;
    VoxelColoring how;
    // Without a transform per group (no statistics given for this partition) raw colours show.
    how.normalized = p.show_normalized && c.transforms.size() == static_cast<size_t>(p.partition.group_count());
    how.center = p.center;
    how.half_range = std::max(p.half_range, 1e-30f);
    how.normalized_half_range = p.normalized_half_range;
    how.palette = p.palette;
    const std::vector<float> rgba = voxel_colors(values_, p.geometry, p.partition, c.transforms, how);
    const int64_t count = static_cast<int64_t>(values_.size());
    c.colors_width = texture_width_for(count);
    upload_float_rows(c.voxel_colors.get(), rgba.data(), count, 4, c.colors_width);
    c.colors_key = key;
}

GLuint CubeRenderer::draw(int slot, const CubeParams& p, int width, int height) {
    Canvas& c = canvas(slot);
    width = std::max(width, 1);
    height = std::max(height, 1);
    const CubeGeometry& g = p.geometry;
    NORMVIZ_ASSERT(static_cast<int64_t>(values_.size()) == g.voxel_count(), "ensure_values ran for this geometry");
    const glm::mat4 view_proj = p.view.projection * p.view.view;
    const float* m = glm::value_ptr(view_proj);
    std::vector<float> key = cube_key(p, width, height, m);
    if (key == c.last_key) return c.color.get();
    c.last_key = std::move(key);
    ensure_colors(c, p);

    if (c.width != width || c.height != height) {
        attach_multisampled_targets(c.multisampled.get(), c.color_ms.get(), c.depth_ms.get(), samples_, width, height);
        attach_color_texture(c.resolved.get(), c.color.get(), width, height, GL_LINEAR);
        c.width = width;
        c.height = height;
    }
    glBindFramebuffer(GL_FRAMEBUFFER, c.multisampled.get());
    begin_cube_frame(width, height);
    glUseProgram(program_.get());
    glBindVertexArray(empty_vao_.get());

    const Uniforms& u = *uniforms_;
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, c.voxel_colors.get());
    glUniform1i(u.colors, 0);
    glUniform1i(u.colors_shift, texture_width_shift(c.colors_width));

    const core::Shape& s = g.shape;
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
    glUniform4i(u.focus, int(p.focus.n), int(p.focus.c), int(p.focus.h), int(p.focus.w));
    const core::Index group_lo = p.partition.key_of(p.focus);  // scaled to elements below
    glUniform4i(u.group_lo, int(group_lo.n * p.partition.block[0]), int(group_lo.c * p.partition.block[1]),
                int(group_lo.h * p.partition.block[2]), int(group_lo.w * p.partition.block[3]));
    glUniform1i(u.has_focus, p.has_focus ? 1 : 0);
    set_rgb_uniform(u.background, kCanvasBackground);
    set_rgb_uniform(u.highlight, kHighlight);
    set_rgb_uniform(u.focus_ring, kFocusRing);
    glUniform3f(u.shell_edge, 0.82f, 0.83f, 0.86f);
    const glm::vec3 light = glm::normalize(glm::vec3(0.25f, 0.85f, 0.5f));
    glUniform3fv(u.light, 1, glm::value_ptr(light));
    glUniform1f(u.outline_px, p.outline_px);

    // Pass 0: the group, opaque: one instance per voxel of the group's box. Passes 1 and 2: the
    // shell's back then front sides, one quad per block side, blended over the group without
    // writing depth (low alpha, so their order within a pass does not show).
    glUniform1i(u.pass, 0);
    const VoxelRange group = group_voxels(g, p.partition, p.focus);
    if (p.has_focus && group.size() > 0) {
        glUniform4i(u.range_lo, int(group.lo[0]), int(group.lo[1]), int(group.lo[2]), int(group.lo[3]));
        glUniform4i(u.range_counts, int(group.counts[0]), int(group.counts[1]), int(group.counts[2]),
                    int(group.counts[3]));
        glDrawArraysInstanced(GL_TRIANGLES, 0, 36, static_cast<GLsizei>(group.size()));
    }
    // The shell sits behind the group by a few depth units: where a shell side lies in the
    // plane of a group face (the group's footprint on the surface), a pixel the shell does not
    // discard (its centre is off the group) keeps the group's samples, as when the shell had
    // no face there, instead of covering some of them by rounding. Units only: a slope term
    // would also push steep shell sides behind the group's edges that only meet them.
    draw_shell_passes(u.pass, u.face, static_cast<GLsizei>(g.blocks()));

    end_cube_frame(c.multisampled.get(), c.resolved.get(), width, height);
    return c.color.get();
}

// TensorRenderer::cube() and release_undrawn_cube() live here so tensor_renderer.cpp needs no cube code.
CubeRenderer* TensorRenderer::cube() {
    if (!cube_ && cube_error_.empty()) {
        auto created = CubeRenderer::create();
        if (created) cube_ = std::move(created.value());
        else cube_error_ = created.error().message;
    }
    return cube_.get();
}

int TensorRenderer::release_undrawn_cube() { return cube_ ? cube_->release_undrawn() : 0; }

}  // namespace normviz::app
