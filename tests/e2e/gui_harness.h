// Helpers for end-to-end tests of the real normviz program: a private Xvfb server, child
// processes with captured output and hard timeouts, xdotool input, the --status protocol and
// PNG reading. Everything started here is killed by its owner's destructor, so a failed
// assertion never leaves an X server or a normviz window behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/view/grid_layout.h"
#include "core/shape.h"

namespace normviz::e2e {

using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

// Full path of an executable found on PATH, or nothing.
std::optional<std::string> find_tool(const std::string& name);

// Environment for children: ours, with `set` entries overriding and `unset` names removed.
// Libraries to preload into the normviz program only (not into Xvfb or xdotool), from
// NORMVIZ_TEST_APP_LD_PRELOAD; empty when unset. The sanitized CI pass preloads libasan and
// Mesa's driver so the driver is never unloaded and LeakSanitizer can check the program.
std::string app_preload();

std::vector<std::string> child_environment(const std::map<std::string, std::string>& set,
                                           const std::vector<std::string>& unset = {});

// A child process with its stdout and stderr on pipes (read without blocking).
class Process {
public:
    Process() = default;
    ~Process();  // kills the child (SIGTERM, then SIGKILL) and reaps it
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    // Starts argv[0] (a path) with `env`. `extra_fd_out`: when >= 0, the child gets the write
    // end of a pipe as that descriptor and `*extra_read_fd` is our read end.
    bool start(const std::vector<std::string>& argv, const std::vector<std::string>& env, int extra_fd_out = -1,
               int* extra_read_fd = nullptr);
    pid_t pid() const { return pid_; }
    bool running();
    // Next complete stdout line (without the newline), waiting at most `timeout`.
    std::optional<std::string> read_line(Seconds timeout);
    // Waits for exit at most `timeout`; the exit status (128 + signal when killed), or nothing.
    std::optional<int> wait_exit(Seconds timeout);
    // Reads whatever is left on both pipes (call after exit).
    void drain();
    void kill_now();
    const std::string& stderr_text() const { return err_; }
    const std::string& stdout_text() const { return all_out_; }

private:
    void pump(int timeout_ms);

    pid_t pid_ = -1;
    int out_fd_ = -1, err_fd_ = -1;
    std::string out_;      // stdout not yet returned as lines
    std::string all_out_;  // all stdout, for failure messages
    std::string err_;
    std::optional<int> exit_status_;
};

struct CommandResult {
    int exit_code = -1;  // -1: did not finish in time (killed)
    std::string out, err;
};
// Runs a command to completion with a timeout.
CommandResult run_command(const std::vector<std::string>& argv, const std::vector<std::string>& env, Seconds timeout);

// A private X server (Xvfb -displayfd picks a free display number; no TCP).
class Xvfb {
public:
    ~Xvfb() = default;  // Process's destructor kills the server
    // Starts the server at width x height x 24; false with `error` set when it did not start.
    bool start(int width, int height, std::string& error);
    const std::string& display() const { return display_; }

private:
    Process server_;
    std::string display_;
};

// One --status block: the "status", "layout", "panel" records as key=value maps.
struct StatusBlock {
    std::map<std::string, std::string> status;
    std::map<std::string, std::string> layout;
    std::vector<std::map<std::string, std::string>> panels;
    // Any other record inside the block ("ui", "cube", ...), by its first word.
    std::map<std::string, std::map<std::string, std::string>> records;

    std::string focus() const;
    // Another record by its first word ("tokens", "cube", ...), or null when the block has none.
    const std::map<std::string, std::string>* record(const std::string& word) const;
    // One field of the "status", "layout" or another record; empty when it is missing.
    std::string field(const std::string& word, const std::string& key) const;
};

// Every complete block in a program's captured stdout, in order.
std::vector<StatusBlock> parse_status_text(const std::string& text);

// Splits "word k=v k=v" into the word and the map.
std::map<std::string, std::string> parse_record(const std::string& line, std::string& word);
// "1,2,3" -> {1, 2, 3} (doubles).
std::vector<double> parse_numbers(const std::string& text);
// A record's field as a number; NaN when the field is missing.
double number(const std::map<std::string, std::string>& record, const std::string& key);
// "n,c,h,w", as --status prints an index.
std::string index_text(const core::Index& index);

// The screen pixel (window at the screen's origin) of the centre of `cell` in canvas `panel`
// of `block`, for a tensor of `shape`: canvas rectangle, zoom and pan from the status block.
struct Pixel {
    int x = 0, y = 0;
};
Pixel cell_center(const StatusBlock& block, size_t panel, const core::Shape& shape, const core::Index& cell);
// The grid layout the canvases drew, from the block's layout record (blocks per row and the
// sample gap follow the canvas's size and the text size: app/view/grid_layout.h).
app::GridLayout layout_of(const StatusBlock& block, const core::Shape& shape);

// Reads a normviz process's stdout: status blocks and other lines.
class StatusReader {
public:
    explicit StatusReader(Process& process) : process_(process) {}
    // The next block (in order, each considered once) accepted by `accept`; blocks it passes
    // over are not considered again.
    std::optional<StatusBlock> wait_block(const std::function<bool(const StatusBlock&)>& accept, Seconds timeout);
    // Waits for a non-status line starting with `prefix`.
    std::optional<std::string> wait_line(const std::string& prefix, Seconds timeout);
    const std::optional<StatusBlock>& last_block() const { return last_; }
    // Every line read so far (for failure messages), the last `max_lines` of them.
    std::string transcript(size_t max_lines = 40) const;

private:
    // Reads one line and feeds it to the block parser; returns it, or nothing on timeout.
    std::optional<std::string> next(Clock::time_point deadline, bool& completed_block);

    Process& process_;
    std::vector<std::string> lines_;
    std::vector<std::string> other_lines_;
    size_t other_consumed_ = 0;
    std::vector<StatusBlock> blocks_;
    size_t blocks_consumed_ = 0;
    std::optional<StatusBlock> building_;
    std::optional<StatusBlock> last_;
};

// RGBA8 image read with stb_image.
struct Image {
    int width = 0, height = 0;
    std::vector<unsigned char> rgba;
    bool load(const std::string& path, std::string& error);
    const unsigned char* at(int x, int y) const { return &rgba[(static_cast<size_t>(y) * width + x) * 4]; }
};

}  // namespace normviz::e2e
