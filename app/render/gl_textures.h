// Texture helpers shared by the grid and cube renderers: float data in 2-D rows, palettes.
#pragma once

#include <cstdint>

#include "app/platform/gl.h"
#include "core/result.h"
#include "app/view/colormap.h"

namespace normviz::app {

GLuint new_texture();
// Width of the 2-D texture that holds `count` texels in rows (within GL_MAX_TEXTURE_SIZE): a
// power of two, so that shaders split an index with a shift and a mask, not an integer
// division (emulated lane by lane on software renderers, and slow on GPUs too).
int texture_width_for(int64_t count);
// log2 of such a width.
int texture_width_shift(int width);
// Uploads `count` texels of `components` (1 to 4) floats into a 2-D float texture `width`
// wide, nearest filtering; texel i sits at (i % width, i / width). Error, with nothing
// uploaded, when the rows exceed GL_MAX_TEXTURE_SIZE or the GPU is out of memory for them
// (GL_OUT_OF_MEMORY): a sentence for the canvas and for `render`.
core::Status upload_float_rows(GLuint texture, const float* data, int64_t count, int components, int width);
// Fills `texture` with the 256 x 1 RGB lookup table of `palette`, linear filtering.
void upload_palette(GLuint texture, Palette palette);
void set_rgb_uniform(GLint location, Rgb c);
// (Re)allocates `texture` as a width x height image (RGBA8, or `format`) with `filter` and
// attaches it as the colour of `framebuffer` (left bound): the per-canvas targets both
// renderers draw into.
void attach_color_texture(GLuint framebuffer, GLuint texture, int width, int height, GLint filter,
                          GLint format = GL_RGBA8);

}  // namespace normviz::app
