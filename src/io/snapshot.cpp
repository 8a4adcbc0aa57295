#include "tessera/io/snapshot.hpp"

#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <fstream>

#include "tessera/core/errors.hpp"
#include "tessera/version_info.hpp"

namespace tessera {

namespace {

std::string utc_now() {
  const std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

/// Interior of component c of a field on one block, x fastest, appended to `out`.
template <typename T>
void append_interior(const Block& b, const Array4& a, int c, std::vector<T>& out) {
  for_each_cell(b.interior(),
                [&](int k, int j, int i) { out.push_back(static_cast<T>(a(c, k, j, i))); });
}

template <typename T>
void write_component_blocks(hid_t grp, const Mesh& mesh, int fid, int c, hid_t ftype, hid_t mtype,
                            const std::string& name) {
  const auto& p = mesh.params();
  std::vector<T> buf;
  buf.reserve(mesh.blocks().size() * p.block_cells[0] * p.block_cells[1] * p.block_cells[2]);
  for (const auto& b : mesh.blocks()) append_interior(*b, b->field(fid), c, buf);
  const std::vector<hsize_t> dims{
      static_cast<hsize_t>(mesh.nblocks_total()), static_cast<hsize_t>(p.block_cells[2]),
      static_cast<hsize_t>(p.block_cells[1]), static_cast<hsize_t>(p.block_cells[0])};
  h5::write_rows(grp, name, ftype, mtype, dims, mesh.first_gid(mesh.comm().rank()),
                 mesh.blocks().size(), buf.data());
}

/// Uniform layout: one global [Nz, Ny, Nx] array, each block a hyperslab. Collective writes
/// are issued in lock-step (ranks with fewer blocks write empty selections).
template <typename T>
void write_component_uniform(hid_t grp, const Mesh& mesh, int fid, int c, hid_t ftype, hid_t mtype,
                             const std::string& name) {
  const auto& p = mesh.params();
  const std::vector<hsize_t> dims{static_cast<hsize_t>(p.cells[2]),
                                  static_cast<hsize_t>(p.cells[1]),
                                  static_cast<hsize_t>(p.cells[0])};
  h5::Handle fspace(h5::check(H5Screate_simple(3, dims.data(), nullptr), "H5Screate_simple", name),
                    H5Sclose);
  h5::Handle ds(
      h5::check(H5Dcreate2(grp, name.c_str(), ftype, fspace, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                "H5Dcreate2", name),
      H5Dclose);
  h5::Handle dxpl(h5::check(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate", name), H5Pclose);
  h5::check(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio", name);
  const std::vector<hsize_t> count{static_cast<hsize_t>(p.block_cells[2]),
                                   static_cast<hsize_t>(p.block_cells[1]),
                                   static_cast<hsize_t>(p.block_cells[0])};
  h5::Handle mspace(h5::check(H5Screate_simple(3, count.data(), nullptr), "H5Screate_simple", name),
                    H5Sclose);
  const auto nmax = mesh.comm().max(static_cast<std::int64_t>(mesh.blocks().size()));
  std::vector<T> buf;
  for (std::int64_t ib = 0; ib < nmax; ++ib) {
    buf.clear();
    if (ib < static_cast<std::int64_t>(mesh.blocks().size())) {
      const Block& b = *mesh.blocks()[ib];
      append_interior(b, b.field(fid), c, buf);
      std::vector<hsize_t> start{static_cast<hsize_t>(b.loc[2] * p.block_cells[2]),
                                 static_cast<hsize_t>(b.loc[1] * p.block_cells[1]),
                                 static_cast<hsize_t>(b.loc[0] * p.block_cells[0])};
      h5::check(H5Sselect_all(mspace), "H5Sselect_all", name);
      h5::check(
          H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
          "H5Sselect_hyperslab", name);
    } else {
      buf.resize(1);
      h5::check(H5Sselect_none(mspace), "H5Sselect_none", name);
      h5::check(H5Sselect_none(fspace), "H5Sselect_none", name);
    }
    h5::check(H5Dwrite(ds, mtype, mspace, fspace, dxpl, buf.data()), "H5Dwrite", name);
  }
}

}  // namespace

void write_mesh_file(const std::string& path, const Mesh& mesh, const SnapshotHeader& header,
                     const std::vector<int>& fields, const std::function<void(hid_t)>& extra) {
  const auto& p = mesh.params();
  const Comm& comm = mesh.comm();
  h5::Handle file = h5::create_parallel(path, comm.get());
  h5::write_attr(file, "time", header.time);
  h5::write_attr(file, "step", header.step);
  h5::write_attr(file, "ndim", p.ndim);
  h5::write_attr(file, "layout",
                 std::string(header.layout == Layout::kBlocks ? "blocks" : "uniform"));
  h5::write_attr(file, "kind", header.kind);
  h5::write_attr(file, "code_version", std::string(build::kVersion));
  h5::write_attr(file, "git_hash", std::string(build::kGitHash));
  h5::write_attr(file, "git_dirty", build::kGitDirty);
  h5::write_attr(file, "nranks", comm.size());
  // All ranks must write identical attribute values: take rank 0's clock.
  h5::write_attr(file, "date", comm.broadcast(utc_now(), 0));
  h5::write_attr(file, "domain_lower", std::vector<double>(p.lower.begin(), p.lower.end()));
  h5::write_attr(file, "domain_upper", std::vector<double>(p.upper.begin(), p.upper.end()));
  h5::write_attr(file, "global_cells", std::vector<std::int64_t>(p.cells.begin(), p.cells.end()));
  h5::write_attr(file, "block_cells",
                 std::vector<std::int64_t>(p.block_cells.begin(), p.block_cells.end()));
  h5::write_attr(file, "nblocks", mesh.nblocks_total());
  h5::write_string_dataset(file, "deck", header.deck, comm.root());

  // Block geometry, rows by gid.
  {
    h5::Handle g = h5::create_group(file, "blocks");
    const auto nb = static_cast<hsize_t>(mesh.nblocks_total());
    const hsize_t first = mesh.first_gid(comm.rank());
    const hsize_t nloc = mesh.blocks().size();
    std::vector<std::int64_t> gid, loc;
    std::vector<int> level;
    std::vector<double> lo, hi, dx;
    for (const auto& b : mesh.blocks()) {
      gid.push_back(b->gid);
      level.push_back(b->level);
      for (int a = 0; a < 3; ++a) {
        loc.push_back(b->loc[a]);
        lo.push_back(b->lower[a]);
        hi.push_back(b->upper[a]);
        dx.push_back(b->dx[a]);
      }
    }
    h5::write_rows(g, "gid", H5T_STD_I64LE, H5T_NATIVE_INT64, {nb}, first, nloc, gid.data());
    h5::write_rows(g, "level", H5T_STD_I32LE, H5T_NATIVE_INT, {nb}, first, nloc, level.data());
    h5::write_rows(g, "logical_location", H5T_STD_I64LE, H5T_NATIVE_INT64, {nb, 3}, first, nloc,
                   loc.data());
    h5::write_rows(g, "lower", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {nb, 3}, first, nloc, lo.data());
    h5::write_rows(g, "upper", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {nb, 3}, first, nloc, hi.data());
    h5::write_rows(g, "dx", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {nb, 3}, first, nloc, dx.data());
  }

  h5::Handle g = h5::create_group(file, "fields");
  for (int fid : fields) {
    const FieldSpec& spec = mesh.fields().spec(fid);
    for (std::size_t c = 0; c < spec.components.size(); ++c) {
      const std::string& name = spec.components[c];
      const int ci = static_cast<int>(c);
      if (header.layout == Layout::kBlocks) {
        if (header.float32) {
          write_component_blocks<float>(g, mesh, fid, ci, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, name);
        } else {
          write_component_blocks<double>(g, mesh, fid, ci, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, name);
        }
      } else {
        if (header.float32) {
          write_component_uniform<float>(g, mesh, fid, ci, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, name);
        } else {
          write_component_uniform<double>(g, mesh, fid, ci, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE,
                                          name);
        }
      }
      h5::Handle ds(h5::check(H5Dopen2(g, name.c_str(), H5P_DEFAULT), "H5Dopen2", name), H5Dclose);
      h5::write_attr(ds, "units", spec.units);
      h5::write_attr(ds, "description", spec.description);
    }
  }
  if (extra) extra(file);
}

void read_mesh_fields(hid_t file, const std::string& path, Mesh& mesh,
                      const std::vector<int>& fields) {
  const auto& p = mesh.params();
  const auto cells = h5::read_attr_ints(file, "global_cells");
  const auto bcells = h5::read_attr_ints(file, "block_cells");
  for (int a = 0; a < 3; ++a) {
    if (cells.size() != 3 || bcells.size() != 3 || cells[a] != p.cells[a] ||
        bcells[a] != p.block_cells[a]) {
      throw ConfigError(fmt::format(
          "{}: the checkpoint was written for mesh.cells = [{}, {}, {}] with block_cells = "
          "[{}, {}, {}]; the deck must use the same mesh to restart from it",
          path, cells.at(0), cells.at(1), cells.at(2), bcells.at(0), bcells.at(1), bcells.at(2)));
    }
  }
  if (h5::read_attr_string(file, "layout") != "blocks") {
    throw IoError(fmt::format("{}: not a blocks-layout file; restart needs a checkpoint", path),
                  true);
  }
  // Rows are matched by logical location, not by gid: a checkpoint written with another
  // mesh.curve (another block order) restores every block in place.
  const auto nb_file = static_cast<hsize_t>(h5::read_attr_int(file, "nblocks"));
  if (static_cast<std::int64_t>(nb_file) != mesh.nblocks_total()) {
    throw IoError(fmt::format("{}: {} blocks in the file, {} in the mesh", path, nb_file,
                              mesh.nblocks_total()),
                  true);
  }
  std::vector<double> locs(nb_file * 3);
  {
    h5::Handle gb = h5::open_group(file, "blocks");
    h5::read_rows(gb, "logical_location", 0, nb_file, locs.data());
  }
  std::vector<std::int64_t> gid_of_row(nb_file);
  for (hsize_t r = 0; r < nb_file; ++r) {
    gid_of_row[r] = mesh.gid_at({static_cast<std::int64_t>(locs[3 * r]),
                                 static_cast<std::int64_t>(locs[3 * r + 1]),
                                 static_cast<std::int64_t>(locs[3 * r + 2])});
  }
  // Local blocks in ascending file-row order (the order HDF5 fills a multi-row selection).
  const std::int64_t first = mesh.first_gid(mesh.comm().rank());
  std::vector<std::pair<hsize_t, std::size_t>> rows;  // (file row, local block index)
  for (hsize_t r = 0; r < nb_file; ++r) {
    const std::int64_t g = gid_of_row[r];
    if (g >= first && g < first + static_cast<std::int64_t>(mesh.blocks().size())) {
      rows.emplace_back(r, static_cast<std::size_t>(g - first));
    }
  }
  if (rows.size() != mesh.blocks().size()) {
    throw IoError(fmt::format("{}: the file's block locations do not cover this mesh", path), true);
  }
  std::vector<hsize_t> row_list;
  for (const auto& r : rows) row_list.push_back(r.first);
  h5::Handle g = h5::open_group(file, "fields");
  const std::size_t per_block = p.block_cells[0] * p.block_cells[1] * p.block_cells[2];
  std::vector<double> buf(per_block * mesh.blocks().size() + 1);
  for (int fid : fields) {
    const FieldSpec& spec = mesh.fields().spec(fid);
    for (std::size_t c = 0; c < spec.components.size(); ++c) {
      h5::read_row_list(g, spec.components[c], row_list, buf.data());
      std::size_t n = 0;
      for (const auto& r : rows) {
        Block& b = *mesh.blocks()[r.second];
        Array4& arr = b.field(fid);
        for_each_cell(b.interior(),
                      [&](int k, int j, int i) { arr(static_cast<int>(c), k, j, i) = buf[n++]; });
      }
    }
  }
}

std::string xdmf_grid(const Mesh& mesh, const std::vector<int>& fields, Layout layout, bool float32,
                      const std::string& h5_name, double time) {
  const auto& p = mesh.params();
  const int prec = float32 ? 4 : 8;
  // ParaView 5.11: 2D/1D data as one-cell-thick 3D CoRectMesh; node counts in z, y, x order.
  auto grid = [&](const std::string& gname, const std::array<std::int64_t, 3>& n,
                  const std::array<double, 3>& origin, const std::array<double, 3>& d,
                  const std::function<std::string(const std::string&)>& item) {
    std::string s = fmt::format("    <Grid Name=\"{}\" GridType=\"Uniform\">\n", gname);
    s += fmt::format(
        "     <Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"{} {} {}\"/>\n"
        "     <Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n"
        "      <DataItem Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" Format=\"XML\">"
        "{:.17g} {:.17g} {:.17g}</DataItem>\n"
        "      <DataItem Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" Format=\"XML\">"
        "{:.17g} {:.17g} {:.17g}</DataItem>\n"
        "     </Geometry>\n",
        n[2] + 1, n[1] + 1, n[0] + 1, origin[2], origin[1], origin[0], d[2], d[1], d[0]);
    for (int fid : fields) {
      for (const auto& comp : mesh.fields().spec(fid).components) {
        s += fmt::format("     <Attribute Name=\"{}\" AttributeType=\"Scalar\" Center=\"Cell\">\n",
                         comp);
        s += item(comp);
        s += "     </Attribute>\n";
      }
    }
    s += "    </Grid>\n";
    return s;
  };
  std::array<double, 3> d{1, 1, 1};
  for (int a = 0; a < 3; ++a) {
    d[a] = a < p.ndim ? (p.upper[a] - p.lower[a]) / static_cast<double>(p.cells[a])
                      : (p.upper[0] - p.lower[0]) / static_cast<double>(p.cells[0]);
  }
  std::string out = fmt::format(
      "   <Grid Name=\"mesh\" GridType=\"Collection\" CollectionType=\"Spatial\">\n"
      "    <Time Value=\"{:.17g}\"/>\n",
      time);
  const auto& bc = p.block_cells;
  if (layout == Layout::kUniform) {
    std::array<double, 3> origin{p.lower[0], p.ndim > 1 ? p.lower[1] : 0.0,
                                 p.ndim > 2 ? p.lower[2] : 0.0};
    out += grid("domain", p.cells, origin, d, [&](const std::string& comp) {
      return fmt::format(
          "      <DataItem Dimensions=\"{} {} {}\" NumberType=\"Float\" Precision=\"{}\" "
          "Format=\"HDF\">{}:/fields/{}</DataItem>\n",
          p.cells[2], p.cells[1], p.cells[0], prec, h5_name, comp);
    });
  } else {
    for (std::int64_t gid = 0; gid < mesh.nblocks_total(); ++gid) {
      const auto& loc = mesh.location(gid);
      std::array<double, 3> origin{};
      for (int a = 0; a < 3; ++a) {
        origin[a] = a < p.ndim ? p.lower[a] + (p.upper[a] - p.lower[a]) *
                                                  static_cast<double>(loc[a] * bc[a]) /
                                                  static_cast<double>(p.cells[a])
                               : 0.0;
      }
      out += grid(fmt::format("block{}", gid), bc, origin, d, [&](const std::string& comp) {
        return fmt::format(
            "      <DataItem ItemType=\"HyperSlab\" Dimensions=\"{2} {1} {0}\" Type=\"HyperSlab\" "
            "NumberType=\"Float\" Precision=\"{5}\">\n"
            "       <DataItem Dimensions=\"3 4\" NumberType=\"Int\" Format=\"XML\">{3} 0 0 0 1 1 1 "
            "1 1 {2} {1} {0}"
            "</DataItem>\n"
            "       <DataItem Dimensions=\"{4} {2} {1} {0}\" NumberType=\"Float\" "
            "Precision=\"{5}\" "
            "Format=\"HDF\">{6}:/fields/{7}</DataItem>\n"
            "      </DataItem>\n",
            bc[0], bc[1], bc[2], gid, mesh.nblocks_total(), prec, h5_name, comp);
      });
    }
  }
  out += "   </Grid>\n";
  return out;
}

void write_xdmf(const std::string& path, const std::vector<std::string>& grids, bool temporal) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream os(tmp);
    if (!os) throw IoError(fmt::format("cannot write '{}'", tmp));
    os << "<?xml version=\"1.0\" ?>\n<!DOCTYPE Xdmf SYSTEM \"Xdmf.dtd\" []>\n"
          "<Xdmf Version=\"2.0\">\n <Domain>\n";
    if (temporal)
      os << "  <Grid Name=\"series\" GridType=\"Collection\" CollectionType=\"Temporal\">\n";
    for (const auto& g : grids) os << g;
    if (temporal) os << "  </Grid>\n";
    os << " </Domain>\n</Xdmf>\n";
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    throw IoError(fmt::format("cannot rename '{}' to '{}'", tmp, path));
  }
}

}  // namespace tessera
