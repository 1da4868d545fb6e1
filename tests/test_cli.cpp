// End-to-end tests of the headless subcommands: run the built normviz binary, check its exit
// status, stdout, stderr (errors are exactly one line) and the files it writes (or must not).
#include <gtest/gtest.h>

#ifdef NORMVIZ_BINARY

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "core/array_file.h"
#include "core/generators.h"
#include "core/normalize.h"
#include "core/npy.h"
#include "core/partition.h"
#include "core/stats.h"

#include "tests/run_program.h"

namespace {

namespace fs = std::filesystem;
using namespace normviz;

// ---- running the binary ----------------------------------------------------------------

using test::read_file_text;
using test::RunResult;

// Runs normviz with `args` (tests/run_program.h). `prefix` runs it through another program
// first (timeout, a shell that sets a ulimit).
RunResult run_normviz(const fs::path& scratch, const std::vector<std::string>& args,
                      const std::vector<std::string>& prefix = {}) {
    std::vector<std::string> argv = prefix;
    argv.push_back(NORMVIZ_BINARY);
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run_program(scratch, std::move(argv));
}

// An error run: the status, exactly one line on stderr starting "normviz COMMAND: ", and
// nothing on stdout.
::testing::AssertionResult IsOneLineError(const RunResult& run, int status, const std::string& command) {
    const std::string prefix = "normviz " + command + ": ";
    if (run.status != status) {
        return ::testing::AssertionFailure()
               << "exit status " << run.status << ", expected " << status << "; stderr: " << run.err;
    }
    if (std::count(run.err.begin(), run.err.end(), '\n') != 1 || run.err.back() != '\n') {
        return ::testing::AssertionFailure() << "stderr is not exactly one line: [" << run.err << "]";
    }
    if (run.err.rfind(prefix, 0) != 0) {
        return ::testing::AssertionFailure() << "stderr does not start with '" << prefix << "': " << run.err;
    }
    if (!run.out.empty()) return ::testing::AssertionFailure() << "stdout not empty: " << run.out;
    return ::testing::AssertionSuccess();
}

bool contains_text(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// ---- files -------------------------------------------------------------------------------

core::Tensor make_input(const core::Shape& shape, int source_rank, uint64_t seed = 7) {
    core::Tensor tensor = core::generate(shape, core::Generator::PerChannel, seed);
    tensor.layout = normviz::core::default_layout(source_rank);
    return tensor;
}

// A .npy file (format 1.0) with the given header fields and raw data bytes.
std::string npy_bytes(const std::string& descr, const std::string& shape, const std::string& data) {
    std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
    const size_t total = 10 + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header += '\n';
    std::string bytes = "\x93NUMPY";
    bytes += '\x01';
    bytes += '\x00';
    bytes += static_cast<char>(header.size() & 0xFF);
    bytes += static_cast<char>(header.size() >> 8);
    return bytes + header + data;
}

void write_bytes(const fs::path& path, const std::string& bytes) {
    std::ofstream file(path, std::ios::binary);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Little-endian bytes of `count` values of type T, 0, 1, 2, ...
template <class T>
std::string counting_bytes(int count) {
    std::string bytes;
    for (int i = 0; i < count; ++i) {
        T value = static_cast<T>(i);
        bytes.append(reinterpret_cast<const char*>(&value), sizeof value);
    }
    return bytes;
}

// A .npy uint8 file as written by write_npy_u8: its header text and its values.
struct U8Npy {
    std::string header;
    std::vector<uint8_t> values;
};

U8Npy read_u8_npy(const fs::path& path) {
    const std::string bytes = read_file_text(path);
    U8Npy npy;
    if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) return npy;
    size_t header_size = 0, offset = 0;
    if (bytes[6] == 1) {
        header_size = static_cast<uint8_t>(bytes[8]) | static_cast<uint8_t>(bytes[9]) << 8;
        offset = 10;
    } else {
        for (int i = 0; i < 4; ++i) header_size |= size_t{static_cast<uint8_t>(bytes[8 + i])} << (8 * i);
        offset = 12;
    }
    npy.header = bytes.substr(offset, header_size);
    npy.values.assign(bytes.begin() + static_cast<std::ptrdiff_t>(offset + header_size), bytes.end());
    return npy;
}

// ---- output parsing ----------------------------------------------------------------------

// Every number after `"field": ` in `json`, in order; null reads as NaN.
std::vector<double> json_numbers(const std::string& json, const std::string& field) {
    std::vector<double> values;
    const std::string needle = "\"" + field + "\": ";
    for (size_t at = json.find(needle); at != std::string::npos; at = json.find(needle, at + 1)) {
        const char* start = json.c_str() + at + needle.size();
        if (std::strncmp(start, "null", 4) == 0) {
            values.push_back(std::numeric_limits<double>::quiet_NaN());
        } else {
            values.push_back(std::strtod(start, nullptr));
        }
    }
    return values;
}

std::vector<std::string> split(const std::string& text, char separator) {
    std::vector<std::string> parts;
    std::string part;
    std::istringstream stream(text);
    while (std::getline(stream, part, separator)) parts.push_back(part);
    return parts;
}

// ---- fixture -----------------------------------------------------------------------------

// Each test gets a fresh folder; `in` and `out` are the usual paths inside it.
class CliTest : public ::testing::Test {
protected:
    void SetUp() override {
        const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::path(NORMVIZ_TEST_TMP_DIR) / "cli" / (std::string(info->test_suite_name()) + "." + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        in_ = (dir_ / "in.npy").string();
        out_ = (dir_ / "out.npy").string();
    }
    void TearDown() override {
        std::error_code ec;
        fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, ec);
    }

    RunResult run(const std::vector<std::string>& args) { return run_normviz(dir_, args); }

    void write_input(const core::Tensor& tensor) {
        core::Status written = core::write_npy(in_, tensor);
        ASSERT_TRUE(written.ok()) << written.error().message;
    }
    void write_default_input() { write_input(make_input({2, 4, 3, 3}, 4)); }

    // The folder holds exactly `names` (so no OUT and no temporary file was left behind).
    ::testing::AssertionResult FolderHolds(std::vector<std::string> names) {
        std::vector<std::string> present;
        for (const fs::directory_entry& entry : fs::directory_iterator(dir_)) {
            present.push_back(entry.path().filename().string());
        }
        std::sort(present.begin(), present.end());
        std::sort(names.begin(), names.end());
        if (present == names) return ::testing::AssertionSuccess();
        ::testing::AssertionResult failure = ::testing::AssertionFailure();
        failure << "folder holds:";
        for (const std::string& name : present) failure << " " << name;
        return failure;
    }

    // normalize must fail with `status` and one line, and leave only in.npy behind.
    void expect_normalize_error(const std::vector<std::string>& args, int status) {
        std::vector<std::string> full{"normalize"};
        full.insert(full.end(), args.begin(), args.end());
        const RunResult result = run(full);
        EXPECT_TRUE(IsOneLineError(result, status, "normalize"));
        EXPECT_FALSE(fs::exists(out_));
        EXPECT_TRUE(FolderHolds({"in.npy"}));
    }

    fs::path dir_;
    std::string in_;
    std::string out_;
};

constexpr int kDataError = 1;
constexpr int kUsageError = 2;

// ---- help and version --------------------------------------------------------------------

class CliHelp : public CliTest {};

TEST_F(CliHelp, TopLevelListsSubcommandsAndDesktop) {
    const RunResult result = run({"--help"});
    EXPECT_EQ(result.status, 0);
    EXPECT_TRUE(result.err.empty());
    for (const char* part : {"normalize", "stats", "mask", "--version", "normviz [FILE.npy]", "desktop"}) {
        EXPECT_TRUE(contains_text(result.out, part)) << part;
    }
}

TEST_F(CliHelp, ShortFlagIsTheSame) { EXPECT_EQ(run({"-h"}).out, run({"--help"}).out); }

TEST_F(CliHelp, NormalizeHelpListsOptions) {
    const RunResult result = run({"normalize", "--help"});
    EXPECT_EQ(result.status, 0);
    EXPECT_TRUE(result.err.empty());
    for (const char* part :
         {"Usage: normviz normalize", "--norm", "--groups", "--axes", "--no-center", "--eps", "--convert-int",
          "IN OUT.npy", "--layout", "--dtype", "--running", "NLC", "layer-token", "Examples"}) {
        EXPECT_TRUE(contains_text(result.out, part)) << part;
    }
}

TEST_F(CliHelp, StatsHelpListsFormats) {
    const RunResult result = run({"stats", "--help"});
    EXPECT_EQ(result.status, 0);
    for (const char* part : {"Usage: normviz stats", "--format", "json", "csv", "mean_sq", "--norm"}) {
        EXPECT_TRUE(contains_text(result.out, part)) << part;
    }
}

TEST_F(CliHelp, MaskHelpListsShapeAndFocus) {
    const RunResult result = run({"mask", "-h"});
    EXPECT_EQ(result.status, 0);
    for (const char* part : {"Usage: normviz mask", "--shape N,C,H,W", "--focus n,c,h,w", "--norm", "uint8"}) {
        EXPECT_TRUE(contains_text(result.out, part)) << part;
    }
}

TEST_F(CliHelp, HelpWinsOverOtherArguments) {
    const RunResult result = run({"normalize", "--bogus", "a.npy", "--help"});
    EXPECT_EQ(result.status, 0);
    EXPECT_TRUE(result.err.empty());
    EXPECT_TRUE(contains_text(result.out, "Usage: normviz normalize"));
}

TEST_F(CliHelp, HelpAfterDoubleDashIsAPath) {
    const RunResult result = run({"stats", "--norm", "batch", "--", "--help"});
    EXPECT_TRUE(IsOneLineError(result, kDataError, "stats"));
}

// ---- the desktop program's FILE -----------------------------------------------------------

class CliDesktop : public CliTest {
protected:
    // normviz with no display and XDG_CONFIG_HOME in the test's folder, whose settings.ini
    // remembers `settings`.
    RunResult run_without_display(const std::string& settings, const std::vector<std::string>& args) {
        const fs::path config = dir_ / "config";
        fs::create_directories(config / "normviz");
        write_bytes(config / "normviz" / "settings.ini", settings);
        return run_normviz(
            dir_, args,
            {"/usr/bin/env", "-u", "DISPLAY", "-u", "WAYLAND_DISPLAY", "XDG_CONFIG_HOME=" + config.string()});
    }
};

TEST_F(CliDesktop, ARememberedLayoutOfAnotherRankGivesWayToTheFilesDefault) {
    // The last file was NCHW; this one is (batch, tokens, features). Read as its rank's default
    // (NCL), it gets as far as the window, which cannot open without a display.
    write_bytes(in_, npy_bytes("<f4", "(2, 3, 4)", std::string(24 * sizeof(float), '\0')));
    const RunResult remembered = run_without_display("layout=NCHW\n", {in_});
    EXPECT_EQ(remembered.status, kDataError);
    EXPECT_NE(remembered.err.find("no display found"), std::string::npos) << remembered.err;
    // --layout is the user's choice for this file: it is kept, and refused.
    const RunResult chosen = run_without_display("layout=NCHW\n", {in_, "--layout", "NCHW"});
    EXPECT_EQ(chosen.status, kDataError);
    EXPECT_NE(chosen.err.find("layout NCHW reads rank 4 arrays"), std::string::npos) << chosen.err;
}

class CliVersion : public CliTest {};

TEST_F(CliVersion, PrintsNameAndVersion) {
    const RunResult result = run({"--version"});
    EXPECT_EQ(result.status, 0);
    EXPECT_EQ(result.out, "normviz " NORMVIZ_VERSION "\n");
    EXPECT_TRUE(result.err.empty());
}

// ---- normalize ---------------------------------------------------------------------------

class CliNormalize : public CliTest {
protected:
    // Runs normalize with `norm_args` on `input` and checks OUT equals core::normalize.
    void expect_matches_core(const core::Tensor& input, const core::NormSpec& spec, std::vector<std::string> args) {
        write_input(input);
        args.insert(args.begin(), "normalize");
        const RunResult result = run(args);
        ASSERT_EQ(result.status, 0) << result.err;
        EXPECT_TRUE(result.err.empty());
        EXPECT_TRUE(result.out.empty());
        core::Result<core::Tensor> written = core::read_npy(out_);
        ASSERT_TRUE(written.ok()) << written.error().message;
        core::Result<core::Tensor> expected = core::normalize(input, spec);
        ASSERT_TRUE(expected.ok()) << expected.error().message;
        EXPECT_EQ(written.value().shape, input.shape);
        EXPECT_EQ(written.value().layout, input.layout);
        ASSERT_EQ(written.value().data.size(), expected.value().data.size());
        for (size_t i = 0; i < expected.value().data.size(); ++i) {
            ASSERT_EQ(written.value().data[i], expected.value().data[i]) << "at " << i;
        }
    }
};

TEST_F(CliNormalize, BatchMatchesCore) {
    expect_matches_core(make_input({2, 4, 3, 3}, 4), {.kind = core::NormKind::Batch}, {"--norm", "batch", in_, out_});
}

TEST_F(CliNormalize, LayerMatchesCore) {
    expect_matches_core(make_input({2, 4, 3, 3}, 4), {.kind = core::NormKind::Layer}, {"--norm", "layer", in_, out_});
}

TEST_F(CliNormalize, InstanceMatchesCore) {
    expect_matches_core(make_input({2, 4, 3, 3}, 4), {.kind = core::NormKind::Instance},
                        {"--norm", "instance", in_, out_});
}

TEST_F(CliNormalize, GroupMatchesCore) {
    expect_matches_core(make_input({2, 6, 3, 3}, 4), {.kind = core::NormKind::Group, .groups = 3},
                        {"--norm", "group", "--groups", "3", in_, out_});
}

TEST_F(CliNormalize, LayerTokenOnRank3KeepsRank) {
    expect_matches_core(make_input({2, 5, 1, 7}, 3), {.kind = core::NormKind::LayerToken},
                        {"--norm", "layer-token", in_, out_});
}

TEST_F(CliNormalize, RmsMatchesCore) {
    expect_matches_core(make_input({2, 4, 3, 3}, 4), {.kind = core::NormKind::Rms}, {"--norm", "rms", in_, out_});
}

TEST_F(CliNormalize, BatchOnRank2KeepsRank) {
    expect_matches_core(make_input({5, 3, 1, 1}, 2), {.kind = core::NormKind::Batch}, {"--norm", "batch", in_, out_});
}

TEST_F(CliNormalize, CustomAxesNoCenter) {
    const core::NormSpec spec{
        .kind = core::NormKind::Custom,
        .custom_axes = core::AxisMask(core::axis_bit(core::Axis::N) | core::axis_bit(core::Axis::W)),
        .custom_center = false};
    expect_matches_core(make_input({3, 2, 2, 4}, 4), spec,
                        {"--norm", "custom", "--axes", "WN", "--no-center", in_, out_});
}

TEST_F(CliNormalize, AxesWithoutNormMeansCustom) {
    const core::NormSpec spec{.kind = core::NormKind::Custom,
                              .custom_axes = core::AxisMask(core::axis_bit(core::Axis::H))};
    expect_matches_core(make_input({2, 2, 4, 3}, 4), spec, {"--axes", "h", in_, out_});
}

TEST_F(CliNormalize, OptionsAfterPathsAndEqualsSyntax) {
    expect_matches_core(make_input({2, 4, 3, 3}, 4), {.kind = core::NormKind::Group, .groups = 2, .eps = 0.5},
                        {in_, "--groups=2", out_, "--norm=group", "--eps", "0.5"});
}

TEST_F(CliNormalize, EpsChangesTheResult) {
    expect_matches_core(make_input({2, 4, 3, 3}, 4), {.kind = core::NormKind::Layer, .eps = 2.0},
                        {"--norm", "layer", "--eps=2", in_, out_});
}

TEST_F(CliNormalize, DoubleDashEndsOptions) {
    expect_matches_core(make_input({2, 4, 3, 3}, 4), {.kind = core::NormKind::Batch},
                        {"--norm", "batch", "--", in_, out_});
}

TEST_F(CliNormalize, ReplacesAnExistingOut) {
    write_bytes(out_, "old");
    expect_matches_core(make_input({2, 4, 3, 3}, 4), {.kind = core::NormKind::Batch}, {"--norm", "batch", in_, out_});
}

// A float64 input keeps its precision: statistics and output in float64 by default, float32
// on request. The expected values are torch.nn.functional.batch_norm's on this input in
// float64 (written out: mean and biased variance per channel over N and L).
TEST_F(CliNormalize, Float64InputWritesFloat64UnlessAsked) {
    std::string data;
    std::vector<double> x;
    for (int i = 0; i < 12; ++i) {
        const double value = 1.0 + 1e-5 * ((i * 7) % 5) + 1e-12 * i;  // tiny spread on an offset
        x.push_back(value);
        data.append(reinterpret_cast<const char*>(&value), sizeof value);
    }
    write_bytes(in_, npy_bytes("<f8", "(2, 3, 2)", data));
    const RunResult result = run({"normalize", "--norm", "batch", in_, out_});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_TRUE(contains_text(read_file_text(out_), "'<f8'"));
    core::Result<core::Tensor> written = core::read_npy(out_);
    ASSERT_TRUE(written.ok());
    ASSERT_TRUE(written.value().has_exact64());
    for (int c = 0; c < 3; ++c) {
        std::vector<double> group;
        for (int n = 0; n < 2; ++n)
            for (int l = 0; l < 2; ++l) group.push_back(x[n * 6 + c * 2 + l]);
        double mean = 0, var = 0;
        for (double v : group) mean += v / 4;
        for (double v : group) var += (v - mean) * (v - mean) / 4;
        for (int n = 0; n < 2; ++n)
            for (int l = 0; l < 2; ++l) {
                const double expected = (x[n * 6 + c * 2 + l] - mean) / std::sqrt(var + 1e-5);
                EXPECT_NEAR(written.value().data64[n * 6 + c * 2 + l], expected, 1e-9);
            }
    }
    const RunResult narrow = run({"normalize", "--norm", "batch", "--dtype", "float32", in_, out_});
    ASSERT_EQ(narrow.status, 0) << narrow.err;
    EXPECT_TRUE(contains_text(read_file_text(out_), "'<f4'"));
    const RunResult half = run({"normalize", "--norm", "batch", "--dtype", "float16", in_, out_});
    ASSERT_EQ(half.status, 0) << half.err;
    EXPECT_TRUE(contains_text(read_file_text(out_), "'<f2'"));
    EXPECT_EQ(run({"normalize", "--norm", "batch", "--dtype", "int8", in_, out_}).status, 2);
}

TEST_F(CliNormalize, ConvertIntAcceptsIntegers) {
    write_bytes(in_, npy_bytes("<i4", "(2, 3, 4)", counting_bytes<int32_t>(24)));
    const RunResult result = run({"normalize", "--norm", "layer", "--convert-int", in_, out_});
    ASSERT_EQ(result.status, 0) << result.err;
    core::Result<core::Tensor> input = core::read_npy(in_, core::IntegerPolicy::Convert);
    core::Result<core::Tensor> written = core::read_npy(out_);
    ASSERT_TRUE(input.ok() && written.ok());
    core::Result<core::Tensor> expected = core::normalize(input.value(), {.kind = core::NormKind::Layer});
    ASSERT_TRUE(expected.ok());
    EXPECT_EQ(written.value().data, expected.value().data);
    EXPECT_EQ(normviz::core::layout_rank(written.value().layout), 3);
}

// ---- stats -------------------------------------------------------------------------------

class CliStats : public CliTest {
protected:
    // Stats of `input` under `spec` as core computes them.
    std::vector<core::GroupStats> core_stats(const core::Tensor& input, const core::NormSpec& spec) {
        return core::compute_group_stats(input, core::make_partition(spec, input.shape));
    }
};

TEST_F(CliStats, JsonBatchOneRecordPerChannel) {
    const core::Tensor input = make_input({2, 4, 3, 3}, 4);
    write_input(input);
    const RunResult result = run({"stats", "--norm", "batch", in_});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_TRUE(result.err.empty());
    const std::vector<core::GroupStats> expected = core_stats(input, {});
    ASSERT_EQ(expected.size(), 4u);
    const std::vector<double> counts = json_numbers(result.out, "count");
    const std::vector<double> means = json_numbers(result.out, "mean");
    const std::vector<double> vars = json_numbers(result.out, "var");
    const std::vector<double> mean_sqs = json_numbers(result.out, "mean_sq");
    ASSERT_EQ(counts.size(), expected.size());
    ASSERT_EQ(means.size(), expected.size());
    ASSERT_EQ(vars.size(), expected.size());
    ASSERT_EQ(mean_sqs.size(), expected.size());
    for (size_t g = 0; g < expected.size(); ++g) {
        EXPECT_EQ(counts[g], static_cast<double>(expected[g].count));
        EXPECT_EQ(means[g], expected[g].mean) << "exact round trip";
        EXPECT_EQ(vars[g], expected[g].var);
        EXPECT_EQ(mean_sqs[g], expected[g].mean_sq);
        EXPECT_TRUE(contains_text(result.out, "{\"key\": {\"c\": " + std::to_string(g) + "}"));
    }
}

TEST_F(CliStats, JsonHasHeaderFields) {
    write_default_input();
    const RunResult result = run({"stats", in_, "--norm", "layer", "--format", "json"});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_TRUE(contains_text(result.out, "\"norm\": \"layer\""));
    EXPECT_TRUE(contains_text(result.out, "\"shape\": [2, 4, 3, 3]"));
    EXPECT_TRUE(contains_text(result.out, "\"eps\": 1e-05"));
    EXPECT_TRUE(contains_text(result.out, "\"description\": \""));
    EXPECT_TRUE(contains_text(result.out, "\"groups\": ["));
    EXPECT_EQ(json_numbers(result.out, "count").size(), 2u);
    EXPECT_EQ(result.out.front(), '{');
    EXPECT_EQ(result.out.substr(result.out.size() - 2), "}\n");
}

TEST_F(CliStats, JsonGroupKeyNamesG) {
    write_input(make_input({2, 6, 2, 2}, 4));
    const RunResult result = run({"stats", "--norm", "group", "--groups", "3", in_});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(json_numbers(result.out, "count").size(), 6u);
    EXPECT_TRUE(contains_text(result.out, "{\"key\": {\"n\": 0, \"g\": 0}"));
    EXPECT_TRUE(contains_text(result.out, "{\"key\": {\"n\": 1, \"g\": 2}"));
}

TEST_F(CliStats, CsvGroupRowsMatchCore) {
    const core::Tensor input = make_input({2, 4, 3, 3}, 4);
    write_input(input);
    const RunResult result = run({"stats", "--norm", "group", "--groups", "2", "--format=csv", in_});
    ASSERT_EQ(result.status, 0) << result.err;
    const core::NormSpec spec{.kind = core::NormKind::Group, .groups = 2};
    const core::Partition partition = core::make_partition(spec, input.shape);
    const std::vector<core::GroupStats> expected = core_stats(input, spec);
    const std::vector<std::string> lines = split(result.out, '\n');
    ASSERT_EQ(lines.size(), static_cast<size_t>(partition.group_count()) + 1);
    EXPECT_EQ(lines[0], "n,g,count,mean,var,mean_sq");
    for (size_t g = 0; g < expected.size(); ++g) {
        const std::vector<std::string> fields = split(lines[g + 1], ',');
        ASSERT_EQ(fields.size(), 6u) << lines[g + 1];
        EXPECT_EQ(fields[0], std::to_string(g / 2));
        EXPECT_EQ(fields[1], std::to_string(g % 2));
        EXPECT_EQ(fields[2], std::to_string(expected[g].count));
        EXPECT_EQ(std::strtod(fields[3].c_str(), nullptr), expected[g].mean);
        EXPECT_EQ(std::strtod(fields[4].c_str(), nullptr), expected[g].var);
        EXPECT_EQ(std::strtod(fields[5].c_str(), nullptr), expected[g].mean_sq);
    }
}

TEST_F(CliStats, CsvLayerTokenKeyIsNHW) {
    write_input(make_input({2, 3, 2, 2}, 4));
    const RunResult result = run({"stats", "--norm", "layer-token", "--format", "csv", in_});
    ASSERT_EQ(result.status, 0) << result.err;
    const std::vector<std::string> lines = split(result.out, '\n');
    ASSERT_EQ(lines.size(), 9u);
    EXPECT_EQ(lines[0], "n,h,w,count,mean,var,mean_sq");
    EXPECT_EQ(lines[8].substr(0, 8), "1,1,1,3,");
}

TEST_F(CliStats, CustomOverAllAxesHasEmptyKey) {
    write_default_input();
    const RunResult result = run({"stats", "--axes", "NCHW", "--format", "csv", in_});
    ASSERT_EQ(result.status, 0) << result.err;
    const std::vector<std::string> lines = split(result.out, '\n');
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0], "count,mean,var,mean_sq");
    EXPECT_EQ(lines[1].substr(0, 3), "72,");
}

