// tessera-compare: compares the /fields datasets and the time of two Tessera HDF5 snapshots.
//
//   tessera-compare A.h5 B.h5 [--rtol R] [--atol A] [--fields f1,f2,...]
//
// A value a passes against b when |a-b| <= atol + rtol*|b| (numpy.isclose semantics, B is the
// reference). The defaults rtol = atol = 0 make this an exact check; NaN matches only NaN at the
// same place. Exit status: 0 all passed, 1 a comparison failed, 2 usage or I/O error.
//
// The file layout is the contract in tools/FORMATS.md. Only the serial HDF5 C API is used on
// the default file access property list, so no MPI_Init is needed even though the library is
// the parallel build.

#include <hdf5.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

/// Error that ends the program with exit status 2 (bad usage or unreadable input).
class FatalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Owns one HDF5 identifier and closes it with the matching H5?close function.
/// HDF5 leaks handles silently and keeps the file open until every object in it is closed,
/// so every hid_t we obtain goes straight into one of these.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  Handle() = default;
  Handle(hid_t id, Closer closer) : id_(id), closer_(closer) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }
  ~Handle() { reset(); }

  /// The raw identifier, for passing to HDF5 calls.
  [[nodiscard]] hid_t get() const { return id_; }

 private:
  /// Closes the identifier if we hold one. A failing close in a destructor can only be ignored.
  void reset() {
    if (id_ >= 0 && closer_ != nullptr) {
      closer_(id_);
    }
    id_ = H5I_INVALID_HID;
  }

  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

/// Wraps a freshly returned identifier, throwing FatalError with `what` when HDF5 failed.
Handle checked(hid_t id, Handle::Closer closer, const std::string& what) {
  if (id < 0) {
    throw FatalError(what);
  }
  return Handle(id, closer);
}

/// Throws FatalError with `what` when an herr_t/htri_t-style status is negative.
void check(herr_t status, const std::string& what) {
  if (status < 0) {
    throw FatalError(what);
  }
}

/// A dataset read fully into memory, converted to double by HDF5.
struct Array {
  std::vector<hsize_t> shape;
  std::vector<double> values;
};

/// Formats a shape as [d0,d1,...] for messages.
std::string shape_string(const std::vector<hsize_t>& shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i != 0) {
      s += ',';
    }
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

