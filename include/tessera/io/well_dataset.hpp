#pragma once
/// \file well_dataset.hpp
/// The [dataset] output sink: surrogate-training data written during the run, one HDF5 file
/// per trajectory in the schema of The Well (PolymathicAI, docs/data_format.md), with
/// collective parallel writes (every rank writes the hyperslabs of its own blocks; nothing is
/// gathered onto one rank). Layout, keys and HDF5 types: tools/FORMATS.md ("Training
/// datasets").
#include <memory>
#include <string>
#include <vector>

#include "tessera/io/output_sink.hpp"
#include "tessera/mesh/array.hpp"

namespace tessera {

/// Where a field's values live in a cell, and so how they are brought to the cell centre
/// before they are written. Every field on main is cell-centred today; face-centred storage
/// (e.g. a constrained-transport magnetic field) maps to kFace* in centring_of().
enum class Centring { kCell, kFaceX, kFaceY, kFaceZ };

/// Centring of a registered field (the hook for staggered storage: kCell for all fields now).
Centring centring_of(const FieldSpec& spec);

/// Value at the centre of cell (k, j, i) of component c: the stored value for kCell; for
/// face storage along axis a (index i = the cell's lower face, i + 1 its upper face) the
/// average of the two faces, (f_{i-1/2} + f_{i+1/2}) / 2, exact for linear profiles (second
/// order). The upper face of the last interior cell is the first ghost face.
double centred_value(const Array4& a, int c, int k, int j, int i, Centring centring);

/// How centred_value() interpolates, as written to the files' `interpolation` attribute.
std::string centring_method(Centring centring);

/// A list of strings from the deck (["a", "b"], or a single "a"); `def` when absent.
std::vector<std::string> deck_strings(const Config& cfg, const std::string& key,
                                      const std::vector<std::string>& def);

/// Creates the sink from the deck's [dataset] section.
std::unique_ptr<OutputSink> make_dataset_sink(const SinkContext& ctx);

}  // namespace tessera
