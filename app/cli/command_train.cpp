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

// What the command line asks for, once parsed.
struct TrainRequest {
    core::train::TrainConfig config;
    bool sweep = false;
    int64_t groups = kDefaultGroups;
    int threads = 1;
    std::optional<std::string> csv;
};

// --groups G (default 4); kExitOk or the usage error's status.
int parse_groups(const Arguments& args, TrainRequest& r) {
    const std::optional<std::string> text = args.value("--groups");
    if (!text) return kExitOk;
    std::optional<int64_t> g = parse_whole(*text);
    if (!g || *g < 1) return report_usage_error(kName, "--groups must be a whole number >= 1, got '" + *text + "'");
    r.groups = *g;
    return kExitOk;
}

// --norm (with --groups, --axes, --no-center, --eps) and --batch of one run, or their absence
// with --sweep.
int parse_norm_and_batch(Arguments& args, TrainRequest& r) {
    if (r.sweep) {
        if (args.has("--norm") || args.has("--axes") || args.has("--batch") || args.has("--no-center") ||
            args.has("--eps"))
            return report_usage_error(kName,
                                      "--sweep runs every norm and batch with eps 1e-05; drop --norm, --axes, "
                                      "--no-center, --eps and --batch");
        return kExitOk;
    }
    const std::optional<std::string> norm = args.value("--norm");
    if (norm && *norm == "none") {
        if (args.has("--groups") || args.has("--axes") || args.has("--no-center") || args.has("--eps"))
            return report_usage_error(kName, "--norm none takes no --groups, --axes, --no-center or --eps");
    } else {
        if (norm && *norm == "group" && !args.has("--groups")) args.options["--groups"] = std::to_string(r.groups);
        core::Result<core::NormSpec> spec = parse_norm_options(args);
        if (!spec) return report_usage_error(kName, spec.error().message + " (or --norm none)");
        r.config.norm = spec.value();
    }
    const std::optional<std::string> batch = args.value("--batch");
    if (!batch) return report_usage_error(kName, "missing --batch B, the images per step");
    std::optional<int64_t> b = parse_whole(*batch);
    if (!b || *b < 1) return report_usage_error(kName, "--batch must be a whole number >= 1, got '" + *batch + "'");
    r.config.batch = *b;
    return kExitOk;
}

// --epochs, --lr, --seed and --images.
int parse_schedule(const Arguments& args, core::train::TrainConfig& config) {
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
    return kExitOk;
}

// --threads (default all) and --csv (its folder must exist).
int parse_outputs(const Arguments& args, TrainRequest& r) {
    r.threads = core::hardware_threads();
    if (std::optional<std::string> text = args.value("--threads")) {
        std::optional<int64_t> t = parse_whole(*text);
        if (!t || *t < 1 || *t > 1024)
            return report_usage_error(kName, "--threads must be a whole number from 1 to 1024, got '" + *text + "'");
        r.threads = static_cast<int>(*t);
    }
    r.csv = args.value("--csv");
    if (r.csv) {
        if (core::Status ok = check_output_folder(*r.csv); !ok)
            return report_error(kName, kExitDataError, ok.error().message);
    }
    return kExitOk;
}

// The whole command line into `r`: kExitOk, or the status of the error reported.
int parse_request(int argc, char** argv, TrainRequest& r) {
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
    r.sweep = args.has("--sweep");
    if (int status = parse_groups(args, r); status != kExitOk) return status;
    if (int status = parse_norm_and_batch(args, r); status != kExitOk) return status;
    if (int status = parse_schedule(args, r.config); status != kExitOk) return status;
    return parse_outputs(args, r);
}

// Writes the CSV when --csv asked for it.
int write_csv(const TrainRequest& r, const std::string& csv_text) {
    if (r.csv) {
        if (core::Status ok = core::write_file_safely(*r.csv, csv_text); !ok)
            return report_error(kName, kExitDataError, ok.error().message);
    }
    return kExitOk;
}

// A full disk or a closed pipe on stdout loses the report: one line says so.
int check_stdout() {
    if (std::fflush(stdout) != 0 || std::ferror(stdout))
        return report_error(kName, kExitDataError, "cannot write to standard output; check the disk or the pipe");
    return kExitOk;
}

