// Soak test (issue 7): the real normviz under Xvfb, driven for a bounded time by thousands of
// random X input events from a fixed seed (clicks, keys from the shortcut table, wheel, drags,
// window resizes down to tiny sizes, unmap/minimize and restore, full screen, presenter mode,
// shape and norm changes by keys and by clicking controls), with good and bad .npy files
// typed into the "Load .npy" field at regular checkpoints. The program must keep running,
// log no OpenGL error, answer a known click at the end, and its resident memory at the
// checkpoints must not grow from the first quarter of the run to the last.
//
// NORMVIZ_SOAK_SECONDS (default 90) bounds the random phase; NORMVIZ_SOAK_SEED picks the
// sequence (default fixed, so a failure can be replayed). NORMVIZ_SOAK_ADDRESS_FACTOR=F runs
// the soak under `ulimit -v` at F times the address space of an unlimited warm-up, with a
// .npy larger than that limit among the files it must refuse.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "core/generators.h"
#include "core/npy.h"
#include "gui_fixture.h"

namespace normviz::e2e {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int kScreenW = 1600, kScreenH = 1000;
constexpr int kWindowW = 1400, kWindowH = 900;
constexpr int kMenuBar = 30;  // File > Quit lives up there: random clicks stay below it
constexpr Seconds kSoakStartTimeout{60};
constexpr Seconds kLoadTimeout{30};

double env_number(const char* name, double fallback) {
    const char* v = std::getenv(name);
    if (!v || !*v) return fallback;
    char* end = nullptr;
    const double d = std::strtod(v, &end);
    return (end && *end == '\0' && std::isfinite(d)) ? d : fallback;
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

// The value a quarter of the samples lie below (the nearest sample at or above that rank).
double lower_quartile(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v[(v.size() - 1) / 4];
}

// A memory figure of a process in MiB from /proc/<pid>/status ("VmRSS:", "VmPeak:"), or -1.
double status_mib(pid_t pid, const std::string& field) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(field, 0) == 0) return std::strtod(line.c_str() + field.size(), nullptr) / 1024.0;
    return -1;
}
// Resident set size.
double rss_mib(pid_t pid) { return status_mib(pid, "VmRSS:"); }
// The largest address space the process has had.
double vm_peak_mib(pid_t pid) { return status_mib(pid, "VmPeak:"); }

// A .npy file whose header and payload are given verbatim (for malformed files).
void write_raw_npy(const fs::path& path, const std::string& dict, const std::string& payload) {
    std::string header = dict;
    const size_t total = 10 + header.size() + 1;
    header.append((64 - total % 64) % 64, ' ');
    header += '\n';
    std::ofstream out(path, std::ios::binary);
    out.write("\x93NUMPY\x01\x00", 8);
    const uint16_t len = static_cast<uint16_t>(header.size());
    const char le[2] = {static_cast<char>(len & 0xff), static_cast<char>(len >> 8)};
    out.write(le, 2);
    out << header << payload;
}

struct NpyFile {
    std::string path;
    std::string shape;  // "N,C,H,W" as --status prints it; empty for a file that must be refused
};

// The files typed into the program: valid ones of several shapes and values (NaN, Inf,
// constant, near the float limits, one value), and a set it must refuse with a message.
std::vector<NpyFile> write_files(const fs::path& dir) {
    std::vector<NpyFile> files;
    auto good = [&](const std::string& name, core::Tensor t) {
        const fs::path p = dir / name;
        EXPECT_TRUE(core::write_npy(p.string(), t)) << p;
        files.push_back({p.string(), std::to_string(t.shape.N) + "," + std::to_string(t.shape.C) + "," +
                                         std::to_string(t.shape.H) + "," + std::to_string(t.shape.W)});
    };
    good("base.npy", core::generate({3, 5, 4, 6}, core::Generator::Normal, 7));  // files[0]: the baseline
    core::Tensor nan = core::generate({2, 4, 3, 3}, core::Generator::PerChannel, 3);
    nan.data[5] = std::nanf("");
    nan.data[40] = INFINITY;
    good("nan_inf.npy", nan);
    core::Tensor constant = core::generate({2, 2, 5, 5}, core::Generator::Constant, 1);
    good("constant.npy", constant);
    core::Tensor huge = core::generate({2, 3, 4, 4}, core::Generator::Normal, 5);
    for (float& v : huge.data) v = v >= 0 ? 3e38f : -3e38f;
    good("huge.npy", huge);
    good("one.npy", core::generate({1, 1, 1, 1}, core::Generator::Normal, 1));
    good("wide.npy", core::generate({64, 512, 1, 1}, core::Generator::Normal, 2));

    auto bad = [&](const std::string& name) {
        files.push_back({(dir / name).string(), ""});
        return dir / name;
    };
    bad("missing.npy");  // not written
    { std::ofstream(bad("text.npy")) << "this is not a numpy file\n"; }
    write_raw_npy(bad("truncated.npy"), "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3, 4, 5), }",
                  std::string(17, '\0'));
    write_raw_npy(bad("claims_huge.npy"),
                  "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 1000, 1000), }",
                  std::string(64, '\0'));
    write_raw_npy(bad("rank5.npy"), "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 1, 1, 1, 2), }",
                  std::string(8, '\0'));
    write_raw_npy(bad("zero.npy"), "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 0, 3, 3), }", "");
    write_raw_npy(bad("complex.npy"), "{'descr': '<c8', 'fortran_order': False, 'shape': (1, 1, 1, 1), }",
                  std::string(8, '\0'));
    EXPECT_TRUE(core::write_npy_u8(bad("bytes.npy").string(), {1, 1, 2, 2}, {1, 2, 3, 4}));
    fs::create_directories(bad("folder.npy"));
    return files;
}

