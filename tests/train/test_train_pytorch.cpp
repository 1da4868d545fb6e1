// core/train against PyTorch: the fixtures in tests/fixtures/train/ are written by
// scripts/make_train_fixtures.py (its docstring lists the files). Truths are torch's float64
// results from float32 inputs; our float32 results must stay within a few times torch's own
// float32 error (the manifests' f32_err columns) of them.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/train/layers.h"
#include "core/train/network.h"
#include "core/train/norm_layer.h"
#include "core/train/sgd.h"
#include "tests/truth_npy.h"

namespace normviz::core::train {
namespace {

const std::string kDir = std::string(NORMVIZ_FIXTURE_DIR) + "/train/";

using Row = std::vector<std::string>;

std::vector<Row> read_tsv(const std::string& name) {
    std::ifstream in(kDir + name);
    std::vector<Row> rows;
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        Row row;
        std::stringstream fields(line);
        std::string field;
        while (std::getline(fields, field, '\t')) row.push_back(field);
        rows.push_back(row);
    }
    return rows;
}

std::vector<double> load(const std::string& file) {
    test::F64Array array;
    EXPECT_TRUE(test::read_f64_npy(kDir + file, array));
    return array.values;
}

NormSpec spec_from(const std::string& norm, const std::string& groups, const std::string& axes,
                   const std::string& center) {
    NormSpec spec;
    spec.kind = parse_norm_name(norm).value();
    spec.groups = std::stoll(groups) > 0 ? std::stoll(groups) : 1;
    if (axes != "-") spec.custom_axes = parse_axes(axes).value();
    spec.custom_center = center == "1";
    return spec;
}

// Compares `got` with truth[offset, offset + got.size()) within `tol`; returns the new offset.
size_t expect_near_all(const std::vector<float>& got, const std::vector<double>& truth, size_t offset, double tol,
                       const std::string& what) {
    EXPECT_LE(offset + got.size(), truth.size()) << what;
    if (offset + got.size() > truth.size()) return truth.size();
    double worst = 0;
    for (size_t i = 0; i < got.size(); ++i) worst = std::max(worst, std::abs(double(got[i]) - truth[offset + i]));
    EXPECT_LE(worst, tol) << what << ": max abs error " << worst;
    return offset + got.size();
}

double max_abs(const std::vector<double>& v, size_t begin, size_t count) {
    double m = 0;
    for (size_t i = begin; i < begin + count && i < v.size(); ++i) m = std::max(m, std::abs(v[i]));
    return m;
}

// A few times torch's own float32 error, never below 4 float32 ulps of the largest value.
double tolerance(const std::string& torch_err, double scale) {
    return std::max(4.0 * std::stod(torch_err), 4.0 * 1.2e-7 * scale);
}

TEST(TrainPyTorch, NormLayersForwardAndBackward) {
    const std::vector<Row> rows = read_tsv("norm_layers.tsv");
    ASSERT_GE(rows.size(), 9u) << "norm_layers.tsv missing or short";
    for (const Row& row : rows) {
        SCOPED_TRACE(row[0]);
        ASSERT_EQ(row.size(), 11u);
        const Shape shape = parse_shape(row[1]).value();
        const NormSpec spec = spec_from(row[2], row[3], row[4], row[5]);
        const std::vector<double> inputs = load(row[0] + ".inputs.npy");
        const std::vector<double> truth = load(row[0] + ".truth.npy");
        const size_t n = static_cast<size_t>(shape.numel()), C = static_cast<size_t>(shape.C);
        ASSERT_EQ(inputs.size(), 2 * n + 2 * C);
        NormLayer layer(spec, shape.C, "norm");
        Act x, dy, y, dx;
        x.resize(shape);
        dy.resize(shape);
        for (size_t i = 0; i < n; ++i) {
            x.v[i] = static_cast<float>(inputs[i]);
            dy.v[i] = static_cast<float>(inputs[n + i]);
        }
        for (size_t c = 0; c < C; ++c) {
            layer.gamma.value[c] = static_cast<float>(inputs[2 * n + c]);
            layer.beta.value[c] = static_cast<float>(inputs[2 * n + C + c]);
        }
        ASSERT_TRUE(layer.forward(x, y, /*training=*/true).ok());
        layer.backward(dy, dx);
        size_t at = 0;
        at = expect_near_all(y.v, truth, at, tolerance(row[7], max_abs(truth, 0, n)), "y");
        at = expect_near_all(dx.v, truth, at, tolerance(row[8], max_abs(truth, n, n)), "dx");
        at = expect_near_all(layer.gamma.grad, truth, at, tolerance(row[9], max_abs(truth, 2 * n, C)), "dgamma");
        at = expect_near_all(layer.beta.grad, truth, at, tolerance(row[10], max_abs(truth, 2 * n + C, C)), "dbeta");
        ASSERT_EQ(layer.has_running_stats(), row[6] == "1");
        if (layer.has_running_stats()) {
            ASSERT_EQ(truth.size(), at + 2 * C);
            for (size_t c = 0; c < C; ++c) {
                EXPECT_NEAR(layer.running_mean[c], truth[at + c], 1e-6 * (1 + std::abs(truth[at + c])))
                    << "running_mean " << c;
                EXPECT_NEAR(layer.running_var[c], truth[at + C + c], 1e-6 * (1 + std::abs(truth[at + C + c])))
                    << "running_var " << c;
            }
        } else {
            EXPECT_EQ(truth.size(), at);
        }
    }
}

// The network of network.h with widths (4, 4, 8) on the fixture's batches: first-step
// gradients of every parameter, 20 SGD losses, and the eval-mode loss afterwards.

TEST(TrainPyTorch, NetworkGradientsAndTwentySteps) {
    const std::vector<Row> rows = read_tsv("network.tsv");
    ASSERT_GE(rows.size(), 8u) << "network.tsv missing or short";
    const std::vector<double> images = load("net.images.npy");
    const std::vector<double> labels = load("net.labels.npy");
    constexpr int kSteps = 20, kBatch = 4, kSize = 8;
    ASSERT_EQ(labels.size(), size_t{kSteps * kBatch});
    ASSERT_EQ(images.size(), labels.size() * 3 * kSize * kSize);
    auto batch = [&](int step, Act& x, std::vector<int>& y) {
        x.resize({kBatch, 3, kSize, kSize});
        const size_t per = 3 * kSize * kSize;
        for (size_t i = 0; i < kBatch * per; ++i) x.v[i] = static_cast<float>(images[step * kBatch * per + i]);
        y.resize(kBatch);
        for (int b = 0; b < kBatch; ++b)
            y[static_cast<size_t>(b)] = static_cast<int>(labels[static_cast<size_t>(step * kBatch + b)]);
    };
    for (const Row& row : rows) {
        SCOPED_TRACE(row[0]);
        ASSERT_EQ(row.size(), 7u);
        NetworkConfig config;
        config.widths = {4, 4, 8};
        if (row[1] != "none") config.norm = spec_from(row[1], row[2], row[3], row[4]);
        Network net(config, /*seed=*/123);
        const std::vector<Param*> params = net.params();
        const std::vector<double> init = load("net_" + row[0] + ".init.npy");
        const std::vector<double> grads = load("net_" + row[0] + ".grads.npy");
        const std::vector<double> losses = load("net_" + row[0] + ".losses.npy");
        ASSERT_EQ(losses.size(), size_t{kSteps + 1});
        size_t total = 0;
        for (Param* p : params) total += p->value.size();
        ASSERT_EQ(init.size(), total);
        ASSERT_EQ(grads.size(), total);
        size_t at = 0;
        for (Param* p : params) {
            for (float& v : p->value) v = static_cast<float>(init[at++]);
        }
        Act x, logits, dlogits;
        std::vector<int> y;
        for (int step = 0; step < kSteps; ++step) {
            batch(step, x, y);
            ASSERT_TRUE(net.forward(x, logits, true, 1).ok());
            const double loss = cross_entropy(logits, y, dlogits);
            EXPECT_NEAR(loss, losses[static_cast<size_t>(step)], 1e-4 * std::abs(losses[static_cast<size_t>(step)]))
                << "step " << step;
            net.backward(dlogits, 1);
            if (step == 0) {
                size_t offset = 0;
                for (Param* p : params) {
                    const double tol = tolerance(row[5], max_abs(grads, offset, p->grad.size()));
                    offset = expect_near_all(p->grad, grads, offset, tol, p->name + " grad");
                }
            }
            sgd_step(params, cosine_lr(0.05, step, kSteps), SgdOptions{0.9, 5e-4});
        }
        batch(0, x, y);
        ASSERT_TRUE(net.forward(x, logits, false, 1).ok());
        EXPECT_NEAR(cross_entropy(logits, y, dlogits), losses[kSteps], 1e-4 * std::abs(losses[kSteps]))
            << "eval-mode loss after 20 steps";
    }
}

}  // namespace
}  // namespace normviz::core::train
