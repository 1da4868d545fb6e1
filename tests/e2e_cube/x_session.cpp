// Xvfb, the program and xdotool for the cube view's end-to-end tests.
#include "x_session.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <sstream>
#include <thread>

namespace normviz::e2e_cube {

bool Child::start(const std::vector<std::string>& argv, const std::vector<std::string>& env, bool capture_stdout) {
    int fds[2] = {-1, -1};
    if (capture_stdout && pipe(fds) != 0) return false;
    pid_ = fork();
    if (pid_ < 0) return false;
    if (pid_ == 0) {
        if (capture_stdout) {
            dup2(fds[1], STDOUT_FILENO);
            close(fds[0]);
            close(fds[1]);
        }
        for (const std::string& e : env) putenv(strdup(e.c_str()));
        std::vector<char*> args;
        for (const std::string& a : argv) args.push_back(strdup(a.c_str()));
        args.push_back(nullptr);
        execvp(args[0], args.data());
        _exit(127);
    }
    if (capture_stdout) {
        close(fds[1]);
        out_fd_ = fds[0];
    }
    return true;
}

bool Child::read_line(std::string& line, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const size_t nl = buffer_.find('\n');
        if (nl != std::string::npos) {
            line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            return true;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || out_fd_ < 0) return false;
        pollfd p{out_fd_, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        char buf[4096];
        const ssize_t got = read(out_fd_, buf, sizeof buf);
        if (got <= 0) return false;
        buffer_.append(buf, static_cast<size_t>(got));
    }
}

void Child::stop() {
    if (pid_ > 0) {
        kill(pid_, SIGTERM);
        for (int i = 0; i < 50; ++i) {
            if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = -1;
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        pid_ = -1;
    }
    if (out_fd_ >= 0) close(out_fd_);
    out_fd_ = -1;
}

Child::~Child() { stop(); }

const std::string& StatusBlock::get(const std::string& record, const std::string& key) const {
    static const std::string empty;
    auto r = records.find(record);
    if (r == records.end()) return empty;
    auto k = r->second.find(key);
    return k == r->second.end() ? empty : k->second;
}

bool XSession::start_server(int width, int height, std::string& error) {
    int fds[2];
    if (pipe(fds) != 0) {
        error = "pipe failed";
        return false;
    }
    // -displayfd: Xvfb picks a free display and writes its number to the pipe when ready
    // (the child inherits the pipe's write end).
    const std::string screen = std::to_string(width) + "x" + std::to_string(height) + "x24";
    if (!server_.start({"Xvfb", "-displayfd", std::to_string(fds[1]), "-screen", "0", screen, "-nolisten", "tcp"}, {},
                       false)) {
        error = "could not start Xvfb";
        return false;
    }
    close(fds[1]);
    std::string number;
    pollfd p{fds[0], POLLIN, 0};
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
        if (poll(&p, 1, 200) <= 0) continue;
        char c;
        if (read(fds[0], &c, 1) <= 0 || c == '\n') break;
        number += c;
    }
    close(fds[0]);
    if (number.empty()) {
        error = "Xvfb did not report a display";
        return false;
    }
    display_ = ":" + number;
    return true;
}

bool XSession::start_program(const std::string& binary, const std::vector<std::string>& args) {
    std::vector<std::string> argv{binary};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<std::string> env{"DISPLAY=" + display_, "LIBGL_ALWAYS_SOFTWARE=1"};
    // The sanitized CI pass preloads libasan and Mesa's driver into the program only.
    if (const char* preload = std::getenv("NORMVIZ_TEST_APP_LD_PRELOAD"))
        env.push_back(std::string("LD_PRELOAD=") + preload);
    return program_.start(argv, env, true);
}

bool XSession::next_status(StatusBlock& out, std::chrono::milliseconds timeout,
                           bool (*accept)(const StatusBlock&, const void*), const void* context) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    StatusBlock block;
    std::string line;
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !program_.read_line(line, left)) return false;
        if (line == "end") {
            if (!accept || accept(block, context)) {
                out = block;
                return true;
            }
            block = {};
            continue;
        }
        std::istringstream words(line);
        std::string record, field;
        words >> record;
        std::map<std::string, std::string> fields;
        while (words >> field) {
            const size_t eq = field.find('=');
            if (eq != std::string::npos) fields[field.substr(0, eq)] = field.substr(eq + 1);
        }
        if (record == "panel") block.panels.push_back(fields);
        else if (!record.empty()) block.records[record] = fields;
    }
}

int XSession::xdotool(const std::vector<std::string>& args) {
    Child child;
    std::vector<std::string> argv{"xdotool"};
    argv.insert(argv.end(), args.begin(), args.end());
    if (!child.start(argv, {"DISPLAY=" + display_}, false)) return -1;
    int status = 0;
    const pid_t pid = child.pid();
    for (int i = 0; i < 500; ++i) {  // at most 10 s
        if (waitpid(pid, &status, WNOHANG) == pid) {
            // Reaped: make the Child forget the pid before its destructor signals it.
            child.forget_reaped();
            return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
}

std::string XSession::window_id() {
    if (!window_.empty()) return window_;
    Child child;
    if (!child.start({"xdotool", "search", "--sync", "--name", "^normviz$"}, {"DISPLAY=" + display_}, true)) return {};
    std::string line;
    if (child.read_line(line, std::chrono::seconds(10))) window_ = line;
    return window_;
}

bool XSession::click(int x, int y) {
    const std::string w = window_id();
    if (w.empty()) return false;
    if (xdotool({"mousemove", "--window", w, std::to_string(x), std::to_string(y)}) != 0) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    return xdotool({"click", "1"}) == 0;
}

bool XSession::drag(int x0, int y0, int x1, int y1) {
    const std::string w = window_id();
    if (w.empty()) return false;
    if (xdotool({"mousemove", "--window", w, std::to_string(x0), std::to_string(y0)}) != 0) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    if (xdotool({"mousedown", "1"}) != 0) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    const int steps = 8;
    for (int i = 1; i <= steps; ++i) {
        const int x = x0 + (x1 - x0) * i / steps, y = y0 + (y1 - y0) * i / steps;
        xdotool({"mousemove", "--window", w, std::to_string(x), std::to_string(y)});
        std::this_thread::sleep_for(std::chrono::milliseconds(80));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return xdotool({"mouseup", "1"}) == 0;
}

bool have_program(const std::string& name) {
    const char* path = std::getenv("PATH");
    if (!path) return false;
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':'))
        if (!dir.empty() && access((dir + "/" + name).c_str(), X_OK) == 0) return true;
    return false;
}

}  // namespace normviz::e2e_cube