// --sweep: the default sweep's runs, one line each in job order, and their CSV.
int run_sweep_request(TrainRequest& r) {
    const std::vector<core::train::SweepJob> jobs = core::train::default_sweep_jobs(r.groups);
    r.config.norm = jobs[0].norm;
    for (const core::train::SweepJob& job : jobs) {
        core::train::TrainConfig check = r.config;
        check.norm = job.norm;
        check.batch = job.batch;
        if (core::Status ok = core::train::validate_train_config(check); !ok)
            return report_usage_error(kName, ok.error().message);
    }
    std::printf("sweep: %zu runs on %d threads, %d epochs, lr %g * B / 32\n", jobs.size(), r.threads, r.config.epochs,
                r.config.base_lr);
    // Lines come out in job order: a finished run waits for the ones before it.
    std::vector<std::optional<std::string>> lines(jobs.size());
    std::vector<std::string> csv_rows(jobs.size());  // job order, whatever order runs end in
    size_t next_line = 0;
    bool failed = false;
    auto done = [&](size_t i, const core::train::SweepResult& result) {
        const std::string norm = core::train::train_norm_name(result.job.norm);
        std::string line = "norm=" + norm + " batch=" + std::to_string(result.job.batch) + " ";
        if (!result.result) {
            line += "error: " + result.result.error().message;
            failed = true;
        } else if (result.result.value().diverged) {
            line += "diverged: " + result.result.value().message;
            failed = true;
        } else {
            line += final_line(result.result.value().last);
            csv_rows[i] = csv_row(norm, result.job.batch, result.result.value().last);
        }
        lines[i] = line;
        for (; next_line < lines.size() && lines[next_line]; ++next_line) {
            std::printf("%s\n", lines[next_line]->c_str());
            std::fflush(stdout);
        }
    };
    core::train::run_sweep(r.config, jobs, r.threads, done, nullptr);
    std::string csv_text = kCsvHeader;
    for (const std::string& row : csv_rows) csv_text += row;
    if (int status = write_csv(r, csv_text); status != kExitOk) return status;
    if (int status = check_stdout(); status != kExitOk) return status;
    if (failed) return report_error(kName, kExitDataError, "some runs failed; their lines above say why");
    return kExitOk;
}

// One run: a line per epoch, the final line, and the epochs' CSV.
int run_single_request(TrainRequest& r) {
    core::train::TrainConfig& config = r.config;
    config.threads = r.threads;
    if (core::Status ok = core::train::validate_train_config(config); !ok)
        return report_usage_error(kName, ok.error().message);
    const std::string norm = core::train::train_norm_name(config.norm);
    std::printf("train: norm %s, batch %lld, %d epochs, lr %g, %d threads\n",
                config.norm ? core::to_string(*config.norm).c_str() : "none", static_cast<long long>(config.batch),
                config.epochs, config.base_lr * static_cast<double>(config.batch) / 32.0, r.threads);
    const core::train::Dataset train_set = core::train::make_shapes(config.data, false);
    const core::train::Dataset val_set = core::train::make_shapes(config.data, true);
    std::string csv_text = kCsvHeader;
    auto progress = [&](const core::train::EpochReport& e) {
        std::printf("epoch %d/%d steps=%lld train_loss=%.6f val_loss=%.6f val_error=%.4f time=%.1fs\n", e.epoch,
                    config.epochs, static_cast<long long>(e.steps), e.train_loss, e.val_loss, e.val_error, e.seconds);
        std::fflush(stdout);
        csv_text += csv_row(norm, config.batch, e);
    };
    core::Result<core::train::TrainResult> result = core::train::train(config, train_set, val_set, progress, nullptr);
    if (!result) return report_error(kName, kExitDataError, result.error().message);
    if (result.value().diverged) return report_error(kName, kExitDataError, result.value().message);
    std::printf("%s\n", final_line(result.value().last).c_str());
    if (int status = write_csv(r, csv_text); status != kExitOk) return status;
    return check_stdout();
}

}  // namespace

int run_train(int argc, char** argv) {
    if (wants_help(argc, argv, 2)) {
        print_help();
        return kExitOk;
    }
    TrainRequest request;
    if (int status = parse_request(argc, argv, request); status != kExitOk) return status;
    return request.sweep ? run_sweep_request(request) : run_single_request(request);
}

}  // namespace normviz::app::cli
