#pragma once
/// \file log.hpp
/// Rank-0 logging to the terminal and, once the output directory is known, to a log file.
#include <fmt/format.h>

#include <fstream>
#include <string>

#include "tessera/core/comm.hpp"

namespace tessera {

/// Prints on rank 0 only; mirrors every line to a log file after `open_file`.
class Logger {
 public:
  explicit Logger(const Comm& comm) : comm_(comm) {}
  /// Opens (appending when `append`) the log file; call on all ranks, only rank 0 opens it.
  void open_file(const std::string& path, bool append);
  /// Prints one line (a newline is added) on rank 0.
  void line(const std::string& s);
  template <typename... Args>
  void info(fmt::format_string<Args...> f, Args&&... args) {
    if (comm_.root()) line(fmt::format(f, std::forward<Args>(args)...));
  }

 private:
  const Comm& comm_;
  std::ofstream file_;
};

}  // namespace tessera
