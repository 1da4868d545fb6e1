#version 330 core
// The cube view, no vertex buffers (cube_common.glsl is inserted after this line). Two kinds of
// draw:
//   pass 0, the group (opaque): one instance per voxel of the group's box of voxels
//     (u_range_lo, u_range_counts; n, c, h, w in bins, from gl_InstanceID), 36 vertices each
//     (6 faces x 2 triangles, from gl_VertexID); kept are the faces the eye sees whose
//     neighbour is not in the group.
//   passes 1 / 2, the shell (translucent, back / front faces): one instance per block, 6
//     vertices: the block's side u_face as one quad, kept when it faces away from / towards the
//     eye; the fragment stage finds the voxel under each pixel, so a large cube costs a few
//     quads, not thousands of voxel faces.
// Faces dropped are moved outside the clip volume.

uniform int u_pass;
uniform ivec4 u_range_lo;       // pass 0: the voxels drawn
uniform ivec4 u_range_counts;
uniform int u_face;             // passes 1 / 2: the block side drawn (0..5: +x, -x, +y, -y, +z, -z)
uniform float u_gap;            // voxels between sample blocks (split)
uniform vec3 u_voxel;           // world size of a voxel
uniform vec3 u_lo;              // world box
uniform vec3 u_hi;
uniform mat4 u_view_proj;
uniform vec3 u_eye;
uniform ivec4 u_focus;

out vec2 v_uv;                   // pass 0: position on the voxel's face, 0 .. 1 each way
out vec3 v_cell;                 // shell: (x, row, c) in voxels from the block's top front left
flat out int v_block;            // shell: the sample block (split), else 0
flat out vec3 v_color;
flat out vec3 v_normal;
flat out int v_edges;            // bits: the group's boundary at u = 0, u = 1, v = 0, v = 1
flat out int v_focus;
flat out int v_finite;

const vec2 kCorners[6] = vec2[6](vec2(0, 0), vec2(1, 0), vec2(1, 1), vec2(0, 0), vec2(1, 1), vec2(0, 1));

// Steps voxel v one voxel along world direction d; false when that leaves its block.
bool step_voxel(inout ivec4 v, ivec3 d) {
    if (d.x != 0) {
        if (u_split != 0) {
            v.w += d.x;
            if (v.w < 0 || v.w >= u_counts.w) return false;
        } else {
            v.x += d.x;
            if (v.x < 0 || v.x >= u_counts.x) return false;
        }
    }
    if (d.y != 0) {  // rows run downwards
        if (u_split != 0) {
            v.z -= d.y;
            if (v.z < 0 || v.z >= u_counts.z) return false;
        } else {
            int row = v.z * u_counts.w + v.w - d.y;
            if (row < 0 || row >= u_counts.z * u_counts.w) return false;
            v.z = row / u_counts.w;
            v.w = row - v.z * u_counts.w;
        }
    }
    if (d.z != 0) {  // c runs into the screen, towards -z
        v.y -= d.z;
        if (v.y < 0 || v.y >= u_counts.y) return false;
    }
    return true;
}

bool neighbour_in_group(ivec4 v, ivec3 d) {
    return step_voxel(v, d) && in_group(v);
}

void drop() {
    gl_Position = vec4(2.0, 2.0, 2.0, 1.0);  // outside the clip volume
    v_uv = vec2(0.0);
    v_cell = vec3(0.0);
    v_block = 0;
    v_color = vec3(0.0);
    v_normal = vec3(0.0);
    v_edges = 0;
    v_focus = 0;
    v_finite = 1;
}

