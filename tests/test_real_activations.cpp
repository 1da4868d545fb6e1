// normviz's core against PyTorch on activations of real models, saved the way users save them.
// The fixtures in tests/fixtures/real/ are written by tools/make_real_fixtures.py (see the
// column list at its top): hooks on torchvision's resnet18, a small conv net and an
// nn.TransformerEncoderLayer capture activations, which are saved with np.save (NCHW and
// channels-last), as float16, float64, in .npz (np.savez, np.savez_compressed) and .safetensors
// (F32, F16, BF16, F64) files; each truth is the PyTorch module applied as its users apply it,
// in float64, in the input file's own layout.
//
// A case is: read_tensor(source, layout) -> normalize (or, for a checkpoint's BatchNorm,
// read_batchnorm_buffers + normalize_eval) -> write_npy(float64) in the input's layout ->
// compared element by element with the truth, within the tolerance the script derived from
// PyTorch's own float32 error (float32/float16/bfloat16 inputs; never tighter than one float32
// ulp) or from float64 rounding (float64 inputs; about 1e-12 relative, never tighter than four
// float64 ulps). Each TEST below checks one behaviour over the manifest's cases for it.
#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "core/array.h"
#include "tests/truth_npy.h"
#include "core/array_file.h"
#include "core/checkpoint.h"
#include "core/layout.h"
#include "core/norm_spec.h"
#include "core/normalize.h"
#include "core/npy.h"
#include "core/running_stats.h"
#include "core/tensor.h"