/// One opened snapshot file and the few reads the comparison needs.
class Snapshot {
 public:
  /// Opens `path` read-only; fails with a message naming the file if it is missing or not HDF5.
  explicit Snapshot(std::string path) : path_(std::move(path)) {
    // H5Fis_hdf5 distinguishes "not there / unreadable" (< 0) from "not an HDF5 file" (0),
    // which H5Fopen alone reports only through the (silenced) error stack.
    std::FILE* probe = std::fopen(path_.c_str(), "rb");
    if (probe == nullptr) {
      throw FatalError(path_ + ": cannot open file (" + std::string(std::strerror(errno)) + ")");
    }
    std::fclose(probe);
    const htri_t is_hdf5 = H5Fis_hdf5(path_.c_str());
    if (is_hdf5 <= 0) {
      throw FatalError(path_ + ": not an HDF5 file");
    }
    file_ = checked(H5Fopen(path_.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose,
                    path_ + ": H5Fopen failed");
  }

  [[nodiscard]] const std::string& path() const { return path_; }

  /// Names of the datasets directly under /fields, sorted (name order is what HDF5 indexes).
  [[nodiscard]] std::vector<std::string> field_names() const {
    const htri_t has = H5Lexists(file_.get(), "/fields", H5P_DEFAULT);
    check(has, path_ + ": cannot query group /fields");
    if (has == 0) {
      throw FatalError(path_ + ": no /fields group (not a Tessera snapshot?)");
    }
    Handle group = checked(H5Gopen2(file_.get(), "/fields", H5P_DEFAULT), H5Gclose,
                           path_ + ": cannot open group /fields");
    H5G_info_t info{};
    check(H5Gget_info(group.get(), &info), path_ + ": cannot read /fields group info");

    std::vector<std::string> names;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
      // First call with a null buffer returns the length, second fills the name.
      const ssize_t len = H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i,
                                             nullptr, 0, H5P_DEFAULT);
      check(len < 0 ? -1 : 0, path_ + ": cannot read link name in /fields");
      std::string name(static_cast<std::size_t>(len) + 1, '\0');
      const ssize_t got = H5Lget_name_by_idx(group.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i,
                                             name.data(), name.size(), H5P_DEFAULT);
      check(got < 0 ? -1 : 0, path_ + ": cannot read link name in /fields");
      name.resize(static_cast<std::size_t>(len));
      // Only datasets are fields; a subgroup (should one ever appear) is not compared.
      Handle obj = checked(H5Oopen(group.get(), name.c_str(), H5P_DEFAULT), H5Oclose,
                           path_ + ": cannot open /fields/" + name);
      const H5I_type_t type = H5Iget_type(obj.get());
      check(type == H5I_BADID ? -1 : 0, path_ + ": cannot get the type of /fields/" + name);
      if (type == H5I_DATASET) {
        names.push_back(std::move(name));
      }
    }
    std::sort(names.begin(), names.end());
    return names;
  }

  /// True when /fields/<name> exists as a link (it may still not be a dataset).
  [[nodiscard]] bool has_field(const std::string& name) const {
    const htri_t has_group = H5Lexists(file_.get(), "/fields", H5P_DEFAULT);
    check(has_group, path_ + ": cannot query group /fields");
    if (has_group == 0) {
      return false;
    }
    const std::string full = "/fields/" + name;
    const htri_t has = H5Lexists(file_.get(), full.c_str(), H5P_DEFAULT);
    check(has, path_ + ": cannot query " + full);
    return has > 0;
  }

  /// Reads /fields/<name> whole, converted to double (float32 and integer data included).
  [[nodiscard]] Array read_field(const std::string& name) const {
    const std::string full = "/fields/" + name;
    Handle dset = checked(H5Dopen2(file_.get(), full.c_str(), H5P_DEFAULT), H5Dclose,
                          path_ + ": cannot open dataset " + full);
    Handle type =
        checked(H5Dget_type(dset.get()), H5Tclose, path_ + ": cannot get the datatype of " + full);
    const H5T_class_t cls = H5Tget_class(type.get());
    if (cls != H5T_FLOAT && cls != H5T_INTEGER) {
      throw FatalError(path_ + ": dataset " + full + " is not numeric");
    }
    Handle space = checked(H5Dget_space(dset.get()), H5Sclose,
                           path_ + ": cannot get the dataspace of " + full);
    const int rank = H5Sget_simple_extent_ndims(space.get());
    check(rank < 0 ? -1 : 0, path_ + ": cannot get the rank of " + full);

    Array out;
    out.shape.resize(static_cast<std::size_t>(rank));
    check(H5Sget_simple_extent_dims(space.get(), out.shape.data(), nullptr) < 0 ? -1 : 0,
          path_ + ": cannot get the dimensions of " + full);
    hsize_t count = 1;
    for (const hsize_t d : out.shape) {
      count *= d;
    }
    out.values.resize(static_cast<std::size_t>(count));
    // HDF5 rejects a read into a null buffer, and an empty dataset has nothing to read.
    if (count > 0) {
      check(
          H5Dread(dset.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.values.data()),
          path_ + ": cannot read dataset " + full);
    }
    return out;
  }

  /// Reads a scalar root attribute converted to the memory type `mem_type`.
  template <typename T>
  [[nodiscard]] T root_attribute(const char* name, hid_t mem_type) const {
    const htri_t exists = H5Aexists(file_.get(), name);
    check(exists, path_ + ": cannot query root attribute '" + name + "'");
    if (exists == 0) {
      throw FatalError(path_ + ": root attribute '" + name + "' is missing");
    }
    Handle attr = checked(H5Aopen(file_.get(), name, H5P_DEFAULT), H5Aclose,
                          path_ + ": cannot open root attribute '" + name + "'");
    Handle space = checked(H5Aget_space(attr.get()), H5Sclose,
                           path_ + ": cannot get the dataspace of attribute '" + name + "'");
    const hssize_t n = H5Sget_simple_extent_npoints(space.get());
    if (n != 1) {
      throw FatalError(path_ + ": root attribute '" + name + "' is not a scalar");
    }
    T value{};
    check(H5Aread(attr.get(), mem_type, &value),
          path_ + ": cannot read root attribute '" + name + "'");
    return value;
  }

 private:
  std::string path_;
  Handle file_;
};

/// Command-line options after parsing.
struct Options {
  std::string file_a;
  std::string file_b;
  double rtol = 0.0;
  double atol = 0.0;
  std::vector<std::string> fields;  // empty: every field present in either file
  bool fields_given = false;
};

/// The usage text, printed by --help and after a usage error.
const char* usage() {
  return "usage: tessera-compare A.h5 B.h5 [--rtol R] [--atol A] [--fields f1,f2,...]\n"
         "  Compares every dataset under /fields (or the named ones) and the 'time' attribute.\n"
         "  A value a passes against b when |a-b| <= atol + rtol*|b| (B is the reference).\n"
         "  Defaults rtol = atol = 0: exact equality, NaN matches only NaN.\n"
         "  Exit status: 0 all pass, 1 a comparison failed, 2 usage or I/O error.\n";
}

