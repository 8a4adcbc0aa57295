#pragma once
/// \file mhd.hpp
/// Ideal (optionally resistive) MHD: a dimensionally unsplit Godunov method of lines for the
/// cell-centred density, momentum and total energy, with the magnetic field kept on cell faces
/// and evolved by constrained transport (Gardiner & Stone 2005, J. Comput. Phys. 205, 509;
/// 2008, J. Comput. Phys. 227, 4123), so the face-based divergence of B stays at round-off.
///
/// Fields: "rho" = {rho}, "mom" = {mom_x, mom_y, mom_z}, "energy" = {E} (total energy density
/// including the magnetic energy B^2/2) -- the same names as the hydro module, so tools and
/// coupled modules treat both alike (the two modules never share a deck); "bface" = {bf_x,
/// bf_y, bf_z}: component a at cell (k, j, i) is B_a on the LOWER a-face of that cell (cell
/// storage, so the face field goes through the ordinary halo exchange, snapshots and
/// checkpoints); "bcc" = {bx, by, bz}: the cell-centred field (mean of the two faces), derived,
/// written to snapshots and refreshed before every output. Along an unused axis (2D, 1D) the
/// "face" of a cell is the cell itself and that component behaves as a cell average.
/// Units: magnetic field in code units where the magnetic pressure is B^2/2 (sqrt(4 pi)
/// absorbed), i.e. [M^1/2 L^-1/2 T^-1].
#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tessera/numerics/eos.hpp"
#include "tessera/numerics/limiters.hpp"
#include "tessera/numerics/reconstruct.hpp"
#include "tessera/numerics/riemann.hpp"
#include "tessera/numerics/riemann_mhd.hpp"
#include "tessera/physics/gas.hpp"
#include "tessera/physics/module.hpp"

namespace tessera {

/// A primitive MHD state: density, velocity, gas pressure, magnetic field.
struct MhdPrim {
  double rho = 1.0;
  std::array<double, 3> v{0.0, 0.0, 0.0};
  double p = 1.0;
  std::array<double, 3> b{0.0, 0.0, 0.0};
};

/// [physics.mhd]:
///   gamma          adiabatic index (> 1), default 5/3
///   reconstruction "plm" | "donor"                        (default "plm")
///   limiter        "minmod" | "vanleer" | "mc" | "none"   (default "mc"; PLM only)
///   riemann        "hlld" | "hlle"                        (default "hlld")
///   density_floor  [M/L^3]      a positive density below it is raised to it (default 1e-10)
///   pressure_floor [M/(L T^2)]  a gas pressure below it is raised to it (default 1e-10)
///   resistivity    Ohmic magnetic diffusivity eta [L^2/T] (default 0: ideal MHD); explicit,
///                  E += eta J on the edges, Poynting flux eta J x B in the energy, and max_dt
///                  obeys dt <= 1 / (2 eta sum_a dx_a^-2)
///   gravity        uniform gravity g [L/T^2] along -x<gravity_axis> (default 0), the kernel
///                  shared with hydro (gravity.hpp); history columns mhd_epot, mhd_etot
///   gravity_axis   1..ndim (default ndim)
///   wall_field     mirror rule of the magnetic field at "reflecting" boundaries (velocity:
///                  normal component odd, tangential even; rho, p even in both):
///                  "conducting" (default): perfectly conducting wall, B_n odd, B_t even, so
///                  B_n = 0 on the wall face (the field is tangent to the wall; the tangential
///                  electric field vanishes there);
///                  "normal": the exact mirror symmetry of ideal MHD (B is a pseudovector):
///                  B_n even, B_t odd, so B_t = 0 at the wall and the field threads it
///                  perpendicularly (the vertical-field boundary of magnetoconvection, e.g.
///                  Hurlburt & Toomre 1988); B_n on the wall faces evolves by CT.
///                  Wall faces: 0 on a conducting wall (set by the ghost fill at both walls;
///                  the tangential EMF there is exactly zero). On a "normal" wall they evolve
///                  by CT: the lower wall face is the first cell's own lower face; the upper
///                  one is the first ghost's lower face, which the integrator does not
///                  update, so its value is kept in an extra evolved field "bface_upper_wall"
///                  (components bfu_x, bfu_y, bfu_z for the axes with an upper reflecting
///                  boundary; registered only then; checkpointed, not in snapshots) at the
///                  last cell below the wall, and the ghost fill copies it into "bface".
///                  Each wall face has a single owner, so div B stays at round-off in every
///                  cell next to walls and corners, and results do not depend on the rank
///                  count.
/// History columns: mhd_divb (max over cells of |div B| dx_min / max|B|, face-based, over cells
/// whose faces are all evolved), mhd_emag (integral of B^2/2), mhd_floor_rho, mhd_floor_p,
/// mhd_fallback (cumulative counts, as for hydro).
/// Mirror rule of the magnetic field at a reflecting wall ([physics.mhd] wall_field).
enum class MhdWallField {
  kConducting,  ///< B_n odd, B_t even (B_n = 0 on the wall)
  kNormal,      ///< B_n even, B_t odd (B_t = 0 at the wall; pseudovector parity)
};

class MhdModule : public PhysicsModule, public GasDynamics {
 public:
  static constexpr const char* kName = "mhd";
  /// Extra squared signal speed [L^2/T^2] at cell (k, j, i), added to gamma p / rho in the time
  /// step limit (e.g. a radiation module's (4/9) E_r / rho); see set_extra_sound_speed2().
  using SoundSpeedHook = std::function<double(const Block&, int k, int j, int i)>;

