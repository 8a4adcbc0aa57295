#pragma once
/// \file mesh.hpp
/// The distributed block-structured mesh: a global domain split into equal-size blocks,
/// ordered along a space-filling curve and owned by ranks in contiguous, balanced ranges.
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "tessera/core/comm.hpp"
#include "tessera/mesh/array.hpp"
#include "tessera/mesh/field.hpp"
#include "tessera/mesh/sfc.hpp"

namespace tessera {

class Config;

/// Geometry and decomposition parameters, read from the [mesh] section.
struct MeshParams {
  int ndim = 1;
  std::array<std::int64_t, 3> cells{1, 1, 1};        ///< global cells per axis
  std::array<std::int64_t, 3> block_cells{1, 1, 1};  ///< cells per block per axis
  std::array<double, 3> lower{0.0, 0.0, 0.0};        ///< domain lower corner [length]
  std::array<double, 3> upper{1.0, 1.0, 1.0};        ///< domain upper corner [length]
  int ghost = 2;                                     ///< ghost width (cells)
  CurveKind curve = CurveKind::kHilbert;
  std::array<bool, 3> periodic{false, false, false};  ///< set from the boundary section
  /// Reads and validates [mesh]; `periodic` is left for the caller.
  static MeshParams from_config(const Config& cfg);
};

/// One block: logical location, geometry, ghosted field storage, neighbours.
class Block {
 public:
  std::int64_t gid = 0;                      ///< global id = position on the curve
  int level = 0;                             ///< refinement level (0 today)
  std::array<std::int64_t, 3> loc{0, 0, 0};  ///< logical location at its level
  std::array<int, 3> n{1, 1, 1};             ///< interior cells per axis
  std::array<int, 3> ng{0, 0, 0};            ///< ghost cells per axis (0 on unused axes)
  std::array<double, 3> lower{}, upper{}, dx{};
  /// Neighbour gid per direction (dir_index), -1 at a physical boundary.
  std::array<std::int64_t, 27> neighbor{};
  std::vector<Array4> fields;  ///< indexed by FieldRegistry id

  /// Extent per axis including ghosts.
  std::array<int, 3> dims() const { return {n[0] + 2 * ng[0], n[1] + 2 * ng[1], n[2] + 2 * ng[2]}; }
  /// Interior cells in ghosted index space.
  IndexBox interior() const {
    return {{ng[0], ng[1], ng[2]}, {ng[0] + n[0], ng[1] + n[1], ng[2] + n[2]}};
  }
  /// Every cell, ghosts included.
  IndexBox all() const { return {{0, 0, 0}, dims()}; }
  /// Cell-centre coordinate along `axis` of ghosted index `idx`.
  double center(int axis, int idx) const { return lower[axis] + (idx - ng[axis] + 0.5) * dx[axis]; }
  /// Cell volume (length^ndim; unused axes count as 1).
  double cell_volume(int ndim) const {
    double v = 1.0;
    for (int a = 0; a < ndim; ++a) v *= dx[a];
    return v;
  }
  Array4& field(int id) { return fields[id]; }
  const Array4& field(int id) const { return fields[id]; }

  /// Index 0..26 of the direction (ox, oy, oz), each in {-1, 0, 1}.
  static int dir_index(int ox, int oy, int oz) { return (ox + 1) + 3 * (oy + 1) + 9 * (oz + 1); }
  static std::array<int, 3> dir_offset(int d) { return {d % 3 - 1, (d / 3) % 3 - 1, d / 9 - 1}; }
};

/// The distributed mesh. Takes a communicator; never uses the world communicator.
class Mesh {
 public:
  Mesh(const MeshParams& p, const Comm& comm);

  const MeshParams& params() const noexcept { return p_; }
  int ndim() const noexcept { return p_.ndim; }
  const Comm& comm() const noexcept { return comm_; }
  std::int64_t nblocks_total() const noexcept { return static_cast<std::int64_t>(locs_.size()); }
  const std::array<std::int64_t, 3>& nblocks_dim() const noexcept { return nb_; }
  /// First gid owned by `rank` (rank == size gives the total).
  std::int64_t first_gid(int rank) const;
  int owner(std::int64_t gid) const;
  /// Logical location of a gid, and the gid at a location (-1 outside a non-periodic domain).
  const std::array<std::int64_t, 3>& location(std::int64_t gid) const { return locs_.at(gid); }
  std::int64_t gid_at(std::array<std::int64_t, 3> loc) const;
  /// Total number of cells in the domain.
  std::int64_t cells_total() const;
  /// Blocks owned by this rank, in gid order.
  std::vector<std::unique_ptr<Block>>& blocks() noexcept { return blocks_; }
  const std::vector<std::unique_ptr<Block>>& blocks() const noexcept { return blocks_; }
  FieldRegistry& fields() noexcept { return fields_; }
  const FieldRegistry& fields() const noexcept { return fields_; }
  /// Allocates storage for every registered field on every local block (after registration).
  void allocate_fields();
  /// Domain volume (length^ndim).
  double domain_volume() const;

 private:
  MeshParams p_;
  const Comm& comm_;
  std::array<std::int64_t, 3> nb_{1, 1, 1};
  std::vector<std::array<std::int64_t, 3>> locs_;  // by gid
  std::vector<std::int64_t> gid_of_linear_;        // by linear location index
  std::vector<std::unique_ptr<Block>> blocks_;
  FieldRegistry fields_;
};

}  // namespace tessera
