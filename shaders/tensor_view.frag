#version 330 core
// The tensor grid picture. Each pixel finds its cell (n, c, h, w) with the same math as
// app/view/grid_layout.cpp (cell_at), fetches the value, colours it, and decides highlight
// by comparing the cell's key (coordinates / blocks) with the focus's key. A click changes
// uniforms only; the values were uploaded once. Two kinds of pass: u_pass 0, when the view
// changes, draws the whole picture and also keeps each pixel's cell and its colour (the value
// through the palette) in t_cells and t_cell_index; u_pass 1, when only the focus changes,
// reads them back at the same pixel and adds the group and the focus, so a focus change
// fetches no tensor value (a large tensor's values miss every cache) and repeats none of the
// layout math.

uniform sampler2D t_values;       // R32F, the tensor in NCHW order, 2^u_values_shift per row
uniform sampler2D t_group_stats;  // RGB32F per group: (shift, scale, pre); y = (x * pre - shift) * scale
uniform sampler2D t_palette;      // 256 x 1 RGB, t = -1 .. 1
uniform sampler2D t_channel_range;  // RG32F per channel: (center, half_range) of a per-channel scale
uniform sampler2D t_cells;        // pass 1: pass 0's colour (RGB) and the pixel's distance to
                                  // its cell's edge in pixels (A), RGBA32F, canvas-sized
uniform isampler2D t_cell_index;  // pass 1: pass 0's (n, c, h, w) per pixel; n = -1 over a gap
uniform int u_pass;               // 0: everything, keeping the cells; 1: group and focus over kept cells

uniform int u_values_shift;       // texture widths are powers of two: no integer division
uniform int u_stats_shift;
uniform int u_channel_shift;
uniform int u_per_channel;        // 1: raw values colour with their channel's range, not u_center
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
uniform int u_show_group;         // 0: no group shown, focus ring kept; 1: pooled with the focus;
                                  // 2: normalized with the same frozen running statistics (eval
                                  // mode): a dashed cyan outline, the rest dimmed less
uniform int u_show_normalized;
uniform float u_center;           // raw values: colour t = (x - center) / half_range
uniform float u_half_range;
uniform float u_normalized_half_range;
uniform float u_outline_px;
// Cells smaller than a pixel (app/view/grid_layout.h, box_in_rect): a pixel within
// u_mark_px / 2 pixels of a cell of the focus's group, the box u_group_lo .. u_group_hi, is
// marked, so every group shows at least u_mark_px wide. Below 6 pixels per cell the focus
// (top-left u_focus_origin) gets a white mark around it. 0: nothing marked.
uniform float u_mark_px;
uniform ivec4 u_group_lo;
uniform ivec4 u_group_hi;
uniform vec2 u_focus_origin;
uniform vec3 u_background;
uniform vec3 u_highlight;
uniform vec3 u_focus_ring;

layout(location = 0) out vec4 o_color;
layout(location = 1) out vec4 o_cell_color;  // pass 0: t_cells
layout(location = 2) out ivec4 o_cell;       // pass 0: t_cell_index

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

vec2 fetch_channel_range(int c) {
    return texelFetch(t_channel_range, ivec2(c & ((1 << u_channel_shift) - 1), c >> u_channel_shift), 0).rg;
}

// grid_layout.cpp, tiles_reached: the tiles k of a block along one axis whose cells lo .. hi - 1
// reach into [p0, p1): (first, last).
ivec2 tiles_reached(float p0, float p1, float pitch, int lo, int hi, int count) {
    float first = clamp(floor((p0 - float(hi)) / pitch) + 1.0, 0.0, float(count));
    float last = clamp(ceil((p1 - float(lo)) / pitch) - 1.0, -1.0, float(count - 1));
    return ivec2(int(first), int(last));
}

// grid_layout.cpp, grid_hits: some row r in rows, column k in cols with lo <= r * stride + k < hi.
bool grid_hits(ivec2 cols, ivec2 rows, int stride, int lo, int hi) {
    if (cols.x > cols.y || rows.x > rows.y) return false;
    int r = clamp(lo / stride, rows.x, rows.y);
    if (r * stride + cols.y >= lo) return max(r * stride + cols.x, lo) < hi;
    return r + 1 <= rows.y && (r + 1) * stride + cols.x < hi;
}

