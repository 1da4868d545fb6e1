#version 330 core
// The cube view: one instance per voxel (n, c, h, w in bins, from gl_InstanceID), 36
// vertices per instance (6 faces x 2 triangles, from gl_VertexID), no vertex buffers. Each
// pass keeps only some faces and moves the rest outside the clip volume:
//   pass 0: faces of voxels in the focus's group where the neighbour is not (the group's
//           surface, opaque);
//   pass 1 / 2: back / front faces on the outside of the cube of voxels not in the group
//           (a translucent shell, so the group inside stays visible).
// Group membership compares keys as the grid shader does (key = coordinate / block), on the
// range of elements a voxel stands for (one element unless the cube is binned).

uniform ivec4 u_shape;          // N, C, H, W
uniform ivec4 u_bin;            // elements per voxel along N, C, H, W
uniform ivec4 u_counts;         // voxels along N, C, H, W
uniform int u_split;            // 1: a block of W x H x C voxels per sample
uniform float u_gap;            // voxels between sample blocks (split)
uniform vec3 u_voxel;           // world size of a voxel
uniform vec3 u_lo;              // world box
uniform vec3 u_hi;
uniform mat4 u_view_proj;
uniform vec3 u_eye;
uniform ivec4 u_block;          // partition blocks: key = coord / block
uniform ivec4 u_key_extents;
uniform ivec4 u_focus;
uniform int u_has_focus;
uniform int u_pass;
uniform sampler2D t_values;      // R32F, voxel values in (n, c, h, w) bin order
uniform sampler2D t_group_stats; // RGB32F per group: (shift, scale, pre); y = (x * pre - shift) * scale
uniform sampler2D t_palette;     // 256 x 1 RGB, t = -1 .. 1
uniform int u_values_width;
uniform int u_stats_width;
uniform int u_show_normalized;
uniform float u_center;
uniform float u_half_range;
uniform float u_normalized_half_range;

out vec2 v_uv;                   // position on the face, 0 .. 1 each way
flat out vec3 v_color;
flat out vec3 v_normal;
flat out int v_edges;            // bits: the group's boundary at u = 0, u = 1, v = 0, v = 1
flat out int v_focus;
flat out int v_finite;

const vec2 kCorners[6] = vec2[6](vec2(0, 0), vec2(1, 0), vec2(1, 1), vec2(0, 0), vec2(1, 1), vec2(0, 1));

bool in_group(ivec4 v) {
    if (u_has_focus == 0) return false;
    ivec4 lo = v * u_bin;
    ivec4 hi = min(lo + u_bin, u_shape);
    ivec4 key_lo = (u_focus / u_block) * u_block;
    return all(lessThan(lo, key_lo + u_block)) && all(greaterThan(hi, key_lo));
}

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

vec3 palette(float t) {
    float u = clamp(t, -1.0, 1.0) * 0.5 + 0.5;
    return textureLod(t_palette, vec2(u * (255.0 / 256.0) + 0.5 / 256.0, 0.5), 0.0).rgb;
}

void main() {
    int id = gl_InstanceID;
    ivec4 v;
    v.w = id % u_counts.w;
    id /= u_counts.w;
    v.z = id % u_counts.z;
    id /= u_counts.z;
    v.y = id % u_counts.y;
    v.x = id / u_counts.y;

    int face = gl_VertexID / 6;
    int axis = face / 2;
    ivec3 normal = ivec3(0);
    normal[axis] = (face % 2 == 0) ? 1 : -1;
    ivec3 t1 = ivec3(0), t2 = ivec3(0);
    t1[(axis + 1) % 3] = 1;
    t2[(axis + 2) % 3] = 1;

    bool group = in_group(v);
    bool outside = true;  // the neighbour across this face is outside the block
    bool neighbour_group = false;
    {
        ivec4 nv = v;
        outside = !step_voxel(nv, normal);
        neighbour_group = !outside && in_group(nv);
    }

    float x_cells = u_split != 0 ? float(v.x) * (float(u_counts.w) + u_gap) + float(v.w) : float(v.x);
    int row = u_split != 0 ? v.z : v.z * u_counts.w + v.w;
    vec3 lo = vec3(u_lo.x + x_cells * u_voxel.x, u_hi.y - float(row + 1) * u_voxel.y,
                   u_hi.z - float(v.y + 1) * u_voxel.z);
    vec3 center = lo + 0.5 * u_voxel;
    vec3 n = vec3(normal);
    bool front = dot(n, u_eye - (center + 0.5 * u_voxel * n)) > 0.0;

    bool emit;
    if (u_pass == 0) emit = group && !neighbour_group && front;
    else emit = !group && outside && (u_pass == 2) == front;

    vec2 corner = kCorners[gl_VertexID % 6];
    v_uv = corner;
    if (!emit) {
        gl_Position = vec4(2.0, 2.0, 2.0, 1.0);  // outside the clip volume: dropped
        v_color = vec3(0.0);
        v_normal = n;
        v_edges = 0;
        v_focus = 0;
        v_finite = 1;
        return;
    }
    vec3 position = center + 0.5 * u_voxel * (n + (2.0 * corner.x - 1.0) * vec3(t1) + (2.0 * corner.y - 1.0) * vec3(t2));
    gl_Position = u_view_proj * vec4(position, 1.0);

    int flat_index = ((v.x * u_counts.y + v.y) * u_counts.z + v.z) * u_counts.w + v.w;
    float x = texelFetch(t_values, ivec2(flat_index % u_values_width, flat_index / u_values_width), 0).r;
    float shown = x;
    float t;
    if (u_show_normalized != 0) {
        ivec4 key = (v * u_bin) / u_block;
        int g = ((key.x * u_key_extents.y + key.y) * u_key_extents.z + key.z) * u_key_extents.w + key.w;
        vec3 stats = texelFetch(t_group_stats, ivec2(g % u_stats_width, g / u_stats_width), 0).rgb;
        shown = (x * stats.z - stats.x) * stats.y;
        t = shown / u_normalized_half_range;
    } else {
        t = (x - u_center) / u_half_range;
    }
    v_finite = (isnan(shown) || isinf(shown)) ? 0 : 1;
    v_color = palette(t);
    v_normal = n;

    int edges = 0;
    if (group) {
        if (!neighbour_in_group(v, -t1)) edges |= 1;
        if (!neighbour_in_group(v, t1)) edges |= 2;
        if (!neighbour_in_group(v, -t2)) edges |= 4;
        if (!neighbour_in_group(v, t2)) edges |= 8;
    }
    v_edges = edges;
    ivec4 elo = v * u_bin;
    ivec4 ehi = min(elo + u_bin, u_shape);
    v_focus = (u_has_focus != 0 && all(lessThanEqual(elo, u_focus)) && all(lessThan(u_focus, ehi))) ? 1 : 0;
}