/// Parses a finite non-negative tolerance; strtod alone would accept "1e-3abc" or "nan".
double parse_tolerance(const std::string& opt, const std::string& text) {
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(v) ||
      v < 0.0) {
    throw FatalError(opt + ": expected a finite non-negative number, got '" + text + "'");
  }
  return v;
}

/// Splits "a,b,c" into names, rejecting empty entries such as in "a,,b".
std::vector<std::string> split_fields(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.empty()) {
      throw FatalError("--fields: empty field name in '" + text + "'");
    }
    out.push_back(item);
  }
  if (out.empty()) {
    throw FatalError("--fields: no field names given");
  }
  return out;
}

/// Parses argv by hand (both "--opt value" and "--opt=value"); returns false for --help.
bool parse_args(int argc, char** argv, Options& opt) {
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      return false;
    }
    if (arg.rfind("--", 0) == 0 && arg.size() > 2) {
      std::string key = arg;
      std::string value;
      const auto eq = arg.find('=');
      if (eq != std::string::npos) {
        key = arg.substr(0, eq);
        value = arg.substr(eq + 1);
      } else {
        if (key != "--rtol" && key != "--atol" && key != "--fields") {
          throw FatalError("unknown option '" + arg + "'");
        }
        if (i + 1 >= argc) {
          throw FatalError(key + ": missing value");
        }
        value = argv[++i];
      }
      if (key == "--rtol") {
        opt.rtol = parse_tolerance(key, value);
      } else if (key == "--atol") {
        opt.atol = parse_tolerance(key, value);
      } else if (key == "--fields") {
        opt.fields = split_fields(value);
        opt.fields_given = true;
      } else {
        throw FatalError("unknown option '" + key + "'");
      }
    } else {
      positional.push_back(std::move(arg));
    }
  }
  if (positional.size() != 2) {
    throw FatalError("expected exactly two files, got " + std::to_string(positional.size()));
  }
  opt.file_a = positional[0];
  opt.file_b = positional[1];
  return true;
}

/// Outcome of comparing one field element by element.
struct FieldResult {
  double max_abs = 0.0;          // max |a-b|; NaN/inf when a NaN/inf mismatch occurred
  double max_rel = 0.0;          // max over elements of |a-b| / max(|b|, tiny)
  std::size_t failed = 0;        // elements outside the tolerance
  std::size_t nan_mismatch = 0;  // NaN on one side only, or inf against a different value
  std::size_t worst = 0;         // flat index to point at: first NaN/inf mismatch, else max|a-b|
};

/// Compares two equally sized arrays with numpy.isclose semantics (b is the reference).
FieldResult compare_values(const std::vector<double>& a, const std::vector<double>& b, double rtol,
                           double atol) {
  constexpr double tiny = std::numeric_limits<double>::min();
  FieldResult r;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double x = a[i];
    const double y = b[i];
    // Equal values (including equal infinities, where x-y would be NaN) always pass;
    // NaN passes only against NaN, as numpy.isclose(equal_nan=True) does.
    if (x == y || (std::isnan(x) && std::isnan(y))) {
      continue;
    }
    const double diff = std::fabs(x - y);
    if (!std::isfinite(diff)) {
      // NaN against a number, or an infinity against anything else: no tolerance covers it.
      // Report it as the largest difference (NaN wins over inf) so that a summary of max|a-b|
      // cannot read as "identical" while the field fails; point at the first such place.
      if (r.nan_mismatch == 0) {
        r.worst = i;
      }
      ++r.nan_mismatch;
      ++r.failed;
      r.max_abs = (std::isnan(diff) || std::isnan(r.max_abs))
                      ? std::numeric_limits<double>::quiet_NaN()
                      : std::numeric_limits<double>::infinity();
      r.max_rel = r.max_abs;
      continue;
    }
    const double rel = diff / std::max(std::fabs(y), tiny);
    // Once a non-finite mismatch is recorded it stays the headline (comparisons with NaN are
    // false, so the NaN is kept automatically; an inf is never exceeded).
    if (r.nan_mismatch == 0 && diff > r.max_abs) {
      r.max_abs = diff;
      r.worst = i;
    }
    if (r.nan_mismatch == 0) {
      r.max_rel = std::max(r.max_rel, rel);
    }
    if (!(diff <= atol + rtol * std::fabs(y))) {
      ++r.failed;
    }
  }
  return r;
}

/// Converts a flat row-major index into "[i,j,k,...]" for the report.
std::string index_string(std::size_t flat, const std::vector<hsize_t>& shape) {
  std::vector<hsize_t> idx(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    idx[d] = shape[d] ? flat % shape[d] : 0;
    flat = shape[d] ? flat / shape[d] : 0;
  }
  return shape_string(idx);
}

