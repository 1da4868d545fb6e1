#version 330 core
// The cube view's faces (cube_common.glsl is inserted after this line): the group's voxels
// opaque in their value's colour with thin grid lines, the group's outer edges in the
// highlight colour and a ring on the focus voxel (as in the grid view); the shell of the other
// voxels translucent with light grid lines, its voxel and colour found here per pixel.

uniform int u_pass;              // 0: group (opaque), 1: shell back faces, 2: shell front faces
uniform int u_face;              // shell: the block side drawn
uniform vec3 u_background;
uniform vec3 u_highlight;
uniform vec3 u_focus_ring;
uniform vec3 u_shell_edge;
uniform vec3 u_light;            // direction towards the light, unit length
uniform float u_outline_px;

in vec2 v_uv;
in vec3 v_cell;
flat in int v_block;
flat in vec3 v_color;
flat in vec3 v_normal;
flat in int v_edges;
flat in int v_focus;
flat in int v_finite;

out vec4 o_color;

// The shell voxel under this pixel (v_cell is (x, row, c) in voxels within block v_block).
ivec4 shell_voxel() {
    bool split = u_split != 0;
    vec3 dims = vec3(split ? u_counts.w : u_counts.x, split ? u_counts.z : u_counts.z * u_counts.w, u_counts.y);
    ivec3 cell = ivec3(clamp(floor(v_cell), vec3(0.0), dims - 1.0));
    if (split) return ivec4(v_block, cell.z, cell.y, cell.x);
    int h = int(floor((float(cell.y) + 0.5) / float(u_counts.w)));  // exact for these sizes
    return ivec4(cell.x, cell.z, h, cell.y - h * u_counts.w);
}

void main() {
    // The position on the voxel's face along the world axes the group's faces use (t1, t2 of
    // cube_view.vert; rows and c run against y and z), so grid lines and hatching match;
    // derivatives are taken before any discard.
    int axis = u_face / 2;
    vec2 uv = u_pass == 0 ? v_uv
                          : (axis == 0 ? -v_cell.yz : (axis == 1 ? vec2(-v_cell.z, v_cell.x) : vec2(v_cell.x, -v_cell.y)));
    vec2 fw = max(fwidth(uv), vec2(1e-6));
    vec2 f = u_pass == 0 ? uv : fract(uv);
    vec3 base = v_color;
    bool finite = v_finite != 0;
    if (u_pass != 0) {
        ivec4 v = shell_voxel();
        if (in_group(v)) discard;  // the group's own faces show there
        base = voxel_color(v, finite);
    }
    vec2 d0 = f / fw, d1 = (1.0 - f) / fw;  // pixels to the voxel face's edges
    float edge_px = min(min(d0.x, d1.x), min(d0.y, d1.y));
    float cell_px = 1.0 / max(fw.x, fw.y);        // the voxel face's size on screen
    // Grid lines fade out when voxels get too small to draw them apart.
    float grid = (1.0 - smoothstep(0.5, 1.5, edge_px)) * smoothstep(4.0, 9.0, cell_px);

    if (!finite) {  // NaN and Inf: hatching, so they never pass for a value
        base = fract((f.x + f.y) * 3.0) < 0.5 ? vec3(0.85, 0.0, 0.85) : vec3(0.15);
    }
    float shade = 0.62 + 0.38 * max(dot(v_normal, u_light), 0.0);

    if (u_pass == 0) {
        vec3 color = base * shade;
        color = mix(color, color * 0.45, grid);
        bool boundary = ((v_edges & 1) != 0 && d0.x < u_outline_px) || ((v_edges & 2) != 0 && d1.x < u_outline_px) ||
                        ((v_edges & 4) != 0 && d0.y < u_outline_px) || ((v_edges & 8) != 0 && d1.y < u_outline_px);
        if (boundary) color = u_highlight;
        if (v_focus != 0 && cell_px >= 4.0) {
            if (edge_px >= u_outline_px && edge_px < 2.0 * u_outline_px) color = u_focus_ring;
            else if (edge_px >= 2.0 * u_outline_px && edge_px < 2.5 * u_outline_px) color = vec3(0.0);
        }
        o_color = vec4(color, 1.0);
        return;
    }
    // Shell: a faint tint of the value's colour, light grid lines; back faces fainter.
    bool front = u_pass == 2;
    vec3 fill = mix(base * shade, u_background, 0.35);
    float fill_alpha = front ? 0.16 : 0.07;
    float line_alpha = (front ? 0.55 : 0.22) * grid;
    vec3 color = mix(fill, u_shell_edge, line_alpha / max(line_alpha + fill_alpha * (1.0 - line_alpha), 1e-4));
    o_color = vec4(color, line_alpha + fill_alpha * (1.0 - line_alpha));
}