// A valid float32 .npy whose data alone is 1.5 x `limit_kib`: a sparse file (the payload is
// a hole), so it costs no disk. Under that address-space limit it must be refused with a
// message, not crash the window.
NpyFile write_beyond_limit(const fs::path& dir, long long limit_kib) {
    const long long values = limit_kib * 1024 / 4 * 3 / 2;
    const long long w = 1024, h = 1024, c = 16, n = values / (w * h * c) + 1;
    const fs::path p = dir / "beyond_limit.npy";
    write_raw_npy(p,
                  "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(n) + ", " + std::to_string(c) +
                      ", " + std::to_string(h) + ", " + std::to_string(w) + "), }",
                  "");
    fs::resize_file(p, fs::file_size(p) + static_cast<uintmax_t>(n * c * h * w * 4));
    return {p.string(), ""};
}

// Random input, as xdotool command chains (one xdotool run per batch).
class EventSource {
public:
    EventSource(uint64_t seed, std::string window) : rng_(seed), window_(std::move(window)) {}

    int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

    // `count` random actions with short pauses; `width` x `height`: the window's last size.
    std::vector<std::string> batch(int count, int& width, int& height, std::map<std::string, int>& tally) {
        std::vector<std::string> a;
        for (int i = 0; i < count; ++i) {
            const int kind = uniform(0, 99);
            if (kind < 30) {
                point(a, width, height);
                a.insert(a.end(), {"click", chance(0.1) ? "3" : "1"});
                if (chance(0.05)) a.insert(a.end(), {"click", "1"});  // double click
                ++tally["click"];
            } else if (kind < 62) {
                static const char* const kKeys[] = {
                    "Left", "Right",  "Up",        "Down",       "shift+Left", "shift+Right", "shift+Up", "shift+Down",
                    "v",    "Tab",    "shift+Tab", "1",          "2",          "3",           "4",        "5",
                    "6",    "7",      "space",     "p",          "equal",      "minus",       "KP_Add",   "KP_Subtract",
                    "0",    "k",      "shift+k",   "ctrl+equal", "ctrl+minus", "F1",          "F2",       "F3",
                    "F5",   "Escape", "Next",      "Prior",      "q",          "F12"};
                const std::string key = chance(0.01) ? "F11" : kKeys[uniform(0, std::size(kKeys) - 1)];
                a.insert(a.end(), {"key", "--delay", "24", key});
                ++tally["key"];
            } else if (kind < 74) {
                point(a, width, height);
                a.insert(a.end(), {"click", "--repeat", std::to_string(uniform(1, 6)), "--delay", "15",
                                   chance(0.5) ? "4" : "5"});
                ++tally["wheel"];
            } else if (kind < 88) {
                point(a, width, height);
                a.insert(a.end(), {"mousedown", "1"});
                const int steps = uniform(1, 5);
                for (int s = 0; s < steps; ++s) {
                    point(a, width, height);
                    a.insert(a.end(), {"sleep", "0.02"});
                }
                a.insert(a.end(), {"mouseup", "1"});
                ++tally["drag"];
            } else if (kind < 95) {
                static const int kTiny[][2] = {{200, 150}, {160, 100}, {64, 48}, {320, 200}};
                if (chance(0.4)) {
                    const auto& t = kTiny[uniform(0, std::size(kTiny) - 1)];
                    width = t[0], height = t[1];
                } else {
                    width = uniform(200, kScreenW), height = uniform(150, kScreenH);
                }
                a.insert(a.end(), {"windowsize", window_, std::to_string(width), std::to_string(height)});
                ++tally["resize"];
            } else if (kind < 98) {
                // Minimize needs a window manager (none under Xvfb); unmapping does hide it.
                a.insert(a.end(), {"windowminimize", window_, "sleep", "0.1", "windowunmap", "--sync", window_, "sleep",
                                   "0.2", "windowmap", "--sync", window_, "windowfocus", "--sync", window_});
                ++tally["minimize"];
            } else {
                a.insert(a.end(), {"windowsize", window_, std::to_string(kWindowW), std::to_string(kWindowH)});
                width = kWindowW, height = kWindowH;
                ++tally["resize"];
            }
            a.insert(a.end(), {"sleep", "0.015"});
        }
        return a;
    }

private:
    void point(std::vector<std::string>& a, int width, int height) {
        const int x = uniform(0, std::max(1, width - 1));
        const int y = uniform(std::min(kMenuBar, height - 1), std::max(kMenuBar, height - 1));
        a.insert(a.end(), {"mousemove", std::to_string(x), std::to_string(y)});
    }

