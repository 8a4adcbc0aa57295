#pragma once
/// \file field.hpp
/// Named cell-centred fields registered by physics modules.
#include <functional>
#include <string>
#include <vector>

namespace tessera {

class Block;

/// Description of one multi-component cell field.
struct FieldSpec {
  std::string name;                     ///< field name, e.g. "u" or "momentum"
  std::vector<std::string> components;  ///< one name per component, e.g. {"mom_x", "mom_y"}
  /// Per component: -1 for a scalar, or the axis (0, 1, 2) it is the component along;
  /// reflecting boundaries flip the sign of components along the boundary normal.
  std::vector<int> vector_axis;
  std::string units;        ///< units attribute written with the field
  std::string description;  ///< human-readable description
  bool evolved = true;      ///< advanced by the time integrator, exchanged, checkpointed
  /// With evolved = true: false when the owning module advances the field itself (in its
  /// implicit_stage, e.g. the pseudo-spectral solver); the RK integrator then neither updates
  /// nor halo-exchanges it, but it is still checkpointed and restored on restart.
  bool integrated_by_driver = true;
  bool conserved = true;  ///< its integral goes to the history
  bool output = true;     ///< written to snapshots
  /// Optional mirror rule for a field that is not a cell vector (e.g. a face-centred field,
  /// whose mirror image maps faces onto faces): on a reflecting face (axis, side: 0 lower,
  /// 1 upper) of the domain, BoundaryExchange calls it instead of the generic mirror, with
  /// the same ordering (x1, x2, x3 faces in turn, each ghost slab over the full ghosted extent
  /// of the other axes). It fills this field's ghost cells on that side of `block` from the
  /// block's own data and may also set the field on the wall face itself; it must not call
  /// MPI. Empty: the generic rule (components along the normal flip sign).
  std::function<void(Block& block, int axis, int side)> reflecting_fill;
};

/// The fields of a simulation, in registration order; ids index Block::field().
class FieldRegistry {
 public:
  /// Registers a field; returns its id. Component names must be unique across fields.
  int add(FieldSpec spec);
  int size() const noexcept { return static_cast<int>(specs_.size()); }
  const FieldSpec& spec(int id) const { return specs_.at(id); }
  /// Id of the field with this name; throws Error if absent.
  int id(const std::string& name) const;
  /// Id or -1.
  int find(const std::string& name) const noexcept;
  /// Ids of the evolved fields.
  std::vector<int> evolved() const;

 private:
  std::vector<FieldSpec> specs_;
};

}  // namespace tessera