// The block side u_face of block gl_InstanceID as one quad.
void shell_side() {
    int axis = u_face / 2;
    vec3 n = vec3(0.0);
    n[axis] = (u_face % 2 == 0) ? 1.0 : -1.0;
    vec3 lo = u_lo, hi = u_hi;
    int block = gl_InstanceID;
    if (u_split != 0) {
        lo.x = u_lo.x + float(block) * (float(u_counts.w) + u_gap) * u_voxel.x;
        hi.x = lo.x + float(u_counts.w) * u_voxel.x;
    }
    vec3 center = 0.5 * (lo + hi), half_size = 0.5 * (hi - lo);
    bool front = dot(n, u_eye - (center + half_size * n)) > 0.0;
    if (front != (u_pass == 2)) {
        drop();
        return;
    }
    vec2 corner = kCorners[gl_VertexID];
    vec3 t1 = vec3(0.0), t2 = vec3(0.0);
    t1[(axis + 1) % 3] = 1.0;
    t2[(axis + 2) % 3] = 1.0;
    vec3 position = center + half_size * (n + (2.0 * corner.x - 1.0) * t1 + (2.0 * corner.y - 1.0) * t2);
    gl_Position = u_view_proj * vec4(position, 1.0);
    v_cell = vec3(position.x - lo.x, hi.y - position.y, hi.z - position.z) / u_voxel;
    v_block = block;
    v_uv = vec2(0.0);
    v_color = vec3(0.0);
    v_normal = n;
    v_edges = 0;
    v_focus = 0;
    v_finite = 1;
}

void main() {
    if (u_pass != 0) {
        shell_side();
        return;
    }
    int id = gl_InstanceID;
    ivec4 v;
    v.w = id % u_range_counts.w;
    id /= u_range_counts.w;
    v.z = id % u_range_counts.z;
    id /= u_range_counts.z;
    v.y = id % u_range_counts.y;
    v.x = id / u_range_counts.y;
    v += u_range_lo;

    int face = gl_VertexID / 6;
    int axis = face / 2;
    ivec3 normal = ivec3(0);
    normal[axis] = (face % 2 == 0) ? 1 : -1;
    ivec3 t1 = ivec3(0), t2 = ivec3(0);
    t1[(axis + 1) % 3] = 1;
    t2[(axis + 2) % 3] = 1;

    float x_cells = u_split != 0 ? float(v.x) * (float(u_counts.w) + u_gap) + float(v.w) : float(v.x);
    int row = u_split != 0 ? v.z : v.z * u_counts.w + v.w;
    vec3 lo = vec3(u_lo.x + x_cells * u_voxel.x, u_hi.y - float(row + 1) * u_voxel.y,
                   u_hi.z - float(v.y + 1) * u_voxel.z);
    vec3 center = lo + 0.5 * u_voxel;
    vec3 n = vec3(normal);
    bool front = dot(n, u_eye - (center + 0.5 * u_voxel * n)) > 0.0;
    if (!front || !in_group(v) || neighbour_in_group(v, normal)) {
        drop();
        return;
    }
    vec2 corner = kCorners[gl_VertexID % 6];
    v_uv = corner;
    v_cell = vec3(0.0);
    v_block = 0;
    vec3 position = center + 0.5 * u_voxel * (n + (2.0 * corner.x - 1.0) * vec3(t1) + (2.0 * corner.y - 1.0) * vec3(t2));
    gl_Position = u_view_proj * vec4(position, 1.0);

    bool finite;
    v_color = voxel_color(v, finite);
    v_finite = finite ? 1 : 0;
    v_normal = n;
    int edges = 0;
    if (!neighbour_in_group(v, -t1)) edges |= 1;
    if (!neighbour_in_group(v, t1)) edges |= 2;
    if (!neighbour_in_group(v, -t2)) edges |= 4;
    if (!neighbour_in_group(v, t2)) edges |= 8;
    v_edges = edges;
    ivec4 elo = v * u_bin;
    ivec4 ehi = min(elo + u_bin, u_shape);
    v_focus = (u_has_focus != 0 && all(lessThanEqual(elo, u_focus)) && all(lessThan(u_focus, ehi))) ? 1 : 0;
}