TEST_F(CliStats, NonFiniteIsNullInJsonAndNamedInCsv) {
    core::Tensor input = make_input({2, 2, 2, 2}, 4);
    input.at({0, 0, 0, 0}) = std::numeric_limits<float>::quiet_NaN();
    input.at({0, 1, 1, 1}) = std::numeric_limits<float>::infinity();
    write_input(input);
    const RunResult json = run({"stats", "--norm", "batch", in_});
    ASSERT_EQ(json.status, 0) << json.err;
    EXPECT_TRUE(contains_text(json.out, "\"mean\": null"));
    for (const char* bare : {": nan", ": inf", ": -inf", ": NaN", ": Infinity"})  // not JSON
        EXPECT_FALSE(contains_text(json.out, bare)) << bare;
    const std::vector<double> means = json_numbers(json.out, "mean");
    ASSERT_EQ(means.size(), 2u);
    EXPECT_TRUE(std::isnan(means[0]));
    EXPECT_TRUE(std::isnan(means[1]));  // +Inf mean is not finite: null too

    const RunResult csv = run({"stats", "--norm", "batch", "--format", "csv", in_});
    ASSERT_EQ(csv.status, 0) << csv.err;
    const std::vector<std::string> lines = split(csv.out, '\n');
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(lines[0], "c,count,mean,var,mean_sq");
    EXPECT_EQ(split(lines[1], ',')[2], "nan");
    EXPECT_EQ(split(lines[2], ',')[2], "inf");
}

