// normviz stats: one record per group (key, count, mean, var, mean_sq) on stdout, JSON or CSV.
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
        "Inf print as null in JSON and as nan, inf, -inf in CSV. The JSON names the layout\n"
        "and how IN was read (\"read (2, 7, 16) as N=2, L=7, C=16 (NLC)\").\n"
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
            return report_usage_error(kName, "--lengths and --running exclude each other: eval "
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
    core::Result<std::optional<core::BatchNormBuffers>> running =
        read_running_option(args.value(), tensor.shape.C);
    if (!running) return report_error(kName, kExitDataError, running.error().message);
    std::vector<core::GroupStats> stats;
    core::NormSpec norm = spec.value();
    const core::Partition partition = core::make_partition(norm, tensor.shape);
    if (running.value()) {
        // Eval mode: any batch works (N = 1 included); the groups hold no value of it.
        source.eval_mode = true;
        source.running = *args.value().value("--running");
        stats = core::running_stats_from(*running.value()).as_group_stats();
    } else {
        if (core::Status valid = core::validate(norm, tensor.shape); !valid) {
            return report_error(kName, kExitDataError, valid.error().message);
        }
        if (lengths_text) {
            if (core::Status ok = core::validate_lengths(tensor.shape, lengths); !ok)
                return report_error(kName, kExitDataError, ok.error().message);
            source.lengths = *lengths_text;
            stats = core::compute_group_stats_masked(
                tensor, partition, core::make_padding_mask(tensor.shape, lengths));
        } else {
            stats = core::compute_group_stats(tensor, partition);
        }
    }

    if (format == "csv") {
        write_stats_csv(stdout, norm, partition, stats, tensor.layout);
    } else {
        write_stats_json(stdout, norm, partition, stats, source);
    }
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
        return report_error(kName, kExitDataError,
                            "cannot write to standard output; check the disk or the pipe");
    }
    return kExitOk;
}

}  // namespace normviz::app::cli
