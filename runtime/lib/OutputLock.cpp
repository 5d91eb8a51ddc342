//===- OutputLock.cpp - One run at a time writes an output directory ------===//

#include "neuro/Runtime/Files.h"
#include "neuro/Runtime/Quote.h"
#include "neuro/Runtime/Run.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/file.h>
#include <unistd.h>

using namespace neuro::rt;

OutputLock::~OutputLock() {
  if (fd >= 0)
    ::close(fd); // releases the lock
}

bool OutputLock::acquire(const std::string &dir, std::string &err) {
  if (!makeOutputDirectory(dir, err))
    return false;
  std::filesystem::path base = dir.empty() ? "." : dir;
  std::string path = (base / kFileName).string();
  int file = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (file < 0) {
    err = "cannot lock output directory '" + visible(dir) + "': cannot open '" +
          visible(path) + "': " + std::strerror(errno);
    return false;
  }
  int rc;
  do
    rc = ::flock(file, LOCK_EX | LOCK_NB);
  while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    int why = errno;
    ::close(file);
    if (why == EWOULDBLOCK)
      err = "another run is writing output directory '" + dir +
            "' (it holds '" + path +
            "'); wait for it to end or write to another folder";
    else
      err = "cannot lock output directory '" + dir + "': " + std::strerror(why);
    return false;
  }
  if (fd >= 0)
    ::close(fd);
  fd = file;
  return true;
}