namespace normviz::core {
namespace {

const std::string kDir = std::string(NORMVIZ_FIXTURE_DIR) + "/real";
const std::string kTmp = NORMVIZ_TEST_TMP_DIR;
const char* const kRegenerate = "; run /usr/bin/python3 tools/make_real_fixtures.py";

// ------------------------------------------------------------------------------------------
// The manifests.

using Row = std::map<std::string, std::string>;

struct Table {
    std::vector<Row> rows;
    std::string error;  // set when the file is missing or malformed
};

std::vector<std::string> split(const std::string& text, char sep) {
    std::vector<std::string> out;
    std::string field;
    std::istringstream in(text);
    while (std::getline(in, field, sep)) out.push_back(field);
    if (!text.empty() && text.back() == sep) out.push_back("");
    return out;
}

Table load_table(const std::string& file, const std::vector<std::string>& required) {
    Table t;
    const std::string path = kDir + "/" + file;
    std::ifstream in(path);
    if (!in) {
        t.error = "cannot open " + path + kRegenerate;
        return t;
    }
    std::string line;
    std::getline(in, line);
    const std::vector<std::string> header = split(line, '\t');
    for (const std::string& r : required) {
        if (std::find(header.begin(), header.end(), r) == header.end()) {
            t.error = path + ": header lacks column '" + r + "'" + kRegenerate;
            return t;
        }
    }
    int line_no = 1;
    while (std::getline(in, line)) {
        ++line_no;
        if (line.empty()) continue;
        const std::vector<std::string> f = split(line, '\t');
        if (f.size() != header.size()) {
            t.error = path + ":" + std::to_string(line_no) + ": " + std::to_string(f.size()) + " fields, header has " +
                      std::to_string(header.size());
            return t;
        }
        Row row;
        for (size_t i = 0; i < f.size(); ++i) row[header[i]] = f[i];
        t.rows.push_back(std::move(row));
    }
    if (t.rows.empty()) t.error = path + " lists nothing" + kRegenerate;
    return t;
}

const Table& cases() {
    static const Table t =
        load_table("manifest.tsv", {"name",  "test",      "kind",      "source",  "layout", "norm",      "groups",
                                    "eps",   "gamma",     "beta",      "buffers", "truth",  "dims",      "nchw",
                                    "dtype", "precision", "torch_err", "tol",     "origin", "torch_call"});
    return t;
}

const Table& members() {
    static const Table t = load_table("members.tsv", {"file", "member", "dims", "dtype"});
    return t;
}

std::vector<int64_t> parse_dims(const std::string& text) {
    std::vector<int64_t> dims;
    for (const std::string& d : split(text, 'x')) dims.push_back(std::stoll(d));
    return dims;
}

const Row* find_case(const std::string& name) {
    for (const Row& r : cases().rows) {
        if (r.at("name") == name) return &r;
    }
    return nullptr;
}

// Member names of an archive, in members.tsv's (the file's) order.
std::vector<std::string> member_names(const std::string& file) {
    std::vector<std::string> names;
    for (const Row& r : members().rows) {
        if (r.at("file") == file) names.push_back(r.at("member"));
    }
    return names;
}

std::string dims_text(const std::vector<int64_t>& dims) {
    std::string out = "(";
    for (size_t i = 0; i < dims.size(); ++i) out += (i ? ", " : "") + std::to_string(dims[i]);
    return out + (dims.size() == 1 ? ",)" : ")");
}

// Truths, affine vectors and what write_npy wrote are read with tests/truth_npy.h, so that
// expected values never pass through the readers under test.
using test::F64Array;
using test::read_f64_npy;

// ------------------------------------------------------------------------------------------
// Tolerances.

// Spacing of float32 at |t|: a correctly rounded float32 result is within half of it.
double ulp32(double t) {
    const float a = static_cast<float>(std::fabs(t));
    return static_cast<double>(std::nextafter(a, std::numeric_limits<float>::infinity())) - static_cast<double>(a);
}

double ulp64(double t) {
    const double a = std::fabs(t);
    return std::nextafter(a, std::numeric_limits<double>::infinity()) - a;
}

// "(1, 2, 3)": the index of flat element i of a C-order array with `dims`.
std::string index_text(const std::vector<int64_t>& dims, size_t i) {
    std::vector<int64_t> at(dims.size());
    int64_t rest = static_cast<int64_t>(i);
    for (size_t k = dims.size(); k-- > 0;) {
        at[k] = rest % dims[k];
        rest /= dims[k];
    }
    return dims_text(at);
}

struct Comparison {
    int64_t outside = 0;  // elements outside max(tol, floor)
    double worst = 0;     // max |got - truth|
    std::string first;    // the first few failures, one per line
};

// got and truth: the same dims, C order, the input's layout.
Comparison compare(const Row& c, const std::vector<double>& got, const F64Array& truth) {
    Comparison r;
    const bool f64 = c.at("precision") == "f64";
    const double tol = std::strtod(c.at("tol").c_str(), nullptr);
    for (size_t i = 0; i < truth.values.size() && i < got.size(); ++i) {
        const double t = truth.values[i];
        const double ours = got[i];
        const double allowed = std::max(tol, f64 ? 4 * ulp64(t) : ulp32(t));
        const double diff = std::fabs(ours - t);
        if (std::isfinite(ours)) r.worst = std::max(r.worst, diff);
        if (std::isfinite(ours) && diff <= allowed) continue;
        if (++r.outside <= 6) {
            std::ostringstream line;
            line.precision(17);
            line << "  at " << index_text(truth.dims, i) << ": ours " << ours << ", truth " << t << ", |diff| " << diff
                 << ", allowed " << allowed << "\n";
            r.first += line.str();
        }
    }
    if (got.size() != truth.values.size()) r.outside = static_cast<int64_t>(truth.values.size());
    return r;
}

// The tolerance the manifest gives must be tight enough to mean something: a sane multiple of
// the truth's scale, so that a broken manifest cannot make every comparison pass.
::testing::AssertionResult sane_tolerance(const Row& c, const F64Array& truth) {
    const double tol = std::strtod(c.at("tol").c_str(), nullptr);
    double scale = 1;
    for (double t : truth.values) scale = std::max(scale, std::fabs(t));
    const double limit = (c.at("precision") == "f64" ? 1e-6 : 1e-2) * scale;
    if (std::isfinite(tol) && tol > 0 && tol <= limit) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << c.at("name") << ": manifest tolerance " << c.at("tol") << " is not in (0, "
                                         << limit << "]";
}

// ------------------------------------------------------------------------------------------
// One case.

::testing::AssertionResult read_affine(const Row& c, Affine& affine) {
    affine = {};
    if (c.at("gamma") == "-") return ::testing::AssertionSuccess();
    F64Array gamma, beta;
    if (auto r = read_f64_npy(kDir + "/" + c.at("gamma"), gamma); !r) return r;
    if (auto r = read_f64_npy(kDir + "/" + c.at("beta"), beta); !r) return r;
    affine.gamma.assign(gamma.values.begin(), gamma.values.end());  // float32 values: exact
    affine.beta.assign(beta.values.begin(), beta.values.end());
    return ::testing::AssertionSuccess();
}

// Reads the case's input as its layout says and checks what read_tensor made of it.
::testing::AssertionResult read_input(const Row& c, Layout layout, Tensor& x) {
    Result<Tensor> in = read_tensor(kDir + "/" + c.at("source"), layout);
    if (!in) {
        return ::testing::AssertionFailure()
               << "read_tensor(" << c.at("source") << ", " << c.at("layout") << "): " << in.error().message;
    }
    x = std::move(in.value());
    const std::vector<int64_t> nchw = parse_dims(c.at("nchw"));
    const Shape expected{nchw[0], nchw[1], nchw[2], nchw[3]};
    if (x.layout != layout || !(x.shape == expected) || source_dims(x) != parse_dims(c.at("dims")) ||
        x.data.size() != static_cast<size_t>(expected.numel())) {
        return ::testing::AssertionFailure()
               << c.at("source") << " read as " << c.at("layout") << ": tensor shape " << to_string(x.shape)
               << " (expected " << to_string(expected) << "), layout " << layout_name(x.layout) << ", source dims "
               << dims_text(source_dims(x)) << " (file " << dims_text(parse_dims(c.at("dims"))) << ")";
    }
    if (c.at("precision") == "f64" && !x.has_exact64()) {
        return ::testing::AssertionFailure() << c.at("source") << " holds float64 values, but the tensor has no data64";
    }
    return ::testing::AssertionSuccess();
}

// normalize (train) or normalize_eval with the checkpoint's buffers (eval).
::testing::AssertionResult compute(const Row& c, const Tensor& x, Tensor& y) {
    const double eps = std::strtod(c.at("eps").c_str(), nullptr);
    Result<Tensor> out = make_error("no kind");
    if (c.at("kind") == "eval") {
        Result<BatchNormBuffers> buffers = read_batchnorm_buffers(kDir + "/" + c.at("buffers"));
        if (!buffers) {
            return ::testing::AssertionFailure()
                   << "read_batchnorm_buffers(" << c.at("buffers") << "): " << buffers.error().message;
        }
        const Status fits = check_buffers_fit(buffers.value(), x.shape.C);
        if (!fits) return ::testing::AssertionFailure() << fits.error().message;
        const RunningStats running = running_stats_from(buffers.value());
        out = normalize_eval(x, running, eps, buffers.value().affine);
    } else {
        const Result<NormKind> kind = parse_norm_name(c.at("norm"));
        if (!kind) return ::testing::AssertionFailure() << kind.error().message;
        NormSpec spec;
        spec.kind = kind.value();
        if (spec.kind == NormKind::Group) spec.groups = std::stoll(c.at("groups"));
        spec.eps = eps;
        Affine affine;
        if (auto r = read_affine(c, affine); !r) return r;
        out = normalize(x, spec, affine);
    }
    if (!out) return ::testing::AssertionFailure() << out.error().message;
    y = std::move(out.value());
    return ::testing::AssertionSuccess();
}

// What a user gets on disk: the output written as float64 in the input's layout, read back.
::testing::AssertionResult write_and_read_back(const std::string& name, const Tensor& y, F64Array& got) {
    const std::string path = kTmp + "/real_" + name + ".out.npy";
    const Status written = write_npy(path, y, NpyDtype::Float64);
    if (!written) return ::testing::AssertionFailure() << written.error().message;
    return read_f64_npy(path, got);
}

void check_case(const Row& c) {
    SCOPED_TRACE(c.at("name") + ": " + c.at("source") + " as " + c.at("layout") + ", " + c.at("kind") + " " +
                 c.at("norm") + " (" + c.at("origin") + "; truth: " + c.at("torch_call") + ")");
    const Result<Layout> layout = parse_layout(c.at("layout"));
    ASSERT_TRUE(layout.ok()) << layout.error().message;
    F64Array truth;
    ASSERT_TRUE(read_f64_npy(kDir + "/" + c.at("truth"), truth));
    ASSERT_EQ(truth.dims, parse_dims(c.at("dims")));
    ASSERT_TRUE(sane_tolerance(c, truth));

    Tensor x;
    ASSERT_TRUE(read_input(c, layout.value(), x));
    Tensor y;
    ASSERT_TRUE(compute(c, x, y));
    EXPECT_EQ(y.layout, layout.value()) << "the output keeps the input's layout";
    ASSERT_EQ(y.shape, x.shape);
    if (c.at("precision") == "f64") {
        EXPECT_TRUE(y.has_exact64()) << "float64 input, but the output has no data64";
    }

    F64Array got;
    ASSERT_TRUE(write_and_read_back(c.at("name"), y, got));
    ASSERT_EQ(got.dims, truth.dims) << "write_npy did not restore the input's layout";
    const Comparison r = compare(c, got.values, truth);
    EXPECT_EQ(r.outside, 0) << c.at("name") << ": " << r.outside << " of " << truth.values.size()
                            << " elements outside tolerance (tol " << c.at("tol") << ", " << c.at("precision")
                            << "); worst |diff| " << r.worst << "\n"
                            << r.first;
}

// Runs every case of `test`; there must be at least `min_cases`.
void run_cases(const std::string& test, size_t min_cases) {
    ASSERT_TRUE(cases().error.empty()) << cases().error;
    size_t n = 0;
    for (const Row& c : cases().rows) {
        if (c.at("test") != test) continue;
        ++n;
        check_case(c);
    }
    EXPECT_GE(n, min_cases) << "manifest.tsv has " << n << " cases for " << test << kRegenerate;
}

// ------------------------------------------------------------------------------------------
// Normalization against PyTorch.

const std::map<std::string, std::string> kMatrixTest = {{"NCHW", "NchwActivationsMatchTorch"},
                                                        {"NHWC", "NhwcActivationsMatchTorch"},
                                                        {"NCL", "NclActivationsMatchTorch"},
                                                        {"NLC", "NlcHiddenStatesMatchTorch"},
                                                        {"NC", "NcFeaturesMatchTorch"}};

TEST(RealActivations, ManifestCoversEveryLayoutAndNorm) {
    ASSERT_TRUE(cases().error.empty()) << cases().error;
    std::set<std::string> seen;  // "test layout norm" / "test dtype" / "eval layout"
    for (const Row& c : cases().rows) {
        seen.insert(c.at("test") + " " + c.at("layout") + " " + c.at("norm"));
        seen.insert(c.at("test") + " " + c.at("dtype"));
        if (c.at("kind") == "eval") seen.insert("eval " + c.at("layout"));
    }
    for (Layout layout : kAllLayouts) {
        const std::string l = layout_name(layout);
        for (NormKind kind : kAllNormKinds) {
            if (kind == NormKind::Custom) continue;
            if (layout == Layout::NC && kind == NormKind::Instance) continue;  // no H, W
            const std::string key = kMatrixTest.at(l) + " " + l + " " + norm_name(kind);
            EXPECT_TRUE(seen.count(key)) << "no case for " << key << kRegenerate;
        }
        EXPECT_TRUE(seen.count("eval " + l)) << "no checkpoint BatchNorm case in " << l;
    }
    for (const char* key :
         {"Float16NpyMatchesTorch float16", "Float64KeepsPrecision float64", "SafetensorsMembersMatchTorch float32",
          "SafetensorsMembersMatchTorch float16", "SafetensorsMembersMatchTorch bfloat16",
          "SafetensorsMembersMatchTorch float64", "NpzMembersMatchTorch float32",
          "NpzCompressedMembersMatchTorch float16", "NpzCompressedMembersMatchTorch float64"}) {
        EXPECT_TRUE(seen.count(key)) << "no case for " << key << kRegenerate;
    }
}

// resnet18 layer2.0.conv1 output, np.save: nn.BatchNorm2d, LayerNorm, InstanceNorm2d,
// GroupNorm, LayerNorm(C) over a permute, RMSNorm.
TEST(RealActivations, NchwActivationsMatchTorch) { run_cases("NchwActivationsMatchTorch", 6); }

// The same activation saved channels-last (x.permute(0, 2, 3, 1)); PyTorch's modules on
// x.permute(0, 3, 1, 2), nn.LayerNorm(C) directly on (N, H, W, C).
TEST(RealActivations, NhwcActivationsMatchTorch) { run_cases("NhwcActivationsMatchTorch", 6); }

// A Conv1d's (N, C, L) output: nn.BatchNorm1d, nn.InstanceNorm1d, nn.GroupNorm on it.
TEST(RealActivations, NclActivationsMatchTorch) { run_cases("NclActivationsMatchTorch", 6); }

// A TransformerEncoderLayer's (B, T, D) hidden states: nn.LayerNorm(D) on them, RMSNorm over
// D, nn.BatchNorm1d(D) on x.transpose(1, 2), ...
TEST(RealActivations, NlcHiddenStatesMatchTorch) { run_cases("NlcHiddenStatesMatchTorch", 6); }

// A Linear layer's (N, C) output: nn.BatchNorm1d(C), nn.LayerNorm(C), nn.GroupNorm(G, C).
TEST(RealActivations, NcFeaturesMatchTorch) { run_cases("NcFeaturesMatchTorch", 5); }

// np.save(x.half().numpy()): '<f2' files, every value exact in float32.
TEST(RealActivations, Float16NpyMatchesTorch) { run_cases("Float16NpyMatchesTorch", 4); }

// float64 files (1.0 + 1e-5 noise: variance 1e-10; 1e4 + 1e-3 noise) normalized within about
// 1e-12 relative: float32 values would lose the variance.
TEST(RealActivations, Float64KeepsPrecision) { run_cases("Float64KeepsPrecision", 10); }

TEST(RealActivations, NpzMembersMatchTorch) { run_cases("NpzMembersMatchTorch", 3); }

TEST(RealActivations, NpzCompressedMembersMatchTorch) { run_cases("NpzCompressedMembersMatchTorch", 4); }

// F32, F16, BF16 and F64 members of a .safetensors file.
TEST(RealActivations, SafetensorsMembersMatchTorch) { run_cases("SafetensorsMembersMatchTorch", 5); }

// The encoder's own norm1 (with its weight and bias), RMSNorm with a weight, GroupNorm with
// an affine on a channels-last activation: normalize with core::Affine.
TEST(RealActivations, AffineMatchesTorchModules) { run_cases("AffineMatchesTorchModules", 3); }

// bn.eval()(activation) with the running statistics and affine of a state_dict saved as
// .safetensors (SmallNet's whole state_dict, resnet18's BatchNorm entries), activations
// captured by forward pre-hooks, in NCHW, NHWC, NCL, NLC and NC.
TEST(RealActivations, CheckpointBatchNormEvalMatchesTorch) { run_cases("CheckpointBatchNormEvalMatchesTorch", 9); }

// ------------------------------------------------------------------------------------------
// The comparisons can fail: a wrong layout mapping or a float32 computation of a float64 input
// is caught.

int64_t outside_when(const std::string& name, Layout read_as, bool drop_float64) {
    const Row* c = find_case(name);
    if (!c) {
        ADD_FAILURE() << "no case " << name << kRegenerate;
        return -1;
    }
    Result<Tensor> in = read_tensor(kDir + "/" + c->at("source"), read_as);
    if (!in) {
        ADD_FAILURE() << in.error().message;
        return -1;
    }
    Tensor x = std::move(in.value());
    if (drop_float64) x.data64.clear();
    Tensor y;
    if (auto r = compute(*c, x, y); !r) {
        ADD_FAILURE() << r.message();
        return -1;
    }
    F64Array got, truth;
    if (!write_and_read_back(name + "_misread", y, got) || !read_f64_npy(kDir + "/" + c->at("truth"), truth)) {
        ADD_FAILURE() << "cannot write or read back " << name;
        return -1;
    }
    EXPECT_EQ(got.dims, truth.dims);  // same rank and extents: only the values can tell
    return compare(*c, got.values, truth).outside;
}

TEST(RealActivations, MisreadLayoutIsDetected) {
    ASSERT_TRUE(cases().error.empty()) << cases().error;
    // A channels-last file read as NCHW (what a rank-4 file gets without --layout), a
    // (B, T, D) file read as NCL (the rank-3 default): most elements are far off.
    const int64_t nhwc = outside_when("nhwc_resnet18_layer2_batch", Layout::NCHW, false);
    EXPECT_GT(nhwc, 2 * 4 * 3 * 128 / 2);
    const int64_t nlc = outside_when("nlc_encoder_norm1_in_layer_token", Layout::NCL, false);
    EXPECT_GT(nlc, 2 * 7 * 16 / 2);
}

TEST(RealActivations, Float32ComputationOfFloat64InputIsDetected) {
    ASSERT_TRUE(cases().error.empty()) << cases().error;
    EXPECT_GT(outside_when("f64_tinyvar_nchw_layer", Layout::NCHW, true), 2 * 4 * 3 * 5 / 2);
    EXPECT_GT(outside_when("f64_offset_nhwc_layer_token", Layout::NHWC, true), 2 * 3 * 5 * 4 / 2);
}

// ------------------------------------------------------------------------------------------
// Archives: what is in them.

TEST(RealActivations, ListArraysMatchesArchives) {
    ASSERT_TRUE(members().error.empty()) << members().error;
    std::vector<std::string> files;
    for (const Row& r : members().rows) {
        if (std::find(files.begin(), files.end(), r.at("file")) == files.end()) {
            files.push_back(r.at("file"));
        }
    }
    for (const std::string& file : files) {
        SCOPED_TRACE(file);
        std::vector<const Row*> expected;
        for (const Row& r : members().rows) {
            if (r.at("file") == file) expected.push_back(&r);
        }
        const Result<std::vector<ArrayEntry>> listed = list_arrays(kDir + "/" + file);
        ASSERT_TRUE(listed.ok()) << listed.error().message;
        ASSERT_EQ(listed.value().size(), expected.size());
        for (size_t i = 0; i < expected.size(); ++i) {
            const ArrayEntry& e = listed.value()[i];
            const Row& r = *expected[i];
            if (r.at("member") != "-") {
                EXPECT_EQ(e.name, r.at("member")) << "entry " << i;
            }
            EXPECT_EQ(e.dims, parse_dims(r.at("dims"))) << r.at("member");
            EXPECT_EQ(e.dtype, r.at("dtype")) << r.at("member");
        }
    }
}

TEST(RealActivations, ReadArrayKeepsFileDimsAndDtype) {
    ASSERT_TRUE(members().error.empty()) << members().error;
    for (const Row& r : members().rows) {
        const std::string source = r.at("file") + (r.at("member") == "-" ? "" : ":" + r.at("member"));
        SCOPED_TRACE(source);
        const Result<Array> a = read_array(kDir + "/" + source);
        ASSERT_TRUE(a.ok()) << a.error().message;
        const std::vector<int64_t> dims = parse_dims(r.at("dims"));
        EXPECT_EQ(a.value().dims, dims);
        EXPECT_EQ(a.value().dtype, r.at("dtype"));
        int64_t count = 1;
        for (int64_t d : dims) count *= d;
        EXPECT_EQ(a.value().values.size(), static_cast<size_t>(count));
        if (r.at("dtype") == "float64") {
            EXPECT_EQ(a.value().values64.size(), static_cast<size_t>(count));
        }
    }
}

// ------------------------------------------------------------------------------------------
// Errors.

::testing::AssertionResult error_mentions(const std::string& message, const std::vector<std::string>& words) {
    for (const std::string& w : words) {
        if (message.find(w) == std::string::npos) {
            return ::testing::AssertionFailure() << "message does not mention '" << w << "': " << message;
        }
    }
    return ::testing::AssertionSuccess();
}

TEST(RealActivations, MissingNpzMemberListsNames) {
    ASSERT_TRUE(members().error.empty()) << members().error;
    for (const std::string file : {"activations.npz", "activations_compressed.npz"}) {
        const std::vector<std::string> names = member_names(file);
        ASSERT_GE(names.size(), 3u) << file;
        const Result<Tensor> t = read_tensor(kDir + "/" + file + ":nope");
        ASSERT_FALSE(t.ok()) << file << ":nope was read";
        EXPECT_TRUE(error_mentions(t.error().message, names));
        EXPECT_TRUE(error_mentions(t.error().message, {"nope"}));
        const Result<Array> a = read_array(kDir + "/" + file + ":nope");
        ASSERT_FALSE(a.ok());
        EXPECT_TRUE(error_mentions(a.error().message, names));
    }
}

TEST(RealActivations, MissingSafetensorsMemberListsNames) {
    ASSERT_TRUE(members().error.empty()) << members().error;
    const std::vector<std::string> names = member_names("activations.safetensors");
    ASSERT_GE(names.size(), 4u);
    // A near miss: the member is "encoder.hidden"; "__metadata__" is no array.
    for (const std::string member : {"encoder.hidden_f32", "__metadata__"}) {
        const Result<Tensor> t = read_tensor(kDir + "/activations.safetensors:" + member, Layout::NLC);
        ASSERT_FALSE(t.ok()) << member << " was read";
        EXPECT_TRUE(error_mentions(t.error().message, names));
    }
}

TEST(RealActivations, ArchiveWithSeveralArraysNeedsMember) {
    ASSERT_TRUE(members().error.empty()) << members().error;
    for (const std::string file : {"activations.npz", "activations_compressed.npz", "activations.safetensors"}) {
        const Result<Tensor> t = read_tensor(kDir + "/" + file);
        ASSERT_FALSE(t.ok()) << file << " has several arrays, but one was read";
        EXPECT_TRUE(error_mentions(t.error().message, member_names(file))) << file;
    }
}

TEST(RealActivations, LayoutOfWrongRankIsAnError) {
    struct Misfit {
        std::string source;
        Layout layout;
    };
    const std::vector<Misfit> misfits = {
        {"resnet18_layer2_0_conv1.nchw.npy", Layout::NLC},
        {"resnet18_layer2_0_conv1.nhwc.npy", Layout::NC},
        {"encoder_norm1_in.nlc.npy", Layout::NCHW},
        {"encoder_norm1_in.nlc.npy", Layout::NHWC},
        {"smallnet_fc.nc.npy", Layout::NCL},
        {"smallnet_temporal_conv.ncl.npy", Layout::NC},
        {"activations.npz:hidden", Layout::NHWC},
        {"activations.safetensors:block.conv", Layout::NLC},
    };
    for (const Misfit& m : misfits) {
        const Result<Tensor> t = read_tensor(kDir + "/" + m.source, m.layout);
        ASSERT_FALSE(t.ok()) << m.source << " was read as " << layout_name(m.layout);
        EXPECT_TRUE(error_mentions(t.error().message, {layout_name(m.layout)})) << m.source;
    }
}

TEST(RealActivations, TorchSaveFileIsRefused) {
    const std::string pt = kDir + "/smallnet_fc.pt";
    ASSERT_TRUE(std::filesystem::exists(pt)) << pt << kRegenerate;
    const Result<Tensor> t = read_tensor(pt);
    ASSERT_FALSE(t.ok()) << "a torch.save file was read";
    EXPECT_TRUE(error_mentions(t.error().message, {"np.save"}));
    const Result<Tensor> nc = read_tensor(pt, Layout::NC);
    ASSERT_FALSE(nc.ok());
    EXPECT_TRUE(error_mentions(nc.error().message, {"np.save"}));
    const Result<Array> a = read_array(pt);
    ASSERT_FALSE(a.ok());
    EXPECT_TRUE(error_mentions(a.error().message, {"np.save"}));
    // Under another name it is still no array normviz reads.
    for (const std::string name : {"renamed_torch_save.pth", "renamed_torch_save.npy"}) {
        const std::string copy = kTmp + "/real_" + name;
        std::filesystem::copy_file(pt, copy, std::filesystem::copy_options::overwrite_existing);
        EXPECT_FALSE(read_tensor(copy).ok()) << name << " was read";
    }
}

TEST(RealActivations, BuffersOfWrongLengthAreRefused) {
    const Result<BatchNormBuffers> block = read_batchnorm_buffers(kDir + "/smallnet.safetensors:block.bn");
    ASSERT_TRUE(block.ok()) << block.error().message;
    ASSERT_EQ(block.value().running_mean.size(), 16u);
    EXPECT_TRUE(check_buffers_fit(block.value(), 16).ok());
    const Status wrong = check_buffers_fit(block.value(), 8);
    ASSERT_FALSE(wrong.ok()) << "16 buffers accepted for 8 channels";
    EXPECT_TRUE(error_mentions(wrong.error().message, {"16", "8"}));

    // The stem's 8-channel activation against the block's 16-channel statistics.
    const Result<Tensor> stem = read_tensor(kDir + "/smallnet_stem_conv.nchw.npy", Layout::NCHW);
    ASSERT_TRUE(stem.ok()) << stem.error().message;
    ASSERT_EQ(stem.value().shape.C, 8);
    EXPECT_FALSE(check_buffers_fit(block.value(), stem.value().shape.C).ok());
    const Result<Tensor> y =
        normalize_eval(stem.value(), running_stats_from(block.value()), 1e-5, block.value().affine);
    EXPECT_FALSE(y.ok()) << "normalize_eval ran 8 channels with 16-channel statistics";

    // The block's channels-last activation (6, 3, 5, 16) read as NCHW has C = 3.
    const Result<Tensor> misread = read_tensor(kDir + "/smallnet_block_conv.nhwc.npy", Layout::NCHW);
    ASSERT_TRUE(misread.ok()) << misread.error().message;
    const Status misfit = check_buffers_fit(block.value(), misread.value().shape.C);
    ASSERT_FALSE(misfit.ok());
    EXPECT_TRUE(error_mentions(misfit.error().message, {"16", "3"}));
}

TEST(RealActivations, MissingBatchNormPrefixIsAnError) {
    const std::string ckpt = kDir + "/smallnet.safetensors";
    const Result<BatchNormBuffers> missing = read_batchnorm_buffers(ckpt + ":stem.norm");
    ASSERT_FALSE(missing.ok());
    EXPECT_TRUE(error_mentions(missing.error().message, {"stem.bn", "block.bn", "head_bn"}));
    // A module that is not a BatchNorm (its conv has a weight, but no running statistics).
    EXPECT_FALSE(read_batchnorm_buffers(ckpt + ":stem.conv").ok());
    EXPECT_FALSE(read_batchnorm_buffers(ckpt).ok()) << "no prefix given";
}

// Each prefix opens its own layer: "bn1" is not "layer1.0.bn1" (both 64 channels), an
// affine=False BatchNorm has no affine, num_batches_tracked (I64) entries are no obstacle.
TEST(RealActivations, CheckpointBuffersAreTheLayersOwn) {
    const std::string resnet = kDir + "/resnet18_bn.safetensors";
    const Result<BatchNormBuffers> bn1 = read_batchnorm_buffers(resnet + ":bn1");
    const Result<BatchNormBuffers> inner = read_batchnorm_buffers(resnet + ":layer1.0.bn1");
    ASSERT_TRUE(bn1.ok()) << bn1.error().message;
    ASSERT_TRUE(inner.ok()) << inner.error().message;
    EXPECT_EQ(bn1.value().prefix, "bn1");
    EXPECT_EQ(inner.value().prefix, "layer1.0.bn1");
    ASSERT_EQ(bn1.value().running_mean.size(), 64u);
    ASSERT_EQ(inner.value().running_mean.size(), 64u);
    EXPECT_NE(bn1.value().running_mean, inner.value().running_mean);
    EXPECT_EQ(bn1.value().affine.gamma.size(), 64u);
    EXPECT_EQ(bn1.value().affine.beta.size(), 64u);

    const std::string small = kDir + "/smallnet.safetensors";
    const Result<BatchNormBuffers> temporal = read_batchnorm_buffers(small + ":temporal.bn");
    ASSERT_TRUE(temporal.ok()) << temporal.error().message;
    EXPECT_EQ(temporal.value().running_var.size(), 8u);
    EXPECT_TRUE(temporal.value().affine.gamma.empty()) << "BatchNorm1d(8, affine=False)";
    EXPECT_TRUE(temporal.value().affine.beta.empty());
    const Result<BatchNormBuffers> head = read_batchnorm_buffers(small + ":head_bn");
    ASSERT_TRUE(head.ok()) << head.error().message;
    EXPECT_EQ(head.value().affine.gamma.size(), 12u);
    // Running variance after training batches is not the initial 1: the file was read.
    for (double v : head.value().running_var) EXPECT_NE(v, 1.0);
}

}  // namespace
}  // namespace normviz::core
