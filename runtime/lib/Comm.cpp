//===- Comm.cpp - The processes of one run --------------------------------===//
//
// Collectives over MPI_COMM_WORLD, each timed; a world of one copies.
// Elements travel as contiguous types of their size in bytes, so that
// counts stay below 2^31 elements rather than bytes.
//
//===----------------------------------------------------------------------===//

#include "neuro/Runtime/Comm.h"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstring>
#include <map>
#include <stdexcept>

#ifdef NEURO_HAVE_MPI
// The C API only (OpenMPI's and MPICH's C++ bindings are deprecated).
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>
#endif

using namespace neuro::rt;

namespace {

bool joined = false;

/// Adds the seconds the object lives to a counter.
class Timer {
public:
  explicit Timer(double &total)
      : total(total), start(std::chrono::steady_clock::now()) {}
  ~Timer() {
    total +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count();
  }

private:
  double &total;
  std::chrono::steady_clock::time_point start;
};

#ifdef NEURO_HAVE_MPI
/// A contiguous MPI type of `bytes` bytes, made once.
MPI_Datatype elementType(int bytes) {
  static std::map<int, MPI_Datatype> types;
  auto it = types.find(bytes);
  if (it != types.end())
    return it->second;
  MPI_Datatype type;
  MPI_Type_contiguous(bytes, MPI_BYTE, &type);
  MPI_Type_commit(&type);
  types[bytes] = type;
  return type;
}

int narrow(int64_t n) {
  if (n < 0 || n > INT_MAX)
    throw std::length_error("more than 2^31 elements in one exchange");
  return int(n);
}

std::vector<int> narrowAll(const std::vector<int64_t> &values) {
  std::vector<int> out(values.size());
  for (size_t i = 0; i < values.size(); ++i)
    out[i] = narrow(values[i]);
  return out;
}

std::vector<int> prefix(const std::vector<int64_t> &counts) {
  std::vector<int64_t> displs(counts.size(), 0);
  for (size_t r = 1; r < counts.size(); ++r)
    displs[r] = displs[r - 1] + counts[r - 1];
  return narrowAll(displs);
}
#endif

} // namespace

bool Comm::available() {
#ifdef NEURO_HAVE_MPI
  return true;
#else
  return false;
#endif
}

Comm &Comm::world() {
  static Comm comm;
  return comm;
}

bool Comm::init(bool launched, std::string &err) {
  if (!launched || joined)
    return true;
#ifdef NEURO_HAVE_MPI
  int provided = 0;
  if (MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided) !=
      MPI_SUCCESS) {
    err = "cannot start MPI";
    return false;
  }
  joined = true;
  Comm &w = world();
  MPI_Comm_rank(MPI_COMM_WORLD, &w.rankIndex);
  MPI_Comm_size(MPI_COMM_WORLD, &w.numRanks);
  return true;
#else
  err = "started by an MPI launcher, but this runtime was built without MPI "
        "(install libopenmpi-dev and rebuild)";
  return false;
#endif
}

void Comm::finalize() {
#ifdef NEURO_HAVE_MPI
  if (joined) {
    MPI_Finalize();
    joined = false;
  }
#endif
}

std::vector<int64_t> Comm::allgather(int64_t value) {
  std::vector<int64_t> out(size_t(numRanks), value);
#ifdef NEURO_HAVE_MPI
  if (distributed()) {
    Timer t(commSeconds);
    MPI_Allgather(&value, 1, MPI_INT64_T, out.data(), 1, MPI_INT64_T,
                  MPI_COMM_WORLD);
  }
#endif
  return out;
}

void Comm::allgatherv(const void *local, void *out,
                      const std::vector<int64_t> &counts, int bytes) {
  if (!distributed()) {
    if (counts[0])
      std::memmove(out, local, size_t(counts[0]) * size_t(bytes));
    return;
  }
#ifdef NEURO_HAVE_MPI
  Timer t(commSeconds);
  MPI_Datatype type = elementType(bytes);
  std::vector<int> n = narrowAll(counts), d = prefix(counts);
  MPI_Allgatherv(local, n[size_t(rankIndex)], type, out, n.data(), d.data(),
                 type, MPI_COMM_WORLD);
#endif
}