    std::mt19937_64 rng_;
    std::string window_;
};

class Soak : public GuiFixture {
protected:
    Soak()
        : GuiFixture({.binary = NORMVIZ_BINARY,
                      .tmp_root = NORMVIZ_SOAK_TMP_DIR,
                      .screen_width = kScreenW,
                      .screen_height = kScreenH,
                      // Large blocks straight from mmap and back to the system when freed:
                      // resident memory then follows what is in use, not what glibc keeps
                      // cached after a large tensor came and went.
                      .extra_env = {{"GLIBC_TUNABLES",
                                     "glibc.malloc.mmap_threshold=131072:glibc.malloc.trim_threshold=1048576"}},
                      .xdo_timeout = Seconds(60),
                      .stderr_tail = 3000}) {}

    // Reads everything the program printed so far (waiting up to `quiet` for more).
    void drain_output(Seconds quiet = Seconds(0.05)) {
        while (reader_->wait_block([](const StatusBlock&) { return false; }, quiet)) {}
    }

    const std::map<std::string, std::string>* ui() const {
        const auto& b = reader_->last_block();
        if (!b) return nullptr;
        auto it = b->records.find("ui");
        return it == b->records.end() ? nullptr : &it->second;
    }

    static bool flag(const std::map<std::string, std::string>* r, const std::string& key) {
        if (!r) return false;
        auto it = r->find(key);
        return it != r->end() && it->second == "1";
    }

    // Brings the program back to a known layout: window 1400x900 and mapped, no presenter
    // mode, quiz, help or cube view, controls shown with the path field in view, idle.
    bool reset_layout() {
        xdo({"mouseup", "1", "windowmap", "--sync", window_, "windowsize", window_, std::to_string(kWindowW),
             std::to_string(kWindowH), "windowfocus", "--sync", window_, "key", "--delay", "120", "Escape", "Escape"});
        for (int attempt = 0; attempt < 12; ++attempt) {
            std::this_thread::sleep_for(300ms);
            drain_output(Seconds(0.2));
            const auto* r = ui();
            const auto& b = reader_->last_block();
            if (!r || !b) continue;
            std::vector<std::string> keys;
            if (flag(r, "busy")) continue;
            if (flag(r, "presenter")) keys.push_back("F5");
            if (flag(r, "quiz")) keys.push_back("q");
            if (flag(r, "help")) keys.push_back("F1");
            if (!flag(r, "controls")) keys.push_back("F2");
            if (b->records.count("cube")) keys.push_back("k");
            if (keys.empty() && r->count("font") && r->at("font") != "16") {
                // Text size back to 16 (Ctrl+- stops at 10, Ctrl+= adds 2): the font atlas is
                // part of the memory compared between checkpoints.
                keys.assign(16, "ctrl+minus");
                keys.insert(keys.end(), 3, "ctrl+equal");
            }
            if (keys.empty() && flag(r, "path_visible")) {
                const auto p = parse_numbers(r->at("path_field"));
                if (p.size() == 2 && p[0] > 0 && p[0] < kWindowW && p[1] > kMenuBar && p[1] < kWindowH) return true;
            }
            if (keys.empty()) {  // the sidebar is scrolled: scroll it back up
                xdo({"mousemove", "40", "200", "click", "--repeat", "20", "--delay", "10", "4", "mousemove", "700",
                     "450"});
                continue;
            }
            std::vector<std::string> cmd = {"windowfocus", "--sync", window_, "key", "--delay", "100"};
            cmd.insert(cmd.end(), keys.begin(), keys.end());
            xdo(cmd);
        }
        return false;
    }

