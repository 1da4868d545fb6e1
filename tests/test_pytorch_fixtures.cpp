// normviz's core against PyTorch: the fixtures in tests/fixtures/ are written by
// tools/make_fixtures.py (see the column list at its top) from torch's float32 and float64
// forward passes. Each manifest line is one case; each case is two tests:
//   PyTorch/PyTorchFixture.Normalize/<case>  read_npy + normalize against the float64 truth,
//     within three times PyTorch's own float32 error (docs/ARCHITECTURE.md, numeric contract), and never
//     tighter than one float32 ulp of the truth; NaN exactly where the truth has NaN.
//   PyTorch/PyTorchFixture.GroupStats/<case> make_partition + compute_group_stats against the
//     float64 statistics, group by group, in normviz's group order.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/norm_spec.h"
#include "tests/truth_npy.h"
#include "core/normalize.h"
#include "core/npy.h"
#include "core/partition.h"
#include "core/stats.h"

namespace normviz::core {
namespace {

using test::F64Array;
using test::read_f64_npy;

const std::string kFixtureDir = NORMVIZ_FIXTURE_DIR;

// One line of manifest.tsv.
struct FixtureCase {
    std::string name;
    std::string input, truth, stats;
    std::string norm;
    int64_t groups = 0;
    std::string axes;  // "-" when not custom
    bool center = true;
    double eps = 1e-5;
    double torch_err = 0;  // torch_f32_max_abs_err
    bool torch_usable = true;
    std::string note;
    std::string load_error;  // set on the single placeholder case when the manifest is unusable
};

void PrintTo(const FixtureCase& c, std::ostream* os) {
    *os << c.name << " (" << c.norm;
    if (c.groups) *os << " G=" << c.groups;
    if (c.axes != "-") *os << " axes=" << c.axes << (c.center ? "" : " uncentred");
    *os << ", eps " << c.eps << ", " << c.note << ")";
}

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> out;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, '\t')) out.push_back(field);
    if (!line.empty() && line.back() == '\t') out.push_back("");
    return out;
}

FixtureCase placeholder(const std::string& why) {
    FixtureCase c;
    c.name = "manifest_unreadable";
    c.load_error = why;
    return c;
}

