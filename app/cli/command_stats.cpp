// normviz stats: one record per group (key, count, mean, var, mean_sq) on stdout, JSON or CSV.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "app/cli/arguments.h"
#include "app/cli/command.h"
#include "app/cli/input_options.h"
#include "core/running_stats.h"
#include "core/scenarios.h"
#include "app/cli/stats_output.h"
#include "core/npy.h"
#include "core/partition.h"
#include "core/stats.h"

namespace normviz::app::cli {

namespace {

constexpr std::string_view kName = "stats";

constexpr OptionSpec kStatsOptions[] = {{"--lengths", "L1,L2,..."}, {"--format", "json|csv"}};

std::string help_text() {
    return "Usage: normviz stats --norm NAME [--groups G] [--axes AXES] [--no-center] [--eps E]\n"
           "                     [--layout L] [--convert-int] [--lengths L1,L2,...]\n"
           "                     [--running FILE:PREFIX] [--format json|csv] IN\n"
           "\n"
           "Prints the statistics of every group the norm pools, in group order: the key (the\n"
           "coordinates the norm keeps, e.g. {\"c\": 3} for batch, {\"n\": 1, \"g\": 0} for group),\n"
           "count, mean, biased variance var and mean of squares mean_sq, exactly as PyTorch's\n"
           "training-mode forward computes them. Numbers read back to the same double; NaN and\n"
           "Inf print as null in JSON and as nan, inf, -inf in CSV; when any does, a note on\n"
           "stderr counts the NaN and Inf values of IN and says where the first is (the JSON\n"
           "counts them in \"non_finite_values\"). The JSON names the layout and how IN was\n"
           "read (\"read (2, 7, 16) as N=2, L=7, C=16 (NLC)\").\n"
           "\n" +
           norm_options_help() + "\n" + input_options_help() +
           "\n"
           "Other options:\n"
           "  --lengths L1,L2,...  valid length of each sample's sequence (the last axis: L, or\n"
           "                 W for NCHW): padded positions belong to no group (masked statistics)\n"
           "  --running FILE:PREFIX  eval mode: print a BatchNorm layer's running statistics\n"
           "                 from a checkpoint instead (count 0: the batch pools nothing)\n"
           "  --format F     json (default: norm, spec, shape, layout, eps, description, groups)\n"
           "                 or csv (a header, then one row per group)\n"
           "  -h, --help     show this help\n"
           "\n"
           "Examples:\n"
           "  normviz stats --layout NLC --norm layer-token hidden.npy   # (batch, tokens, features)\n"
           "  normviz stats --layout NHWC --norm batch acts.npy\n"
           "  normviz stats --layout NLC --norm batch --lengths 7,4 hidden.npy\n"
           "  normviz stats --norm group --groups 2 acts.npz:layer1 --format csv\n";
}

// NaN and +-Inf values of the input, counted so that statistics printed as null (JSON) or
// nan/inf (CSV) are never left unexplained.
struct NonFinite {
    int64_t nan = 0, pos_inf = 0, neg_inf = 0;
    int64_t first = -1;  // flat NCHW index of the first one
    int64_t total() const { return nan + pos_inf + neg_inf; }
};

NonFinite count_non_finite(const core::Tensor& tensor) {
    NonFinite count;
    for (size_t i = 0; i < tensor.data.size(); ++i) {
        const float v = tensor.data[i];
        if (std::isfinite(v)) continue;
        if (count.first < 0) count.first = static_cast<int64_t>(i);
        if (std::isnan(v)) ++count.nan;
        else if (v > 0) ++count.pos_inf;
        else ++count.neg_inf;
    }
    return count;
}

// One line on stderr (exit status stays 0: NaN and Inf in the data are the data, and showing
// where they go is the point) when a printed statistic is not finite.
void note_non_finite(const std::vector<core::GroupStats>& stats, const NonFinite& input, const core::Tensor& tensor,
                     const std::string& path, bool eval_mode, bool json) {
    int64_t groups = 0;
    for (const core::GroupStats& s : stats) {
        if (!std::isfinite(s.mean) || !std::isfinite(s.var) || !std::isfinite(s.mean_sq)) ++groups;
    }
    if (groups == 0) return;
    const std::string printed = json ? "printed as null" : "printed as nan, inf or -inf";
    std::string text;
    if (eval_mode) {
        text = "the checkpoint's running statistics hold NaN or Inf for " + std::to_string(groups) + " channel(s), " +
               printed;
    } else {
        const core::Index first = core::unflat_index(tensor.shape, input.first < 0 ? 0 : input.first);
        const auto c = first.coords();
        text = path + " holds " + std::to_string(input.nan) + " NaN, " + std::to_string(input.pos_inf) + " +Inf and " +
               std::to_string(input.neg_inf) + " -Inf values (the first at (n, c, h, w) = (" + std::to_string(c[0]) +
               ", " + std::to_string(c[1]) + ", " + std::to_string(c[2]) + ", " + std::to_string(c[3]) +
               ")); the statistics of the " + std::to_string(groups) + " group(s) that pool them are not finite, " +
               printed;
    }
    for (char& ch : text) {
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
    }
    std::fprintf(stderr, "normviz stats: note: %s\n", text.c_str());
}

// What the command line asks for, checked before IN is read.
struct StatsRequest {
    Arguments args;
    core::NormSpec norm;
    std::string lengths_text;  // --lengths as typed; empty without it
    std::vector<int64_t> lengths;
    std::string format;
    std::string path;
};

// The options of argv[2..] and the one path. Error: a usage error, message without prefix.
core::Result<StatsRequest> read_stats_request(int argc, char** argv) {
    StatsRequest request;
    core::Result<Arguments> parsed = parse_arguments(argc, argv, 2, reading_options(kStatsOptions));
    if (!parsed) return parsed.error();
    request.args = std::move(parsed.value());
    const Arguments& args = request.args;
    core::Result<core::NormSpec> spec = check_reading_options(args);
    if (!spec) return spec.error();
    request.norm = spec.value();
    request.lengths_text = args.value("--lengths").value_or("");
    if (args.has("--lengths")) {
        if (args.has("--running"))
            return core::make_error(
                "--lengths and --running exclude each other: eval mode pools no value of the batch");
        core::Result<std::vector<int64_t>> parsed = core::parse_integers(request.lengths_text, 0, "--lengths");
        if (!parsed) return parsed.error();
        request.lengths = parsed.value();
    }
    request.format = args.value("--format").value_or("json");
    if (request.format != "json" && request.format != "csv")
        return core::make_error("unknown --format '" + request.format + "'; use json or csv");
    const std::vector<std::string>& paths = args.positionals;
    if (paths.empty()) return core::make_error("missing IN, the tensor to read");
    if (paths.size() > 1)
        return core::make_error("too many paths: '" + paths[1] +
                                "' after IN; stats reads one file and prints to standard output");
    request.path = paths[0];
    return request;
}

// The groups' statistics: the checkpoint's running ones with --running (eval mode: any batch
// works, N = 1 included, and the groups hold no value of it), else the batch's, masked by
// --lengths. Error: a data error, message without prefix.
core::Result<std::vector<core::GroupStats>> group_stats(const StatsRequest& request, const core::Tensor& tensor,
                                                        StatsSource& source) {
    const Arguments& args = request.args;
    core::Result<std::optional<core::BatchNormBuffers>> running = read_running_option(args, tensor.shape.C);
    if (!running) return running.error();
    if (running.value()) {
        source.eval_mode = true;
        source.running = *args.value("--running");
        return core::running_stats_from(*running.value()).as_group_stats();
    }
    // Checked before the partition is made: make_partition asserts a valid spec (a G that
    // does not divide the file's C used to abort here).
    if (core::Status valid = core::validate(request.norm, tensor.shape); !valid) return valid.error();
    const core::Partition partition = core::make_partition(request.norm, tensor.shape);
    if (request.lengths_text.empty()) return core::compute_group_stats(tensor, partition);
    if (core::Status ok = core::validate_lengths(tensor.shape, request.lengths); !ok) return ok.error();
    source.lengths = request.lengths_text;
    return core::compute_group_stats_masked(tensor, partition, core::make_padding_mask(tensor.shape, request.lengths));
}

// Computes and prints the statistics of IN, then the note on NaN and Inf.
int print_stats(const StatsRequest& request, const core::Tensor& tensor) {
    StatsSource source;
    source.layout = tensor.layout;
    source.reading = core::describe_reading(tensor);
    core::Result<std::vector<core::GroupStats>> stats = group_stats(request, tensor, source);
    if (!stats) return report_error(kName, kExitDataError, stats.error().message);
    const NonFinite non_finite = count_non_finite(tensor);
    if (!source.eval_mode) {
        source.nan = non_finite.nan;
        source.pos_inf = non_finite.pos_inf;
        source.neg_inf = non_finite.neg_inf;
    }
    const core::Partition partition = core::make_partition(request.norm, tensor.shape);
    if (request.format == "csv") {
        write_stats_csv(stdout, request.norm, partition, stats.value(), tensor.layout);
    } else {
        write_stats_json(stdout, request.norm, partition, stats.value(), source);
    }
    note_non_finite(stats.value(), non_finite, tensor, request.path, source.eval_mode, request.format == "json");
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        return report_error(kName, kExitDataError, "cannot write to standard output; check the disk or the pipe");
    }
    return kExitOk;
}

}  // namespace

int run_stats(int argc, char** argv) {
    if (print_help_if_asked(argc, argv, help_text())) return kExitOk;
    core::Result<StatsRequest> request = read_stats_request(argc, argv);
    if (!request) return report_usage_error(kName, request.error().message);
    core::Result<core::Tensor> input = read_input(request.value().args, request.value().path);
    if (!input) return report_error(kName, kExitDataError, input.error().message);
    return print_stats(request.value(), input.value());
}

}  // namespace normviz::app::cli
