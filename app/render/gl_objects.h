// RAII owners for GL objects: each owns one GL name, moves but does not copy, and must be
// destroyed while its context is current.
#pragma once

#include <string>
#include <utility>

#include "app/platform/gl.h"
#include "core/result.h"

namespace normviz::app {

template <void (*Delete)(GLuint)>
class GlName {
public:
    GlName() = default;
    explicit GlName(GLuint name) : name_(name) {}
    ~GlName() { reset(); }
    GlName(const GlName&) = delete;
    GlName& operator=(const GlName&) = delete;
    GlName(GlName&& other) noexcept : name_(std::exchange(other.name_, 0)) {}
    GlName& operator=(GlName&& other) noexcept {
        if (this != &other) {
            reset();
            name_ = std::exchange(other.name_, 0);
        }
        return *this;
    }
    GLuint get() const { return name_; }
    explicit operator bool() const { return name_ != 0; }
    void reset() {
        if (name_) Delete(name_);
        name_ = 0;
    }

private:
    GLuint name_ = 0;
};

void delete_program(GLuint name);
void delete_shader(GLuint name);
void delete_texture(GLuint name);
void delete_framebuffer(GLuint name);
void delete_vertex_array(GLuint name);

using Program = GlName<delete_program>;
using Shader = GlName<delete_shader>;
using Texture = GlName<delete_texture>;
using Framebuffer = GlName<delete_framebuffer>;
using VertexArray = GlName<delete_vertex_array>;

// Compiles and links a vertex + fragment program. The error carries the shader's name and
// the driver's info log.
core::Result<Program> link_program(const char* vertex_name, const char* vertex_source, const char* fragment_name,
                                   const char* fragment_source);

// Uniform location; prints a warning once if the program has no such active uniform.
GLint uniform_location(const Program& program, const char* name);

// Drains glGetError; returns the first error's text (empty if none).
std::string drain_gl_errors();

}  // namespace normviz::app