// A null or nan statistic is never left unexplained: the JSON counts the input's NaN and Inf
// values, and one note on stderr says how many there are, where the first is, and how the
// affected groups print. Finite data prints no note.
TEST_F(CliStats, NonFiniteStatisticsComeWithANote) {
    core::Tensor input = make_input({2, 2, 2, 2}, 4);
    input.at({0, 1, 0, 1}) = std::numeric_limits<float>::quiet_NaN();
    input.at({1, 1, 1, 1}) = -std::numeric_limits<float>::infinity();
    write_input(input);
    const RunResult json = run({"stats", "--norm", "instance", in_});
    ASSERT_EQ(json.status, 0) << json.err;
    EXPECT_TRUE(contains_text(json.out, "\"non_finite_values\": {\"nan\": 1, \"inf\": 0, \"-inf\": 1}")) << json.out;
    EXPECT_EQ(json.err, "normviz stats: note: " + in_ +
                            " holds 1 NaN, 0 +Inf and 1 -Inf values (the first at "
                            "(n, c, h, w) = (0, 1, 0, 1)); the statistics of the 2 group(s) that pool them are not "
                            "finite, printed as null\n");
    const RunResult csv = run({"stats", "--norm", "instance", "--format", "csv", in_});
    ASSERT_EQ(csv.status, 0) << csv.err;
    EXPECT_TRUE(contains_text(csv.err, "printed as nan, inf or -inf")) << csv.err;
    write_default_input();
    const RunResult finite = run({"stats", "--norm", "instance", in_});
    ASSERT_EQ(finite.status, 0) << finite.err;
    EXPECT_EQ(finite.err, "");
    EXPECT_TRUE(contains_text(finite.out, "\"non_finite_values\": {\"nan\": 0, \"inf\": 0, \"-inf\": 0}"));
}

