// HDF5 snapshots: a blocks-layout float64 file written in parallel reads back bit for bit into
// a fresh mesh; the on-disk layout (blocks [nb, nz, ny, nx] by gid, uniform [Nz, Ny, Nx],
// float32) matches tools/FORMATS.md when read with the serial HDF5 API on rank 0.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "tessera/core/errors.hpp"
#include "tessera/io/h5.hpp"
#include "tessera/io/snapshot.hpp"
#include "tessera/mesh/mesh.hpp"
#include "test_env.hpp"

namespace tessera {
namespace {

using test::scratch_dir;
using test::test_comm;
using Loc = std::array<std::int64_t, 3>;

const char* kCompName[3] = {"rho", "mom_x", "mom_y"};

/// Interior value of global component c (0 rho, 1 mom_x, 2 mom_y) at global cell g; the 1/3
/// makes every value inexact in binary, so a float64 round trip must keep all 53 bits.
double value(int c, const Loc& g) {
  return 1000.0 * c + static_cast<double>(g[0]) + 37.0 * static_cast<double>(g[1]) +
         1369.0 * static_cast<double>(g[2]) + 1.0 / 3.0;
}

struct SnapMesh {
  std::unique_ptr<Mesh> mesh;
  int rho = -1, mom = -1;
};

MeshParams params_for(int ndim, CurveKind curve = CurveKind::kHilbert) {
  MeshParams p;
  p.ndim = ndim;
  p.curve = curve;
  p.ghost = 2;
  // 9 blocks: uneven block counts per rank at 2 and 4 ranks.
  if (ndim == 1) {
    p.cells = {36, 1, 1};
    p.block_cells = {4, 1, 1};
  } else if (ndim == 2) {
    p.cells = {12, 12, 1};
    p.block_cells = {4, 4, 1};
  } else {
    p.cells = {12, 4, 6};
    p.block_cells = {4, 4, 2};
  }
  for (int a = 0; a < ndim; ++a) p.upper[a] = 0.1 * static_cast<double>(p.cells[a]);
  return p;
}

SnapMesh make_mesh(const MeshParams& p) {
  SnapMesh s;
  s.mesh = std::make_unique<Mesh>(p, test_comm());
  FieldSpec rho;
  rho.name = "rho";
  rho.units = "kg/m^3";
  rho.description = "density";
  s.rho = s.mesh->fields().add(rho);
  FieldSpec mom;
  mom.name = "mom";
  mom.components = {"mom_x", "mom_y"};
  mom.vector_axis = {0, 1};
  s.mom = s.mesh->fields().add(mom);
  s.mesh->allocate_fields();
  return s;
}

Loc global_index(const Mesh& mesh, const Block& b, int k, int j, int i) {
  const std::array<int, 3> idx{i, j, k};
  Loc g{0, 0, 0};
  for (int a = 0; a < mesh.ndim(); ++a) {
    g[a] = b.loc[a] * mesh.params().block_cells[a] + (idx[a] - b.ng[a]);
  }
  return g;
}

/// Interior = value(), ghosts = -1 (ghosts are never written).
void fill(SnapMesh& s) {
  for (auto& bp : s.mesh->blocks()) {
    Block& b = *bp;
    for (int fid : {s.rho, s.mom}) {
      Array4& arr = b.field(fid);
      arr.fill(-1.0);
      for (int c = 0; c < arr.ncomp(); ++c) {
        const int gc = fid == s.rho ? 0 : 1 + c;
        for_each_cell(b.interior(), [&](int k, int j, int i) {
          arr(c, k, j, i) = value(gc, global_index(*s.mesh, b, k, j, i));
        });
      }
    }
  }
}

std::string scratch_file(const std::string& name) {
  return (std::filesystem::path(scratch_dir()) / name).string();
}

void remove_on_root(const std::string& path) {
  test_comm().barrier();
  if (test_comm().root()) std::filesystem::remove(path);
}

/// A whole dataset read with the serial API, as double, with its shape and stored type size.
struct Dataset {
  std::vector<hsize_t> dims;
  std::size_t type_size = 0;
  H5T_class_t type_class = H5T_NO_CLASS;
  std::vector<double> data;
  std::vector<float> data_f;
};
Dataset read_dataset(hid_t file, const std::string& name) {
  Dataset d;
  h5::Handle ds(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (ds.get() < 0) {
    ADD_FAILURE() << "no dataset " << name;
    return d;
  }
  h5::Handle space(H5Dget_space(ds), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space);
  d.dims.resize(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space, d.dims.data(), nullptr);
  h5::Handle type(H5Dget_type(ds), H5Tclose);
  d.type_size = H5Tget_size(type);
  d.type_class = H5Tget_class(type);
  const auto n = static_cast<std::size_t>(H5Sget_simple_extent_npoints(space));
  d.data.resize(n);
  EXPECT_GE(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, d.data.data()), 0);
  if (d.type_size == 4) {
    d.data_f.resize(n);
    EXPECT_GE(H5Dread(ds, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, d.data_f.data()), 0);
  }
  return d;
}

std::string read_string_dataset(hid_t file, const std::string& name) {
  h5::Handle ds(H5Dopen2(file, name.c_str(), H5P_DEFAULT), H5Dclose);
  if (ds.get() < 0) return "<missing>";
  h5::Handle type(H5Dget_type(ds), H5Tclose);
  if (H5Tis_variable_str(type) > 0) {
    char* p = nullptr;
    h5::Handle mt(H5Tcopy(H5T_C_S1), H5Tclose);
    H5Tset_size(mt, H5T_VARIABLE);
    if (H5Dread(ds, mt, H5S_ALL, H5S_ALL, H5P_DEFAULT, &p) < 0 || !p) return "<unreadable>";
    std::string s(p);
    H5free_memory(p);
    return s;
  }
  std::string s(H5Tget_size(type), '\0');
  if (H5Dread(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, s.data()) < 0) return "<unreadable>";
  s.resize(std::char_traits<char>::length(s.c_str()));
  return s;
}

/// Rank 0 only: the blocks-layout file, read serially, holds value() at [gid, k, j, i].
void check_blocks_file_serially(const std::string& path, const Mesh& mesh, bool float32) {
  h5::Handle file = h5::open_read(path);
  const auto& p = mesh.params();
  EXPECT_EQ(h5::read_attr_string(file, "layout"), "blocks");
  EXPECT_EQ(h5::read_attr_int(file, "nblocks"), mesh.nblocks_total());
  EXPECT_EQ(read_string_dataset(file, "deck"), "[mesh]\ncells = [1]\n");
  const Dataset loc = read_dataset(file, "blocks/logical_location");
  ASSERT_EQ(loc.dims, (std::vector<hsize_t>{static_cast<hsize_t>(mesh.nblocks_total()), 3}));
  for (std::int64_t g = 0; g < mesh.nblocks_total(); ++g) {
    for (int a = 0; a < 3; ++a) EXPECT_EQ(loc.data[3 * g + a], mesh.location(g)[a]);
  }
  for (int gc = 0; gc < 3; ++gc) {
    SCOPED_TRACE(kCompName[gc]);
    const Dataset d = read_dataset(file, std::string("fields/") + kCompName[gc]);
    ASSERT_EQ(d.dims, (std::vector<hsize_t>{static_cast<hsize_t>(mesh.nblocks_total()),
                                            static_cast<hsize_t>(p.block_cells[2]),
                                            static_cast<hsize_t>(p.block_cells[1]),
                                            static_cast<hsize_t>(p.block_cells[0])}));
    EXPECT_EQ(d.type_class, H5T_FLOAT);
    EXPECT_EQ(d.type_size, float32 ? 4u : 8u);
    long bad = 0;
    std::size_t n = 0;
    for (std::int64_t g = 0; g < mesh.nblocks_total(); ++g) {
      const auto& bl = mesh.location(g);
      for (std::int64_t k = 0; k < p.block_cells[2]; ++k)
        for (std::int64_t j = 0; j < p.block_cells[1]; ++j)
          for (std::int64_t i = 0; i < p.block_cells[0]; ++i, ++n) {
            const Loc gl{bl[0] * p.block_cells[0] + i, bl[1] * p.block_cells[1] + j,
                         bl[2] * p.block_cells[2] + k};
            const bool ok = float32 ? d.data_f[n] == static_cast<float>(value(gc, gl))
                                    : d.data[n] == value(gc, gl);
            if (!ok && ++bad <= 5) {
              ADD_FAILURE() << "gid " << g << " (i,j,k)=(" << i << "," << j << "," << k
                            << "): " << d.data[n] << " != " << value(gc, gl);
            }
          }
    }
    EXPECT_EQ(bad, 0);
  }
}

/// Rank 0 only: the uniform-layout float32 file holds float(value()) at [k, j, i] of the
/// global array.
void check_uniform_file_serially(const std::string& path, const Mesh& mesh) {
  h5::Handle file = h5::open_read(path);
  const auto& p = mesh.params();
  EXPECT_EQ(h5::read_attr_string(file, "layout"), "uniform");
  EXPECT_EQ(h5::read_attr_ints(file, "global_cells"),
            (std::vector<std::int64_t>{p.cells[0], p.cells[1], p.cells[2]}));
  const std::vector<hsize_t> shape{static_cast<hsize_t>(p.cells[2]),
                                   static_cast<hsize_t>(p.cells[1]),
                                   static_cast<hsize_t>(p.cells[0])};
  for (int gc = 0; gc < 3; ++gc) {
    SCOPED_TRACE(kCompName[gc]);
    const Dataset d = read_dataset(file, std::string("fields/") + kCompName[gc]);
    ASSERT_EQ(d.dims, shape);
    EXPECT_EQ(d.type_class, H5T_FLOAT);
    ASSERT_EQ(d.type_size, 4u);
    long bad = 0;
    for (std::int64_t k = 0; k < p.cells[2]; ++k)
      for (std::int64_t j = 0; j < p.cells[1]; ++j)
        for (std::int64_t i = 0; i < p.cells[0]; ++i) {
          const std::size_t n = static_cast<std::size_t>((k * p.cells[1] + j) * p.cells[0] + i);
          const float want = static_cast<float>(value(gc, {i, j, k}));
          if (d.data_f[n] != want && ++bad <= 5) {
            ADD_FAILURE() << "global (" << i << "," << j << "," << k << "): " << d.data_f[n]
                          << " != " << want;
          }
        }
    EXPECT_EQ(bad, 0);
    // One cell by hand: global (3, 2, 1) of mom_x (or its 1D/2D counterpart) sits at
    // flat index (1*Ny + 2)*Nx + 3 of the [Nz, Ny, Nx] array.
    const std::int64_t gi = 3, gj = mesh.ndim() > 1 ? 2 : 0, gk = mesh.ndim() > 2 ? 1 : 0;
    EXPECT_EQ(d.data_f[static_cast<std::size_t>((gk * p.cells[1] + gj) * p.cells[0] + gi)],
              static_cast<float>(1000.0 * gc + 3 + 37.0 * gj + 1369.0 * gk + 1.0 / 3.0));
  }
}

class SnapshotDims : public ::testing::TestWithParam<int> {};

TEST_P(SnapshotDims, BlocksFloat64RoundTripIsExact) {
  const int ndim = GetParam();
  SnapMesh a = make_mesh(params_for(ndim));
  fill(a);
  const std::string path = scratch_file("blocks64_" + std::to_string(ndim) + "d.h5");
  SnapshotHeader h;
  h.kind = "checkpoint";
  h.time = 1.25;
  h.step = 7;
  h.deck = "[mesh]\ncells = [1]\n";
  h.layout = Layout::kBlocks;
  h.float32 = false;
  bool extra_called = false;
  write_mesh_file(path, *a.mesh, h, {a.rho, a.mom}, [&](hid_t file) {
    extra_called = true;
    h5::Handle g = h5::create_group(file, "driver");
    h5::write_attr(g, "answer", std::int64_t{42});
  });
  EXPECT_TRUE(extra_called);

  SnapMesh b = make_mesh(params_for(ndim));  // fields freshly zeroed
  {
    h5::Handle file = h5::open_parallel_read(path, test_comm().get());
    EXPECT_EQ(h5::read_attr_string(file, "kind"), "checkpoint");
    EXPECT_EQ(h5::read_attr_string(file, "layout"), "blocks");
    EXPECT_EQ(h5::read_attr_double(file, "time"), 1.25);
    EXPECT_EQ(h5::read_attr_int(file, "step"), 7);
    EXPECT_EQ(h5::read_attr_int(file, "ndim"), ndim);
    EXPECT_EQ(h5::read_attr_int(file, "nranks"), test_comm().size());
    EXPECT_EQ(h5::read_attr_int(file, "nblocks"), b.mesh->nblocks_total());
    const auto& p = b.mesh->params();
    EXPECT_EQ(h5::read_attr_ints(file, "global_cells"),
              (std::vector<std::int64_t>{p.cells[0], p.cells[1], p.cells[2]}));
    EXPECT_EQ(h5::read_attr_ints(file, "block_cells"),
              (std::vector<std::int64_t>{p.block_cells[0], p.block_cells[1], p.block_cells[2]}));
    h5::Handle d = h5::open_group(file, "driver");
    EXPECT_EQ(h5::read_attr_int(d, "answer"), 42);
    h5::Handle fields = h5::open_group(file, "fields");
    h5::Handle rho(H5Dopen2(fields, "rho", H5P_DEFAULT), H5Dclose);
    EXPECT_EQ(h5::read_attr_string(rho, "units"), "kg/m^3");
    EXPECT_EQ(h5::read_attr_string(rho, "description"), "density");
    read_mesh_fields(file, path, *b.mesh, {b.rho, b.mom});
  }
  long bad = 0;
  for (const auto& bp : b.mesh->blocks()) {
    const Block& blk = *bp;
    for (int fid : {b.rho, b.mom}) {
      const Array4& arr = blk.field(fid);
      for (int c = 0; c < arr.ncomp(); ++c) {
        const int gc = fid == b.rho ? 0 : 1 + c;
        const IndexBox in = blk.interior();
        for_each_cell(blk.all(), [&](int k, int j, int i) {
          const bool inside = i >= in.lo[0] && i < in.hi[0] && j >= in.lo[1] && j < in.hi[1] &&
                              k >= in.lo[2] && k < in.hi[2];
          const double want = inside ? value(gc, global_index(*b.mesh, blk, k, j, i)) : 0.0;
          if (arr(c, k, j, i) != want && ++bad <= 5) {
            ADD_FAILURE() << kCompName[gc] << " gid " << blk.gid << " (i,j,k)=(" << i << "," << j
                          << "," << k << "): " << arr(c, k, j, i) << " != " << want;
          }
        });
      }
    }
  }
  EXPECT_EQ(bad, 0);

  test_comm().barrier();
  if (test_comm().root()) check_blocks_file_serially(path, *a.mesh, false);
  remove_on_root(path);
}

TEST_P(SnapshotDims, BlocksFloat32ReadsBackAsRoundedFloats) {
  const int ndim = GetParam();
  SnapMesh a = make_mesh(params_for(ndim));
  fill(a);
  const std::string path = scratch_file("blocks32_" + std::to_string(ndim) + "d.h5");
  SnapshotHeader h;
  h.deck = "[mesh]\ncells = [1]\n";
  h.layout = Layout::kBlocks;
  h.float32 = true;
  write_mesh_file(path, *a.mesh, h, {a.rho, a.mom}, nullptr);
  SnapMesh b = make_mesh(params_for(ndim));
  {
    h5::Handle file = h5::open_parallel_read(path, test_comm().get());
    read_mesh_fields(file, path, *b.mesh, {b.mom});  // only mom: rho stays zero
  }
  long bad = 0;
  for (const auto& bp : b.mesh->blocks()) {
    const Block& blk = *bp;
    for_each_cell(blk.interior(), [&](int k, int j, int i) {
      const Loc g = global_index(*b.mesh, blk, k, j, i);
      bad += blk.field(b.rho)(0, k, j, i) != 0.0;
      for (int c = 0; c < 2; ++c) {
        // float32 on disk: exactly the double rounded to float, widened back.
        bad += blk.field(b.mom)(c, k, j, i) !=
               static_cast<double>(static_cast<float>(value(1 + c, g)));
      }
    });
  }
  EXPECT_EQ(bad, 0);
  test_comm().barrier();
  if (test_comm().root()) check_blocks_file_serially(path, *a.mesh, true);
  remove_on_root(path);
}

TEST_P(SnapshotDims, UniformFloat32IsTheGlobalArray) {
  const int ndim = GetParam();
  SnapMesh a = make_mesh(params_for(ndim));
  fill(a);
  const std::string path = scratch_file("uniform32_" + std::to_string(ndim) + "d.h5");
  SnapshotHeader h;
  h.kind = "snapshot";
  h.layout = Layout::kUniform;
  h.float32 = true;
  write_mesh_file(path, *a.mesh, h, {a.rho, a.mom}, nullptr);
  test_comm().barrier();
  if (test_comm().root()) check_uniform_file_serially(path, *a.mesh);
  test_comm().barrier();
  // A uniform file cannot be read back as a restart (every rank raises the same IoError).
  {
    SnapMesh b = make_mesh(params_for(ndim));
    h5::Handle file = h5::open_parallel_read(path, test_comm().get());
    EXPECT_THROW(read_mesh_fields(file, path, *b.mesh, {b.rho}), IoError);
  }
  remove_on_root(path);
}

TEST_P(SnapshotDims, ReadBackOnAnotherRankCount) {
  // Written by all ranks, read back by two halves of the communicator at once (ranks of even
  // and of odd rank), each half with its own mesh: the result must not depend on the count.
  const int ndim = GetParam();
  SnapMesh a = make_mesh(params_for(ndim));
  fill(a);
  const std::string path = scratch_file("ranks_" + std::to_string(ndim) + "d.h5");
  SnapshotHeader h;
  h.kind = "checkpoint";
  write_mesh_file(path, *a.mesh, h, {a.rho, a.mom}, nullptr);
  MPI_Comm half_comm = MPI_COMM_NULL;
  ASSERT_EQ(
      MPI_Comm_split(test_comm().get(), test_comm().rank() % 2, test_comm().rank(), &half_comm),
      MPI_SUCCESS);
  long bad = 0;
  {
    const Comm half(half_comm);
    EXPECT_EQ(half.size(), (test_comm().size() + 1 - test_comm().rank() % 2) / 2);
    auto mesh = std::make_unique<Mesh>(params_for(ndim), half);
    FieldSpec rho;
    rho.name = "rho";
    const int rid = mesh->fields().add(rho);
    FieldSpec mom;
    mom.name = "mom";
    mom.components = {"mom_x", "mom_y"};
    const int mid = mesh->fields().add(mom);
    mesh->allocate_fields();
    {
      h5::Handle file = h5::open_parallel_read(path, half.get());
      read_mesh_fields(file, path, *mesh, {rid, mid});
    }
    for (const auto& bp : mesh->blocks()) {
      const Block& blk = *bp;
      for_each_cell(blk.interior(), [&](int k, int j, int i) {
        const Loc g = global_index(*mesh, blk, k, j, i);
        bad += blk.field(rid)(0, k, j, i) != value(0, g);
        bad += blk.field(mid)(0, k, j, i) != value(1, g);
        bad += blk.field(mid)(1, k, j, i) != value(2, g);
      });
    }
    bad = half.sum(bad);
  }
  MPI_Comm_free(&half_comm);
  EXPECT_EQ(bad, 0);
  remove_on_root(path);
}

INSTANTIATE_TEST_SUITE_P(Dims, SnapshotDims, ::testing::Values(1, 2, 3),
                         [](const auto& tp) { return std::to_string(tp.param) + "d"; });

TEST(Snapshot, ReadingIntoADifferentMeshIsAConfigError) {
  SnapMesh a = make_mesh(params_for(2));
  fill(a);
  const std::string path = scratch_file("mismatch.h5");
  SnapshotHeader h;
  write_mesh_file(path, *a.mesh, h, {a.rho}, nullptr);
  MeshParams p = params_for(2);
  p.cells = {12, 16, 1};  // 3 blocks more in y
  SnapMesh b = make_mesh(p);
  {
    h5::Handle file = h5::open_parallel_read(path, test_comm().get());
    try {
      read_mesh_fields(file, path, *b.mesh, {b.rho});
      ADD_FAILURE() << "no error reading a 12x12 file into a 12x16 mesh";
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    }
  }
  remove_on_root(path);
}

// Regression: gids depend on mesh.curve; read_mesh_fields() matches file rows to blocks by
// /blocks/logical_location, so a checkpoint written along the Hilbert curve restores into a
// mesh ordered along the Morton curve with every block in place.
TEST(Snapshot, RestartWithAnotherCurveKeepsDataInPlace) {
  SnapMesh a = make_mesh(params_for(2, CurveKind::kHilbert));
  fill(a);
  const std::string path = scratch_file("curve.h5");
  SnapshotHeader h;
  h.kind = "checkpoint";
  write_mesh_file(path, *a.mesh, h, {a.rho}, nullptr);
  SnapMesh b = make_mesh(params_for(2, CurveKind::kMorton));
  bool threw = false;
  {
    h5::Handle file = h5::open_parallel_read(path, test_comm().get());
    try {
      read_mesh_fields(file, path, *b.mesh, {b.rho});
    } catch (const ConfigError&) {
      threw = true;
    }
  }
  if (!threw) {
    long bad = 0;
    for (const auto& bp : b.mesh->blocks()) {
      const Block& blk = *bp;
      for_each_cell(blk.interior(), [&](int k, int j, int i) {
        bad += blk.field(b.rho)(0, k, j, i) != value(0, global_index(*b.mesh, blk, k, j, i));
      });
    }
    EXPECT_EQ(test_comm().sum(bad), 0) << "cells holding another block's data";
  }
  remove_on_root(path);
}

}  // namespace
}  // namespace tessera
