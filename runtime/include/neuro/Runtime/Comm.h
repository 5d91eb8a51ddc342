//===- Comm.h - The processes of one run ------------------------*- C++ -*-===//
//
// The processes a run is spread over: MPI_COMM_WORLD when mpirun (or
// another MPI launcher) started the program, else a world of one process in
// which every collective is a copy. The runtime uses only these calls, all
// collective (every rank calls them in the same order), and counts the
// seconds spent in them. Without MPI at build time (NEURO_HAVE_MPI unset)
// only the world of one exists.
//
// Drivers call Comm::init once, before any thread starts, with what the
// environment says (RunEnvironment::launchedByMpi), and Comm::finalize
// before they exit.
//
//===----------------------------------------------------------------------===//

#ifndef NEURO_RUNTIME_COMM_H
#define NEURO_RUNTIME_COMM_H

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace neuro::rt {

class Comm {
public:
  /// Whether this runtime was built with MPI.
  static bool available();
  /// Joins the processes of the launch when `launched` (MPI_Init); a world
  /// of one otherwise. False and `err` when MPI cannot start, or when
  /// launched by mpirun and built without MPI.
  static bool init(bool launched, std::string &err);
  /// MPI_Finalize, when init joined MPI.
  static void finalize();
  /// The processes of this run.
  static Comm &world();

  int rank() const { return rankIndex; }
  int size() const { return numRanks; }
  bool root() const { return rankIndex == 0; }
  bool distributed() const { return numRanks > 1; }
  /// Seconds spent in the collectives below so far.
  double seconds() const { return commSeconds; }

  /// Every rank's `value`, by rank.
  std::vector<int64_t> allgather(int64_t value);
  /// Every rank's `count` elements of `bytes` bytes at `local`, one after
  /// the other in rank order, into `out`; `counts` are the ranks' counts
  /// (each rank's `count` is counts[rank]).
  void allgatherv(const void *local, void *out,
                  const std::vector<int64_t> &counts, int bytes);
  /// The same with every rank's block already in place in `buffer`, at
  /// displs[r] elements.
  void allgathervInPlace(void *buffer, const std::vector<int64_t> &counts,
                         const std::vector<int64_t> &displs, int bytes);
  /// As allgatherv, to rank 0 only (`out` is read on rank 0 alone).
  void gatherv(const void *local, void *out, const std::vector<int64_t> &counts,
               int bytes);
  /// Sends `per` values of `send` to each rank, in rank order, and
  /// receives theirs into `recv` (K * per values, by rank).
  void alltoall(const std::vector<int64_t> &send, std::vector<int64_t> &recv,
                int64_t per);
  /// Sends sendCounts[q] elements of `bytes` bytes to rank q (one block
  /// after the other in `send`), receives recvCounts[r] from rank r into
  /// `recv`, in rank order.
  void alltoallv(const void *send, const std::vector<int64_t> &sendCounts,
                 void *recv, const std::vector<int64_t> &recvCounts, int bytes);
  /// A collective started by one of the calls below and not yet waited
  /// for: its buffers and the vectors it was given may not change until
  /// wait(). In a world of one it is done when started.
  class Request {
  public:
    Request();
    ~Request();
    Request(Request &&other) noexcept;
    Request &operator=(Request &&other) noexcept;
    /// Started and not yet waited for.
    bool active() const;

  private:
    friend class Comm;
    struct State;
    std::unique_ptr<State> state;
  };
  /// allgatherv, started (MPI_Iallgatherv).
  Request startAllgatherv(const void *local, void *out,
                          const std::vector<int64_t> &counts, int bytes);
  /// alltoallv, started (MPI_Ialltoallv).
  Request startAlltoallv(const void *send,
                         const std::vector<int64_t> &sendCounts, void *recv,
                         const std::vector<int64_t> &recvCounts, int bytes);
  /// Until `request` is done (the time waiting counts as communicating).
  void wait(Request &request);
  /// Lets `request` advance (MPI_Test): MPI moves a started collective on
  /// only inside its calls.
  void progress(Request &request);
  int64_t sum(int64_t value);
  /// Element by element over the ranks: the sums of `local` over the
  /// ranks before this one into `before`, over every rank into `total`.
  void scanSums(const std::vector<int64_t> &local, std::vector<int64_t> &before,
                std::vector<int64_t> &total);
  double max(double value);
  /// Whether `ok` holds on every rank; when it does not, every rank gets
  /// the `err` of the lowest rank where it failed.
  bool agree(bool ok, std::string &err);

private:
  Comm() = default;
  int rankIndex = 0;
  int numRanks = 1;
  double commSeconds = 0;
};

} // namespace neuro::rt

#endif // NEURO_RUNTIME_COMM_H
