#include "tessera/io/h5.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "tessera/core/errors.hpp"

namespace tessera::h5 {

hid_t check(hid_t id, const char* what, const std::string& context) {
  if (id < 0) throw IoError(fmt::format("HDF5 call {} failed ({})", what, context));
  return id;
}

namespace {
void check_err(herr_t rc, const char* what, const std::string& context) {
  if (rc < 0) throw IoError(fmt::format("HDF5 call {} failed ({})", what, context));
}
}  // namespace

Handle create_parallel(const std::string& path, MPI_Comm comm) {
  Handle fapl(check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate", path), H5Pclose);
  check_err(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL), "H5Pset_fapl_mpio", path);
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl);
  if (f < 0) {
    throw IoError(
        fmt::format("cannot create '{}': check that output.dir exists and is writable", path));
  }
  return Handle(f, H5Fclose);
}

Handle open_parallel_read(const std::string& path, MPI_Comm comm) {
  Handle fapl(check(H5Pcreate(H5P_FILE_ACCESS), "H5Pcreate", path), H5Pclose);
  check_err(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL), "H5Pset_fapl_mpio", path);
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl);
  if (f < 0) throw IoError(fmt::format("cannot open '{}' as an HDF5 file", path), true);
  return Handle(f, H5Fclose);
}

Handle open_read(const std::string& path) {
  hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) throw IoError(fmt::format("cannot open '{}' as an HDF5 file", path));
  return Handle(f, H5Fclose);
}

Handle create_group(hid_t loc, const std::string& name) {
  return Handle(check(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                      "H5Gcreate2", name),
                H5Gclose);
}

Handle open_group(hid_t loc, const std::string& name) {
  return Handle(check(H5Gopen2(loc, name.c_str(), H5P_DEFAULT), "H5Gopen2", name), H5Gclose);
}

bool exists(hid_t loc, const std::string& name) {
  return H5Lexists(loc, name.c_str(), H5P_DEFAULT) > 0;
}

namespace {

void write_attr_raw(hid_t obj, const std::string& name, hid_t type, hsize_t n, const void* data) {
  Handle space(n == 0 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr), H5Sclose);
  check(space, "H5Screate", name);
  Handle attr(check(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT),
                    "H5Acreate2", name),
              H5Aclose);
  check_err(H5Awrite(attr, type, data), "H5Awrite", name);
}

Handle open_attr(hid_t obj, const std::string& name) {
  hid_t a = H5Aopen(obj, name.c_str(), H5P_DEFAULT);
  if (a < 0) throw IoError(fmt::format("attribute '{}' is missing", name), true);
  return Handle(a, H5Aclose);
}

}  // namespace

void write_attr(hid_t obj, const std::string& name, double v) {
  write_attr_raw(obj, name, H5T_NATIVE_DOUBLE, 0, &v);
}
void write_attr(hid_t obj, const std::string& name, std::int64_t v) {
  write_attr_raw(obj, name, H5T_NATIVE_INT64, 0, &v);
}
void write_attr(hid_t obj, const std::string& name, int v) {
  write_attr_raw(obj, name, H5T_NATIVE_INT, 0, &v);
}
void write_attr(hid_t obj, const std::string& name, const std::vector<double>& v) {
  write_attr_raw(obj, name, H5T_NATIVE_DOUBLE, v.size(), v.data());
}
void write_attr(hid_t obj, const std::string& name, const std::vector<std::int64_t>& v) {
  write_attr_raw(obj, name, H5T_NATIVE_INT64, v.size(), v.data());
}
void write_attr(hid_t obj, const std::string& name, const std::string& v) {
  Handle type(check(H5Tcopy(H5T_C_S1), "H5Tcopy", name), H5Tclose);
  check_err(H5Tset_size(type, std::max<std::size_t>(1, v.size())), "H5Tset_size", name);
  check_err(H5Tset_strpad(type, H5T_STR_NULLPAD), "H5Tset_strpad", name);
  check_err(H5Tset_cset(type, H5T_CSET_UTF8), "H5Tset_cset", name);
  std::string buf = v.empty() ? std::string(1, '\0') : v;
  write_attr_raw(obj, name, type, 0, buf.data());
}

double read_attr_double(hid_t obj, const std::string& name) {
  Handle a = open_attr(obj, name);
  double v = 0;
  check_err(H5Aread(a, H5T_NATIVE_DOUBLE, &v), "H5Aread", name);
  return v;
}

std::int64_t read_attr_int(hid_t obj, const std::string& name) {
  Handle a = open_attr(obj, name);
  std::int64_t v = 0;
  check_err(H5Aread(a, H5T_NATIVE_INT64, &v), "H5Aread", name);
  return v;
}

std::vector<std::int64_t> read_attr_ints(hid_t obj, const std::string& name) {
  Handle a = open_attr(obj, name);
  Handle space(check(H5Aget_space(a), "H5Aget_space", name), H5Sclose);
  const auto n = H5Sget_simple_extent_npoints(space);
  std::vector<std::int64_t> v(static_cast<std::size_t>(std::max<hssize_t>(n, 1)));
  check_err(H5Aread(a, H5T_NATIVE_INT64, v.data()), "H5Aread", name);
  return v;
}

std::string read_attr_string(hid_t obj, const std::string& name) {
  Handle a = open_attr(obj, name);
  Handle type(check(H5Aget_type(a), "H5Aget_type", name), H5Tclose);
  const std::size_t n = H5Tget_size(type);
  std::string s(n, '\0');
  check_err(H5Aread(a, type, s.data()), "H5Aread", name);
  s.resize(std::strlen(s.c_str()));
  return s;
}