    // Types `file` into the "Load .npy" field and waits for its status block (a good file) or
    // its error message on stderr (a bad one). False when neither came.
    bool load(const NpyFile& file) {
        if (!reset_layout()) {
            std::printf("[ SOAK     ] could not bring the path field into view\n");
            return false;
        }
        const auto p = parse_numbers(ui()->at("path_field"));
        app_->drain();
        const size_t err_before = app_->stderr_text().size();
        // xdotool's `type` takes every later argument as text, so it ends its chain.
        CommandResult typed =
            xdo({"mousemove", std::to_string(int(p[0])), std::to_string(int(p[1])), "click", "1", "sleep", "0.15",
                 "key", "--delay", "120", "ctrl+a", "type", "--delay", "8", file.path});
        CommandResult entered = xdo({"sleep", "0.1", "key", "--delay", "120", "Return", "mousemove", "700", "450"});
        if (typed.exit_code != 0 || entered.exit_code != 0)
            std::printf("[ SOAK     ] xdotool failed typing a path: %s%s\n", typed.err.c_str(), entered.err.c_str());
        if (!file.shape.empty()) {
            // Every new tensor bumps ui's tensor=, so reloading the same shape is seen too.
            const std::string before = ui()->at("tensor");
            auto block = reader_->wait_block(
                [&](const StatusBlock& b) {
                    auto r = b.records.find("ui");
                    return r != b.records.end() && r->second.at("tensor") != before &&
                           b.status.at("shape") == file.shape;
                },
                kLoadTimeout);
            return block.has_value();
        }
        const std::string expect = "normviz: " + file.path + ":";
        const auto deadline = Clock::now() + kLoadTimeout;
        while (Clock::now() < deadline) {
            drain_output(Seconds(0.1));
            app_->drain();
            if (app_->stderr_text().find(expect, err_before) != std::string::npos) return true;
        }
        return false;
    }

    // Launches the program on `base`, finds its window, then warm-up: every feature once, so
    // that what is created on first use (the cube renderer, fonts at other sizes, Mesa's
    // compiled shader variants, the lessons) exists before the first memory sample; growth
    // after that is what the soak looks for. Ends with every file loaded once.
    void start_and_warm_up(const NpyFile& base, const std::vector<NpyFile>& files) {
        // The window is 1400x900 (kWindowW x kWindowH), as launch() asks.
        ASSERT_NO_FATAL_FAILURE(launch({base.path}));
        ASSERT_TRUE(wait_block([](const StatusBlock& b) { return !b.panels.empty(); }, kSoakStartTimeout))
            << diagnostics();
        window_ = find_window();
        ASSERT_FALSE(window_.empty()) << "no normviz window";
        xdo({"windowfocus", "--sync", window_});
        xdo({"key",
             "--delay",
             "80",
             "k",
             "shift+k",
             "space",
             "k",
             "F1",
             "F1",
             "F5",
             "Escape",
             "q",
             "q",
             "ctrl+equal",
             "ctrl+equal",
             "ctrl+minus",
             "ctrl+minus",
             "2",
             "3",
             "4",
             "5",
             "6",
             "7",
             "1",
             "v",
             "space",
             "p",
             "p",
             "Next",
             "Prior",
             "F11",
             "F11",
             "F12",
             "windowsize",
             window_,
             "200",
             "150",
             "sleep",
             "0.3",
             "windowsize",
             window_,
             std::to_string(kWindowW),
             std::to_string(kWindowH)});
        for (const NpyFile& f : files) load(f);
    }

    // A launcher script that starts the program with its address space limited (ulimit -v,
    // in KiB); exec keeps the program's pid, so its memory is read as before.
    std::string write_limited_launcher(long long limit_kib) const {
        const fs::path script = tmp_ / "limited_normviz.sh";
        std::ofstream(script) << "#!/bin/sh\nulimit -v " << limit_kib << "\nexec '" << NORMVIZ_BINARY << "' \"$@\"\n";
        fs::permissions(script, fs::perms::owner_all);
        return script.string();
    }

