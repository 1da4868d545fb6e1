// A small harness for the cube view's end-to-end tests: a private Xvfb server, the normviz
// program on it with its --status lines read from a pipe, and xdotool for real input.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace normviz::e2e_cube {

// A child process with its stdout on a pipe; killed (SIGTERM, then SIGKILL) on destruction.
class Child {
public:
    Child() = default;
    // Starts argv[0] with `env` added to the environment. Returns false if fork/exec failed.
    bool start(const std::vector<std::string>& argv, const std::vector<std::string>& env, bool capture_stdout);
    ~Child();
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    pid_t pid() const { return pid_; }
    int stdout_fd() const { return out_fd_; }
    // Reads one line from stdout, waiting at most `timeout`. False on timeout or EOF.
    bool read_line(std::string& line, std::chrono::milliseconds timeout);
    void stop();
    // The caller reaped the process itself: forget its pid (nothing to signal any more).
    void forget_reaped() { pid_ = -1; }

private:
    pid_t pid_ = -1;
    int out_fd_ = -1;
    std::string buffer_;
};

// One --status block: records by their first word, each as key=value fields.
struct StatusBlock {
    std::map<std::string, std::map<std::string, std::string>> records;  // "status", "cube", ...
    std::vector<std::map<std::string, std::string>> panels;             // "panel" records, in order
    const std::string& get(const std::string& record, const std::string& key) const;
};

// Xvfb on a free display (-displayfd) and one program on it.
class XSession {
public:
    // Starts Xvfb (width x height x 24). False with `error` set when it cannot.
    bool start_server(int width, int height, std::string& error);
    // Starts normviz with `args` on the display, LIBGL_ALWAYS_SOFTWARE=1.
    bool start_program(const std::string& binary, const std::vector<std::string>& args);
    // Waits for the next complete status block for which `accept` holds (or any, if null).
    bool next_status(StatusBlock& out, std::chrono::milliseconds timeout,
                     bool (*accept)(const StatusBlock&, const void*) = nullptr, const void* context = nullptr);
    // Runs xdotool with `args` on the display; returns its exit status.
    int xdotool(const std::vector<std::string>& args);
    // Moves the pointer to (x, y) in the program window's coordinates and clicks button 1.
    bool click(int x, int y);
    // Presses at (x0, y0), moves to (x1, y1) in steps, releases.
    bool drag(int x0, int y0, int x1, int y1);
    const std::string& display() const { return display_; }

private:
    std::string window_id();
    Child server_, program_;
    std::string display_, window_;
};

// True when the program `name` is on PATH.
bool have_program(const std::string& name);

}  // namespace normviz::e2e_cube
