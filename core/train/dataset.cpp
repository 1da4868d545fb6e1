// The shapes dataset; see dataset.h.
#include "core/train/dataset.h"

#include <algorithm>
#include <cmath>

#include "core/assert.h"
#include "core/train/random.h"

namespace normviz::core::train {

namespace {

// Whether the point (dx, dy) from the shape's centre lies inside the shape of radius r.
bool inside(int label, double dx, double dy, double r) {
    switch (label) {
        case 0: return std::abs(dx) <= r && std::abs(dy) <= r;
        case 1: return dx * dx + dy * dy <= r * r;
        case 2: return dy >= -r && dy <= r && std::abs(dx) <= (dy + r) * 0.5;
        default: {
            const double arm = r / 3.0;
            return (std::abs(dx) <= arm && std::abs(dy) <= r) || (std::abs(dy) <= arm && std::abs(dx) <= r);
        }
    }
}

void draw_image(uint64_t seed, int label, int64_t size, float* out) {
    Random random(seed);
    const double r = random.uniform(0.18, 0.36) * static_cast<double>(size);
    const double cx = random.uniform(r, static_cast<double>(size) - r);
    const double cy = random.uniform(r, static_cast<double>(size) - r);
    const double angle_flip = random.uniform() < 0.5 ? 1.0 : -1.0;  // triangles point up or down
    double bg[3], fg[3];
    for (double& v : bg) v = random.uniform();
    // The shape differs from the background by at least 0.3 in some channel.
    do {
        for (double& v : fg) v = random.uniform();
    } while (std::max({std::abs(fg[0] - bg[0]), std::abs(fg[1] - bg[1]), std::abs(fg[2] - bg[2])}) < 0.3);
    const double contrast = random.uniform(0.4, 1.6);
    const double brightness = random.uniform(-0.4, 0.4);
    const int64_t plane = size * size;
    for (int64_t y = 0; y < size; ++y) {
        for (int64_t x = 0; x < size; ++x) {
            // Coverage from 2x2 samples per pixel: soft edges.
            double cover = 0;
            for (int sy = 0; sy < 2; ++sy) {
                for (int sx = 0; sx < 2; ++sx) {
                    const double px = static_cast<double>(x) + 0.25 + 0.5 * sx - cx;
                    const double py = (static_cast<double>(y) + 0.25 + 0.5 * sy - cy) * angle_flip;
                    cover += inside(label, px, py, r) ? 0.25 : 0.0;
                }
            }
            for (int c = 0; c < 3; ++c) {
                const double v = bg[c] + cover * (fg[c] - bg[c]);
                const double shown = (v - 0.5) * contrast + brightness + 0.05 * random.normal();
                out[c * plane + y * size + x] = static_cast<float>(shown);
            }
        }
    }
}

}  // namespace

Dataset make_shapes(const ShapesConfig& config, bool held_out) {
    NORMVIZ_ASSERT(config.size >= 4 && config.size % 4 == 0, "image size a multiple of 4");
    Dataset data;
    data.count = held_out ? config.val_count : config.train_count;
    data.size = config.size;
    const int64_t per_image = 3 * config.size * config.size;
    data.images.assign(static_cast<size_t>(data.count * per_image), 0.0f);
    data.labels.resize(static_cast<size_t>(data.count));
    const uint64_t stream = held_out ? ~config.seed : config.seed;
    for (int64_t i = 0; i < data.count; ++i) {
        const int label = static_cast<int>(i % kShapeClasses);
        data.labels[static_cast<size_t>(i)] = label;
        draw_image(mix_seed(stream, static_cast<uint64_t>(i)), label, config.size,
                   &data.images[static_cast<size_t>(i * per_image)]);
    }
    return data;
}

void gather_batch(const Dataset& data, const std::vector<int64_t>& indices, Act& images, std::vector<int>& labels) {
    const int64_t n = static_cast<int64_t>(indices.size());
    images.resize({n, 3, data.size, data.size});
    labels.resize(indices.size());
    const int64_t per_image = 3 * data.size * data.size;
    for (int64_t b = 0; b < n; ++b) {
        const int64_t i = indices[static_cast<size_t>(b)];
        std::copy_n(&data.images[static_cast<size_t>(i * per_image)], per_image,
                    &images.v[static_cast<size_t>(b * per_image)]);
        labels[static_cast<size_t>(b)] = data.labels[static_cast<size_t>(i)];
    }
}

}  // namespace normviz::core::train
