// Texture helpers shared by the grid and cube renderers.
#include "app/render/gl_textures.h"

#include <algorithm>
#include <string>

#include "app/render/gl_objects.h"

namespace normviz::app {

GLuint new_texture() {
    GLuint name = 0;
    glGenTextures(1, &name);
    return name;
}

int texture_width_for(int64_t count) {
    GLint max_size = 4096;
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &max_size);
    int64_t width = 1;
    while (width < std::min<int64_t>(count, 4096)) width *= 2;
    while (width < max_size && (count + width - 1) / width > max_size) width *= 2;
    return static_cast<int>(width);
}

int texture_width_shift(int width) {
    int shift = 0;
    while ((1 << shift) < width) ++shift;
    return shift;
}

core::Status upload_float_rows(GLuint texture, const float* data, int64_t count, int components, int width) {
    const int64_t rows = std::max<int64_t>((count + width - 1) / width, 1);
    GLint max_size = 0;
    glGetIntegerv(GL_MAX_TEXTURE_SIZE, &max_size);
    const std::string values = std::to_string(count) + " values";
    if (rows > max_size) {
        return core::make_error("this GPU cannot hold the " + values + " as one texture (at most " +
                                std::to_string(int64_t{max_size} * max_size) + ", " + std::to_string(max_size) + " x " +
                                std::to_string(max_size) + " texels); the statistics are right, but the cells cannot " +
                                "be drawn: load a slice of the array");
    }
    drain_gl_errors();  // what came before is not this upload's
    const GLenum internal = components == 1   ? GL_R32F
                            : components == 2 ? GL_RG32F
                            : components == 3 ? GL_RGB32F
                                              : GL_RGBA32F;
    const GLenum format = components == 1 ? GL_RED : components == 2 ? GL_RG : components == 3 ? GL_RGB : GL_RGBA;
    glBindTexture(GL_TEXTURE_2D, texture);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glTexImage2D(GL_TEXTURE_2D, 0, internal, width, static_cast<GLsizei>(rows), 0, format, GL_FLOAT, nullptr);
    if (glGetError() == GL_OUT_OF_MEMORY) {
        const int64_t mib = width * rows * components * int64_t{4} >> 20;
        return core::make_error("the GPU is out of memory for the " + values + " (a texture of " + std::to_string(mib) +
                                " MiB); the statistics are right, but the cells cannot be " +
                                "drawn: close other GPU programs or load a slice of the array");
    }
    const int64_t full_rows = count / width;
    if (full_rows > 0)
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, static_cast<GLsizei>(full_rows), format, GL_FLOAT, data);
    const int64_t rest = count - full_rows * width;
    if (rest > 0)
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, static_cast<GLint>(full_rows), static_cast<GLsizei>(rest), 1, format,
                        GL_FLOAT, data + full_rows * width * components);
    return core::Ok{};
}

void upload_palette(GLuint texture, Palette palette) {
    const auto lut = palette_lut(palette, 256);
    glBindTexture(GL_TEXTURE_2D, texture);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGB8, 256, 1, 0, GL_RGB, GL_UNSIGNED_BYTE, lut.data());
}

void set_rgb_uniform(GLint location, Rgb c) { glUniform3f(location, c.r / 255.0f, c.g / 255.0f, c.b / 255.0f); }

void attach_color_texture(GLuint framebuffer, GLuint texture, int width, int height, GLint filter, GLint format) {
    glBindTexture(GL_TEXTURE_2D, texture);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, filter);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, filter);
    const bool floats = format == GL_RGBA32F;
    glTexImage2D(GL_TEXTURE_2D, 0, format, width, height, 0, GL_RGBA, floats ? GL_FLOAT : GL_UNSIGNED_BYTE, nullptr);
    glBindFramebuffer(GL_FRAMEBUFFER, framebuffer);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, texture, 0);
}

}  // namespace normviz::app
