// The GLSL sources of shaders/, embedded at build time (see cmake/embed_shaders.cmake).
#pragma once

namespace normviz::app::shader_sources {

extern const char* const k_tensor_view_vert;
extern const char* const k_tensor_view_frag;
extern const char* const k_cube_view_vert;
extern const char* const k_cube_view_frag;
extern const char* const k_cube_common_glsl;  // inserted into both cube_view stages

}  // namespace normviz::app::shader_sources
