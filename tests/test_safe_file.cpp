// The one writer (core/safe_file.h): what it refuses, what it keeps on failure, the modes it
// gives, and that signals leave no temporary file.
#include "core/safe_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/npy.h"
#include "core/tensor.h"
#include "tests/scratch_files.h"

namespace fs = std::filesystem;
using normviz::core::SafeWriter;
using normviz::core::write_file_safely;

namespace {

// A fresh, empty folder per test.
fs::path fresh_dir(const std::string& name) {
    return normviz::test::fresh_dir(NORMVIZ_TEST_TMP_DIR, "safe_file_", name);
}
using normviz::test::read_all;

void write_plain(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
}

std::vector<std::string> names_in(const fs::path& dir) {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

struct UmaskGuard {
    explicit UmaskGuard(mode_t m) : old(umask(m)) {}
    ~UmaskGuard() { umask(old); }
    mode_t old;
};

struct FailureGuard {
    explicit FailureGuard(const char* step) { normviz::core::fail_writes_at_for_testing(step); }
    ~FailureGuard() { normviz::core::fail_writes_at_for_testing(nullptr); }
};

const char* const kSteps[] = {"create", "write", "fsync", "close", "rename"};

}  // namespace

TEST(SafeFile, WritesANewFileAndReplacesAnOldOne) {
    const fs::path dir = fresh_dir("basic");
    const fs::path out = dir / "a.txt";
    ASSERT_TRUE(write_file_safely(out.string(), "first"));
    EXPECT_EQ(read_all(out), "first");
    ASSERT_TRUE(write_file_safely(out.string(), "second, longer"));
    EXPECT_EQ(read_all(out), "second, longer");
    EXPECT_EQ(names_in(dir), std::vector<std::string>{"a.txt"});
}

TEST(SafeFile, RefusesADeviceNode) {
    // /dev/null itself: refused before anything is created, so it stays a device.
    auto ok = write_file_safely("/dev/null", "x");
    ASSERT_FALSE(ok);
    EXPECT_NE(ok.error().message.find("not a regular file"), std::string::npos) << ok.error().message;
    struct stat info {};
    ASSERT_EQ(stat("/dev/null", &info), 0);
    EXPECT_TRUE(S_ISCHR(info.st_mode));
    // A device node of our own, where one can be made (root).
    const fs::path dir = fresh_dir("device");
    const fs::path node = dir / "out.png";
    if (mknod(node.c_str(), S_IFCHR | 0666, makedev(1, 3)) == 0) {
        EXPECT_FALSE(write_file_safely(node.string(), "x"));
        ASSERT_EQ(lstat(node.c_str(), &info), 0);
        EXPECT_TRUE(S_ISCHR(info.st_mode));
        EXPECT_EQ(names_in(dir), std::vector<std::string>{"out.png"});
    }
}

TEST(SafeFile, RefusesAFifoAndAFolder) {
    const fs::path dir = fresh_dir("fifo");
    const fs::path fifo = dir / "out.csv";
    ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
    auto ok = write_file_safely(fifo.string(), "x");
    ASSERT_FALSE(ok);
    EXPECT_NE(ok.error().message.find("not a regular file"), std::string::npos) << ok.error().message;
    EXPECT_TRUE(fs::is_fifo(fifo));
    auto folder = write_file_safely(dir.string(), "x");
    ASSERT_FALSE(folder);
    EXPECT_NE(folder.error().message.find("folder"), std::string::npos) << folder.error().message;
    EXPECT_EQ(names_in(dir), std::vector<std::string>{"out.csv"});
}

TEST(SafeFile, SymlinkAtTheOutputIsRefusedAndWhatItNamesKept) {
    const fs::path dir = fresh_dir("symlink");
    write_plain(dir / "target.json", "old");
    fs::create_symlink("target.json", dir / "link.json");
    auto linked = write_file_safely((dir / "link.json").string(), "new");
    ASSERT_FALSE(linked);
    EXPECT_NE(linked.error().message.find("symbolic link (to 'target.json')"), std::string::npos)
        << linked.error().message;
    EXPECT_TRUE(fs::is_symlink(dir / "link.json"));
    EXPECT_EQ(read_all(dir / "target.json"), "old");
    // A link to a device and a dangling link are refused the same way.
    fs::create_symlink("/dev/null", dir / "null.png");
    EXPECT_FALSE(write_file_safely((dir / "null.png").string(), "x"));
    EXPECT_TRUE(fs::is_symlink(dir / "null.png"));
    fs::create_symlink("missing", dir / "dangling.csv");
    EXPECT_FALSE(write_file_safely((dir / "dangling.csv").string(), "x"));
    EXPECT_FALSE(fs::exists(dir / "missing"));
    EXPECT_EQ(names_in(dir), (std::vector<std::string>{"dangling.csv", "link.json", "null.png", "target.json"}));
}

TEST(SafeFile, PlantedLinksAtTemporaryNamesAreNeverFollowed) {
    // Links at every name the old writers used for their temporary files, pointing at a file
    // the attacker wants overwritten.
    const fs::path dir = fresh_dir("planted");
    write_plain(dir / "victim", "precious");
    const fs::path out = dir / "out.png";
    for (const char* suffix : {".tmp", ".tmp.png", ".tmpXXXXXX", ".csv.tmp"})
        fs::create_symlink(dir / "victim", out.string() + suffix);
    ASSERT_TRUE(write_file_safely(out.string(), "picture"));
    EXPECT_EQ(read_all(dir / "victim"), "precious");
    EXPECT_EQ(read_all(out), "picture");
    EXPECT_EQ(names_in(dir).size(), 6u);  // victim, out.png and the four links: no temp left
}

TEST(SafeFile, FullDiskAtEveryStepKeepsTheOldFileByteIdentical) {
    for (const char* step : kSteps) {
        const fs::path dir = fresh_dir(std::string("full_") + step);
        const fs::path out = dir / "settings.ini";
        write_plain(out, "font_size=18\nshape=2,4,3,3\n");
        auto ok = [&] {
            FailureGuard fail(step);
            return write_file_safely(out.string(), std::string(100000, 'x'));
        }();
        ASSERT_FALSE(ok) << step;
        EXPECT_NE(ok.error().message.find("settings.ini"), std::string::npos) << ok.error().message;
        EXPECT_NE(ok.error().message.find("No space left on device"), std::string::npos) << ok.error().message;
        EXPECT_EQ(read_all(out), "font_size=18\nshape=2,4,3,3\n") << step;
        EXPECT_EQ(names_in(dir), std::vector<std::string>{"settings.ini"}) << step;
    }
}

TEST(SafeFile, FullDiskDuringWriteNpyKeepsTheOldArray) {
    // The .npy writer of `normalize` and `mask` goes through the same writer.
    normviz::core::Tensor t;
    t.shape = {2, 3, 4, 5};
    t.data.assign(static_cast<size_t>(t.shape.numel()), 1.5f);
    for (const char* step : kSteps) {
        const fs::path dir = fresh_dir(std::string("npy_") + step);
        const fs::path out = dir / "o.npy";
        write_plain(out, "old bytes");
        normviz::core::Status ok = [&] {
            FailureGuard fail(step);
            return normviz::core::write_npy(out.string(), t);
        }();
        EXPECT_FALSE(ok) << step;
        EXPECT_EQ(read_all(out), "old bytes") << step;
        EXPECT_EQ(names_in(dir), std::vector<std::string>{"o.npy"}) << step;
    }
}

TEST(SafeFile, NewFilesFollowTheUmaskAndOldFilesKeepTheirMode) {
    const fs::path dir = fresh_dir("modes");
    struct stat info {};
    {
        UmaskGuard mask(077);
        ASSERT_TRUE(write_file_safely((dir / "new077").string(), "x"));
    }
    ASSERT_EQ(stat((dir / "new077").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
    {
        UmaskGuard mask(022);
        ASSERT_TRUE(write_file_safely((dir / "new022").string(), "x"));
        write_plain(dir / "private", "old");
        ASSERT_EQ(chmod((dir / "private").c_str(), 0600), 0);
        ASSERT_TRUE(write_file_safely((dir / "private").string(), "new"));
    }
    ASSERT_EQ(stat((dir / "new022").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0644u);
    ASSERT_EQ(stat((dir / "private").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST(SafeFile, UncommittedWriterLeavesNothing) {
    const fs::path dir = fresh_dir("uncommitted");
    {
        auto writer = SafeWriter::open((dir / "a.svg").string());
        ASSERT_TRUE(writer);
        ASSERT_TRUE(writer.value().write("<svg/>", 6));
        EXPECT_EQ(names_in(dir).size(), 1u);  // the temporary file
    }
    EXPECT_TRUE(names_in(dir).empty());
}

TEST(SafeFile, SigtermDuringAWriteRemovesTheTemporaryFile) {
    const fs::path dir = fresh_dir("sigterm");
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        normviz::core::install_signal_cleanup(false);
        auto writer = SafeWriter::open((dir / "big.npy").string());
        if (!writer || !writer.value().write("data", 4)) _exit(3);
        raise(SIGTERM);
        _exit(4);  // not reached: the handler re-raises with the default action
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFSIGNALED(status)) << "exit status " << WEXITSTATUS(status);
    EXPECT_EQ(WTERMSIG(status), SIGTERM);
    EXPECT_TRUE(names_in(dir).empty());
}