std::vector<FixtureCase> load_manifest() {
    const std::string path = kFixtureDir + "/manifest.tsv";
    std::ifstream in(path);
    if (!in) {
        return {placeholder("cannot open " + path + "; run /usr/bin/python3 tools/make_fixtures.py")};
    }
    std::string line;
    std::getline(in, line);
    std::map<std::string, size_t> col;
    const std::vector<std::string> header = split_tabs(line);
    for (size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
    for (const char* required : {"name", "input", "truth", "stats", "norm", "groups", "axes", "center", "eps",
                                 "torch_f32_max_abs_err", "torch_f32_usable", "note"}) {
        if (!col.count(required)) {
            return {placeholder(path + ": header lacks column '" + required + "'")};
        }
    }
    std::vector<FixtureCase> cases;
    int line_no = 1;
    while (std::getline(in, line)) {
        ++line_no;
        if (line.empty()) continue;
        const std::vector<std::string> f = split_tabs(line);
        if (f.size() != header.size()) {
            return {placeholder(path + ":" + std::to_string(line_no) + ": " + std::to_string(f.size()) +
                                " fields, header has " + std::to_string(header.size()))};
        }
        FixtureCase c;
        c.name = f[col["name"]];
        c.input = f[col["input"]];
        c.truth = f[col["truth"]];
        c.stats = f[col["stats"]];
        c.norm = f[col["norm"]];
        c.groups = std::stoll(f[col["groups"]]);
        c.axes = f[col["axes"]];
        c.center = f[col["center"]] == "1";
        c.eps = std::strtod(f[col["eps"]].c_str(), nullptr);
        c.torch_err = std::strtod(f[col["torch_f32_max_abs_err"]].c_str(), nullptr);  // "inf" ok
        c.torch_usable = f[col["torch_f32_usable"]] == "1";
        c.note = f[col["note"]];
        cases.push_back(std::move(c));
    }
    if (cases.empty()) return {placeholder(path + " lists no cases")};
    return cases;
}

::testing::AssertionResult make_spec(const FixtureCase& c, NormSpec& spec) {
    const Result<NormKind> kind = parse_norm_name(c.norm);
    if (!kind) return ::testing::AssertionFailure() << kind.error().message;
    spec = NormSpec{};
    spec.kind = kind.value();
    if (spec.kind == NormKind::Group) spec.groups = c.groups;
    if (spec.kind == NormKind::Custom) {
        const Result<AxisMask> axes = parse_axes(c.axes);
        if (!axes) return ::testing::AssertionFailure() << axes.error().message;
        spec.custom_axes = axes.value();
        spec.custom_center = c.center;
    }
    spec.eps = c.eps;
    return ::testing::AssertionSuccess();
}

// Spacing of float32 at |t|: a correctly rounded float32 is within half of it.
double ulp32(double t) {
    const float a = static_cast<float>(std::fabs(t));
    return static_cast<double>(std::nextafter(a, std::numeric_limits<float>::infinity())) - static_cast<double>(a);
}

class PyTorchFixture : public ::testing::TestWithParam<FixtureCase> {};

TEST_P(PyTorchFixture, Normalize) {
    const FixtureCase& c = GetParam();
    ASSERT_TRUE(c.load_error.empty()) << c.load_error;

    const Result<Tensor> input = read_npy(kFixtureDir + "/" + c.input);
    ASSERT_TRUE(input.ok()) << input.error().message;
    F64Array truth;
    ASSERT_TRUE(read_f64_npy(kFixtureDir + "/" + c.truth, truth));
    ASSERT_EQ(source_dims(input.value()), truth.dims) << "read_npy's shape for " << c.input;
    ASSERT_EQ(normviz::core::layout_rank(input.value().layout), static_cast<int>(truth.dims.size()));

    NormSpec spec;
    ASSERT_TRUE(make_spec(c, spec));
    const Result<Tensor> output = normalize(input.value(), spec);
    ASSERT_TRUE(output.ok()) << output.error().message;
    const Tensor& y = output.value();
    ASSERT_EQ(y.shape, input.value().shape);
    ASSERT_EQ(source_dims(y), truth.dims);
    ASSERT_EQ(y.data.size(), truth.values.size());

    // The contract: within three times PyTorch's own float32 error. Where torch's float32
    // overflows or underflows (torch_f32_usable = 0), only the ulp floor remains.
    const double tol = c.torch_usable ? 3.0 * c.torch_err : 0.0;
    int64_t failures = 0;
    double worst = 0;
    for (size_t i = 0; i < truth.values.size(); ++i) {
        const double t = truth.values[i];
        const double ours = y.data[i];
        bool ok;
        double allowed = 0;
        if (std::isnan(t)) {
            ok = std::isnan(ours);
        } else if (std::isinf(t)) {
            ok = ours == t;
        } else {
            allowed = std::max(tol, ulp32(t));
            ok = std::isfinite(ours) && std::fabs(ours - t) <= allowed;
            if (std::isfinite(ours)) worst = std::max(worst, std::fabs(ours - t));
        }
        if (!ok && ++failures <= 8) {
            const Index at = unflat_index(y.shape, static_cast<int64_t>(i));
            ADD_FAILURE() << c.name << ": element " << to_string(at) << " input " << input.value().data[i] << " ours "
                          << ours << " truth " << t << " |diff| " << std::fabs(ours - t) << " allowed " << allowed;
        }
    }
    std::ostringstream worst_text;
    worst_text << worst;
    RecordProperty("worst_abs_diff", worst_text.str());  // in --gtest_output=xml reports
    EXPECT_EQ(failures, 0) << c.name << ": " << failures << " of " << truth.values.size()
                           << " elements outside tolerance (3 x torch f32 error = " << tol
                           << ", floor 1 float32 ulp); worst finite |diff| " << worst;
}

// Statistics are compared tightly: float64 accumulation with two passes, from the float32
// values normviz stores, must agree with the exactly summed float64 statistics.
// A variance that is exactly 0 (a constant group) must be exactly 0 (stats.h promises it).
::testing::AssertionResult close_stat(const char* what, int64_t group, double ours, double truth, double abs_floor,
                                      bool exact_zero = false) {
    if (std::isnan(truth)) {
        if (std::isnan(ours)) return ::testing::AssertionSuccess();
    } else if (std::isinf(truth) || (exact_zero && truth == 0)) {
        if (ours == truth) return ::testing::AssertionSuccess();
    } else if (std::fabs(ours - truth) <= std::max(1e-9 * std::fabs(truth), abs_floor)) {
        return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "group " << group << " " << what << ": ours " << ours << " truth " << truth;
}

TEST_P(PyTorchFixture, GroupStats) {
    const FixtureCase& c = GetParam();
    ASSERT_TRUE(c.load_error.empty()) << c.load_error;

    const Result<Tensor> input = read_npy(kFixtureDir + "/" + c.input);
    ASSERT_TRUE(input.ok()) << input.error().message;
    F64Array truth;
    ASSERT_TRUE(read_f64_npy(kFixtureDir + "/" + c.stats, truth));
    ASSERT_EQ(truth.dims.size(), 2u);
    ASSERT_EQ(truth.dims[1], 4);

    NormSpec spec;
    ASSERT_TRUE(make_spec(c, spec));
    const Status valid = validate(spec, input.value().shape);
    ASSERT_TRUE(valid.ok()) << valid.error().message;
    const Partition partition = make_partition(spec, input.value().shape);
    ASSERT_EQ(partition.group_count(), truth.dims[0]);
    const std::vector<GroupStats> stats = compute_group_stats(input.value(), partition);
    ASSERT_EQ(static_cast<int64_t>(stats.size()), truth.dims[0]);

    for (int64_t g = 0; g < truth.dims[0]; ++g) {
        const double* row = &truth.values[static_cast<size_t>(g) * 4];
        const GroupStats& s = stats[static_cast<size_t>(g)];
        EXPECT_EQ(s.count, static_cast<int64_t>(row[0])) << "group " << g << " count";
        // Cancellation in a sum is bounded by the magnitude of the terms: sqrt(mean_sq) for
        // the mean, mean_sq for the variance.
        const double magnitude = std::isfinite(row[3]) ? row[3] : 0.0;
        EXPECT_TRUE(close_stat("mean", g, s.mean, row[1], 1e-12 * std::sqrt(magnitude)));
        EXPECT_TRUE(close_stat("var", g, s.var, row[2], 1e-12 * magnitude, true));
        EXPECT_TRUE(close_stat("mean_sq", g, s.mean_sq, row[3], 0.0));
    }
}

INSTANTIATE_TEST_SUITE_P(PyTorch, PyTorchFixture, ::testing::ValuesIn(load_manifest()),
                         [](const ::testing::TestParamInfo<FixtureCase>& info) { return info.param.name; });

}  // namespace
}  // namespace normviz::core
