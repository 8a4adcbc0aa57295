#pragma once
/// \file boundary.hpp
/// Halo exchange between blocks (local copies and non-blocking MPI) and physical boundary
/// conditions. This is the only MPI in the hot path; physics modules never call MPI.
#include <mpi.h>

#include <array>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "tessera/mesh/mesh.hpp"

namespace tessera {

class Config;

enum class BcKind { kPeriodic, kOutflow, kReflecting, kFixed, kUser };

/// Boundary condition of one face of the domain.
struct FaceBc {
  BcKind kind = BcKind::kPeriodic;
  bool has_value = false;                ///< `value` applies to every component
  double value = 0.0;                    ///< fixed ghost value for every component
  std::map<std::string, double> values;  ///< fixed ghost values by component name
};

/// The [boundary] section: x1_lower, x1_upper, x2_lower, ... (kind and fixed values).
struct BoundaryParams {
  std::array<std::array<FaceBc, 2>, 3> face{};
  std::array<bool, 3> periodic() const;
  static BoundaryParams from_config(const Config& cfg, int ndim);
};

/// A problem-supplied boundary: fill the ghost cells of `block` on face (axis, side)
/// (side 0 = lower, 1 = upper) for the given fields at time t.
using UserBoundaryFn =
    std::function<void(Block& block, int axis, int side, double t, const std::vector<int>& fields)>;

/// Fills ghost cells: neighbour data first (same level), then physical boundaries axis by
/// axis over the full extent of the other axes, so edges and corners come out right.
class BoundaryExchange {
 public:
  BoundaryExchange(Mesh& mesh, const BoundaryParams& bc);
  ~BoundaryExchange();
  BoundaryExchange(const BoundaryExchange&) = delete;
  BoundaryExchange& operator=(const BoundaryExchange&) = delete;

  /// Installs the hook used by faces of kind "user".
  void set_user_boundary(UserBoundaryFn fn) { user_ = std::move(fn); }
  /// Posts receives, packs and sends, and does the on-rank copies for these fields.
  void start(const std::vector<int>& field_ids);
  /// Waits for the messages, unpacks, then applies the physical boundaries at time t.
  void finish(double t);
  /// start() then finish().
  void fill(const std::vector<int>& field_ids, double t) {
    start(field_ids);
    finish(t);
  }
  /// Applies only the physical boundaries (used after a local update of ghost-adjacent data).
  void apply_physical(const std::vector<int>& field_ids, double t);
  const BoundaryParams& params() const noexcept { return bc_; }

 private:
  struct Transfer {
    int block;     // local block index (source when sending, destination when receiving)
    IndexBox box;  // cells packed from / unpacked into
  };
  struct LocalCopy {
    int src, dst;
    IndexBox src_box, dst_box;
  };
  struct Peer {
    int rank;
    std::vector<Transfer> send, recv;
    std::vector<double> send_buf, recv_buf;
  };

  Mesh& mesh_;
  BoundaryParams bc_;
  UserBoundaryFn user_;
  std::vector<LocalCopy> local_;
  std::vector<Peer> peers_;
  std::vector<MPI_Request> requests_;
  std::vector<int> active_fields_;
  bool in_flight_ = false;
};

}  // namespace tessera
