// The sweep CSV reader (app/model/sweep_csv.h): the file `normviz train --sweep --csv` writes
// reads back into the figure's lines; anything else is refused with one line that says why.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "app/classroom/lessons.h"
#include "app/model/sweep_csv.h"
#include "core/safe_file.h"

namespace normviz::app {
namespace {

const std::string kHeader = "norm,batch,epoch,steps,train_loss,val_loss,val_error,seconds\n";

TEST(SweepCsv, ReadsTheCommittedDefaultSweep) {
    const auto table = read_sweep_csv(std::string(NORMVIZ_SWEEP_DIR) + "/default_sweep.csv");
    ASSERT_TRUE(table) << table.error().message;
    EXPECT_EQ(table.value().rows.size(), 30u);
    const std::vector<SweepLine> lines = sweep_lines(table.value());
    ASSERT_EQ(lines.size(), 6u);
    const char* norms[] = {"none", "batch", "layer", "instance", "group", "rms"};  // the sweep's job order
    for (size_t i = 0; i < lines.size(); ++i) {
        EXPECT_EQ(lines[i].norm, norms[i]);
        EXPECT_EQ(lines[i].batch, (std::vector<double>{2, 4, 8, 16, 32}));
        for (double e : lines[i].error) EXPECT_TRUE(e >= 0 && e <= 1) << e;
    }
    // The embedded copy the lesson reads is the same file.
    const auto shipped = shipped_sweep("default_sweep.csv");
    ASSERT_TRUE(shipped) << shipped.error().message;
    EXPECT_EQ(sweep_error(shipped.value(), "group", 8), sweep_error(table.value(), "group", 8));
}

TEST(SweepCsv, LinesTakeEachBatchsLastEpochInBatchOrder) {
    const std::string text = kHeader +
                             "group,8,1,10,1.0,1.0,0.5,1\n"
                             "group,2,1,40,1.0,1.0,0.25,1\n"
                             "group,8,2,20,1.0,1.0,0.125,2\r\n"
                             "batch,2,1,40,1.0,1.0,0.75,1\n";
    const auto table = parse_sweep_csv(text);
    ASSERT_TRUE(table) << table.error().message;
    const std::vector<SweepLine> lines = sweep_lines(table.value());
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].norm, "group");
    EXPECT_EQ(lines[0].batch, (std::vector<double>{2, 8}));
    EXPECT_EQ(lines[0].error, (std::vector<double>{0.25, 0.125}));
    EXPECT_EQ(sweep_error(table.value(), "batch", 2), 0.75);
    EXPECT_TRUE(std::isnan(sweep_error(table.value(), "batch", 8)));
    EXPECT_TRUE(std::isnan(sweep_error(table.value(), "layer", 2)));
}

TEST(SweepCsv, RefusesWhatTheTrainCommandDoesNotWrite) {
    const std::pair<std::string, std::string> cases[] = {
        {"", "empty"},
        {"a,b,c\n1,2,3\n", "first line"},
        {kHeader, "no runs"},
        {kHeader + "group,8,1,10,1.0,1.0,0.5\n", "line 2 has 7 fields"},
        {kHeader + "group,eight,1,10,1.0,1.0,0.5,1\n", "line 2 has batch 'eight'"},
        {kHeader + "group,0,1,10,1.0,1.0,0.5,1\n", "batch '0'"},
        {kHeader + "group,8,0,10,1.0,1.0,0.5,1\n", "epoch '0'"},
        {kHeader + "group,8,1,10,nan,1.0,0.5,1\n", "not a finite number"},
        {kHeader + "group,8,1,10,1.0,1.0,1.5,1\n", "outside 0..1"},
        {kHeader + ",8,1,10,1.0,1.0,0.5,1\n", "no norm name"},
        {kHeader + "group,8,1,10,1.0,1.0,0.5,1\ngroup,8,1,10,1.0,1.0,0.5,1,9\n", "line 3 has 9 fields"},
    };
    for (const auto& [text, says] : cases) {
        const auto table = parse_sweep_csv(text);
        ASSERT_FALSE(table) << text;
        const std::string& message = table.error().message;
        EXPECT_NE(message.find(says), std::string::npos) << message;
        EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
}

TEST(SweepCsv, AFileThatCannotBeReadIsOneLine) {
    const auto missing = read_sweep_csv(std::string(NORMVIZ_TEST_TMP_DIR) + "/no_such_sweep.csv");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message.find('\n'), std::string::npos);
    const auto folder = read_sweep_csv(NORMVIZ_TEST_TMP_DIR);
    ASSERT_FALSE(folder);
    const std::string bad = std::string(NORMVIZ_TEST_TMP_DIR) + "/bad_sweep.csv";
    ASSERT_TRUE(core::write_file_safely(bad, "norm,batch\n"));
    const auto wrong = read_sweep_csv(bad);
    ASSERT_FALSE(wrong);
    EXPECT_NE(wrong.error().message.find(bad), std::string::npos) << wrong.error().message;
}

}  // namespace
}  // namespace normviz::app
