#include "tessera/bc/boundary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "tessera/core/config.hpp"

namespace tessera {

namespace {

const char* kAxisName[3] = {"x1", "x2", "x3"};
const char* kSideName[2] = {"lower", "upper"};

/// Interior cells sent towards direction o (the neighbour's ghosts on the opposite side).
IndexBox send_box(const Block& b, const std::array<int, 3>& o) {
  IndexBox box;
  for (int a = 0; a < 3; ++a) {
    const int ng = b.ng[a], n = b.n[a];
    if (o[a] < 0)
      box.lo[a] = ng, box.hi[a] = 2 * ng;
    else if (o[a] > 0)
      box.lo[a] = n, box.hi[a] = n + ng;
    else
      box.lo[a] = ng, box.hi[a] = ng + n;
  }
  return box;
}

/// Ghost cells on side o of a block.
IndexBox ghost_box(const Block& b, const std::array<int, 3>& o) {
  IndexBox box;
  for (int a = 0; a < 3; ++a) {
    const int ng = b.ng[a], n = b.n[a];
    if (o[a] < 0)
      box.lo[a] = 0, box.hi[a] = ng;
    else if (o[a] > 0)
      box.lo[a] = n + ng, box.hi[a] = n + 2 * ng;
    else
      box.lo[a] = ng, box.hi[a] = ng + n;
  }
  return box;
}

std::size_t ncomp_total(const Block& b, const std::vector<int>& ids) {
  std::size_t n = 0;
  for (int f : ids) n += static_cast<std::size_t>(b.field(f).ncomp());
  return n;
}

void pack(const Block& b, const IndexBox& box, const std::vector<int>& ids, double*& out) {
  const int len = box.hi[0] - box.lo[0];
  for (int f : ids) {
    const Array4& a = b.field(f);
    for (int c = 0; c < a.ncomp(); ++c)
      for (int k = box.lo[2]; k < box.hi[2]; ++k)
        for (int j = box.lo[1]; j < box.hi[1]; ++j) {
          const double* row = a.ptr(c, k, j, box.lo[0]);
          out = std::copy(row, row + len, out);
        }
  }
}

void unpack(Block& b, const IndexBox& box, const std::vector<int>& ids, const double*& in) {
  const int len = box.hi[0] - box.lo[0];
  for (int f : ids) {
    Array4& a = b.field(f);
    for (int c = 0; c < a.ncomp(); ++c)
      for (int k = box.lo[2]; k < box.hi[2]; ++k)
        for (int j = box.lo[1]; j < box.hi[1]; ++j) {
          std::copy(in, in + len, a.ptr(c, k, j, box.lo[0]));
          in += len;
        }
  }
}

/// On-rank halo copy straight from the source block's interior into the destination's ghosts
/// (boxes of equal shape), row by row, without a staging buffer.
void copy_box(const Block& src, const IndexBox& sb, Block& dst, const IndexBox& db,
              const std::vector<int>& ids) {
  const int len = sb.hi[0] - sb.lo[0];
  for (int f : ids) {
    const Array4& a = src.field(f);
    Array4& b = dst.field(f);
    for (int c = 0; c < a.ncomp(); ++c)
      for (int k = 0; k < sb.hi[2] - sb.lo[2]; ++k)
        for (int j = 0; j < sb.hi[1] - sb.lo[1]; ++j) {
          const double* row = a.ptr(c, sb.lo[2] + k, sb.lo[1] + j, sb.lo[0]);
          std::copy(row, row + len, b.ptr(c, db.lo[2] + k, db.lo[1] + j, db.lo[0]));
        }
  }
}

}  // namespace

std::array<bool, 3> BoundaryParams::periodic() const {
  std::array<bool, 3> p{};
  for (int a = 0; a < 3; ++a) p[a] = face[a][0].kind == BcKind::kPeriodic;
  return p;
}

BoundaryParams BoundaryParams::from_config(const Config& cfg, int ndim) {
  BoundaryParams p;
  const std::vector<std::string> kinds{"periodic", "outflow", "reflecting", "fixed", "user"};
  for (int a = 0; a < ndim; ++a) {
    for (int s = 0; s < 2; ++s) {
      const std::string key = fmt::format("boundary.{}_{}", kAxisName[a], kSideName[s]);
      const std::string k = cfg.get_string(key, "periodic", kinds);
      FaceBc& f = p.face[a][s];
      f.kind = k == "periodic"     ? BcKind::kPeriodic
               : k == "outflow"    ? BcKind::kOutflow
               : k == "reflecting" ? BcKind::kReflecting
               : k == "fixed"      ? BcKind::kFixed
                                   : BcKind::kUser;
      if (cfg.has(key + "_value")) {
        f.has_value = true;
        f.value = cfg.get_double(key + "_value", 0.0);
      }
      f.values = cfg.get_number_table(key + "_values");
      if (f.kind != BcKind::kFixed && (f.has_value || !f.values.empty())) {
        cfg.fail(
            key + (f.has_value ? "_value" : "_values"),
            fmt::format("values are only used by \"fixed\" boundaries, but {} is \"{}\"", key, k));
      }
    }
    const bool p0 = p.face[a][0].kind == BcKind::kPeriodic;
    const bool p1 = p.face[a][1].kind == BcKind::kPeriodic;
    if (p0 != p1) {
      cfg.fail(fmt::format("boundary.{}_{}", kAxisName[a], p0 ? "upper" : "lower"),
               fmt::format("periodic boundaries come in pairs: set both {0}_lower and {0}_upper "
                           "to \"periodic\"",
                           kAxisName[a]));
    }
  }
  return p;
}

BoundaryExchange::BoundaryExchange(Mesh& mesh, const BoundaryParams& bc) : mesh_(mesh), bc_(bc) {
  const int me = mesh_.comm().rank();
  const auto& blocks = mesh_.blocks();
  const std::int64_t first = mesh_.first_gid(me);
  // Remote transfers keyed by (receiving gid, receiving ghost side) so that both ends of a
  // rank pair list them in the same order and one message per pair suffices.
  std::map<int, std::vector<std::tuple<std::int64_t, int, Transfer>>> sends, recvs;
  for (std::size_t bi = 0; bi < blocks.size(); ++bi) {
    const Block& b = *blocks[bi];
    for (int d = 0; d < 27; ++d) {
      const std::int64_t ng = b.neighbor[d];
      if (ng < 0) continue;
      const auto o = Block::dir_offset(d);
      const std::array<int, 3> mo{-o[0], -o[1], -o[2]};
      const int owner = mesh_.owner(ng);
      if (owner == me) {
        const int dst = static_cast<int>(ng - first);
        local_.push_back({static_cast<int>(bi), dst, send_box(b, o), ghost_box(*blocks[dst], mo)});
      } else {
        sends[owner].emplace_back(ng, Block::dir_index(mo[0], mo[1], mo[2]),
                                  Transfer{static_cast<int>(bi), send_box(b, o)});
        recvs[owner].emplace_back(b.gid, d, Transfer{static_cast<int>(bi), ghost_box(b, o)});
      }
    }
  }
  for (auto& [rank, list] : sends) {
    Peer p;
    p.rank = rank;
    std::sort(list.begin(), list.end(), [](const auto& x, const auto& y) {
      return std::tie(std::get<0>(x), std::get<1>(x)) < std::tie(std::get<0>(y), std::get<1>(y));
    });
    for (auto& t : list) p.send.push_back(std::get<2>(t));
    auto& rl = recvs[rank];
    std::sort(rl.begin(), rl.end(), [](const auto& x, const auto& y) {
      return std::tie(std::get<0>(x), std::get<1>(x)) < std::tie(std::get<0>(y), std::get<1>(y));
    });
    for (auto& t : rl) p.recv.push_back(std::get<2>(t));
    peers_.push_back(std::move(p));
  }
}

BoundaryExchange::~BoundaryExchange() {
  if (in_flight_ && !requests_.empty()) {
    // Only reached while unwinding from an error; the communicator is about to be aborted.
    for (auto& r : requests_) {
      if (r != MPI_REQUEST_NULL) MPI_Cancel(&r);
    }
  }
}

void BoundaryExchange::start(const std::vector<int>& field_ids) {
  if (in_flight_) throw Error("BoundaryExchange::start called twice without finish");
  active_fields_ = field_ids;
  auto& blocks = mesh_.blocks();
  requests_.clear();
  constexpr int kTag = 4242;
  for (auto& p : peers_) {
    std::size_t nrecv = 0, nsend = 0;
    for (const auto& t : p.recv) nrecv += t.box.volume() * ncomp_total(*blocks[t.block], field_ids);
    for (const auto& t : p.send) nsend += t.box.volume() * ncomp_total(*blocks[t.block], field_ids);
    p.recv_buf.resize(nrecv);
    p.send_buf.resize(nsend);
    requests_.emplace_back();
    mpi_check(MPI_Irecv(p.recv_buf.data(), static_cast<int>(nrecv), MPI_DOUBLE, p.rank, kTag,
                        mesh_.comm().get(), &requests_.back()),
              "MPI_Irecv (halo)");
  }
  for (auto& p : peers_) {
    double* out = p.send_buf.data();
    for (const auto& t : p.send) pack(*blocks[t.block], t.box, field_ids, out);
    requests_.emplace_back();
    mpi_check(MPI_Isend(p.send_buf.data(), static_cast<int>(p.send_buf.size()), MPI_DOUBLE, p.rank,
                        kTag, mesh_.comm().get(), &requests_.back()),
              "MPI_Isend (halo)");
  }
  in_flight_ = true;
  // On-rank copies overlap with the messages in flight. Source (interior) and destination
  // (ghost) regions never overlap, even when a block is its own periodic neighbour.
  for (const auto& c : local_) {
    copy_box(*blocks[c.src], c.src_box, *blocks[c.dst], c.dst_box, field_ids);
  }
}

void BoundaryExchange::finish(double t) {
  if (!in_flight_) throw Error("BoundaryExchange::finish called without start");
  mpi_check(MPI_Waitall(static_cast<int>(requests_.size()), requests_.data(), MPI_STATUSES_IGNORE),
            "MPI_Waitall (halo)");
  in_flight_ = false;
  auto& blocks = mesh_.blocks();
  for (auto& p : peers_) {
    const double* in = p.recv_buf.data();
    for (const auto& tr : p.recv) unpack(*blocks[tr.block], tr.box, active_fields_, in);
  }
  apply_physical(active_fields_, t);
}

void BoundaryExchange::apply_physical(const std::vector<int>& field_ids, double t) {
  const int ndim = mesh_.ndim();
  const auto& reg = mesh_.fields();
  for (auto& bp : mesh_.blocks()) {
    Block& b = *bp;
    for (int a = 0; a < ndim; ++a) {
      for (int s = 0; s < 2; ++s) {
        std::array<int, 3> o{0, 0, 0};
        o[a] = s == 0 ? -1 : 1;
        if (b.neighbor[Block::dir_index(o[0], o[1], o[2])] >= 0) continue;
        const FaceBc& f = bc_.face[a][s];
        // The ghost slab spans the full ghosted extent of the other axes.
        IndexBox slab = b.all();
        const int ng = b.ng[a], n = b.n[a];
        slab.lo[a] = s == 0 ? 0 : n + ng;
        slab.hi[a] = s == 0 ? ng : n + 2 * ng;
        if (f.kind == BcKind::kUser) {
          if (!user_) {
            // The driver rejects such decks up front; reaching this is a programming error on
            // the ranks that own this face only, so the error is not collective.
            throw Error(
                fmt::format("boundary.{}_{} is \"user\" but the problem supplies no user boundary",
                            kAxisName[a], kSideName[s]));
          }
          user_(b, a, s, t, field_ids);
          continue;
        }
        for (int fid : field_ids) {
          Array4& arr = b.field(fid);
          const FieldSpec& spec = reg.spec(fid);
          if (f.kind == BcKind::kReflecting && spec.reflecting_fill) {
            spec.reflecting_fill(b, a, s);  // the field's own mirror rule (FieldSpec)
            continue;
          }
          for (int c = 0; c < arr.ncomp(); ++c) {
            if (f.kind == BcKind::kFixed) {
              double v = 0.0;
              auto it = f.values.find(spec.components[c]);
              if (it != f.values.end())
                v = it->second;
              else if (f.has_value)
                v = f.value;
              else {
                throw ConfigError(
                    fmt::format("boundary.{0}_{1} is \"fixed\" but gives no value for '{2}': add "
                                "{0}_{1}_value = ... or {0}_{1}_values = {{ {2} = ... }}",
                                kAxisName[a], kSideName[s], spec.components[c]));
              }
              for_each_cell(slab, [&](int k, int j, int i) { arr(c, k, j, i) = v; });
              continue;
            }
            const double sign =
                (f.kind == BcKind::kReflecting && spec.vector_axis[c] == a) ? -1.0 : 1.0;
            const bool mirror = f.kind == BcKind::kReflecting;
            for_each_cell(slab, [&](int k, int j, int i) {
              std::array<int, 3> src{i, j, k};
              const int g = src[a];
              if (s == 0)
                src[a] = mirror ? 2 * ng - 1 - g : ng;
              else
                src[a] = mirror ? 2 * (n + ng) - 1 - g : n + ng - 1;
              arr(c, k, j, i) = sign * arr(c, src[2], src[1], src[0]);
            });
          }
        }
      }
    }
  }
}

}  // namespace tessera
