// normviz train as a user runs it: the final line's format, one-line errors with the
// subcommands' exit statuses, the CSV file.
#include <gtest/gtest.h>

#include "tests/run_program.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

using normviz::test::RunResult;

// Runs normviz with `args` (tests/run_program.h).
RunResult run_normviz(const std::vector<std::string>& args) {
    std::vector<std::string> argv{NORMVIZ_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return normviz::test::run_program(NORMVIZ_TEST_TMP_DIR, std::move(argv));
}

void expect_one_line_error(const std::vector<std::string>& args, int status) {
    const RunResult r = run_normviz(args);
    EXPECT_EQ(r.status, status) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.rfind("normviz train: ", 0), 0u) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
}

const std::vector<std::string> kSmall = {"--images", "64", "--epochs", "2", "--threads", "2"};

std::vector<std::string> with_small(std::vector<std::string> args) {
    args.insert(args.begin(), "train");
    args.insert(args.end(), kSmall.begin(), kSmall.end());
    return args;
}

TEST(TrainCli, FinalLineAndCsv) {
    const fs::path csv = fs::path(NORMVIZ_TEST_TMP_DIR) / "train_run.csv";
    fs::remove(csv);
    const RunResult r =
        run_normviz(with_small({"--norm", "group", "--groups", "2", "--batch", "8", "--csv", csv.string()}));
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string last = r.out.substr(r.out.rfind('\n', r.out.size() - 2) + 1);
    // "final epochs=2 steps=16 train_loss=X val_loss=Y val_error=Z", Z with 4 decimals in 0..1.
    // (Parsed by hand: std::regex trips a GCC 12 maybe-uninitialized warning under ASan.)
    std::istringstream line(last);
    std::string word, epochs, steps, train_loss, val_loss, val_error;
    line >> word >> epochs >> steps >> train_loss >> val_loss >> val_error;
    EXPECT_EQ(word, "final") << last;
    EXPECT_EQ(epochs, "epochs=2") << last;
    EXPECT_EQ(steps, "steps=16") << last;
    EXPECT_EQ(train_loss.rfind("train_loss=", 0), 0u) << last;
    EXPECT_GT(std::stod(train_loss.substr(11)), 0.0) << last;
    EXPECT_EQ(val_loss.rfind("val_loss=", 0), 0u) << last;
    EXPECT_GT(std::stod(val_loss.substr(9)), 0.0) << last;
    ASSERT_EQ(val_error.rfind("val_error=", 0), 0u) << last;
    const std::string z = val_error.substr(10);
    EXPECT_EQ(z.size(), 6u) << last;  // d.dddd
    EXPECT_GE(std::stod(z), 0.0);
    EXPECT_LE(std::stod(z), 1.0);
    EXPECT_EQ(last.back(), '\n');
    const std::string text = normviz::test::read_file_text(csv);
    EXPECT_EQ(text.rfind("norm,batch,epoch,steps,", 0), 0u) << text;
    EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 3) << text;  // header + 2 epochs
}

TEST(TrainCli, NoneAndCustomAxesRun) {
    EXPECT_EQ(run_normviz(with_small({"--norm", "none", "--batch", "16"})).status, 0);
    EXPECT_EQ(run_normviz(with_small({"--axes", "HW", "--no-center", "--batch", "16"})).status, 0);
}

TEST(TrainCli, BadInputIsOneLineError) {
    expect_one_line_error(with_small({"--norm", "nope", "--batch", "4"}), 2);
    expect_one_line_error(with_small({"--norm", "group", "--groups", "3", "--batch", "4"}), 2);
    expect_one_line_error(with_small({"--norm", "batch", "--batch", "0"}), 2);
    expect_one_line_error(with_small({"--norm", "batch"}), 2);
    expect_one_line_error({"train", "--norm", "batch", "--batch", "4", "--epochs", "0"}, 2);
    expect_one_line_error({"train", "--norm", "batch", "--batch", "4", "--lr", "nan"}, 2);
    expect_one_line_error({"train", "--norm", "batch", "--batch", "4", "--lr", "-1"}, 2);
    expect_one_line_error({"train", "--sweep", "--norm", "batch"}, 2);
}

TEST(TrainCli, DivergingRunEndsWithAMessage) {
    const RunResult r = run_normviz(with_small({"--norm", "layer", "--batch", "8", "--lr", "1e30"}));
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("step"), std::string::npos) << r.err;
}

// normviz render --train-sweep refuses a CSV that is not a sweep before it opens any window:
// one line on stderr, a non-zero status, no PNG.
TEST(TrainCli, RenderTrainSweepRefusesABadCsv) {
    const fs::path bad = fs::path(NORMVIZ_TEST_TMP_DIR) / "not_a_sweep.csv";
    const fs::path png = fs::path(NORMVIZ_TEST_TMP_DIR) / "not_a_sweep.png";
    fs::remove(png);
    {
        std::ofstream out(bad);
        out << "norm,batch,epoch\nbatch,2,5\n";
    }
    for (const fs::path& csv : {bad, fs::path(NORMVIZ_TEST_TMP_DIR) / "missing_sweep.csv"}) {
        const RunResult r = run_normviz({"render", "--train-sweep", csv.string(), "--out", png.string()});
        EXPECT_EQ(r.status, 1) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
        EXPECT_EQ(r.err.rfind("normviz: ", 0), 0u) << r.err;
        EXPECT_FALSE(fs::exists(png));
    }
    const RunResult usage = run_normviz({"render", "--train-sweep", bad.string()});
    EXPECT_EQ(usage.status, 2) << usage.err;
    EXPECT_NE(usage.err.find("--out"), std::string::npos) << usage.err;
}

}  // namespace
