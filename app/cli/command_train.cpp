// normviz train: trains the training lab's small CNN (core/train) on its built-in shapes data
// with one norm, or sweeps norms x batch sizes, and prints held-out loss and error.
#include <atomic>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "app/cli/arguments.h"
#include "app/cli/command.h"
#include "core/parallel.h"
#include "core/safe_file.h"
#include "core/train/experiment.h"

namespace normviz::app::cli {

namespace {

constexpr std::string_view kName = "train";
constexpr int64_t kDefaultGroups = 4;

void print_help() {
    std::string text =
        "Usage: normviz train --norm NAME [--groups G] [--axes AXES] [--no-center] --batch B\n"
        "                     [--epochs E] [--lr LR] [--seed S] [--threads T] [--csv FILE]\n"
        "       normviz train --sweep [--groups G] [--epochs E] [--lr LR] [--seed S]\n"
        "                     [--threads T] [--csv FILE]\n"
        "\n"
        "Trains a 6-block CNN (3x3 conv -> norm -> ReLU, two 2x2 average poolings, global\n"
        "average pooling, linear) on 16x16 RGB images of 4 generated shapes, as in the Group\n"
        "Normalization paper's batch-size experiment: the same epochs for every batch, learning\n"
        "rate LR * B / 32 with cosine decay, SGD momentum 0.9, weight decay 5e-4. BatchNorm is\n"
        "evaluated with its running statistics (eval mode). Prints one line per epoch, then\n"
        "  final epochs=E steps=S train_loss=X val_loss=Y val_error=Z\n"
        "(val_error: the fraction of held-out images misclassified).\n"
        "\n"
        "Options:\n"
        "  --norm NAME    none, batch, layer, instance, group, layer-token, rms, custom\n"
        "  --groups G     groups for --norm group and the sweep (default 4); G must divide\n"
        "                 every layer's channels (8, 16, 32)\n"
        "  --axes AXES    reduced axes for --norm custom (e.g. NHW, HW, C); --no-center: RMS\n"
        "  --batch B      images per step (>= 1)\n"
        "  --epochs E     passes over the training images (default 5)\n"
        "  --lr LR        learning rate at batch 32 (default 0.02; the run uses LR * B / 32)\n"
        "  --seed S       weights and shuffling (default 1); the images are always the same\n"
        "  --images N     training images (default 4000; 1000 held out)\n"
        "  --threads T    threads (default all); the result is the same for every T\n"
        "  --sweep        norms none, batch, layer, instance, group, rms x batch 2, 4, 8, 16,\n"
        "                 32, one run per thread; one line per run: norm=NAME batch=B final ...\n"
        "  --csv FILE     also write the epochs (or the sweep's runs) as CSV\n"
        "  -h, --help     show this help\n"
        "\n"
        "Examples:\n"
        "  normviz train --norm batch --batch 2\n"
        "  normviz train --norm group --groups 4 --batch 32 --csv gn32.csv\n"
        "  normviz train --sweep --threads 2 --csv sweep.csv\n";
    std::fputs(text.c_str(), stdout);
}

std::optional<int64_t> parse_whole(const std::string& text) {
    int64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
    return value;
}

std::optional<double> parse_real(const std::string& text) {
    double value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
    return value;
}

// "final epochs=E steps=S train_loss=X val_loss=Y val_error=Z".
std::string final_line(const core::train::EpochReport& r) {
    char line[200];
    std::snprintf(line, sizeof line, "final epochs=%d steps=%lld train_loss=%.6f val_loss=%.6f val_error=%.4f", r.epoch,
                  static_cast<long long>(r.steps), r.train_loss, r.val_loss, r.val_error);
    return line;
}

std::string csv_row(const std::string& norm, int64_t batch, const core::train::EpochReport& r) {
    char line[240];
    std::snprintf(line, sizeof line, "%s,%lld,%d,%lld,%.9g,%.9g,%.9g,%.3f\n", norm.c_str(),
                  static_cast<long long>(batch), r.epoch, static_cast<long long>(r.steps), r.train_loss, r.val_loss,
                  r.val_error, r.seconds);
    return line;
}
constexpr const char* kCsvHeader = "norm,batch,epoch,steps,train_loss,val_loss,val_error,seconds\n";

}  // namespace

int run_train(int argc, char** argv) {
    if (wants_help(argc, argv, 2)) {
        print_help();
        return kExitOk;
    }
    std::vector<OptionSpec> options(std::begin(kNormOptions), std::end(kNormOptions));
    for (OptionSpec o : {OptionSpec{"--batch", "B"}, OptionSpec{"--epochs", "E"}, OptionSpec{"--lr", "LR"},
                         OptionSpec{"--seed", "S"}, OptionSpec{"--threads", "T"}, OptionSpec{"--images", "N"},
                         OptionSpec{"--csv", "FILE"}, OptionSpec{"--sweep", ""}})
        options.push_back(o);
    core::Result<Arguments> parsed = parse_arguments(argc, argv, 2, options);
    if (!parsed) return report_usage_error(kName, parsed.error().message);
    Arguments args = parsed.value();
    if (!args.positionals.empty())
        return report_usage_error(kName, "unexpected argument '" + args.positionals[0] + "'");
    const bool sweep = args.has("--sweep");

    core::train::TrainConfig config;
    const std::optional<std::string> groups_text = args.value("--groups");
    int64_t groups = kDefaultGroups;
    if (groups_text) {
        std::optional<int64_t> g = parse_whole(*groups_text);
        if (!g || *g < 1)
            return report_usage_error(kName, "--groups must be a whole number >= 1, got '" + *groups_text + "'");
        groups = *g;
    }
    if (sweep) {
        if (args.has("--norm") || args.has("--axes") || args.has("--batch") || args.has("--no-center") ||
            args.has("--eps"))
            return report_usage_error(kName,
                                      "--sweep runs every norm and batch with eps 1e-05; drop --norm, --axes, "
                                      "--no-center, --eps and --batch");
    } else {
        const std::optional<std::string> norm = args.value("--norm");
        if (norm && *norm == "none") {
            if (args.has("--groups") || args.has("--axes") || args.has("--no-center") || args.has("--eps"))
                return report_usage_error(kName, "--norm none takes no --groups, --axes, --no-center or --eps");
        } else {
            if (norm && *norm == "group" && !groups_text) args.options["--groups"] = std::to_string(groups);
            core::Result<core::NormSpec> spec = parse_norm_options(args);
            if (!spec) return report_usage_error(kName, spec.error().message + " (or --norm none)");
            config.norm = spec.value();
        }
        const std::optional<std::string> batch = args.value("--batch");
        if (!batch) return report_usage_error(kName, "missing --batch B, the images per step");
        std::optional<int64_t> b = parse_whole(*batch);
        if (!b || *b < 1) return report_usage_error(kName, "--batch must be a whole number >= 1, got '" + *batch + "'");
        config.batch = *b;
    }
    if (std::optional<std::string> text = args.value("--epochs")) {
        std::optional<int64_t> e = parse_whole(*text);
        if (!e || *e < 1 || *e > 100000)
            return report_usage_error(kName, "--epochs must be a whole number from 1 to 100000, got '" + *text + "'");
        config.epochs = static_cast<int>(*e);
    }
    if (std::optional<std::string> text = args.value("--lr")) {
        std::optional<double> lr = parse_real(*text);
        if (!lr || !std::isfinite(*lr) || *lr <= 0)
            return report_usage_error(kName, "--lr must be a positive finite number, got '" + *text + "'");
        config.base_lr = *lr;
    }
    if (std::optional<std::string> text = args.value("--seed")) {
        std::optional<int64_t> s = parse_whole(*text);
        if (!s || *s < 0) return report_usage_error(kName, "--seed must be a whole number >= 0, got '" + *text + "'");
        config.seed = static_cast<uint64_t>(*s);
    }
    if (std::optional<std::string> text = args.value("--images")) {
        std::optional<int64_t> n = parse_whole(*text);
        if (!n || *n < 1 || *n > 1000000)
            return report_usage_error(kName, "--images must be a whole number from 1 to 1000000, got '" + *text + "'");
        config.data.train_count = *n;
    }
    int threads = core::hardware_threads();
    if (std::optional<std::string> text = args.value("--threads")) {
        std::optional<int64_t> t = parse_whole(*text);
        if (!t || *t < 1 || *t > 1024)
            return report_usage_error(kName, "--threads must be a whole number from 1 to 1024, got '" + *text + "'");
        threads = static_cast<int>(*t);
    }
    const std::optional<std::string> csv = args.value("--csv");
    if (csv) {
        if (core::Status ok = check_output_folder(*csv); !ok)
            return report_error(kName, kExitDataError, ok.error().message);
    }
    std::string csv_text = kCsvHeader;

    if (sweep) {
        const std::vector<core::train::SweepJob> jobs = core::train::default_sweep_jobs(groups);
        config.norm = jobs[0].norm;
        for (const core::train::SweepJob& job : jobs) {
            core::train::TrainConfig check = config;
            check.norm = job.norm;
            check.batch = job.batch;
            if (core::Status ok = core::train::validate_train_config(check); !ok)
                return report_usage_error(kName, ok.error().message);
        }
        std::fprintf(stderr, "sweep: %zu runs on %d threads, %d epochs, lr %g * B / 32\n", jobs.size(), threads,
                     config.epochs, config.base_lr);
        // Lines come out in job order: a finished run waits for the ones before it.
        std::vector<std::optional<std::string>> lines(jobs.size());
        std::vector<std::string> csv_rows(jobs.size());  // job order, whatever order runs end in
        size_t next_line = 0;
        bool failed = false;
        auto done = [&](size_t i, const core::train::SweepResult& r) {
            const std::string norm = core::train::train_norm_name(r.job.norm);
            std::string line = "norm=" + norm + " batch=" + std::to_string(r.job.batch) + " ";
            if (!r.result) {
                line += "error: " + r.result.error().message;
                failed = true;
            } else if (r.result.value().diverged) {
                line += "diverged: " + r.result.value().message;
                failed = true;
            } else {
                line += final_line(r.result.value().last);
                csv_rows[i] = csv_row(norm, r.job.batch, r.result.value().last);
            }
            lines[i] = line;
            for (; next_line < lines.size() && lines[next_line]; ++next_line) {
                std::printf("%s\n", lines[next_line]->c_str());
                std::fflush(stdout);
            }
        };
        core::train::run_sweep(config, jobs, threads, done, nullptr);
        for (const std::string& row : csv_rows) csv_text += row;
        if (csv) {
            if (core::Status ok = core::write_file_safely(*csv, csv_text); !ok)
                return report_error(kName, kExitDataError, ok.error().message);
        }
        return failed ? kExitDataError : kExitOk;
    }

    config.threads = threads;
    if (core::Status ok = core::train::validate_train_config(config); !ok)
        return report_usage_error(kName, ok.error().message);
    const std::string norm = core::train::train_norm_name(config.norm);
    std::fprintf(stderr, "train: norm %s, batch %lld, %d epochs, lr %g, %d threads\n",
                 config.norm ? core::to_string(*config.norm).c_str() : "none", static_cast<long long>(config.batch),
                 config.epochs, config.base_lr * static_cast<double>(config.batch) / 32.0, threads);
    const core::train::Dataset train_set = core::train::make_shapes(config.data, false);
    const core::train::Dataset val_set = core::train::make_shapes(config.data, true);
    auto progress = [&](const core::train::EpochReport& r) {
        std::printf("epoch %d/%d steps=%lld train_loss=%.6f val_loss=%.6f val_error=%.4f time=%.1fs\n", r.epoch,
                    config.epochs, static_cast<long long>(r.steps), r.train_loss, r.val_loss, r.val_error, r.seconds);
        std::fflush(stdout);
        csv_text += csv_row(norm, config.batch, r);
    };
    core::Result<core::train::TrainResult> result = core::train::train(config, train_set, val_set, progress, nullptr);
    if (!result) return report_error(kName, kExitDataError, result.error().message);
    if (result.value().diverged) return report_error(kName, kExitDataError, result.value().message);
    std::printf("%s\n", final_line(result.value().last).c_str());
    if (csv) {
        if (core::Status ok = core::write_file_safely(*csv, csv_text); !ok)
            return report_error(kName, kExitDataError, ok.error().message);
    }
    if (std::fflush(stdout) != 0 || std::ferror(stdout))
        return report_error(kName, kExitDataError, "cannot write to standard output; check the disk or the pipe");
    return kExitOk;
}

}  // namespace normviz::app::cli
