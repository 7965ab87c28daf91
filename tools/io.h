// tools/io.h: every byte the casex command writes or reads goes through here,
// so that no write is unchecked and no read is unbounded:
// - standard output and standard error: each write checked; the first failure
//   recorded (errno) and reported once, when the command ends, as one line on
//   standard error (if it still works) and a non-zero exit status;
// - descriptors 0, 1 and 2 closed at start: /dev/null is opened onto them so
//   that no file the command opens (a decision log, an output file) becomes
//   its standard output or error; a write to a closed standard output or
//   error is a failed write, a read of a closed standard input a failed read;
// - output files (render -o, test --junit): written, flushed and closed, each
//   step checked;
// - input documents: read while counting, never past a limit (+1 byte);
// - a command that throws (std::bad_alloc included) ends with one line on
//   standard error and exit status 2, never an abort.
#pragma once

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <new>
#include <string>
#include <string_view>

namespace casex::cli::io {

struct State {
  std::atomic<bool> out_failed{false}, err_failed{false};
  std::atomic<int> out_errno{0};
  bool stdin_closed = false, stdout_closed = false, stderr_closed = false;
};

inline State& state() {
  static State s;
  return s;
}

/// At the start of main: a closed descriptor 0, 1 or 2 gets /dev/null, and is
/// remembered as closed (its reads and writes fail with EBADF).
inline void check_std_fds() {
  bool closed[3];
  for (int fd = 0; fd < 3; ++fd) closed[fd] = fcntl(fd, F_GETFD) == -1 && errno == EBADF;
  // open() takes the lowest free descriptor: the closed ones, in order.
  for (int fd = 0; fd < 3; ++fd)
    if (closed[fd] && open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) == -1) _exit(2);
  State& s = state();
  s.stdin_closed = closed[0];
  s.stdout_closed = closed[1];
  s.stderr_closed = closed[2];
}

inline void fail_out(int err) {
  State& s = state();
  int expected = 0;
  s.out_errno.compare_exchange_strong(expected, err);
  s.out_failed = true;
}

/// True once a write to standard output failed (or it was closed and written to).
inline bool out_failed() { return state().out_failed; }

/// Writes to standard output (buffered); false when it failed, now or before.
inline bool out(std::string_view s) {
  State& st = state();
  if (st.out_failed) return false;
  if (st.stdout_closed) {
    fail_out(EBADF);
    return false;
  }
  if (s.empty()) return true;
  errno = 0;
  if (std::fwrite(s.data(), 1, s.size(), stdout) != s.size()) {
    fail_out(errno ? errno : EIO);
    return false;
  }
  return true;
}

/// Flushes standard output; false when it (or an earlier write) failed.
inline bool out_flush() {
  State& st = state();
  if (st.out_failed) return false;
  if (st.stdout_closed) return true;  // nothing was written
  errno = 0;
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    fail_out(errno ? errno : EIO);
    return false;
  }
  return true;
}

/// Writes to standard error (unbuffered); a failure is recorded, never thrown.
inline void err(std::string_view s) {
  State& st = state();
  if (s.empty()) return;
  if (st.stderr_closed) {
    st.err_failed = true;
    return;
  }
  if (std::fwrite(s.data(), 1, s.size(), stderr) != s.size()) st.err_failed = true;
}

template <class... T>
void outf(fmt::format_string<T...> f, T&&... args) {
  out(fmt::format(f, std::forward<T>(args)...));
}

template <class... T>
void errf(fmt::format_string<T...> f, T&&... args) {
  err(fmt::format(f, std::forward<T>(args)...));
}

/// Ends a command: flushes and closes standard output, reports a failed write
/// of it on standard error; the exit status becomes at least `io_status` when
/// standard output or standard error could not be written.
inline int finish(const char* command, int status, int io_status) {
  State& st = state();
  if (!st.stdout_closed && !st.out_failed) {
    errno = 0;
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) fail_out(errno ? errno : EIO);
  }
  if (!st.stdout_closed && !st.out_failed) {
    errno = 0;
    if (std::fclose(stdout) != 0) fail_out(errno ? errno : EIO);
  }
  if (st.out_failed) {
    int e = st.out_errno;
    char line[256];
    const char* sep = *command ? " " : "";
    if (e == EBADF && st.stdout_closed)
      std::snprintf(line, sizeof line, "casex%s%s: standard output is closed; nothing written\n",
                    sep, command);
    else
      std::snprintf(line, sizeof line, "casex%s%s: cannot write standard output: %s\n", sep,
                    command, std::strerror(e));
    err(line);
  }
  return st.out_failed || st.err_failed ? std::max(status, io_status) : status;
}

