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

void print_help() {
    std::string text =
        "Usage: normviz stats --norm NAME [--groups G] [--axes AXES] [--no-center] [--eps E]\n"
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
    std::fputs(text.c_str(), stdout);
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

}  // namespace

int run_stats(int argc, char** argv) {
    if (wants_help(argc, argv, 2)) {
        print_help();
        return kExitOk;
    }
    std::vector<OptionSpec> options(std::begin(kNormOptions), std::end(kNormOptions));
    options.insert(options.end(), std::begin(kInputOptions), std::end(kInputOptions));
    options.push_back(kRunningOption);
    options.push_back({"--lengths", "L1,L2,..."});
    options.push_back({"--format", "json|csv"});
    core::Result<Arguments> args = parse_arguments(argc, argv, 2, options);
    if (!args) return report_usage_error(kName, args.error().message);
    core::Result<core::NormSpec> spec = parse_norm_options(args.value());
    if (!spec) return report_usage_error(kName, spec.error().message);
    if (core::Status running = check_running_usage(args.value(), spec.value()); !running)
        return report_usage_error(kName, running.error().message);
    if (core::Result<std::optional<core::Layout>> layout = parse_layout_option(args.value()); !layout)
        return report_usage_error(kName, layout.error().message);
    const std::optional<std::string> lengths_text = args.value().value("--lengths");
    std::vector<int64_t> lengths;
    if (lengths_text) {
        if (args.value().has("--running"))
            return report_usage_error(kName,
                                      "--lengths and --running exclude each other: eval "
                                      "mode pools no value of the batch");
        core::Result<std::vector<int64_t>> parsed = core::parse_integers(*lengths_text, 0, "--lengths");
        if (!parsed) return report_usage_error(kName, parsed.error().message);
        lengths = parsed.value();
    }

    const std::string format = args.value().value("--format").value_or("json");
    if (format != "json" && format != "csv") {
        return report_usage_error(kName, "unknown --format '" + format + "'; use json or csv");
    }
    const std::vector<std::string>& paths = args.value().positionals;
    if (paths.empty()) return report_usage_error(kName, "missing IN, the tensor to read");
    if (paths.size() > 1) {
        return report_usage_error(kName, "too many paths: '" + paths[1] +
                                             "' after IN; stats reads one file and "
                                             "prints to standard output");
    }

    core::Result<core::Tensor> input = read_input(args.value(), paths[0]);
    if (!input) return report_error(kName, kExitDataError, input.error().message);
    const core::Tensor& tensor = input.value();
    StatsSource source;
    source.layout = tensor.layout;
    source.reading = core::describe_reading(tensor);
    core::Result<std::optional<core::BatchNormBuffers>> running = read_running_option(args.value(), tensor.shape.C);
    if (!running) return report_error(kName, kExitDataError, running.error().message);
    std::vector<core::GroupStats> stats;
    core::NormSpec norm = spec.value();
    // Checked before the partition is made: make_partition asserts a valid spec (a G that
    // does not divide the file's C used to abort here).
    if (!running.value()) {
        if (core::Status valid = core::validate(norm, tensor.shape); !valid) {
            return report_error(kName, kExitDataError, valid.error().message);
        }
    }
    const core::Partition partition = core::make_partition(norm, tensor.shape);
    if (running.value()) {
        // Eval mode: any batch works (N = 1 included); the groups hold no value of it.
        source.eval_mode = true;
        source.running = *args.value().value("--running");
        stats = core::running_stats_from(*running.value()).as_group_stats();
    } else {
        if (lengths_text) {
            if (core::Status ok = core::validate_lengths(tensor.shape, lengths); !ok)
                return report_error(kName, kExitDataError, ok.error().message);
            source.lengths = *lengths_text;
            stats = core::compute_group_stats_masked(tensor, partition, core::make_padding_mask(tensor.shape, lengths));
        } else {
            stats = core::compute_group_stats(tensor, partition);
        }
    }

    const NonFinite non_finite = count_non_finite(tensor);
    if (!source.eval_mode) {
        source.nan = non_finite.nan;
        source.pos_inf = non_finite.pos_inf;
        source.neg_inf = non_finite.neg_inf;
    }
    if (format == "csv") {
        write_stats_csv(stdout, norm, partition, stats, tensor.layout);
    } else {
        write_stats_json(stdout, norm, partition, stats, source);
    }
    note_non_finite(stats, non_finite, tensor, paths[0], source.eval_mode, format == "json");
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        return report_error(kName, kExitDataError, "cannot write to standard output; check the disk or the pipe");
    }
    return kExitOk;
}

}  // namespace normviz::app::cli