/// Compares time and fields, prints the report, returns the exit status (0 or 1).
int run(const Options& opt) {
  const Snapshot a(opt.file_a);
  const Snapshot b(opt.file_b);

  std::printf("tessera-compare\n  A: %s\n  B: %s\n  rtol = %.3g, atol = %.3g\n", a.path().c_str(),
              b.path().c_str(), opt.rtol, opt.atol);

  bool ok = true;

  const auto time_a = a.root_attribute<double>("time", H5T_NATIVE_DOUBLE);
  const auto time_b = b.root_attribute<double>("time", H5T_NATIVE_DOUBLE);
  const auto step_a = a.root_attribute<std::int64_t>("step", H5T_NATIVE_INT64);
  const auto step_b = b.root_attribute<std::int64_t>("step", H5T_NATIVE_INT64);
  const double dt = std::fabs(time_a - time_b);
  const bool time_ok = time_a == time_b || dt <= opt.atol + opt.rtol * std::fabs(time_b);
  ok = ok && time_ok;
  std::printf("time   A = %.17g  B = %.17g  |diff| = %.3e  %s\n", time_a, time_b, dt,
              time_ok ? "PASS" : "FAIL");
  // A step mismatch with equal times is legitimate (e.g. different dt history); only report it.
  std::printf("step   A = %lld  B = %lld%s\n", static_cast<long long>(step_a),
              static_cast<long long>(step_b), step_a == step_b ? "" : "  (differ)");

  std::vector<std::string> names;
  if (opt.fields_given) {
    names = opt.fields;
  } else {
    std::set<std::string> all;
    for (const auto& n : a.field_names()) all.insert(n);
    for (const auto& n : b.field_names()) all.insert(n);
    names.assign(all.begin(), all.end());
    if (names.empty()) {
      // Comparing nothing must not read as "identical".
      std::printf("no datasets under /fields in either file  FAIL\n");
      ok = false;
    }
  }

  std::size_t width = 5;
  for (const auto& n : names) width = std::max(width, n.size());
  int nfail = 0;
  for (const auto& name : names) {
    const bool in_a = a.has_field(name);
    const bool in_b = b.has_field(name);
    if (!in_a || !in_b) {
      std::printf("%-*s  missing in %s  FAIL\n", static_cast<int>(width), name.c_str(),
                  !in_a && !in_b ? "both files" : (!in_a ? "A" : "B"));
      ++nfail;
      continue;
    }
    const Array va = a.read_field(name);
    const Array vb = b.read_field(name);
    if (va.shape != vb.shape) {
      std::printf("%-*s  shape A %s != B %s  FAIL\n", static_cast<int>(width), name.c_str(),
                  shape_string(va.shape).c_str(), shape_string(vb.shape).c_str());
      ++nfail;
      continue;
    }
    const FieldResult r = compare_values(va.values, vb.values, opt.rtol, opt.atol);
    std::printf("%-*s  max|a-b| = %.3e  max|a-b|/max(|b|,tiny) = %.3e  %s", static_cast<int>(width),
                name.c_str(), r.max_abs, r.max_rel, r.failed == 0 ? "PASS" : "FAIL");
    if (r.failed != 0) {
      std::printf("  (%zu of %zu values outside tolerance", r.failed, va.values.size());
      if (r.nan_mismatch != 0) {
        std::printf(", %zu NaN/inf mismatches", r.nan_mismatch);
      }
      std::printf("; %s at %s: %.17g vs %.17g",
                  r.nan_mismatch != 0 ? "first NaN/inf mismatch" : "largest |a-b|",
                  index_string(r.worst, va.shape).c_str(), va.values[r.worst], vb.values[r.worst]);
      std::printf(")");
      ++nfail;
    }
    std::printf("\n");
  }

  ok = ok && nfail == 0;
  std::printf("%s: %zu field(s) compared, %d failed%s\n", ok ? "PASS" : "FAIL", names.size(), nfail,
              time_ok ? "" : ", time differs");
  return ok ? 0 : 1;
}

}  // namespace

/// Entry point: maps FatalError to exit status 2 so scripts can tell "differs" from "broken".
int main(int argc, char** argv) {
  // HDF5 would otherwise dump its whole error stack to stderr on every failed call, drowning
  // the one-line message that names the file and what is wrong.
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  Options opt;
  try {
    if (!parse_args(argc, argv, opt)) {
      std::fputs(usage(), stdout);
      return 0;
    }
  } catch (const FatalError& e) {
    std::fprintf(stderr, "tessera-compare: error: %s\n%s", e.what(), usage());
    return 2;
  }
  try {
    const int status = run(opt);
    std::fflush(stdout);
    return status;
  } catch (const FatalError& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "tessera-compare: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::fprintf(stderr, "tessera-compare: error: %s\n", e.what());
    return 2;
  }
}