void write_string_dataset(hid_t loc, const std::string& name, const std::string& text,
                          bool writer) {
  Handle type(check(H5Tcopy(H5T_C_S1), "H5Tcopy", name), H5Tclose);
  check_err(H5Tset_size(type, std::max<std::size_t>(1, text.size())), "H5Tset_size", name);
  check_err(H5Tset_cset(type, H5T_CSET_UTF8), "H5Tset_cset", name);
  Handle space(check(H5Screate(H5S_SCALAR), "H5Screate", name), H5Sclose);
  Handle ds(check(H5Dcreate2(loc, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                  "H5Dcreate2", name),
            H5Dclose);
  if (writer) {
    std::string buf = text.empty() ? std::string(1, '\0') : text;
    check_err(H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()), "H5Dwrite", name);
  }
}

void write_rows(hid_t loc, const std::string& name, hid_t file_type, hid_t mem_type,
                const std::vector<hsize_t>& dims, hsize_t first, hsize_t local_rows,
                const void* data) {
  const int rank = static_cast<int>(dims.size());
  Handle fspace(check(H5Screate_simple(rank, dims.data(), nullptr), "H5Screate_simple", name),
                H5Sclose);
  Handle ds(
      check(H5Dcreate2(loc, name.c_str(), file_type, fspace, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
            "H5Dcreate2", name),
      H5Dclose);
  std::vector<hsize_t> start(rank, 0), count(dims);
  start[0] = first;
  count[0] = local_rows;
  Handle mspace(check(H5Screate_simple(rank, count.data(), nullptr), "H5Screate_simple", name),
                H5Sclose);
  if (local_rows > 0) {
    check_err(
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
        "H5Sselect_hyperslab", name);
  } else {
    check_err(H5Sselect_none(fspace), "H5Sselect_none", name);
    check_err(H5Sselect_none(mspace), "H5Sselect_none", name);
  }
  Handle dxpl(check(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate", name), H5Pclose);
  check_err(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio", name);
  check_err(H5Dwrite(ds, mem_type, mspace, fspace, dxpl, data), "H5Dwrite", name);
}

std::vector<hsize_t> shape(hid_t loc, const std::string& name) {
  Handle ds(check(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), "H5Dopen2", name), H5Dclose);
  Handle space(check(H5Dget_space(ds), "H5Dget_space", name), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(space);
  std::vector<hsize_t> dims(std::max(rank, 0));
  H5Sget_simple_extent_dims(space, dims.data(), nullptr);
  return dims;
}

namespace {

/// Collective read of whole rows of a dataset into `data`: `select` chooses the rows in the
/// file space, `nrows` is how many it selected (the memory buffer holds them in file order).
template <typename Select>
void read_selected_rows(hid_t loc, const std::string& name, hsize_t nrows, double* data,
                        Select&& select) {
  if (!exists(loc, name)) throw IoError(fmt::format("dataset '{}' is missing", name), true);
  Handle ds(check(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), "H5Dopen2", name), H5Dclose);
  Handle fspace(check(H5Dget_space(ds), "H5Dget_space", name), H5Sclose);
  const int rank = H5Sget_simple_extent_ndims(fspace);
  std::vector<hsize_t> dims(rank);
  H5Sget_simple_extent_dims(fspace, dims.data(), nullptr);
  std::vector<hsize_t> mcount(dims);
  mcount[0] = std::max<hsize_t>(nrows, 1);
  Handle mspace(check(H5Screate_simple(rank, mcount.data(), nullptr), "H5Screate_simple", name),
                H5Sclose);
  if (nrows == 0) {
    check_err(H5Sselect_none(fspace), "H5Sselect_none", name);
    check_err(H5Sselect_none(mspace), "H5Sselect_none", name);
  } else {
    select(fspace.get(), dims);
  }
  Handle dxpl(check(H5Pcreate(H5P_DATASET_XFER), "H5Pcreate", name), H5Pclose);
  check_err(H5Pset_dxpl_mpio(dxpl, H5FD_MPIO_COLLECTIVE), "H5Pset_dxpl_mpio", name);
  check_err(H5Dread(ds, H5T_NATIVE_DOUBLE, mspace, fspace, dxpl, data), "H5Dread", name);
}

}  // namespace

void read_rows(hid_t loc, const std::string& name, hsize_t first, hsize_t rows, double* data) {
  read_selected_rows(loc, name, rows, data, [&](hid_t fspace, const std::vector<hsize_t>& dims) {
    std::vector<hsize_t> start(dims.size(), 0), count(dims);
    start[0] = first;
    count[0] = rows;
    check_err(
        H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
        "H5Sselect_hyperslab", name);
  });
}

void read_row_list(hid_t loc, const std::string& name, const std::vector<hsize_t>& rows,
                   double* data) {
  read_selected_rows(loc, name, rows.size(), data,
                     [&](hid_t fspace, const std::vector<hsize_t>& dims) {
                       std::vector<hsize_t> start(dims.size(), 0), count(dims);
                       count[0] = 1;
                       check_err(H5Sselect_none(fspace), "H5Sselect_none", name);
                       for (hsize_t r : rows) {
                         start[0] = r;
                         check_err(H5Sselect_hyperslab(fspace, H5S_SELECT_OR, start.data(), nullptr,
                                                       count.data(), nullptr),
                                   "H5Sselect_hyperslab", name);
                       }
                     });
}

}  // namespace tessera::h5
