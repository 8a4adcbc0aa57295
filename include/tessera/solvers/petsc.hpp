#pragma once
/// \file petsc.hpp
/// PETSc lifetime and checked calls: PetscSession (PetscInitialize/Finalize once, on the
/// simulation's communicator), TESSERA_PETSC (every call checked: a failure throws SolverError
/// naming the call and file:line), and RAII owners of Mat/Vec/KSP/MatNullSpace handles.
///
/// PETSc options reach the solvers three ways, later ones winning:
///   1. Tessera's defaults (per options prefix, see LinearSystem), set only where unset;
///   2. the PETSC_OPTIONS environment variable, e.g.
///      PETSC_OPTIONS="-diffusion_ksp_monitor -log_view" mpirun -np 2 tessera deck.toml
///      (tessera's own command line accepts no PETSc options: CLI11 rejects unknown flags);
///   3. the deck's [petsc] section: `diffusion_ksp_type = "gmres"`, `log_view = true`
///      (key = option name without the leading '-'; true = a flag, false = omitted).
#include <petscksp.h>

#include <string>
#include <utility>
#include <vector>

#include "tessera/core/comm.hpp"
#include "tessera/core/errors.hpp"

namespace tessera {

/// Throws SolverError "PETSc call `call` failed at file:line: <PETSc's message>" if ierr != 0.
void petsc_check(PetscErrorCode ierr, const char* call, const char* file, int line);

/// Checks one PETSc call: TESSERA_PETSC(MatMult(A, x, y));
#define TESSERA_PETSC(call) ::tessera::petsc_check((call), #call, __FILE__, __LINE__)

/// Initialises PETSc on `comm` (sets PETSC_COMM_WORLD first) and finalises it on destruction.
/// If PETSc is already initialised (e.g. by a test harness) it does nothing and finalises
/// nothing. Every PETSc object must be destroyed before the session.
class PetscSession {
 public:
  /// `options`: (name without '-', value) pairs, e.g. from the deck's [petsc] section; the value
  /// "true" makes a flag, "false" skips the option. Applied after PETSC_OPTIONS, so they win.
  explicit PetscSession(const Comm& comm,
                        const std::vector<std::pair<std::string, std::string>>& options = {});
  ~PetscSession();
  PetscSession(const PetscSession&) = delete;
  PetscSession& operator=(const PetscSession&) = delete;
  /// True when this object called PetscInitialize (and will call PetscFinalize).
  bool owner() const noexcept { return owner_; }

 private:
  bool owner_ = false;
};

/// Owner of one PETSc object handle (Mat, Vec, KSP, MatNullSpace); destroys it on scope exit.
template <typename H, PetscErrorCode (*Destroy)(H*)>
class PetscHandle {
 public:
  PetscHandle() = default;
  explicit PetscHandle(H h) : h_(h) {}
  ~PetscHandle() { reset(); }
  PetscHandle(PetscHandle&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  PetscHandle& operator=(PetscHandle&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, nullptr);
    }
    return *this;
  }
  PetscHandle(const PetscHandle&) = delete;
  PetscHandle& operator=(const PetscHandle&) = delete;
  /// The raw handle (borrowed).
  H get() const noexcept { return h_; }
  operator H() const noexcept { return h_; }
  /// Address for PETSc's Create functions; destroys any object held first.
  H* out() {
    reset();
    return &h_;
  }
  void reset() noexcept {
    if (h_) Destroy(&h_);  // a failing destroy cannot be reported from a destructor
    h_ = nullptr;
  }

 private:
  H h_ = nullptr;
};

using PetscMat = PetscHandle<Mat, MatDestroy>;
using PetscVec = PetscHandle<Vec, VecDestroy>;
using PetscKsp = PetscHandle<KSP, KSPDestroy>;
using PetscNullSpace = PetscHandle<MatNullSpace, MatNullSpaceDestroy>;

/// Read/write view of the local part of a Vec (VecGetArray / VecRestoreArray).
class VecArray {
 public:
  explicit VecArray(Vec v);
  ~VecArray();
  VecArray(const VecArray&) = delete;
  VecArray& operator=(const VecArray&) = delete;
  double* data() noexcept { return a_; }
  double& operator[](std::ptrdiff_t i) noexcept { return a_[i]; }

 private:
  Vec v_;
  PetscScalar* a_ = nullptr;
};

}  // namespace tessera
