#include "core/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace normviz::core {
namespace {

Error input_error(const std::string& path, const std::string& text) {
    std::string message = path + ": " + text;
    for (char& ch : message)
        if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) ch = '?';
    return make_error(std::move(message));
}

}  // namespace

Result<int> open_regular_file(const std::string& path, const std::string& what) {
    // O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        return input_error(
            path, std::string("cannot open: ") + std::strerror(errno) + "; check the path and the file's permissions");
    }
    struct stat info {};
    if (fstat(fd, &info) != 0) {
        const int saved = errno;
        close(fd);
        return input_error(
            path, std::string("cannot read: ") + std::strerror(saved) + "; check the file's permissions and the disk");
    }
    if (S_ISDIR(info.st_mode)) {
        close(fd);
        return input_error(path, "is a folder, not " + what + "; pass the path of " + what);
    }
    if (!S_ISREG(info.st_mode)) {
        close(fd);
        return input_error(path,
                           "is a pipe, device or socket, not " + what + "; save the data to a file and pass its path");
    }
    const int flags = fcntl(fd, F_GETFL);
    if (flags >= 0) fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
    return fd;
}

Result<std::string> read_small_file(const std::string& path, uint64_t max_bytes, const std::string& what) {
    Result<int> opened = open_regular_file(path, what);
    if (!opened) return opened.error();
    const int fd = opened.value();
    struct stat info {};
    if (fstat(fd, &info) != 0 || static_cast<uint64_t>(info.st_size) > max_bytes) {
        const auto size = static_cast<uint64_t>(info.st_size);
        close(fd);
        return input_error(path, "is " + std::to_string(size) + " bytes; " + what + " is at most " +
                                     std::to_string(max_bytes) + " bytes, so this is not one");
    }
    std::string text;
    char chunk[1 << 16];
    for (;;) {
        const ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int saved = errno;
            close(fd);
            return input_error(path, std::string("cannot read: ") + std::strerror(saved) +
                                         "; check the file's permissions and the disk");
        }
        if (n == 0) break;
        text.append(chunk, static_cast<size_t>(n));
        if (text.size() > max_bytes) {  // it grew while being read
            close(fd);
            return input_error(path, "holds more than " + std::to_string(max_bytes) + " bytes; " + what +
                                         " is at most that, so this is not one");
        }
    }
    close(fd);
    return text;
}

}  // namespace normviz::core