// grid_layout.cpp, box_in_rect: whether world rectangle [a, b) overlaps a cell of the group.
bool group_in_rect(vec2 a, vec2 b) {
    float tile_pitch_x = float(u_shape.w) + u_tile_gap;
    float tile_pitch_y = float(u_shape.z) + u_tile_gap;
    float block_pitch_x = float(u_tiles_per_row) * tile_pitch_x - u_tile_gap + u_sample_gap;
    float block_pitch_y = float(u_tile_rows) * tile_pitch_y - u_tile_gap + u_sample_gap;
    int block_rows = (u_shape.x + u_blocks_per_row - 1) / u_blocks_per_row;
    int bc0 = int(clamp(floor(a.x / block_pitch_x), 0.0, float(u_blocks_per_row)));
    int bc1 = int(clamp(floor(b.x / block_pitch_x), -1.0, float(u_blocks_per_row - 1)));
    int br0 = int(clamp(floor(a.y / block_pitch_y), 0.0, float(block_rows)));
    int br1 = int(clamp(floor(b.y / block_pitch_y), -1.0, float(block_rows - 1)));
    if (bc0 > bc1 || br0 > br1) return false;
    if ((bc1 - bc0 + 1) * (br1 - br0 + 1) > 16)
        return grid_hits(ivec2(bc0, bc1), ivec2(br0, br1), u_blocks_per_row, u_group_lo.x, u_group_hi.x);
    for (int br = br0; br <= br1; ++br) {
        for (int bc = bc0; bc <= bc1; ++bc) {
            int n = br * u_blocks_per_row + bc;
            if (n < u_group_lo.x || n >= u_group_hi.x) continue;
            vec2 o = vec2(float(bc) * block_pitch_x, float(br) * block_pitch_y);
            ivec2 cols = tiles_reached(a.x - o.x, b.x - o.x, tile_pitch_x, u_group_lo.w, u_group_hi.w, u_tiles_per_row);
            ivec2 rows = tiles_reached(a.y - o.y, b.y - o.y, tile_pitch_y, u_group_lo.z, u_group_hi.z, u_tile_rows);
            if (grid_hits(cols, rows, u_tiles_per_row, u_group_lo.y, u_group_hi.y)) return true;
        }
    }
    return false;
}

// Whether the focus cell lies within `reach_px` pixels of the pixel at world point `world`.
bool focus_near(vec2 world, float reach_px) {
    vec2 r = vec2(reach_px / u_zoom);
    return all(lessThan(world - r, u_focus_origin + 1.0)) && all(greaterThan(world + r, u_focus_origin));
}

bool cell_under(vec2 world, out ivec4 cell, out float edge_px);
vec3 value_color(vec2 pixel, ivec4 cell);
vec3 with_group(vec3 color, ivec4 cell, float edge_px, out bool in_group);

void main() {
    vec2 pixel = vec2(gl_FragCoord.x, u_canvas_height - gl_FragCoord.y);
    vec2 world = pixel / u_zoom + u_pan;
    ivec4 cell;
    float edge_px = 0.0;
    vec3 base = u_background;
    if (u_pass == 0) {
        if (cell_under(world, cell, edge_px)) base = value_color(pixel, cell);
        o_cell_color = vec4(base, edge_px);
        o_cell = cell;
    } else {
        cell = texelFetch(t_cell_index, ivec2(gl_FragCoord.xy), 0);
        if (cell.x >= 0) {  // over a gap the colour is not read
            vec4 kept = texelFetch(t_cells, ivec2(gl_FragCoord.xy), 0);
            base = kept.rgb;
            edge_px = kept.a;
        }
        o_cell_color = vec4(0.0);
        o_cell = ivec4(0);
    }
    bool centre_in_group = false;
    vec3 color = u_background;
    if (cell.x >= 0) color = with_group(base, cell, edge_px, centre_in_group);
    if (u_mark_px > 0.0 && u_has_focus != 0) {
        // Cells smaller than a pixel: the pixel centre picked one cell of several, so a group
        // of scattered single cells would vanish. Any pixel near a cell of the group is marked.
        bool sub_pixel = u_zoom < 1.0;
        vec2 reach = vec2(0.5 * u_mark_px / u_zoom);
        if (sub_pixel && u_show_group != 0 && !centre_in_group && group_in_rect(world - reach, world + reach))
            color = u_highlight;
        // Where the focus ring inside the cell has no room: a white mark in a dark ring around
        // the focus (over it when it is smaller than a pixel), readable on any colour.
        if (u_zoom < 6.0 && (sub_pixel || !focus_near(world, 0.0))) {
            if (focus_near(world, 0.5 * u_mark_px + 1.5)) color = vec3(0.0);
            if (focus_near(world, 0.5 * u_mark_px + 0.5)) color = u_focus_ring;
        }
    }
    o_color = vec4(color, 1.0);
}

