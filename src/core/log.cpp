#include "tessera/core/log.hpp"

#include <cstdio>

namespace tessera {

void Logger::open_file(const std::string& path, bool append) {
  if (!comm_.root()) return;
  file_.open(path, append ? std::ios::app : std::ios::trunc);
  if (!file_) throw IoError("cannot open the log file '" + path + "': check output.dir");
}

void Logger::line(const std::string& s) {
  if (!comm_.root()) return;
  std::fputs(s.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
  if (file_) file_ << s << '\n' << std::flush;
}

}  // namespace tessera