void Comm::allgathervInPlace(void *buffer, const std::vector<int64_t> &counts,
                             const std::vector<int64_t> &displs, int bytes) {
#ifdef NEURO_HAVE_MPI
  if (!distributed())
    return;
  Timer t(commSeconds);
  MPI_Datatype type = elementType(bytes);
  std::vector<int> n = narrowAll(counts), d = narrowAll(displs);
  MPI_Allgatherv(MPI_IN_PLACE, 0, type, buffer, n.data(), d.data(), type,
                 MPI_COMM_WORLD);
#else
  (void)buffer, (void)counts, (void)displs, (void)bytes;
#endif
}

void Comm::gatherv(const void *local, void *out,
                   const std::vector<int64_t> &counts, int bytes) {
  if (!distributed()) {
    if (counts[0])
      std::memmove(out, local, size_t(counts[0]) * size_t(bytes));
    return;
  }
#ifdef NEURO_HAVE_MPI
  Timer t(commSeconds);
  MPI_Datatype type = elementType(bytes);
  std::vector<int> n = narrowAll(counts), d = prefix(counts);
  MPI_Gatherv(local, n[size_t(rankIndex)], type, out, n.data(), d.data(), type,
              0, MPI_COMM_WORLD);
#endif
}

void Comm::alltoall(const std::vector<int64_t> &send,
                    std::vector<int64_t> &recv, int64_t per) {
  recv.resize(size_t(numRanks) * size_t(per));
  if (!distributed()) {
    std::copy_n(send.begin(), size_t(per), recv.begin());
    return;
  }
#ifdef NEURO_HAVE_MPI
  Timer t(commSeconds);
  MPI_Alltoall(send.data(), narrow(per), MPI_INT64_T, recv.data(), narrow(per),
               MPI_INT64_T, MPI_COMM_WORLD);
#endif
}

void Comm::alltoallv(const void *send, const std::vector<int64_t> &sendCounts,
                     void *recv, const std::vector<int64_t> &recvCounts,
                     int bytes) {
  if (!distributed()) {
    if (sendCounts[0])
      std::memmove(recv, send, size_t(sendCounts[0]) * size_t(bytes));
    return;
  }
#ifdef NEURO_HAVE_MPI
  Timer t(commSeconds);
  MPI_Datatype type = elementType(bytes);
  std::vector<int> sn = narrowAll(sendCounts), sd = prefix(sendCounts);
  std::vector<int> rn = narrowAll(recvCounts), rd = prefix(recvCounts);
  MPI_Alltoallv(send, sn.data(), sd.data(), type, recv, rn.data(), rd.data(),
                type, MPI_COMM_WORLD);
#endif
}

struct Comm::Request::State {
#ifdef NEURO_HAVE_MPI
  MPI_Request request = MPI_REQUEST_NULL;
  // What MPI reads until the collective is done.
  std::vector<int> sendCounts, sendDispls, recvCounts, recvDispls;
#endif
};

Comm::Request::Request() = default;
Comm::Request::~Request() = default;
Comm::Request::Request(Request &&other) noexcept = default;
Comm::Request &Comm::Request::operator=(Request &&other) noexcept = default;

bool Comm::Request::active() const { return state != nullptr; }

Comm::Request Comm::startAllgatherv(const void *local, void *out,
                                    const std::vector<int64_t> &counts,
                                    int bytes) {
  Request done;
  if (!distributed()) {
    allgatherv(local, out, counts, bytes);
    return done;
  }
#ifdef NEURO_HAVE_MPI
  Timer t(commSeconds);
  done.state = std::make_unique<Request::State>();
  Request::State &s = *done.state;
  MPI_Datatype type = elementType(bytes);
  s.recvCounts = narrowAll(counts);
  s.recvDispls = prefix(counts);
  MPI_Iallgatherv(local, s.recvCounts[size_t(rankIndex)], type, out,
                  s.recvCounts.data(), s.recvDispls.data(), type,
                  MPI_COMM_WORLD, &s.request);
#endif
  return done;
}