// float64 values beyond float32's range used to become +-Inf on reading, and stats printed
// null for them with exit 0; now the file is refused, naming the index and the value.
TEST_F(CliStats, Float64BeyondFloat32IsRefused) {
    std::string data;
    for (int i = 0; i < 12; ++i) {
        const double value = i == 7 ? 1e300 : 0.5 * i;
        data.append(reinterpret_cast<const char*>(&value), sizeof value);
    }
    write_bytes(in_, npy_bytes("<f8", "(2, 3, 2)", data));
    for (const char* command : {"stats", "normalize"}) {
        std::vector<std::string> args{command, "--norm", "layer", in_};
        if (std::string(command) == "normalize") args.push_back(out_);
        const RunResult result = run(args);
        EXPECT_TRUE(IsOneLineError(result, kDataError, command));
        EXPECT_TRUE(contains_text(result.err, in_ + ": float64 value 1e+300 at index [1, 0, 1] exceeds the range of "
                                                    "float32"))
            << result.err;
    }
    EXPECT_TRUE(FolderHolds({"in.npy"}));
}

// The largest float32 magnitudes: sums and squares are taken in double, so every statistic
// stays finite (float32 accumulation would overflow: 3e38 + 3e38 = Inf) and equals the
// float64 answer written out: mean 0 and var = mean_sq = max^2 for +-max pairs.
TEST_F(CliStats, LargestFloat32ValuesGiveFiniteStatistics) {
    const float max = std::numeric_limits<float>::max();
    core::Tensor input = core::make_tensor({2, 1, 2, 2});
    for (size_t i = 0; i < input.data.size(); ++i) input.data[i] = i % 2 ? -max : max;
    write_input(input);
    const RunResult result = run({"stats", "--norm", "layer", "--format", "csv", in_});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.err, "");
    const std::vector<std::string> lines = split(result.out, '\n');
    ASSERT_EQ(lines.size(), 3u);
    const double square = double(max) * double(max);
    for (int n = 1; n <= 2; ++n) {
        const std::vector<std::string> row = split(lines[n], ',');
        ASSERT_EQ(row.size(), 5u) << lines[n];
        EXPECT_EQ(std::stod(row[2]), 0.0);
        EXPECT_DOUBLE_EQ(std::stod(row[3]), square);
        EXPECT_DOUBLE_EQ(std::stod(row[4]), square);
    }
}

// stats made its partition before checking the norm against the file's shape, so a G that
// does not divide C aborted on an internal assertion (found by tests/soak/soak_cli.py).
TEST_F(CliStats, GroupsNotDividingTheFilesChannelsIsADataError) {
    write_input(make_input({2, 3, 2, 2}, 4));
    for (const char* format : {"json", "csv"}) {
        const RunResult result = run({"stats", "--norm", "group", "--groups", "2", "--format", format, in_});
        EXPECT_TRUE(IsOneLineError(result, kDataError, "stats"));
        EXPECT_TRUE(contains_text(result.err, "C = 3 is not divisible by G = 2")) << result.err;
    }
}

TEST_F(CliStats, UnknownFormatIsAUsageError) {
    write_default_input();
    const RunResult result = run({"stats", "--norm", "batch", "--format", "xml", in_});
    EXPECT_TRUE(IsOneLineError(result, kUsageError, "stats"));
    EXPECT_TRUE(contains_text(result.err, "json or csv"));
}

TEST_F(CliStats, TwoInputsAreAUsageError) {
    write_default_input();
    EXPECT_TRUE(IsOneLineError(run({"stats", "--norm", "batch", in_, in_}), kUsageError, "stats"));
}

TEST_F(CliStats, MissingInputFileIsADataError) {
    EXPECT_TRUE(IsOneLineError(run({"stats", "--norm", "batch", (dir_ / "nope.npy").string()}), kDataError, "stats"));
}

TEST_F(CliStats, BatchWithOneValuePerChannelIsADataError) {
    write_input(make_input({1, 4, 1, 1}, 2));
    EXPECT_TRUE(IsOneLineError(run({"stats", "--norm", "batch", in_}), kDataError, "stats"));
}

// ---- mask --------------------------------------------------------------------------------

class CliMask : public CliTest {
protected:
    void expect_mask(const core::NormSpec& spec, const core::Shape& shape, const core::Index& focus,
                     std::vector<std::string> args) {
        args.insert(args.begin(), "mask");
        const RunResult result = run(args);
        ASSERT_EQ(result.status, 0) << result.err;
        EXPECT_TRUE(result.out.empty());
        EXPECT_TRUE(result.err.empty());
        const U8Npy npy = read_u8_npy(out_);
        EXPECT_TRUE(contains_text(npy.header, "'descr': '|u1'")) << npy.header;
        EXPECT_TRUE(contains_text(npy.header, core::to_string(shape))) << npy.header;
        const core::Partition partition = core::make_partition(spec, shape);
        EXPECT_EQ(npy.values, core::group_mask(partition, focus));
    }
};

TEST_F(CliMask, BatchMaskMatchesCore) {
    expect_mask({}, {2, 4, 3, 3}, {1, 2, 0, 1}, {"--shape", "2,4,3,3", "--norm", "batch", "--focus", "1,2,0,1", out_});
}

TEST_F(CliMask, GroupMaskMatchesCore) {
    expect_mask({.kind = core::NormKind::Group, .groups = 2}, {2, 4, 3, 3}, {1, 3, 2, 2},
                {out_, "--focus=1,3,2,2", "--norm", "group", "--groups", "2", "--shape=2,4,3,3"});
}

TEST_F(CliMask, CustomMaskMatchesCore) {
    const core::NormSpec spec{.kind = core::NormKind::Custom,
                              .custom_axes = core::AxisMask(core::axis_bit(core::Axis::C))};
    expect_mask(spec, {2, 3, 2, 2}, {0, 0, 1, 0}, {"--shape", "2,3,2,2", "--axes", "C", "--focus", "0,0,1,0", out_});
}

TEST_F(CliMask, FocusOutsideShape) {
    const RunResult result = run({"mask", "--shape", "2,4,3,3", "--norm", "batch", "--focus", "0,4,0,0", out_});
    EXPECT_TRUE(IsOneLineError(result, kUsageError, "mask"));
    EXPECT_FALSE(fs::exists(out_));
}

TEST_F(CliMask, MalformedFocus) {
    const RunResult result = run({"mask", "--shape", "2,4,3,3", "--norm", "batch", "--focus", "0,a", out_});
    EXPECT_TRUE(IsOneLineError(result, kUsageError, "mask"));
    EXPECT_FALSE(fs::exists(out_));
}

TEST_F(CliMask, MalformedShape) {
    const RunResult result = run({"mask", "--shape", "2x4", "--norm", "batch", "--focus", "0,0,0,0", out_});
    EXPECT_TRUE(IsOneLineError(result, kUsageError, "mask"));
    EXPECT_FALSE(fs::exists(out_));
}

TEST_F(CliMask, ZeroSizeShape) {
    const RunResult result = run({"mask", "--shape", "2,0,3,3", "--norm", "batch", "--focus", "0,0,0,0", out_});
    EXPECT_TRUE(IsOneLineError(result, kUsageError, "mask"));
    EXPECT_FALSE(fs::exists(out_));
}

TEST_F(CliMask, MissingShape) {
    const RunResult result = run({"mask", "--norm", "batch", "--focus", "0,0,0,0", out_});
    EXPECT_TRUE(IsOneLineError(result, kUsageError, "mask"));
    EXPECT_FALSE(fs::exists(out_));
}

TEST_F(CliMask, MissingFocus) {
    const RunResult result = run({"mask", "--shape", "2,4,3,3", "--norm", "batch", out_});
    EXPECT_TRUE(IsOneLineError(result, kUsageError, "mask"));
    EXPECT_FALSE(fs::exists(out_));
}

TEST_F(CliMask, MissingOut) {
    EXPECT_TRUE(IsOneLineError(run({"mask", "--shape", "2,4,3,3", "--norm", "batch", "--focus", "0,0,0,0"}),
                               kUsageError, "mask"));
}

TEST_F(CliMask, NormInvalidForShape) {
    const RunResult result =
        run({"mask", "--shape", "2,6,3,3", "--norm", "group", "--groups", "4", "--focus", "0,0,0,0", out_});
    EXPECT_TRUE(IsOneLineError(result, kUsageError, "mask"));
    EXPECT_FALSE(fs::exists(out_));
}

