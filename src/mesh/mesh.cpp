#include "tessera/mesh/mesh.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "tessera/core/config.hpp"

namespace tessera {

int FieldRegistry::add(FieldSpec spec) {
  if (spec.components.empty()) spec.components = {spec.name};
  if (spec.vector_axis.empty()) spec.vector_axis.assign(spec.components.size(), -1);
  if (spec.vector_axis.size() != spec.components.size()) {
    throw Error(
        fmt::format("field '{}': vector_axis must have one entry per component", spec.name));
  }
  for (const auto& s : specs_) {
    if (s.name == spec.name) throw Error(fmt::format("field '{}' registered twice", spec.name));
    for (const auto& c : s.components) {
      for (const auto& c2 : spec.components) {
        if (c == c2) throw Error(fmt::format("field component '{}' registered twice", c));
      }
    }
  }
  specs_.push_back(std::move(spec));
  return static_cast<int>(specs_.size()) - 1;
}

int FieldRegistry::find(const std::string& name) const noexcept {
  for (std::size_t i = 0; i < specs_.size(); ++i) {
    if (specs_[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int FieldRegistry::id(const std::string& name) const {
  const int i = find(name);
  if (i < 0) throw Error(fmt::format("no field named '{}' is registered", name));
  return i;
}

std::vector<int> FieldRegistry::evolved() const {
  std::vector<int> out;
  for (int i = 0; i < size(); ++i) {
    if (specs_[i].evolved) out.push_back(i);
  }
  return out;
}

MeshParams MeshParams::from_config(const Config& cfg) {
  MeshParams p;
  const auto cells = cfg.require_ints("mesh.cells", 0, Range::at_least(1));
  if (cells.empty() || cells.size() > 3) {
    cfg.fail("mesh.cells", "give 1, 2 or 3 entries (the number of cells along x, y, z)");
  }
  p.ndim = static_cast<int>(cells.size());
  const std::size_t nd = cells.size();
  const auto bcells = cfg.get_ints("mesh.block_cells", cells, nd, Range::at_least(1));
  std::vector<double> zeros(nd, 0.0), ones(nd, 1.0);
  const auto lower = cfg.get_doubles("mesh.lower", zeros, nd);
  const auto upper = cfg.get_doubles("mesh.upper", ones, nd);
  p.ghost = static_cast<int>(cfg.get_int("mesh.ghost", 2, Range::between(1, 6)));
  const auto curve = cfg.get_string("mesh.curve", "hilbert", {"hilbert", "morton"});
  p.curve = curve == "morton" ? CurveKind::kMorton : CurveKind::kHilbert;
  for (std::size_t a = 0; a < nd; ++a) {
    p.cells[a] = cells[a];
    p.block_cells[a] = bcells[a];
    p.lower[a] = lower[a];
    p.upper[a] = upper[a];
    if (cells[a] % bcells[a] != 0) {
      cfg.fail("mesh.block_cells",
               fmt::format("block_cells[{}] = {} does not divide cells[{}] = {}", a, bcells[a], a,
                           cells[a]));
    }
    if (bcells[a] < p.ghost) {
      cfg.fail("mesh.block_cells",
               fmt::format("block_cells[{}] = {} is smaller than mesh.ghost = {}", a, bcells[a],
                           p.ghost));
    }
    if (!(upper[a] > lower[a])) {
      cfg.fail("mesh.upper",
               fmt::format("upper[{}] = {} must exceed lower[{}] = {}", a, upper[a], a, lower[a]));
    }
  }
  return p;
}

Mesh::Mesh(const MeshParams& p, const Comm& comm) : p_(p), comm_(comm) {
  for (int a = 0; a < 3; ++a) nb_[a] = p_.cells[a] / p_.block_cells[a];
  const std::int64_t n = nb_[0] * nb_[1] * nb_[2];
  if (comm_.size() > n) {
    throw ConfigError(fmt::format(
        "the mesh has {} blocks but the run has {} ranks: every rank needs at least one block; "
        "use smaller mesh.block_cells or fewer ranks",
        n, comm_.size()));
  }
  // Order blocks along the curve on the enclosing power-of-two grid.
  int bits = 0;
  while ((std::int64_t{1} << bits) < std::max({nb_[0], nb_[1], nb_[2]})) ++bits;
  std::vector<std::pair<std::uint64_t, std::array<std::int64_t, 3>>> keyed;
  keyed.reserve(n);
  for (std::int64_t k = 0; k < nb_[2]; ++k)
    for (std::int64_t j = 0; j < nb_[1]; ++j)
      for (std::int64_t i = 0; i < nb_[0]; ++i) {
        std::array<std::int64_t, 3> loc{i, j, k};
        const auto key = p_.curve == CurveKind::kHilbert ? hilbert_key(loc, p_.ndim, bits)
                                                         : morton_key(loc, p_.ndim, bits);
        keyed.emplace_back(key, loc);
      }
  std::sort(keyed.begin(), keyed.end());
  locs_.resize(n);
  gid_of_linear_.assign(n, -1);
  for (std::int64_t g = 0; g < n; ++g) {
    locs_[g] = keyed[g].second;
    const auto& l = locs_[g];
    gid_of_linear_[l[0] + nb_[0] * (l[1] + nb_[1] * l[2])] = g;
  }

  std::array<double, 3> dx{1.0, 1.0, 1.0};
  for (int a = 0; a < 3; ++a) {
    dx[a] = a < p_.ndim ? (p_.upper[a] - p_.lower[a]) / static_cast<double>(p_.cells[a]) : 1.0;
  }
  for (std::int64_t g = first_gid(comm_.rank()); g < first_gid(comm_.rank() + 1); ++g) {
    auto b = std::make_unique<Block>();
    b->gid = g;
    b->loc = locs_[g];
    for (int a = 0; a < 3; ++a) {
      b->n[a] = static_cast<int>(p_.block_cells[a]);
      b->ng[a] = a < p_.ndim ? p_.ghost : 0;
      b->dx[a] = dx[a];
      // Corners from integer cell indices so that neighbouring blocks agree exactly; lerp is
      // exact at both ends, so the last block ends on the domain's upper corner.
      const auto c0 = b->loc[a] * p_.block_cells[a];
      const double ncell = static_cast<double>(p_.cells[a]);
      b->lower[a] = std::lerp(p_.lower[a], p_.upper[a], static_cast<double>(c0) / ncell);
      b->upper[a] =
          std::lerp(p_.lower[a], p_.upper[a], static_cast<double>(c0 + p_.block_cells[a]) / ncell);
    }
    for (int d = 0; d < 27; ++d) {
      const auto o = Block::dir_offset(d);
      bool unused = false;
      for (int a = p_.ndim; a < 3; ++a) unused = unused || o[a] != 0;
      if (unused || d == Block::dir_index(0, 0, 0)) {
        b->neighbor[d] = -1;
        continue;
      }
      b->neighbor[d] = gid_at({b->loc[0] + o[0], b->loc[1] + o[1], b->loc[2] + o[2]});
    }
    blocks_.push_back(std::move(b));
  }
}

std::int64_t Mesh::first_gid(int rank) const {
  const std::int64_t n = nblocks_total();
  return (static_cast<std::int64_t>(rank) * n) / comm_.size();
}

int Mesh::owner(std::int64_t gid) const {
  // Invert first_gid: the largest r with first_gid(r) <= gid.
  int r = static_cast<int>((gid * comm_.size()) / std::max<std::int64_t>(1, nblocks_total()));
  while (r + 1 < comm_.size() && first_gid(r + 1) <= gid) ++r;
  while (r > 0 && first_gid(r) > gid) --r;
  return r;
}

std::int64_t Mesh::gid_at(std::array<std::int64_t, 3> loc) const {
  for (int a = 0; a < 3; ++a) {
    if (loc[a] < 0 || loc[a] >= nb_[a]) {
      if (a >= p_.ndim || !p_.periodic[a]) return -1;
      loc[a] = (loc[a] % nb_[a] + nb_[a]) % nb_[a];
    }
  }
  return gid_of_linear_[loc[0] + nb_[0] * (loc[1] + nb_[1] * loc[2])];
}

std::int64_t Mesh::cells_total() const {
  return p_.cells[0] * p_.cells[1] * p_.cells[2];
}

double Mesh::domain_volume() const {
  double v = 1.0;
  for (int a = 0; a < p_.ndim; ++a) v *= p_.upper[a] - p_.lower[a];
  return v;
}

void Mesh::allocate_fields() {
  for (auto& b : blocks_) {
    b->fields.resize(fields_.size());
    for (int f = 0; f < fields_.size(); ++f) {
      b->fields[f].resize(static_cast<int>(fields_.spec(f).components.size()), b->dims());
    }
  }
}

}  // namespace tessera