  MhdModule(const Config& cfg, int ndim);
  std::string name() const override { return kName; }
  void register_fields(FieldRegistry& reg) override;
  /// Three ghosts: PLM needs two cells beyond the outermost face, and the cell-centred field
  /// of the outermost of those needs the face above it.
  int required_ghost() const override { return 3; }
  /// Unsplit CFL limit 1 / max sum_a (|v_a| + c_f,a) / dx_a (fast speed along each axis), and
  /// the resistive limit when eta > 0.
  double max_dt(const Block& b) const override;
  void add_rhs(const Block& b, double t, std::vector<Array4>& rhs) override;
  /// Density and pressure floors on the interior cells (counted).
  void post_stage(Block& b) override;
  std::string check_state(const Block& b) const override;
  std::vector<HistoryValue> history_values(Mesh& mesh, double t) override;
  /// The cell-centred field and div B need each block's upper faces, held by the neighbour.
  bool output_needs_halo() const override { return true; }
  /// Recomputes "bcc" on every local block from the (halo-filled) face field.
  void prepare_output(Mesh& mesh) override;

  const IdealGasEos& eos() const noexcept override { return eos_; }
  int rho_id() const noexcept override { return fid_rho_; }
  int mom_id() const noexcept override { return fid_mom_; }
  int energy_id() const noexcept override { return fid_energy_; }
  /// B^2/2 from cell_field() (GasDynamics: what a coupled module, e.g. radiation, must take
  /// off the total energy to get the internal energy).
  double magnetic_energy(const Block& b, int k, int j, int i) const override {
    const auto c = cell_field(b, k, j, i);
    return 0.5 * (c[0] * c[0] + c[1] * c[1] + c[2] * c[2]);
  }
  const UniformGravity& gravity() const noexcept override { return gravity_; }
  std::vector<int> energy_halo_fields() const override { return {fid_bface_}; }
  int bface_id() const noexcept { return fid_bface_; }
  int bcc_id() const noexcept { return fid_bcc_; }
  double resistivity() const noexcept { return eta_; }
  MhdWallField wall_field() const noexcept { return wall_; }
  /// Installs an extra squared signal speed for max_dt (empty function: none). For a module
  /// that adds a pressure-like term (radiation pressure) so the explicit step stays stable.
  void set_extra_sound_speed2(SoundSpeedHook f) { extra_c2_ = std::move(f); }

  /// Cell-centred field of cell (k, j, i): the mean of its lower and upper faces along each
  /// used axis (the upper face is the next cell's lower face; for the last interior cell it is
  /// a ghost, valid after a halo fill), the stored value along unused axes.
  std::array<double, 3> cell_field(const Block& b, int k, int j, int i) const;
  /// Writes rho, momentum and total energy of cell (k, j, i) from a primitive state; w.b is
  /// the cell-centred field used for the magnetic energy (take it from cell_field() after the
  /// faces are set, so E is consistent with the face field).
  void set_primitive(Block& b, int k, int j, int i, const MhdPrim& w) const;