// Pass 0: the colour of the value in `cell`, or hatching for NaN and Inf.
vec3 value_color(vec2 pixel, ivec4 cell) {
    int element = ((cell.x * u_shape.y + cell.y) * u_shape.z + cell.z) * u_shape.w + cell.w;
    float x = fetch_value(element);
    float t;
    float shown = x;
    if (u_show_normalized != 0) {
        ivec4 key = key_of(cell);
        int group = ((key.x * u_key_extents.y + key.y) * u_key_extents.z + key.z) * u_key_extents.w + key.w;
        vec3 stats = fetch_stats(group);
        shown = (x * stats.z - stats.x) * stats.y;  // pre-scaled: no overflow near the float limits
        t = shown / u_normalized_half_range;
    } else if (u_per_channel != 0) {
        vec2 range = fetch_channel_range(cell.y);
        t = (x - range.x) / range.y;
    } else {
        t = (x - u_center) / u_half_range;
    }
    if (is_finite(shown)) return palette(t);
    // NaN and Inf: diagonal hatching, so they never pass for a value.
    bool stripe = mod(pixel.x + pixel.y, 8.0) < 4.0;
    return stripe ? vec3(0.85, 0.0, 0.85) : vec3(0.15);
}

// Pass 0, cell_at(): the cell under world point `world` and the distance from the point to
// the cell's nearest edge in pixels; false (cell n = -1) over a gap or outside the picture.
bool cell_under(vec2 world, out ivec4 cell, out float edge_px) {
    cell = ivec4(-1);
    edge_px = 0.0;
    if (world.x < 0.0 || world.y < 0.0) return false;
    // Sample block, channel tile, cell.
    float tile_pitch_x = float(u_shape.w) + u_tile_gap;
    float tile_pitch_y = float(u_shape.z) + u_tile_gap;
    float block_pitch_x = float(u_tiles_per_row) * tile_pitch_x - u_tile_gap + u_sample_gap;
    float block_pitch_y = float(u_tile_rows) * tile_pitch_y - u_tile_gap + u_sample_gap;
    int block_col = int(floor(world.x / block_pitch_x));
    int block_row = int(floor(world.y / block_pitch_y));
    if (block_col >= u_blocks_per_row) return false;
    int n = block_row * u_blocks_per_row + block_col;
    if (n >= u_shape.x) return false;
    float xb = world.x - float(block_col) * block_pitch_x;
    float yb = world.y - float(block_row) * block_pitch_y;
    int col = int(floor(xb / tile_pitch_x));
    int row = int(floor(yb / tile_pitch_y));
    if (col >= u_tiles_per_row || row >= u_tile_rows) return false;
    float xt = xb - float(col) * tile_pitch_x;
    float yt = yb - float(row) * tile_pitch_y;
    if (xt >= float(u_shape.w) || yt >= float(u_shape.z)) return false;
    int c = row * u_tiles_per_row + col;
    if (c >= u_shape.y) return false;
    cell = ivec4(n, c, int(yt), int(xt));
    vec2 in_cell = vec2(xt, yt) - floor(vec2(xt, yt));
    edge_px = min(min(in_cell.x, 1.0 - in_cell.x), min(in_cell.y, 1.0 - in_cell.y)) * u_zoom;
    return true;
}

// Pass 1: the cell's colour with its group dimming, grid line and outlines; in_group: the
// cell is in the focus's group.
vec3 with_group(vec3 color, ivec4 cell, float edge_px, out bool in_group) {
    bool show_group = u_has_focus != 0 && u_show_group != 0;
    in_group = show_group && all(equal(key_of(cell), u_focus_key));
    bool is_focus = u_has_focus != 0 && all(equal(cell, u_focus));
    bool frozen = u_show_group == 2;
    if (show_group && !in_group) color = mix(color, u_background, frozen ? 0.5 : 0.72);
    if (u_zoom >= 6.0 && edge_px < 1.0) color *= 0.8;  // grid lines between cells
    if (in_group && u_zoom >= 4.0 && edge_px < u_outline_px) {
        if (!frozen) color = u_highlight;
        else if (mod(gl_FragCoord.x + gl_FragCoord.y, 12.0) < 7.0) color = vec3(0.3, 0.85, 1.0);
    }
    // The focus: a white ring inside the outline, then a thin dark ring, readable on any colour.
    if (is_focus && edge_px >= u_outline_px && edge_px < 2.0 * u_outline_px) color = u_focus_ring;
    if (is_focus && edge_px >= 2.0 * u_outline_px && edge_px < 2.5 * u_outline_px) color = vec3(0.0);
    return color;
}
