#version 330 core
// The tensor grid picture. Each pixel finds its cell (n, c, h, w) with the same math as
// app/view/grid_layout.cpp (cell_at), fetches the value, colours it, and decides highlight
// by comparing the cell's key (coordinates / blocks) with the focus's key. A click changes
// uniforms only; the values were uploaded once.

uniform sampler2D t_values;       // R32F, the tensor in NCHW order, 2^u_values_shift per row
uniform sampler2D t_group_stats;  // RGB32F per group: (shift, scale, pre); y = (x * pre - shift) * scale
uniform sampler2D t_palette;      // 256 x 1 RGB, t = -1 .. 1

uniform int u_values_shift;       // texture widths are powers of two: no integer division
uniform int u_stats_shift;
uniform ivec4 u_shape;            // N, C, H, W
uniform int u_tiles_per_row;
uniform int u_tile_rows;          // ceil(C / tiles_per_row)
uniform int u_blocks_per_row;
uniform float u_tile_gap;
uniform float u_sample_gap;
uniform vec2 u_pan;               // world point at the canvas's top-left pixel
uniform float u_zoom;             // pixels per cell
uniform float u_canvas_height;    // pixels (gl_FragCoord is bottom-up)
uniform ivec4 u_block;            // partition blocks: key = coord / block
uniform vec4 u_inv_block;         // 1 / block
uniform ivec4 u_key_extents;
uniform ivec4 u_focus;            // focus cell
uniform ivec4 u_focus_key;        // u_focus / u_block
uniform int u_has_focus;
uniform int u_show_group;         // 0: no group outlined or dimmed (eval-mode BatchNorm), focus ring kept
uniform int u_show_normalized;
uniform float u_center;           // raw values: colour t = (x - center) / half_range
uniform float u_half_range;
uniform float u_normalized_half_range;
uniform float u_outline_px;
uniform vec3 u_background;
uniform vec3 u_highlight;
uniform vec3 u_focus_ring;

out vec4 o_color;

float fetch_value(int index) {
    return texelFetch(t_values, ivec2(index & ((1 << u_values_shift) - 1), index >> u_values_shift), 0).r;
}

vec3 fetch_stats(int group) {
    return texelFetch(t_group_stats, ivec2(group & ((1 << u_stats_shift) - 1), group >> u_stats_shift), 0).rgb;
}

// cell / u_block without integer division (emulated lane by lane on software renderers): a
// float estimate, off by at most one for coordinates below 2^24 (and any block of 1 below
// 2^25), then corrected with integer arithmetic.
ivec4 key_of(ivec4 cell) {
    ivec4 q = ivec4(vec4(cell) * u_inv_block);
    ivec4 r = cell - q * u_block;
    q += ivec4(greaterThanEqual(r, u_block)) - ivec4(lessThan(r, ivec4(0)));
    return q;
}

vec3 palette(float t) {
    float u = clamp(t, -1.0, 1.0) * 0.5 + 0.5;
    return texture(t_palette, vec2(u * (255.0 / 256.0) + 0.5 / 256.0, 0.5)).rgb;
}

bool is_finite(float x) { return !isnan(x) && !isinf(x); }

void main() {
    vec2 pixel = vec2(gl_FragCoord.x, u_canvas_height - gl_FragCoord.y);
    vec2 world = pixel / u_zoom + u_pan;
    o_color = vec4(u_background, 1.0);
    if (world.x < 0.0 || world.y < 0.0) return;

    // cell_at(): sample block, channel tile, cell.
    float tile_pitch_x = float(u_shape.w) + u_tile_gap;
    float tile_pitch_y = float(u_shape.z) + u_tile_gap;
    float block_pitch_x = float(u_tiles_per_row) * tile_pitch_x - u_tile_gap + u_sample_gap;
    float block_pitch_y = float(u_tile_rows) * tile_pitch_y - u_tile_gap + u_sample_gap;
    int block_col = int(floor(world.x / block_pitch_x));
    int block_row = int(floor(world.y / block_pitch_y));
    if (block_col >= u_blocks_per_row) return;
    int n = block_row * u_blocks_per_row + block_col;
    if (n >= u_shape.x) return;
    float xb = world.x - float(block_col) * block_pitch_x;
    float yb = world.y - float(block_row) * block_pitch_y;
    int col = int(floor(xb / tile_pitch_x));
    int row = int(floor(yb / tile_pitch_y));
    if (col >= u_tiles_per_row || row >= u_tile_rows) return;
    float xt = xb - float(col) * tile_pitch_x;
    float yt = yb - float(row) * tile_pitch_y;
    if (xt >= float(u_shape.w) || yt >= float(u_shape.z)) return;
    int c = row * u_tiles_per_row + col;
    if (c >= u_shape.y) return;
    ivec4 cell = ivec4(n, c, int(yt), int(xt));

    int element = ((cell.x * u_shape.y + cell.y) * u_shape.z + cell.z) * u_shape.w + cell.w;
    float x = fetch_value(element);
    ivec4 key = key_of(cell);
    int group = ((key.x * u_key_extents.y + key.y) * u_key_extents.z + key.z) * u_key_extents.w + key.w;
    float t;
    float shown = x;
    if (u_show_normalized != 0) {
        vec3 stats = fetch_stats(group);
        shown = (x * stats.z - stats.x) * stats.y;  // pre-scaled: no overflow near the float limits
        t = shown / u_normalized_half_range;
    } else {
        t = (x - u_center) / u_half_range;
    }

    vec3 color;
    if (is_finite(shown)) {
        color = palette(t);
    } else {
        // NaN and Inf: diagonal hatching, so they never pass for a value.
        bool stripe = mod(pixel.x + pixel.y, 8.0) < 4.0;
        color = stripe ? vec3(0.85, 0.0, 0.85) : vec3(0.15);
    }

    bool show_group = u_has_focus != 0 && u_show_group != 0;
    bool in_group = show_group && all(equal(key, u_focus_key));
    bool is_focus = u_has_focus != 0 && all(equal(cell, u_focus));
    vec2 in_cell = vec2(xt, yt) - floor(vec2(xt, yt));
    float edge_px = min(min(in_cell.x, 1.0 - in_cell.x), min(in_cell.y, 1.0 - in_cell.y)) * u_zoom;

    if (show_group && !in_group) color = mix(color, u_background, 0.72);
    if (u_zoom >= 6.0 && edge_px < 1.0) color *= 0.8;  // grid lines between cells
    if (in_group && u_zoom >= 4.0 && edge_px < u_outline_px) color = u_highlight;
    // The focus: a white ring inside the outline, then a thin dark ring, readable on any colour.
    if (is_focus && edge_px >= u_outline_px && edge_px < 2.0 * u_outline_px) color = u_focus_ring;
    if (is_focus && edge_px >= 2.0 * u_outline_px && edge_px < 2.5 * u_outline_px) color = vec3(0.0);
    o_color = vec4(color, 1.0);
}