  /// Line average [B L] of component c of a vector potential along the edge centred at `x`,
  /// parallel to axis c, of length `len` (a midpoint value is second-order accurate).
  using EdgePotential = std::function<double(int c, const std::array<double, 3>& x, double len)>;
  /// Value of field component a [B] on the face centred at `x` (normal to a), or at the cell
  /// centre along an unused axis a. Must be discretely divergence-free on its own (e.g.
  /// uniform, or depending only on the unused coordinates).
  using FaceField = std::function<double(int a, const std::array<double, 3>& x)>;
  /// Sets "bface" on every cell of `b` (ghosts included) to curl A (by Stokes' theorem over
  /// each face, so the discrete div B is zero to round-off) plus `direct`. Either may be empty.
  void set_face_field(Block& b, const EdgePotential& potential, const FaceField& direct) const;
  /// Stores the upper wall faces of "bface" (first ghost layer below an upper reflecting wall)
  /// as the initial state of their CT evolution (see wall_field). set_face_field() calls it;
  /// a problem that writes "bface" directly must call it afterwards.
  void store_wall_faces(Block& b) const;

 private:
  void compute_primitives(const Block& b);
  template <int Axis, typename Lim>
  void face_fluxes(const Block& b);
  void add_flux_divergence(const Block& b, std::vector<Array4>& rhs) const;
  void add_ct_update(const Block& b, std::vector<Array4>& rhs);
  /// Ohmic EMF eta J on the edges (added to the ideal ones) and the resistive energy flux.
  void add_resistive_terms(const Block& b, std::vector<Array4>& rhs);
  /// Cell-centred B on the interior from interior faces only (the last cell along a used axis
  /// takes its lower face): for max_dt, floors and check_state, which run when the ghost
  /// faces are stale (after a stage) or unset (right after a restart).
  void interior_field(const Block& b, Array4& out) const;
  double magnetic_divergence(const Block& b, double& bmax) const;
  /// FieldSpec::reflecting_fill of "bface": the ghost faces on a reflecting side (axis,
  /// side) of `b` by the wall_field rule, and the wall face itself where the rule sets it.
  void fill_wall(Block& b, int axis, int side) const;
  /// On the faces of `b` that lie on a reflecting wall, sets to exactly zero the face fluxes
  /// that the mirror symmetry of the two states makes vanish (mass, tangential momentum,
  /// energy; and B_t, i.e. the tangential EMF, on a conducting wall): the approximate
  /// Riemann solvers return them only to round-off, and the sign of a round-off mass flux
  /// would pick one side in the upwind edge EMF instead of the mean of both.
  void close_walls(const Block& b);

  int ndim_;
  IdealGasEos eos_;
  ReconstructionKind recon_ = ReconstructionKind::kPLM;
  LimiterKind limiter_ = LimiterKind::kMC;
  MhdRiemannKind riemann_ = MhdRiemannKind::kHLLD;
  MhdWallField wall_ = MhdWallField::kConducting;
  std::array<std::array<bool, 2>, 3> reflecting_{};  // [axis][side] is a reflecting boundary
  // "bface_upper_wall" (wall_field = "normal" with an upper reflecting wall): its id, and per
  // axis the component holding that axis' upper wall face (-1: none).
  // Largest |B_n| / max|B| found on a conducting wall face by the fill before it zeroed it
  // (an initial field that threads a conducting wall), with where; check_state reports it.
  mutable double wall_bn_ratio_ = 0.0, wall_bn_value_ = 0.0;
  mutable std::int64_t wall_bn_gid_ = -1;
  mutable int wall_bn_axis_ = 0, wall_bn_side_ = 0;
  int fid_upper_wall_ = -1;
  std::array<int, 3> upper_comp_{-1, -1, -1};
  /// Whether `b` has the physical boundary of side `side` (0 lower, 1 upper) along `axis`.
  static bool at_boundary(const Block& b, int axis, int side);
  double rho_floor_ = 1e-10, p_floor_ = 1e-10, eta_ = 0.0;
  SoundSpeedHook extra_c2_;
  UniformGravity gravity_;
  int fid_rho_ = -1, fid_mom_ = -1, fid_energy_ = -1, fid_bface_ = -1, fid_bcc_ = -1;
  double floor_rho_count_ = 0, floor_p_count_ = 0, fallback_count_ = 0;
  // Scratch reused block to block: primitives (rho, v, p, B cell-centred), face fluxes per
  // axis (MhdVar layout), cell-centred and edge EMFs, pencil buffers.
  Array4 prim_;
  std::array<Array4, 3> fx_;
  Array4 ecc_, edge_, ej_;
  mutable Array4 bint_;
  PencilBuffer wl_, wr_;
};

}  // namespace tessera
