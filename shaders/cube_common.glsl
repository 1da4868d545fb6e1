// Shared by both stages of the cube view (the renderer inserts it after each stage's #version
// line): the tensor's voxels, the focus group, and a voxel's colour. The group's faces take
// their colour per vertex, the shell's per fragment (its faces are whole block sides).

uniform ivec4 u_shape;          // N, C, H, W
uniform ivec4 u_bin;            // elements per voxel along N, C, H, W
uniform ivec4 u_counts;         // voxels along N, C, H, W
uniform int u_split;            // 1: a block of W x H x C voxels per sample
uniform ivec4 u_block;          // partition blocks: key = coord / block
uniform ivec4 u_group_lo;       // first element of the focus group along each axis
uniform int u_has_focus;
uniform sampler2D t_colors;     // RGBA32F per voxel in (n, c, h, w) bin order (app/view/cube_colors.h)
uniform int u_colors_shift;     // texture width 2^shift: shift and mask, no integer division

// Whether voxel v holds an element of the focus group.
bool in_group(ivec4 v) {
    if (u_has_focus == 0) return false;
    ivec4 lo = v * u_bin;
    ivec4 hi = min(lo + u_bin, u_shape);
    return all(lessThan(lo, u_group_lo + u_block)) && all(greaterThan(hi, u_group_lo));
}

// Voxel v's colour; finite is false where its value is NaN or Inf (the fragment stage hatches).
vec3 voxel_color(ivec4 v, out bool finite) {
    int index = ((v.x * u_counts.y + v.y) * u_counts.z + v.z) * u_counts.w + v.w;
    vec4 rgba = texelFetch(t_colors, ivec2(index & ((1 << u_colors_shift) - 1), index >> u_colors_shift), 0);
    finite = rgba.a > 0.5;
    return rgba.rgb;
}