/// Runs a command: no exception leaves it. An exception gives one line on
/// standard error and exit status 2 ("out of memory" for std::bad_alloc).
template <class F>
int guarded(const char* command, int io_status, F&& run) {
  int status = 2;
  char line[512];
  const char* sep = *command ? " " : "";
  try {
    status = run();
  } catch (const std::bad_alloc&) {
    std::snprintf(line, sizeof line, "casex%s%s: out of memory\n", sep, command);
    err(line);
  } catch (const std::exception& e) {
    int n =
        std::snprintf(line, sizeof line, "casex%s%s: internal error: %s\n", sep, command, e.what());
    if (n >= static_cast<int>(sizeof line)) line[sizeof line - 2] = '\n';  // cut, still one line
    for (char* c = line; c[0] && c[1]; ++c)
      if (*c == '\n') *c = ' ';
    err(line);
  } catch (...) {
    std::snprintf(line, sizeof line, "casex%s%s: internal error\n", sep, command);
    err(line);
  }
  return finish(command, status, io_status);
}

/// read(2), retried on EINTR.
inline ssize_t read_some(int fd, char* p, std::size_t n) {
  for (;;) {
    ssize_t got = ::read(fd, p, n);
    if (got >= 0 || errno != EINTR) return got;
  }
}

/// An input file or standard input ("" or "-") as a descriptor, closed at the end.
class InputFile {
 public:
  explicit InputFile(const std::string& path) {
    if (path.empty() || path == "-") {
      name_ = "standard input";
      if (state().stdin_closed) {
        errno_ = EBADF;
        return;
      }
      fd_ = 0;
      return;
    }
    name_ = path;
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) errno_ = errno;
    owned_ = fd_ >= 0;
  }
  ~InputFile() {
    if (owned_) ::close(fd_);
  }
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  const std::string& name() const { return name_; }
  /// Why it cannot be opened: "cannot open NAME: REASON".
  std::string open_error() const {
    return fmt::format("cannot open {}: {}", name_, std::strerror(errno_));
  }
  /// A regular file (read in full blocks), not a pipe, terminal or socket (read as data arrives).
  bool regular() const {
    struct stat st;
    return fd_ >= 0 && fstat(fd_, &st) == 0 && S_ISREG(st.st_mode);
  }
  /// Its size when it is a regular file, else -1.
  long long regular_size() const {
    struct stat st;
    return fd_ >= 0 && fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)
               ? static_cast<long long>(st.st_size)
               : -1;
  }

 private:
  std::string name_;
  int fd_ = -1;
  int errno_ = 0;
  bool owned_ = false;
};

/// Reads a whole input of at most `limit` bytes into `text`, never holding
/// more than limit + 1 bytes. False with `error` ("cannot open/read NAME:
/// REASON", or "the document is N bytes; the limit is L bytes") otherwise.
inline bool read_limited(const std::string& path, std::size_t limit, std::string& text,
                         std::string& error, const char* what = "document") {
  InputFile in(path);
  if (!in.ok()) {
    error = in.open_error();
    return false;
  }
  text.clear();
  long long size = in.regular_size();
  if (size > static_cast<long long>(limit)) {  // a regular file too large: not read at all
    error = fmt::format("the {} is {} bytes; the limit is {} bytes", what, size, limit);
    return false;
  }
  if (size >= 0) text.reserve(static_cast<std::size_t>(size) + 1);
  for (;;) {
    std::size_t at = text.size();
    std::size_t want = std::min<std::size_t>(64 * 1024, limit + 1 - at);
    text.resize(at + want);
    ssize_t n = read_some(in.fd(), text.data() + at, want);
    if (n < 0) {
      error = fmt::format("cannot read {}: {}", in.name(), std::strerror(errno));
      return false;
    }
    text.resize(at + static_cast<std::size_t>(n));
    if (n == 0) return true;
    if (text.size() > limit) {
      text.clear();
      text.shrink_to_fit();
      error = size > static_cast<long long>(limit)
                  ? fmt::format("the {} is {} bytes; the limit is {} bytes", what, size, limit)
                  : fmt::format("the {} is longer than the limit of {} bytes", what, limit);
      return false;
    }
  }
}

/// Writes `data` to the file `path` (created or truncated), flushed and closed,
/// each step checked; false with `error` ("cannot write PATH: REASON").
inline bool write_file(const std::string& path, std::string_view data, std::string& error) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) {
    error = fmt::format("cannot write {}: {}", path, std::strerror(errno));
    return false;
  }
  errno = 0;
  bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  ok = std::fflush(f) == 0 && ok;
  int e = errno;
  if (std::fclose(f) != 0 && ok) {
    ok = false;
    e = errno;
  }
  if (!ok) error = fmt::format("cannot write {}: {}", path, std::strerror(e ? e : EIO));
  return ok;
}

}  // namespace casex::cli::io
