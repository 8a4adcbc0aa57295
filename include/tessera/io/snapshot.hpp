#pragma once
/// \file snapshot.hpp
/// Parallel HDF5 snapshots, checkpoints and their XDMF sidecars (layout in tools/FORMATS.md).
/// Every rank writes its own blocks collectively; nothing is gathered to one rank.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "tessera/io/h5.hpp"
#include "tessera/mesh/mesh.hpp"

namespace tessera {

enum class Layout { kBlocks, kUniform };

/// What goes into one file besides the fields.
struct SnapshotHeader {
  std::string kind = "snapshot";  ///< "snapshot", "checkpoint" or "emergency"
  double time = 0.0;
  std::int64_t step = 0;
  std::string deck;  ///< effective deck text
  Layout layout = Layout::kBlocks;
  bool float32 = false;
};

/// Writes `fields` (ids) of the mesh to `path` collectively. `extra` (may be empty) is called
/// on every rank with the open file to add groups/attributes (e.g. driver state).
void write_mesh_file(const std::string& path, const Mesh& mesh, const SnapshotHeader& header,
                     const std::vector<int>& fields, const std::function<void(hid_t)>& extra);

/// Reads the interior of `fields` (ids) of every local block from a blocks-layout file written
/// for the same mesh geometry (any rank count). Throws IoError/ConfigError on a mismatch.
void read_mesh_fields(hid_t file, const std::string& path, Mesh& mesh,
                      const std::vector<int>& fields);

/// The XDMF <Grid> element describing one snapshot file (`h5_name` relative to the .xdmf).
std::string xdmf_grid(const Mesh& mesh, const std::vector<int>& fields, Layout layout, bool float32,
                      const std::string& h5_name, double time);
/// Writes a complete XDMF (version 2) document holding `grids` (a temporal collection when
/// several).
void write_xdmf(const std::string& path, const std::vector<std::string>& grids, bool temporal);

}  // namespace tessera