TEST_F(CliMask, ConvertIntIsNotAMaskOption) {
    const RunResult result =
        run({"mask", "--shape", "2,4,3,3", "--norm", "batch", "--focus", "0,0,0,0", "--convert-int", out_});
    EXPECT_TRUE(IsOneLineError(result, kUsageError, "mask"));
    EXPECT_FALSE(fs::exists(out_));
}

TEST_F(CliMask, UnwritableOut) {
    const std::string out = (dir_ / "missing" / "mask.npy").string();
    const RunResult result = run({"mask", "--shape", "2,4,3,3", "--norm", "batch", "--focus", "0,0,0,0", out});
    EXPECT_TRUE(IsOneLineError(result, kDataError, "mask"));
    EXPECT_FALSE(fs::exists(out));
}

// ---- norm option errors (checked through normalize) --------------------------------------

class CliNormOptions : public CliTest {
protected:
    void SetUp() override {
        CliTest::SetUp();
        write_default_input();
    }
};

TEST_F(CliNormOptions, UnknownNormListsValidNames) {
    expect_normalize_error({"--norm", "batchnorm", in_, out_}, kUsageError);
    const RunResult result = run({"normalize", "--norm", "batchnorm", in_, out_});
    for (const char* name : {"batch", "layer", "instance", "group", "layer-token", "rms", "custom"}) {
        EXPECT_TRUE(contains_text(result.err, name)) << name;
    }
}

TEST_F(CliNormOptions, MissingNorm) { expect_normalize_error({in_, out_}, kUsageError); }

TEST_F(CliNormOptions, GroupsBelowOne) {
    expect_normalize_error({"--norm", "group", "--groups", "0", in_, out_}, kUsageError);
}

TEST_F(CliNormOptions, GroupsNotANumber) {
    expect_normalize_error({"--norm", "group", "--groups", "two", in_, out_}, kUsageError);
}

TEST_F(CliNormOptions, GroupNormWithoutGroups) { expect_normalize_error({"--norm", "group", in_, out_}, kUsageError); }

TEST_F(CliNormOptions, GroupsWithNonGroupNorm) {
    expect_normalize_error({"--norm", "batch", "--groups", "2", in_, out_}, kUsageError);
}

TEST_F(CliNormOptions, BadAxesLetters) { expect_normalize_error({"--axes", "NXY", in_, out_}, kUsageError); }

TEST_F(CliNormOptions, EmptyAxes) { expect_normalize_error({"--axes=", in_, out_}, kUsageError); }

TEST_F(CliNormOptions, RepeatedAxisLetter) { expect_normalize_error({"--axes", "NN", in_, out_}, kUsageError); }

TEST_F(CliNormOptions, CustomWithoutAxes) { expect_normalize_error({"--norm", "custom", in_, out_}, kUsageError); }

TEST_F(CliNormOptions, AxesWithNonCustomNorm) {
    expect_normalize_error({"--norm", "layer", "--axes", "CHW", in_, out_}, kUsageError);
}

TEST_F(CliNormOptions, NoCenterWithNonCustomNorm) {
    expect_normalize_error({"--norm", "layer", "--no-center", in_, out_}, kUsageError);
}

TEST_F(CliNormOptions, NoCenterWithRms) {
    expect_normalize_error({"--norm", "rms", "--no-center", in_, out_}, kUsageError);
}

TEST_F(CliNormOptions, BadEps) { expect_normalize_error({"--norm", "batch", "--eps", "tiny", in_, out_}, kUsageError); }

TEST_F(CliNormOptions, NegativeEps) {
    expect_normalize_error({"--norm", "batch", "--eps", "-1e-5", in_, out_}, kUsageError);
}

TEST_F(CliNormOptions, InfiniteEps) {
    expect_normalize_error({"--norm", "batch", "--eps=inf", in_, out_}, kUsageError);
}

// ---- command-line syntax errors ----------------------------------------------------------

class CliArguments : public CliTest {
protected:
    void SetUp() override {
        CliTest::SetUp();
        write_default_input();
    }
};

TEST_F(CliArguments, UnknownOption) {
    expect_normalize_error({"--norm", "batch", "--nrom", "x", in_, out_}, kUsageError);
}

TEST_F(CliArguments, UnknownOptionNamesItAndTheHelp) {
    const RunResult result = run({"normalize", "--norm", "batch", "--bogus", in_, out_});
    EXPECT_TRUE(contains_text(result.err, "--bogus"));
    EXPECT_TRUE(contains_text(result.err, "normviz normalize --help"));
}

TEST_F(CliArguments, MissingOptionValueAtEnd) { expect_normalize_error({in_, out_, "--norm"}, kUsageError); }

TEST_F(CliArguments, MissingOptionValueBeforeOption) {
    expect_normalize_error({"--norm", "--eps", "1", in_, out_}, kUsageError);
}

TEST_F(CliArguments, FlagWithValue) {
    expect_normalize_error({"--axes", "HW", "--no-center=yes", in_, out_}, kUsageError);
}

TEST_F(CliArguments, RepeatedOption) {
    expect_normalize_error({"--norm", "batch", "--norm", "layer", in_, out_}, kUsageError);
}

TEST_F(CliArguments, NoPaths) { expect_normalize_error({"--norm", "batch"}, kUsageError); }

TEST_F(CliArguments, MissingOutPath) { expect_normalize_error({"--norm", "batch", in_}, kUsageError); }

TEST_F(CliArguments, TooManyPaths) {
    const std::string extra = (dir_ / "extra.npy").string();
    expect_normalize_error({"--norm", "batch", in_, out_, extra}, kUsageError);
    EXPECT_FALSE(fs::exists(extra));
}

TEST_F(CliArguments, OutEqualsInKeepsTheInput) {
    const std::string before = read_file_text(in_);
    const RunResult result = run({"normalize", "--norm", "batch", in_, (dir_ / "." / "in.npy").string()});
    EXPECT_TRUE(IsOneLineError(result, kUsageError, "normalize"));
    EXPECT_EQ(read_file_text(in_), before);
    EXPECT_TRUE(FolderHolds({"in.npy"}));
}

// ---- input file errors -------------------------------------------------------------------

class CliInput : public CliTest {};

TEST_F(CliInput, MissingFile) {
    const RunResult result = run({"normalize", "--norm", "batch", in_, out_});
    EXPECT_TRUE(IsOneLineError(result, kDataError, "normalize"));
    EXPECT_TRUE(contains_text(result.err, "in.npy"));
    EXPECT_TRUE(FolderHolds({}));
}

TEST_F(CliInput, UnreadableFile) {
    write_default_input();
    fs::permissions(in_, fs::perms::none);
    if (access(in_.c_str(), R_OK) == 0) GTEST_SKIP() << "running with permission to read anything";
    expect_normalize_error({"--norm", "batch", in_, out_}, kDataError);
}

TEST_F(CliInput, FolderAsInput) {
    fs::create_directory(in_);
    expect_normalize_error({"--norm", "batch", in_, out_}, kDataError);
}

TEST_F(CliInput, NotANpyFile) {
    write_bytes(in_, "this is not a numpy file, just some text\n");
    expect_normalize_error({"--norm", "batch", in_, out_}, kDataError);
}

TEST_F(CliInput, EmptyFile) {
    write_bytes(in_, "");
    expect_normalize_error({"--norm", "batch", in_, out_}, kDataError);
}

TEST_F(CliInput, TruncatedData) {
    write_bytes(in_, npy_bytes("<f4", "(2, 3, 4)", counting_bytes<float>(23)));
    expect_normalize_error({"--norm", "batch", in_, out_}, kDataError);
}

TEST_F(CliInput, MalformedHeader) {
    write_bytes(in_, npy_bytes("<f4", "(2, 3, oops)", counting_bytes<float>(24)));
    expect_normalize_error({"--norm", "batch", in_, out_}, kDataError);
}

TEST_F(CliInput, UnsupportedDtype) {
    write_bytes(in_, npy_bytes("<c8", "(2, 3)", std::string(48, '\0')));
    expect_normalize_error({"--norm", "batch", in_, out_}, kDataError);
}

TEST_F(CliInput, IntegerWithoutConvertInt) {
    write_bytes(in_, npy_bytes("<i4", "(2, 3, 4)", counting_bytes<int32_t>(24)));
    expect_normalize_error({"--norm", "batch", in_, out_}, kDataError);
}

TEST_F(CliInput, RankOne) {
    write_bytes(in_, npy_bytes("<f4", "(6,)", counting_bytes<float>(6)));
    expect_normalize_error({"--norm", "batch", in_, out_}, kDataError);
}

TEST_F(CliInput, RankFive) {
    write_bytes(in_, npy_bytes("<f4", "(2, 2, 2, 2, 2)", counting_bytes<float>(32)));
    expect_normalize_error({"--norm", "batch", in_, out_}, kDataError);
}

TEST_F(CliInput, ZeroSizeDimension) {
    write_bytes(in_, npy_bytes("<f4", "(2, 0, 3)", ""));
    expect_normalize_error({"--norm", "batch", in_, out_}, kDataError);
}

// ---- norm invalid for the input's shape --------------------------------------------------

class CliShapeChecks : public CliTest {};

TEST_F(CliShapeChecks, BatchWithOneValuePerChannel) {
    write_input(make_input({1, 4, 1, 1}, 2));
    expect_normalize_error({"--norm", "batch", in_, out_}, kDataError);
}

