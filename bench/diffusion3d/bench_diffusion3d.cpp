// Benchmark: one 3D diffusion solve through LinearSystem (the path every implicit solve in
// Tessera takes), with assembly, preconditioner setup and solve timed apart.
//
//   mpirun -np N tessera-bench-diffusion3d CELLS [constant|variable]
//   PETSC_OPTIONS="-diffusion_pc_type gamg" mpirun ... (any -diffusion_* option applies)
//
// Problem: -div(D grad u) = 1 on the unit cube, u = 0 on the boundary, n^3 cells in blocks of
// (n/4)^3, rtol 1e-8 from a zero initial guess (the setting of PETSc's KSP ex45).
// D = 1 (constant) or 1 + 0.9 sin(2 pi x) cos(2 pi y) cos(2 pi z) (variable, contrast 19).
#include <mpi.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tessera/core/timer.hpp"
#include "tessera/mesh/mesh.hpp"
#include "tessera/solvers/fv_diffusion.hpp"
#include "tessera/solvers/linear_system.hpp"
#include "tessera/solvers/petsc.hpp"

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int code = 0;
  {
    tessera::Comm comm(MPI_COMM_WORLD);
    const long n = argc > 1 ? std::atol(argv[1]) : 64;
    const bool variable = argc > 2 && std::string(argv[2]) == "variable";
    try {
      tessera::PetscSession petsc(comm);
      tessera::MeshParams p;
      p.ndim = 3;
      for (int a = 0; a < 3; ++a) {
        p.cells[a] = n;
        p.block_cells[a] = n / 4;
      }
      p.ghost = 1;
      tessera::Mesh mesh(p, comm);
      std::vector<tessera::Array4> dcoef;
      tessera::HelmholtzSpec spec;
      if (variable) {
        tessera::fill_cell_function(
            mesh,
            [](const std::array<double, 3>& x) {
              return 1.0 + 0.9 * std::sin(2 * M_PI * x[0]) * std::cos(2 * M_PI * x[1]) *
                               std::cos(2 * M_PI * x[2]);
            },
            dcoef);
        spec.diffusivity = &dcoef;
      }
      for (int a = 0; a < 3; ++a) {
        spec.bc[a] = {tessera::FaceCondition::dirichlet(0.0),
                      tessera::FaceCondition::dirichlet(0.0)};
      }
      tessera::LinearSystemOptions lo;
      lo.prefix = "diffusion_";
      lo.rtol = 1e-8;
      tessera::LinearSystem ls(mesh, lo);
      comm.barrier();
      double t0 = tessera::wall_seconds();
      tessera::assemble_helmholtz(mesh, spec, ls, nullptr);
      comm.barrier();
      const double t_asm = tessera::wall_seconds() - t0;
      TESSERA_PETSC(VecSet(ls.rhs(), 1.0));
      TESSERA_PETSC(VecSet(ls.solution(), 0.0));
      t0 = tessera::wall_seconds();
      ls.setup();
      comm.barrier();
      const double t_setup = tessera::wall_seconds() - t0;
      t0 = tessera::wall_seconds();
      const tessera::SolveReport r = ls.solve();
      comm.barrier();
      const double t_solve = tessera::wall_seconds() - t0;
      if (comm.root()) {
        std::printf(
            "diffusion3d %s %ld^3 ranks %d: assembly %.3f s, setup %.3f s, solve %.3f s, "
            "iterations %d, true residual %.3e (|b| %.3e), %s\n",
            variable ? "variable" : "constant", n, comm.size(), t_asm, t_setup, t_solve,
            r.iterations, r.residual, r.rhs_norm, r.reason_name.c_str());
      }
    } catch (const tessera::Error& e) {
      std::fprintf(stderr, "bench: %s\n", e.what());
      code = 1;
    }
  }
  MPI_Finalize();
  return code;
}
