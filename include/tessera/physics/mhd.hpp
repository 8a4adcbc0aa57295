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
/// History columns: mhd_divb (max over cells of |div B| dx_min / max|B|, face-based, over cells
/// whose faces are all evolved), mhd_emag (integral of B^2/2), mhd_floor_rho, mhd_floor_p,
/// mhd_fallback (cumulative counts, as for hydro).
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

  int ndim_;
  IdealGasEos eos_;
  ReconstructionKind recon_ = ReconstructionKind::kPLM;
  LimiterKind limiter_ = LimiterKind::kMC;
  MhdRiemannKind riemann_ = MhdRiemannKind::kHLLD;
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