TEST_F(CliShapeChecks, InstanceWithOnePixel) {
    write_input(make_input({3, 4, 1, 1}, 2));
    expect_normalize_error({"--norm", "instance", in_, out_}, kDataError);
}

TEST_F(CliShapeChecks, ChannelsNotDivisibleByGroups) {
    write_input(make_input({2, 6, 2, 2}, 4));
    expect_normalize_error({"--norm", "group", "--groups", "4", in_, out_}, kDataError);
}

// ---- output errors -----------------------------------------------------------------------

class CliOutput : public CliTest {
protected:
    void SetUp() override {
        CliTest::SetUp();
        write_default_input();
    }
};

TEST_F(CliOutput, FolderDoesNotExist) {
    const std::string out = (dir_ / "missing" / "out.npy").string();
    expect_normalize_error({"--norm", "batch", in_, out}, kDataError);
    EXPECT_FALSE(fs::exists(out));
}

TEST_F(CliOutput, OutIsAFolder) {
    fs::create_directory(dir_ / "sub");
    const RunResult result = run({"normalize", "--norm", "batch", in_, (dir_ / "sub").string()});
    EXPECT_TRUE(IsOneLineError(result, kDataError, "normalize"));
    EXPECT_TRUE(fs::is_empty(dir_ / "sub"));
}

TEST_F(CliOutput, PipeIsNotReplaced) {
    const fs::path pipe = dir_ / "pipe";
    ASSERT_EQ(mkfifo(pipe.c_str(), 0644), 0);
    const RunResult result = run({"normalize", "--norm", "batch", in_, pipe.string()});
    EXPECT_TRUE(IsOneLineError(result, kDataError, "normalize"));
    EXPECT_TRUE(fs::is_fifo(pipe));
    EXPECT_TRUE(FolderHolds({"in.npy", "pipe"}));
}

TEST_F(CliOutput, MaskPipeIsNotReplaced) {
    const fs::path pipe = dir_ / "pipe";
    ASSERT_EQ(mkfifo(pipe.c_str(), 0644), 0);
    const RunResult result =
        run({"mask", "--shape", "2,4,3,3", "--norm", "batch", "--focus", "0,0,0,0", pipe.string()});
    EXPECT_TRUE(IsOneLineError(result, kDataError, "mask"));
    EXPECT_TRUE(fs::is_fifo(pipe));
}

TEST_F(CliOutput, NameTooLongForTheWriter) {
    const std::string out = (dir_ / (std::string(300, 'x') + ".npy")).string();
    expect_normalize_error({"--norm", "batch", in_, out}, kDataError);
}

TEST_F(CliOutput, MaskNameTooLongForTheWriter) {
    const std::string out = (dir_ / (std::string(300, 'x') + ".npy")).string();
    const RunResult result = run({"mask", "--shape", "2,4,3,3", "--norm", "batch", "--focus", "0,0,0,0", out});
    EXPECT_TRUE(IsOneLineError(result, kDataError, "mask"));
    EXPECT_TRUE(FolderHolds({"in.npy"}));
}

TEST_F(CliOutput, ReadOnlyFolder) {
    const fs::path locked = dir_ / "locked";
    fs::create_directory(locked);
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
    if (access(locked.c_str(), W_OK) == 0) {
        fs::permissions(locked, fs::perms::owner_all);
        GTEST_SKIP() << "running with permission to write anywhere";
    }
    const RunResult result = run({"normalize", "--norm", "batch", in_, (locked / "out.npy").string()});
    fs::permissions(locked, fs::perms::owner_all);
    EXPECT_TRUE(IsOneLineError(result, kDataError, "normalize"));
    EXPECT_TRUE(fs::is_empty(locked));
}

TEST_F(CliOutput, MaskIntoReadOnlyFolder) {
    const fs::path locked = dir_ / "locked";
    fs::create_directory(locked);
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
    if (access(locked.c_str(), W_OK) == 0) {
        fs::permissions(locked, fs::perms::owner_all);
        GTEST_SKIP() << "running with permission to write anywhere";
    }
    const RunResult result =
        run({"mask", "--shape", "2,4,3,3", "--norm", "batch", "--focus", "0,0,0,0", (locked / "mask.npy").string()});
    fs::permissions(locked, fs::perms::owner_all);
    EXPECT_TRUE(IsOneLineError(result, kDataError, "mask"));
    EXPECT_TRUE(fs::is_empty(locked));
}

// ---- the desktop program's and render's options (the subcommands' parser) -----------------
// Option errors come before any window or display, as one line "normviz: ..." and status 2.

class CliDesktopOptions : public CliTest {
protected:
    void expect_option_error(const std::vector<std::string>& args, const std::string& message) {
        const RunResult result = run(args);
        EXPECT_EQ(result.status, kUsageError) << result.err;
        EXPECT_EQ(result.err, "normviz: " + message + "\n");
        EXPECT_TRUE(result.out.empty()) << result.out;
    }
};

TEST_F(CliDesktopOptions, MessagesKeepTheirWording) {
    expect_option_error({"--frobnicate"}, "unknown option '--frobnicate'; see normviz --help");
    expect_option_error({"a.npy", "b.npy"}, "unexpected argument 'b.npy'; see normviz --help");
    expect_option_error({"--size", "10x10"}, "--size '10x10' is not WxH with 64..16384 pixels each, e.g. 1280x800");
    expect_option_error({"--groups", "x"}, "--groups 'x' is not a non-negative integer");
    expect_option_error({"--focus"}, "--focus needs a value; see normviz --help");
    expect_option_error({"--eps", "-1"}, "--eps '-1' is not a finite number >= 0");
    expect_option_error({"render", "--norm", "batch"}, "render needs --out fig.png");
}

TEST_F(CliDesktopOptions, AnOptionGivenTwiceIsAnError) {
    expect_option_error({"render", "--norm", "batch", "--size", "800x600", "--size", "900x700", "--out", "x.png"},
                        "--size is given twice; give it once");
}

TEST_F(CliDesktopOptions, EqualsFormWorksForValuesAndIsRefusedForFlags) {
    expect_option_error({"--size=800x600junk"},
                        "--size '800x600junk' is not WxH with 64..16384 pixels each, e.g. 1280x800");
    expect_option_error({"--status=1"}, "--status takes no value; write just --status");
}

TEST_F(CliDesktopOptions, RenderTakesNoPositionalAndHelpWins) {
    expect_option_error({"render", "--norm", "batch", "--out", "x.png", "extra.npy"},
                        "unexpected argument 'extra.npy'; see normviz --help");
    const RunResult help = run({"render", "--frobnicate", "--help"});
    EXPECT_EQ(help.status, 0);
    EXPECT_TRUE(contains_text(help.out, "usage: normviz render"));
}

}  // namespace

#else  // NORMVIZ_BINARY

TEST(CliBinary, NotBuilt) { GTEST_SKIP() << "the normviz program is not built (NORMVIZ_BUILD_APP=OFF)"; }

#endif  // NORMVIZ_BINARY

// ---- layouts, archives and checkpoints, through the binary -------------------------------
// Inputs and truths come from tools/make_real_fixtures.py (PyTorch modules applied as their
// users apply them); the written OUT must match within the case's tolerance, in IN's layout.

class CliRealInput : public CliTest {
protected:
    static std::string real(const std::string& name) {
        return (fs::path(NORMVIZ_FIXTURE_DIR) / "real" / name).string();
    }
    // normalize ARGS IN OUT, then OUT against the truth file, element by element.
    void expect_normalize_matches(std::vector<std::string> args, const std::string& input, const std::string& truth,
                                  double tol) {
        args.insert(args.begin(), "normalize");
        args.push_back(real(input));
        args.push_back(out_);
        const RunResult result = run(args);
        ASSERT_EQ(result.status, 0) << result.err;
        core::Result<core::Array> got = core::read_npy_array(out_);
        core::Result<core::Array> want = core::read_npy_array(real(truth));
        ASSERT_TRUE(got.ok() && want.ok());
        ASSERT_EQ(got.value().dims, want.value().dims) << "OUT keeps IN's layout";
        const std::vector<double>& w = want.value().values64;
        double worst = 0;
        for (size_t i = 0; i < w.size(); ++i) worst = std::max(worst, std::abs(double(got.value().values[i]) - w[i]));
        EXPECT_LE(worst, tol) << input;
    }
};

TEST_F(CliRealInput, NlcLayerTokenIsNnLayerNormOverFeatures) {
    expect_normalize_matches({"--layout", "NLC", "--norm", "layer-token"}, "encoder_norm1_in.nlc.npy",
                             "nlc_encoder_norm1_in_layer_token.truth.npy", 8.2e-07);
    expect_normalize_matches({"--layout", "NLC", "--norm", "rms", "--eps", "1e-6"}, "encoder_norm1_in.nlc.npy",
                             "nlc_encoder_norm1_in_rms.truth.npy", 5.8e-07);
}