    std::string window_;
};

TEST_F(Soak, RandomInputForMinutes) {
    const double seconds = std::max(5.0, env_number("NORMVIZ_SOAK_SECONDS", 90));
    const uint64_t seed = static_cast<uint64_t>(env_number("NORMVIZ_SOAK_SEED", 20240607));
    std::vector<NpyFile> files = write_files(tmp_);
    files.reserve(files.size() + 1);  // `good` and `bad` point into it; one file may be added
    const NpyFile& base = files[0];
    std::vector<const NpyFile*> good, bad;
    for (size_t i = 1; i < files.size(); ++i) (files[i].shape.empty() ? bad : good).push_back(&files[i]);

    // Start with a bad file on the command line: refused with a message and exit code 1.
    CommandResult refused = run_command({NORMVIZ_BINARY, "--no-settings", bad.front()->path}, env(), kSoakStartTimeout);
    EXPECT_EQ(refused.exit_code, 1) << refused.err;
    EXPECT_NE(refused.err.find(bad.front()->path), std::string::npos) << refused.err;

    ASSERT_NO_FATAL_FAILURE(start_and_warm_up(base, files));
    const double factor = env_number("NORMVIZ_SOAK_ADDRESS_FACTOR", 0);
    if (factor > 0) {
        // ulimit -v limits address space, so the working set it is set against is the address
        // space too: the peak (VmPeak) of an unlimited run through the same warm-up.
        const double peak_mib = vm_peak_mib(app_->pid());
        ASSERT_GT(peak_mib, 0);
        const auto limit_kib = static_cast<long long>(factor * peak_mib * 1024);
        app_->kill_now();
        options_.binary = write_limited_launcher(limit_kib);
        files.push_back(write_beyond_limit(tmp_, limit_kib));
        bad.push_back(&files.back());
        std::printf("[ SOAK     ] address space limited to %lld MiB: %.1f x VmPeak %.0f MiB of an unlimited warm-up\n",
                    limit_kib / 1024, factor, peak_mib);
        ASSERT_NO_FATAL_FAILURE(start_and_warm_up(base, files));
    }
    EventSource events(seed, window_);
    std::map<std::string, int> tally;
    int width = kWindowW, height = kWindowH, batches = 0, failed_batches = 0;
    long commands = 0;
    int loads = 0, loads_confirmed = 0;
    std::vector<double> checkpoint_rss, checkpoint_anon, checkpoint_time, any_rss;
    double peak_rss = 0;
    const auto start = Clock::now();
    auto elapsed = [&] { return Seconds(Clock::now() - start).count(); };
    size_t next_file = 0;
    std::printf("[ SOAK     ] %.0f s of random input, seed %llu\n", seconds, static_cast<unsigned long long>(seed));

    while (elapsed() < seconds) {
        // A batch of random input, then a checkpoint: every other time a good or bad file,
        // then the baseline file, after which resident memory is sampled in the same state.
        {
            std::vector<std::string> chain = events.batch(45, width, height, tally);
            for (const std::string& s : chain)
                if (s != "sleep" && s.find_first_not_of("0123456789.") != std::string::npos) ++commands;
            CommandResult r = xdo(chain, Seconds(120));
            ++batches;
            if (r.exit_code != 0) ++failed_batches;
            drain_output();
            ASSERT_TRUE(app_->running()) << "normviz died during batch " << batches << "\n" << diagnostics();
            const double rss = rss_mib(app_->pid());
            any_rss.push_back(rss);
            peak_rss = std::max(peak_rss, rss);
        }
        std::vector<const NpyFile*> to_load = {&base};
        if (batches % 2 == 1) {
            const NpyFile* other = events.chance(0.5) ? good[next_file % good.size()] : bad[next_file % bad.size()];
            ++next_file;
            to_load.insert(to_load.begin(), other);
        }
        for (const NpyFile* f : to_load) {
            ++loads;
            if (load(*f)) ++loads_confirmed;
            else std::printf("[ SOAK     ] load of %s not confirmed\n", f->path.c_str());
            ASSERT_TRUE(app_->running()) << "normviz died loading " << f->path << "\n" << diagnostics();
        }
        std::this_thread::sleep_for(300ms);
        drain_output();
        const double rss = rss_mib(app_->pid());
        checkpoint_rss.push_back(rss);
        checkpoint_anon.push_back(status_mib(app_->pid(), "RssAnon:"));
        checkpoint_time.push_back(elapsed());
        peak_rss = std::max(peak_rss, rss);
    }
    const double soak_time = elapsed();

    // The final known click: the baseline file, fitted, cell (2, 4, 3, 5) of the first panel
    // that shows cells (random input may have left one with an error in place of its cells,
    // as BatchNorm's with running statistics of another channel count).
    ASSERT_TRUE(load(base)) << "the baseline file did not load at the end\n" << diagnostics();
    xdo({"key", "--delay", "150", "0"});
    std::this_thread::sleep_for(500ms);
    drain_output(Seconds(0.3));
    ASSERT_TRUE(reader_->last_block());
    const StatusBlock block = *reader_->last_block();
    const core::Index target = block.focus() == "2,4,3,5" ? core::Index{1, 1, 1, 1} : core::Index{2, 4, 3, 5};
    size_t panel = 0;
    while (panel + 1 < block.panels.size() && !block.panels[panel].count("mean")) ++panel;
    const Pixel p = cell_center(block, panel, {3, 5, 4, 6}, target);
    xdo({"mousemove", std::to_string(p.x), std::to_string(p.y), "click", "1"});
    auto clicked = wait_focus(target);
    EXPECT_TRUE(clicked) << "the program did not answer the final click at " << p.x << "," << p.y << " (panel " << panel
                         << ")\n"
                         << diagnostics();
    ASSERT_TRUE(app_->running()) << diagnostics();

    // Memory: the lower quartile of the first quarter of the checkpoints against that of the
    // last quarter. Resident memory at a checkpoint swings by +-30 MiB with what the random
    // input left behind (a load still being freed, glibc's and Mesa's caches), in a long run
    // as much as in a short one; a leak raises the floor of those swings, which this compares
    // (a 10-minute run: medians 155.6 and 180.5 MiB while the lowest samples were 141.7 and
    // 144.4).
    std::printf("[ SOAK     ] %.1f s, %d batches (%d ended early), %ld xdotool input commands:", soak_time, batches,
                failed_batches, commands);
    for (const auto& [kind, n] : tally) std::printf(" %s=%d", kind.c_str(), n);
    std::printf("\n[ SOAK     ] loads: %d typed, %d confirmed\n[ SOAK     ] VmRSS at checkpoints (s: MiB):", loads,
                loads_confirmed);
    for (size_t i = 0; i < checkpoint_rss.size(); ++i) std::printf(" %.0f:%.1f", checkpoint_time[i], checkpoint_rss[i]);
    // RssAnon: what the program allocated; the rest of VmRSS is pages of files it maps
    // (libraries, the driver, fonts), which grow as code runs for the first time.
    std::printf("\n[ SOAK     ] RssAnon at checkpoints (MiB):");
    for (double r : checkpoint_anon) std::printf(" %.1f", r);
    std::printf("\n[ SOAK     ] VmRSS after each random batch (MiB):");
    for (double r : any_rss) std::printf(" %.1f", r);
    const size_t quarter = std::max<size_t>(1, checkpoint_rss.size() / 4);
    const std::vector<double> first_quarter(checkpoint_rss.begin(), checkpoint_rss.begin() + quarter);
    const std::vector<double> last_quarter(checkpoint_rss.end() - quarter, checkpoint_rss.end());
    const double first = lower_quartile(first_quarter), last = lower_quartile(last_quarter);
    const double allowed = first + std::max(0.15 * first, 20.0);
    std::printf(
        "\n[ SOAK     ] lower quartile of the first quarter %.1f MiB, of the last quarter %.1f MiB (allowed "
        "%.1f); medians %.1f and %.1f MiB; peak %.1f MiB\n",
        first, last, allowed, median(first_quarter), median(last_quarter), peak_rss);
    std::fflush(stdout);
    if (seconds >= 60) {
        EXPECT_GE(checkpoint_rss.size(), 8u) << "too few checkpoints to compare memory";
    }
    EXPECT_LE(last, allowed) << "resident memory grew during the soak";
    EXPECT_GE(loads_confirmed, loads * 8 / 10) << "most typed loads must be seen to take effect";

    app_->kill_now();
    app_->drain();
    EXPECT_EQ(app_->stderr_text().find("GL error"), std::string::npos) << diagnostics();
    EXPECT_EQ(app_->stderr_text().find("ssertion"), std::string::npos) << diagnostics();
}

}  // namespace
}  // namespace normviz::e2e