Comm::Request Comm::startAlltoallv(const void *send,
                                   const std::vector<int64_t> &sendCounts,
                                   void *recv,
                                   const std::vector<int64_t> &recvCounts,
                                   int bytes) {
  Request done;
  if (!distributed()) {
    alltoallv(send, sendCounts, recv, recvCounts, bytes);
    return done;
  }
#ifdef NEURO_HAVE_MPI
  Timer t(commSeconds);
  done.state = std::make_unique<Request::State>();
  Request::State &s = *done.state;
  MPI_Datatype type = elementType(bytes);
  s.sendCounts = narrowAll(sendCounts);
  s.sendDispls = prefix(sendCounts);
  s.recvCounts = narrowAll(recvCounts);
  s.recvDispls = prefix(recvCounts);
  MPI_Ialltoallv(send, s.sendCounts.data(), s.sendDispls.data(), type, recv,
                 s.recvCounts.data(), s.recvDispls.data(), type, MPI_COMM_WORLD,
                 &s.request);
#endif
  return done;
}

void Comm::wait(Request &request) {
  if (!request.state)
    return;
#ifdef NEURO_HAVE_MPI
  Timer t(commSeconds);
  MPI_Wait(&request.state->request, MPI_STATUS_IGNORE);
#endif
  request.state.reset();
}

void Comm::progress(Request &request) {
  if (!request.state)
    return;
#ifdef NEURO_HAVE_MPI
  Timer t(commSeconds);
  int done = 0;
  MPI_Test(&request.state->request, &done, MPI_STATUS_IGNORE);
#endif
}

int64_t Comm::sum(int64_t value) {
#ifdef NEURO_HAVE_MPI
  if (distributed()) {
    Timer t(commSeconds);
    int64_t total = 0;
    MPI_Allreduce(&value, &total, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
    return total;
  }
#endif
  return value;
}

void Comm::scanSums(const std::vector<int64_t> &local,
                    std::vector<int64_t> &before, std::vector<int64_t> &total) {
  before.assign(local.size(), 0);
  total = local;
#ifdef NEURO_HAVE_MPI
  if (distributed() && !local.empty()) {
    Timer t(commSeconds);
    int n = narrow(int64_t(local.size()));
    MPI_Exscan(local.data(), before.data(), n, MPI_INT64_T, MPI_SUM,
               MPI_COMM_WORLD);
    // MPI leaves rank 0's result undefined.
    if (rankIndex == 0)
      std::fill(before.begin(), before.end(), 0);
    MPI_Allreduce(local.data(), total.data(), n, MPI_INT64_T, MPI_SUM,
                  MPI_COMM_WORLD);
  }
#endif
}

double Comm::max(double value) {
#ifdef NEURO_HAVE_MPI
  if (distributed()) {
    Timer t(commSeconds);
    double most = 0;
    MPI_Allreduce(&value, &most, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
    return most;
  }
#endif
  return value;
}

bool Comm::agree(bool ok, std::string &err) {
  if (!distributed())
    return ok;
#ifdef NEURO_HAVE_MPI
  Timer t(commSeconds);
  // The lowest failing rank, or size() when none failed.
  int mine = ok ? numRanks : rankIndex, first = numRanks;
  MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (first == numRanks)
    return true;
  int64_t length = first == rankIndex ? int64_t(err.size()) : 0;
  MPI_Bcast(&length, 1, MPI_INT64_T, first, MPI_COMM_WORLD);
  std::string message(size_t(length), '\0');
  if (first == rankIndex)
    message = err;
  if (length)
    MPI_Bcast(message.data(), narrow(length), MPI_CHAR, first, MPI_COMM_WORLD);
  err = first == 0 ? message : "rank " + std::to_string(first) + ": " + message;
  return false;
#else
  return ok;
#endif
}