TEST_F(CliRealInput, NlcDefaultLayoutWouldBeWrong) {
    // Read as the rank's default (NCL), layer-token pools tokens, not features: far off.
    const RunResult result = run({"normalize", "--norm", "layer-token", real("encoder_norm1_in.nlc.npy"), out_});
    ASSERT_EQ(result.status, 0) << result.err;
    core::Result<core::Array> got = core::read_npy_array(out_);
    core::Result<core::Array> want = core::read_npy_array(real("nlc_encoder_norm1_in_layer_token.truth.npy"));
    ASSERT_TRUE(got.ok() && want.ok());
    double worst = 0;
    for (size_t i = 0; i < want.value().values64.size(); ++i)
        worst = std::max(worst, std::abs(double(got.value().values[i]) - want.value().values64[i]));
    EXPECT_GT(worst, 0.1);
}

TEST_F(CliRealInput, NhwcBatchIsBatchNorm2dOnThePermutedArray) {
    expect_normalize_matches({"--layout", "NHWC", "--norm", "batch"}, "resnet18_layer2_0_conv1.nhwc.npy",
                             "nhwc_resnet18_layer2_batch.truth.npy", 2.6e-06);
}

TEST_F(CliRealInput, RunningIsBatchNormEvalWithTheCheckpointsBuffers) {
    expect_normalize_matches(
        {"--layout", "NHWC", "--norm", "batch", "--running", real("resnet18_bn.safetensors") + ":layer3.1.bn2"},
        "resnet18_layer3_1_bn2_in.nhwc.npy", "eval_resnet18_layer3_1_bn2.truth.npy", 3.6e-07);
}

TEST_F(CliRealInput, StatsNamesTheLayoutAndTheTokenAxis) {
    const RunResult result =
        run({"stats", "--layout", "NLC", "--norm", "layer-token", real("encoder_norm1_in.nlc.npy")});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_TRUE(contains_text(result.out, "\"layout\": \"NLC\""));
    EXPECT_TRUE(contains_text(result.out, "\"read\": \"read (2, 7, 16) as N=2, L=7, C=16 (NLC)\""));
    EXPECT_TRUE(contains_text(result.out, "{\"key\": {\"n\": 1, \"l\": 6}, \"count\": 16,"));
    EXPECT_FALSE(contains_text(result.out, "\"h\""));
}

TEST_F(CliRealInput, StatsWithRunningPrintsTheModelsStatistics) {
    const RunResult result = run({"stats", "--norm", "batch", "--running", real("resnet18_bn.safetensors") + ":bn1",
                                  real("resnet18_bn1_in.nchw.npy")});
    ASSERT_EQ(result.status, 0) << result.err;
    EXPECT_TRUE(contains_text(result.out, "\"mode\": \"eval\""));
    EXPECT_TRUE(contains_text(result.out, "\"count\": 0,"));
}

// --lengths: padded positions of (B, T, D) hidden states belong to no group. The expected
// numbers are written out here: BatchNorm over the valid tokens only, per feature.
TEST_F(CliRealInput, StatsLengthsMaskThePadding) {
    core::Result<core::Tensor> t = core::read_tensor(real("encoder_norm1_in.nlc.npy"), core::Layout::NLC);
    ASSERT_TRUE(t.ok());
    const RunResult result = run({"stats", "--layout", "NLC", "--norm", "batch", "--lengths", "7,3", "--format", "csv",
                                  real("encoder_norm1_in.nlc.npy")});
    ASSERT_EQ(result.status, 0) << result.err;
    std::istringstream rows(result.out);
    std::string line;
    std::getline(rows, line);
    EXPECT_EQ(line, "c,count,mean,var,mean_sq");
    for (int64_t c = 0; c < 16; ++c) {
        double sum = 0;
        for (int64_t n = 0; n < 2; ++n)
            for (int64_t l = 0; l < (n == 0 ? 7 : 3); ++l) sum += t.value().at({n, c, 0, l});
        ASSERT_TRUE(std::getline(rows, line));
        double mean = 0;
        int count = 0;
        ASSERT_EQ(std::sscanf(line.c_str(), "%*d,%d,%lf", &count, &mean), 2) << line;
        EXPECT_EQ(count, 10);
        EXPECT_NEAR(mean, sum / 10, 1e-6 * (1 + std::abs(sum / 10)));
    }
}

TEST_F(CliRealInput, ArchiveMembersAreInputs) {
    const RunResult npz = run({"stats", "--norm", "batch", real("activations.npz")});
    EXPECT_TRUE(IsOneLineError(npz, kDataError, "stats"));
    EXPECT_TRUE(contains_text(npz.err, "pick one with"));
    core::Result<std::vector<core::ArrayEntry>> members = core::list_arrays(real("activations.npz"));
    ASSERT_TRUE(members.ok() && !members.value().empty());
    for (const core::ArrayEntry& e : members.value()) EXPECT_TRUE(contains_text(npz.err, e.name));
    const std::string first = real("activations.npz") + ":" + members.value()[0].name;
    EXPECT_EQ(run({"stats", "--norm", "layer", first}).status, 0);
}

// Every bad file or option: one line on stderr, a non-zero exit, no output file.
TEST_F(CliRealInput, BadInputsAreOneLineWithNoOutput) {
    write_default_input();
    const std::string st = real("resnet18_bn.safetensors");
    const std::vector<std::pair<std::vector<std::string>, int>> cases = {
        {{"--norm", "batch", real("smallnet_fc.pt"), out_}, kDataError},
        {{"--norm", "batch", real("activations.npz") + ":nope", out_}, kDataError},
        {{"--norm", "batch", st + ":nope", out_}, kDataError},
        {{"--layout", "NLC", "--norm", "batch", in_, out_}, kDataError},
        {{"--layout", "NTC", "--norm", "batch", in_, out_}, kUsageError},
        {{"--norm", "batch", "--running", st + ":layer3.1.bn2", in_, out_}, kDataError},  // 256 != 4
        {{"--norm", "batch", "--running", st + ":nothing", in_, out_}, kDataError},
        {{"--norm", "layer", "--running", st + ":bn1", in_, out_}, kUsageError},
        {{"--norm", "batch", "--dtype", "int8", in_, out_}, kUsageError},
    };
    for (const auto& [args, status] : cases) {
        SCOPED_TRACE(args[args.size() - 2]);
        expect_normalize_error(args, status);
    }
    const RunResult pt = run({"normalize", "--norm", "batch", real("smallnet_fc.pt"), out_});
    EXPECT_TRUE(contains_text(pt.err, "np.save(path, t.detach().cpu().numpy())"));
    const RunResult rank = run({"normalize", "--layout", "NLC", "--norm", "batch", in_, out_});
    EXPECT_TRUE(contains_text(rank.err, "use --layout NCHW or NHWC"));
    const RunResult fit = run({"normalize", "--norm", "batch", "--running", st + ":layer3.1.bn2", in_, out_});
    EXPECT_TRUE(contains_text(fit.err, "have 256 channels, but the tensor has C = 4"));
}

TEST_F(CliRealInput, MaskWritesInTheLayout) {
    const RunResult result =
        run({"mask", "--layout", "NLC", "--shape", "2,7,16", "--norm", "layer-token", "--focus", "1,5,3", out_});
    ASSERT_EQ(result.status, 0) << result.err;
    core::Result<core::Array> mask = core::read_npy_array(out_, core::IntegerPolicy::Convert);
    ASSERT_TRUE(mask.ok());
    EXPECT_EQ(mask.value().dims, (std::vector<int64_t>{2, 7, 16}));
    for (int64_t b = 0; b < 2; ++b)
        for (int64_t t = 0; t < 7; ++t)
            for (int64_t d = 0; d < 16; ++d)
                EXPECT_EQ(mask.value().values[(b * 7 + t) * 16 + d], (b == 1 && t == 5) ? 1.0f : 0.0f);
}

// A lesson step past the last one is an error naming how many steps there are (it used to
// show the last step silently).
TEST_F(CliTest, RenderStepPastTheLastIsAnError) {
    const std::string lesson =
        (fs::path(NORMVIZ_FIXTURE_DIR).parent_path().parent_path() / "assets" / "lessons" / "04_batch_size.json")
            .string();
    const std::string out = (dir_ / "slide.png").string();
    const RunResult result = run({"render", "--scene", lesson, "--step", "9", "--out", out});
    EXPECT_EQ(result.status, 1);
    EXPECT_NE(result.err.find("lesson 'batch-size' has 4 steps; --step 9 is past its last, use 1 to 4"),
              std::string::npos)
        << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1);
    EXPECT_FALSE(fs::exists(out));
}

// ---- inputs that are not regular files, and outputs interrupted ---------------------------

class CliBadInputs : public CliTest {
protected:
    // Under timeout(1): a read that blocks ends as status 124 instead of hanging the suite.
    RunResult run_bounded(const std::vector<std::string>& args) {
        return run_normviz(dir_, args, {"/usr/bin/timeout", "-s", "KILL", "30"});
    }
};

