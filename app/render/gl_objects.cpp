// GL object deletion, shader compilation with info logs, error draining.
#include "app/render/gl_objects.h"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace normviz::app {

void delete_program(GLuint name) { glDeleteProgram(name); }
void delete_shader(GLuint name) { glDeleteShader(name); }
void delete_texture(GLuint name) { glDeleteTextures(1, &name); }
void delete_framebuffer(GLuint name) { glDeleteFramebuffers(1, &name); }
void delete_vertex_array(GLuint name) { glDeleteVertexArrays(1, &name); }

namespace {

core::Result<Shader> compile(GLenum stage, const char* name, const char* source) {
    Shader shader(glCreateShader(stage));
    glShaderSource(shader.get(), 1, &source, nullptr);
    glCompileShader(shader.get());
    GLint ok = 0;
    glGetShaderiv(shader.get(), GL_COMPILE_STATUS, &ok);
    if (ok) return shader;
    GLint length = 0;
    glGetShaderiv(shader.get(), GL_INFO_LOG_LENGTH, &length);
    std::vector<char> log(static_cast<size_t>(std::max(length, 1)), '\0');
    glGetShaderInfoLog(shader.get(), length, nullptr, log.data());
    return core::make_error(std::string("shader ") + name + " failed to compile: " + log.data());
}

}  // namespace

core::Result<Program> link_program(const char* vertex_name, const char* vertex_source, const char* fragment_name,
                                   const char* fragment_source) {
    auto vs = compile(GL_VERTEX_SHADER, vertex_name, vertex_source);
    if (!vs) return vs.error();
    auto fs = compile(GL_FRAGMENT_SHADER, fragment_name, fragment_source);
    if (!fs) return fs.error();
    Program program(glCreateProgram());
    glAttachShader(program.get(), vs.value().get());
    glAttachShader(program.get(), fs.value().get());
    glLinkProgram(program.get());
    GLint ok = 0;
    glGetProgramiv(program.get(), GL_LINK_STATUS, &ok);
    if (ok) return program;
    GLint length = 0;
    glGetProgramiv(program.get(), GL_INFO_LOG_LENGTH, &length);
    std::vector<char> log(static_cast<size_t>(std::max(length, 1)), '\0');
    glGetProgramInfoLog(program.get(), length, nullptr, log.data());
    return core::make_error(std::string("program ") + vertex_name + " + " + fragment_name +
                            " failed to link: " + log.data());
}

GLint uniform_location(const Program& program, const char* name) {
    GLint location = glGetUniformLocation(program.get(), name);
    if (location < 0) std::fprintf(stderr, "normviz: warning: uniform %s is not active\n", name);
    return location;
}

std::string drain_gl_errors() {
    std::string first;
    for (GLenum e = glGetError(); e != GL_NO_ERROR; e = glGetError()) {
        if (!first.empty()) continue;
        char buf[32];
        std::snprintf(buf, sizeof buf, "GL error 0x%04x", e);
        first = buf;
    }
    return first;
}

}  // namespace normviz::app
