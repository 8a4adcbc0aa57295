#pragma once
/// \file h5.hpp
/// RAII handles and checked helpers over the HDF5 C API (parallel build, MPI-IO driver).
#include <hdf5.h>
#include <mpi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tessera::h5 {

/// Owns one hid_t and closes it with the matching H5?close.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);
  Handle() = default;
  Handle(hid_t id, Closer c) : id_(id), close_(c) {}
  ~Handle() { reset(); }
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_;
      close_ = o.close_;
      o.id_ = -1;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  hid_t get() const noexcept { return id_; }
  operator hid_t() const noexcept { return id_; }
  void reset() {
    if (id_ >= 0 && close_) close_(id_);
    id_ = -1;
  }

 private:
  hid_t id_ = -1;
  Closer close_ = nullptr;
};

/// Throws IoError("what: context") when an HDF5 call returned a negative value.
hid_t check(hid_t id, const char* what, const std::string& context);

/// Creates (truncating) a file for collective parallel access on `comm`.
Handle create_parallel(const std::string& path, MPI_Comm comm);
/// Opens an existing file for parallel read on `comm`.
Handle open_parallel_read(const std::string& path, MPI_Comm comm);
/// Opens a file read-only with the default (serial) driver.
Handle open_read(const std::string& path);
Handle create_group(hid_t loc, const std::string& name);
Handle open_group(hid_t loc, const std::string& name);
bool exists(hid_t loc, const std::string& name);

/// Attributes (all ranks must call with identical values when the file is parallel).
void write_attr(hid_t obj, const std::string& name, double v);
void write_attr(hid_t obj, const std::string& name, std::int64_t v);
void write_attr(hid_t obj, const std::string& name, int v);
void write_attr(hid_t obj, const std::string& name, const std::string& v);
void write_attr(hid_t obj, const std::string& name, const std::vector<double>& v);
void write_attr(hid_t obj, const std::string& name, const std::vector<std::int64_t>& v);
double read_attr_double(hid_t obj, const std::string& name);
std::int64_t read_attr_int(hid_t obj, const std::string& name);
std::string read_attr_string(hid_t obj, const std::string& name);
std::vector<std::int64_t> read_attr_ints(hid_t obj, const std::string& name);

/// A fixed-length string dataset written by rank `writer` alone (collective create).
void write_string_dataset(hid_t loc, const std::string& name, const std::string& text, bool writer);

/// Collective write of rows [first, first + local_rows) of a 2D or higher dataset whose
/// shape is `dims` (row = first axis); `mem_type` describes `data`.
void write_rows(hid_t loc, const std::string& name, hid_t file_type, hid_t mem_type,
                const std::vector<hsize_t>& dims, hsize_t first, hsize_t local_rows,
                const void* data);
/// Collective read of rows [first, first + rows) into `data` (as double).
void read_rows(hid_t loc, const std::string& name, hsize_t first, hsize_t rows, double* data);
/// Collective read of the listed rows (ascending) into `data` (as double), in that order.
void read_row_list(hid_t loc, const std::string& name, const std::vector<hsize_t>& rows,
                   double* data);
/// Shape of a dataset.
std::vector<hsize_t> shape(hid_t loc, const std::string& name);

}  // namespace tessera::h5