TEST_F(CliBadInputs, FifoAsEveryKindOfInputIsRefusedUnread) {
    const fs::path fifo = dir_ / "fifo.npy";
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    const RunResult stats = run_bounded({"stats", "--norm", "layer", fifo.string()});
    EXPECT_TRUE(IsOneLineError(stats, kDataError, "stats"));
    EXPECT_TRUE(contains_text(stats.err, "is a pipe, device or socket")) << stats.err;
    const RunResult normalize = run_bounded({"normalize", "--norm", "layer", fifo.string(), out_});
    EXPECT_TRUE(IsOneLineError(normalize, kDataError, "normalize"));
    const RunResult member = run_bounded({"stats", "--norm", "layer", fifo.string() + ":x"});
    EXPECT_TRUE(IsOneLineError(member, kDataError, "stats"));
    const RunResult bench = run_bounded({"bench", "--load", fifo.string()});
    EXPECT_EQ(bench.status, 1) << bench.err;
    EXPECT_TRUE(contains_text(bench.err, "is a pipe, device or socket")) << bench.err;
    // The desktop program and `render` read FILE, --scene and --running before any window.
    const RunResult desktop = run_bounded({fifo.string()});
    EXPECT_EQ(desktop.status, 1) << desktop.err;
    EXPECT_TRUE(contains_text(desktop.err, "is a pipe, device or socket")) << desktop.err;
    const RunResult scene = run_bounded({"render", "--scene", fifo.string(), "--out", (dir_ / "s.png").string()});
    EXPECT_EQ(scene.status, 1) << scene.err;
    EXPECT_TRUE(contains_text(scene.err, "is a pipe, device or socket")) << scene.err;
    EXPECT_TRUE(FolderHolds({"fifo.npy"}));
}

TEST_F(CliBadInputs, DevZeroIsRefusedBeforeReading) {
    for (const char* device : {"/dev/zero", "/dev/urandom"}) {
        const RunResult stats = run_bounded({"stats", "--norm", "layer", device});
        EXPECT_TRUE(IsOneLineError(stats, kDataError, "stats")) << device;
        EXPECT_TRUE(contains_text(stats.err, "is a pipe, device or socket")) << stats.err;
        const RunResult scene = run_bounded({"render", "--scene", device, "--out", (dir_ / "s.png").string()});
        EXPECT_EQ(scene.status, 1) << scene.err;
        EXPECT_TRUE(contains_text(scene.err, "is a pipe, device or socket")) << scene.err;
    }
    EXPECT_TRUE(FolderHolds({}));
}

TEST_F(CliBadInputs, HugeNpyHeaderIsRefusedWithoutAllocatingIt) {
    // Version 2.0 with a 4 GB header length, in a file that really holds 20000 header bytes.
    std::string bytes = std::string("\x93NUMPY\x02\x00", 8);
    const uint32_t length = 20000;
    for (int i = 0; i < 4; ++i) bytes += static_cast<char>((length >> (8 * i)) & 0xff);
    bytes += std::string(length, ' ');
    std::ofstream(in_, std::ios::binary) << bytes;
    const RunResult result = run({"stats", "--norm", "layer", in_});
    EXPECT_TRUE(IsOneLineError(result, kDataError, "stats"));
    EXPECT_TRUE(contains_text(result.err, "numpy's own limit")) << result.err;
}

TEST_F(CliBadInputs, FontSizeAndSizeMustBeWholeNumbers) {
    for (const char* bad : {"nan", "inf", "abc", "18px", "", "1e999", "200"}) {
        const RunResult result =
            run({"render", "--norm", "batch", "--font-size", bad, "--out", (dir_ / "f.png").string()});
        EXPECT_EQ(result.status, kUsageError) << bad << ": " << result.err;
        EXPECT_TRUE(contains_text(result.err, "--font-size")) << result.err;
    }
    for (const char* bad : {"800x600junk", "800x", "x600", "800x600x2"}) {
        const RunResult result = run({"render", "--norm", "batch", "--size", bad, "--out", (dir_ / "f.png").string()});
        EXPECT_EQ(result.status, kUsageError) << bad << ": " << result.err;
        EXPECT_TRUE(contains_text(result.err, "--size")) << result.err;
    }
    EXPECT_TRUE(FolderHolds({}));
}

TEST_F(CliBadInputs, ExportIntoAFolderNameIsRefused) {
    fs::create_directory(dir_ / "out");
    const RunResult result = run({"--export", (dir_ / "out").string() + "/", "--frames", "1"});
    EXPECT_EQ(result.status, kUsageError) << result.err;
    EXPECT_TRUE(contains_text(result.err, "--export needs a file name")) << result.err;
    EXPECT_TRUE(fs::is_empty(dir_ / "out"));
}

TEST_F(CliBadInputs, RenderRefusesAGroupCountThatDoesNotDivideC) {
    for (const char* g : {"4", "0", "7"}) {
        const RunResult result =
            run({"render", "--shape", "2,6,3,3", "--norm", "group", "--groups", g, "--out", (dir_ / "g.png").string()});
        EXPECT_EQ(result.status, kDataError) << g << ": " << result.err;
        EXPECT_TRUE(contains_text(result.err, "GroupNorm needs")) << result.err;
    }
    EXPECT_TRUE(FolderHolds({}));
}

// AddressSanitizer maps terabytes of shadow memory at start, so it cannot run under ulimit -v.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

TEST_F(CliBadInputs, BenchOutOfMemoryIsOneSentence) {
    if (kAddressSanitizer) GTEST_SKIP() << "ASan cannot start under an address-space limit";
    // Under a 2 GB address-space limit the 64 GB tensor cannot be allocated.
    const RunResult result = run_normviz(dir_, {"bench", "--shape", "16000,1000,1000,1", "--repeat", "1"},
                                         {"/bin/sh", "-c", "ulimit -v 2000000; exec \"$0\" \"$@\""});
    EXPECT_EQ(result.status, 1) << result.err;
    EXPECT_TRUE(contains_text(result.err, "normviz bench: out of memory")) << result.err;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
}

TEST_F(CliBadInputs, BenchWithMoreThreadsThanFitStartsTheMostItCan) {
    if (kAddressSanitizer) GTEST_SKIP() << "ASan cannot start under an address-space limit";
    // 4096 threads' stacks (8 MiB each) do not fit 4 GB: OpenMP stopped the program with
    // "Thread creation failed". normviz starts at most max_threads() and says so.
    const RunResult result =
        run_normviz(dir_, {"bench", "--shape", "2,64,32,32", "--repeat", "1", "--threads", "4096"},
                    {"/bin/sh", "-c", "ulimit -v 4000000; exec \"$0\" \"$@\""});
    EXPECT_EQ(result.status, 0) << result.err;
    EXPECT_EQ(result.err, "");
    EXPECT_TRUE(contains_text(result.out, "(the most normviz starts)")) << result.out;
}

TEST_F(CliBadInputs, ReportsThatCannotReachStdoutAreOneLine) {
    // The report (its header included) goes to stdout; stderr carries only the error.
    const std::vector<std::string> on_full = {"/bin/sh", "-c", "exec \"$0\" \"$@\" > /dev/full"};
    const RunResult train = run_normviz(
        dir_, {"train", "--norm", "batch", "--batch", "8", "--epochs", "1", "--images", "64", "--threads", "2"}, on_full);
    EXPECT_TRUE(IsOneLineError(train, kDataError, "train"));
    const RunResult bench = run_normviz(dir_, {"bench", "--shape", "1,2,2,2", "--repeat", "1", "--threads", "1"}, on_full);
    EXPECT_TRUE(IsOneLineError(bench, 1, "bench"));
    // A run that diverges: its header and nothing else on stdout, one line on stderr.
    const RunResult diverged = run_normviz(
        dir_, {"train", "--norm", "batch", "--batch", "8", "--epochs", "1", "--images", "64", "--lr", "1e30"});
    EXPECT_EQ(diverged.status, kDataError);
    EXPECT_EQ(std::count(diverged.err.begin(), diverged.err.end(), '\n'), 1) << diverged.err;
    EXPECT_TRUE(contains_text(diverged.err, "the loss became NaN")) << diverged.err;
    EXPECT_EQ(diverged.out.rfind("train: norm batch, batch 8", 0), 0u) << diverged.out;
}

TEST_F(CliBadInputs, SigtermDuringALargeNormalizeLeavesNoTemporaryFile) {
    // 2^25 values (128 MB): the output takes long enough to write that SIGTERM lands while
    // its temporary file exists; the test waits for that file rather than for a time.
    write_input(make_input({32, 64, 128, 128}, 4));
    const fs::path out = dir_ / "o.npy";
    std::vector<std::string> storage{NORMVIZ_BINARY, "normalize", "--norm", "layer", in_, out.string()};
    std::vector<char*> argv;
    for (std::string& arg : storage) argv.push_back(arg.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    ASSERT_EQ(posix_spawn(&pid, argv[0], nullptr, nullptr, argv.data(), environ), 0);
    bool saw_temp = false;
    int wait_status = 0;
    pid_t done = 0;
    while (!saw_temp && (done = waitpid(pid, &wait_status, WNOHANG)) == 0) {
        for (const fs::directory_entry& entry : fs::directory_iterator(dir_))
            if (entry.path().filename().string().find(".tmp") != std::string::npos) saw_temp = true;
        if (!saw_temp) usleep(200);
    }
    if (saw_temp) {
        kill(pid, SIGTERM);
        ASSERT_EQ(waitpid(pid, &wait_status, 0), pid);
        EXPECT_TRUE(WIFSIGNALED(wait_status) && WTERMSIG(wait_status) == SIGTERM);
        EXPECT_TRUE(FolderHolds({"in.npy"}));
    } else {
        GTEST_SKIP() << "normalize finished before its temporary file was seen";
    }
}
