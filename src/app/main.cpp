// tessera: the command-line front end. The only place that touches MPI_COMM_WORLD.
#include <mpi.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "tessera/app/driver.hpp"
#include "tessera/app/ensemble.hpp"
#include "tessera/problems/problem.hpp"
#include "tessera/version_info.hpp"

namespace {

/// Ends the run on every rank with `code`. A collective error (raised identically on every
/// rank) ends cleanly through a barrier; if the barrier does not complete promptly, some rank
/// is elsewhere and the whole job is aborted instead, so nothing ever hangs.
[[noreturn]] void exit_all(int code, bool collective) {
  std::fflush(stdout);
  std::fflush(stderr);
  if (collective) {
    MPI_Request req;
    if (MPI_Ibarrier(MPI_COMM_WORLD, &req) == MPI_SUCCESS) {
      const double t0 = MPI_Wtime();
      int done = 0;
      while (!done && MPI_Wtime() - t0 < 5.0) {
        MPI_Test(&req, &done, MPI_STATUS_IGNORE);
        if (!done) usleep(1000);
      }
      if (done) {
        MPI_Finalize();
        std::exit(code);
      }
    }
  }
  MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);

  CLI::App app{
      "Tessera: MPI-parallel finite-volume / pseudo-spectral simulation code.\n"
      "Usage: mpirun -np N tessera DECK.toml [--set key=value]... [--restart FILE]"};
  std::string deck;
  std::vector<std::string> sets;
  std::string restart;
  bool check = false, version = false, list = false;
  std::int64_t ensemble = 0;
  app.add_option("deck", deck, "input deck (TOML)");
  app.add_option("--set", sets, "override a deck key, e.g. --set mesh.cells=[128,128]")
      ->allow_extra_args(false)
      ->take_all();
  app.add_option("--restart", restart, "continue from a checkpoint file (.chk.NNNNN.h5)");
  app.add_flag("--check", check, "validate the deck and exit");
  app.add_option("--ensemble", ensemble,
                 "run N members of the deck in one job (see the deck's [ensemble] section)")
      ->check(CLI::PositiveNumber);
  app.add_flag("--version", version, "print the version and exit");
  app.add_flag("--list-problems", list, "list the problems that decks can name");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = 0;
    if (rank == 0) code = app.exit(e);
    MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
    MPI_Finalize();
    return code;
  }
  if (version || list) {
    if (rank == 0) {
      if (version) {
        std::printf("tessera %s (git %s%s)\n", tessera::build::kVersion, tessera::build::kGitHash,
                    tessera::build::kGitDirty ? ", modified" : "");
      }
      if (list) {
        for (const auto& p : tessera::problem_table()) {
          std::printf("%-20s %s\n", p.name.c_str(), p.description.c_str());
        }
      }
    }
    MPI_Finalize();
    return 0;
  }
  if (deck.empty()) {
    if (rank == 0) std::fprintf(stderr, "tessera: error: no deck given\n%s", app.help().c_str());
    MPI_Finalize();
    return 2;
  }

  try {
    tessera::Comm comm(MPI_COMM_WORLD);
    // Ensembles catch their members' errors themselves; only set-up errors reach exit_all.
    if (ensemble > 0 || tessera::Config::from_file(deck, sets).has_section("ensemble")) {
      if (!restart.empty()) {
        throw tessera::ConfigError(
            "--restart does not apply to an ensemble: run the ensemble again to resume it "
            "(finished members are skipped)");
      }
      const int code = tessera::run_ensemble(deck, sets, ensemble, check, comm);
      MPI_Finalize();
      return code;
    }
    tessera::RunOptions opts;
    opts.restart = restart;
    opts.check_only = check;
    tessera::Simulation sim(tessera::Config::from_file(deck, sets), comm, opts);
    if (check) {
      if (rank == 0) std::printf("%s: deck OK\n", deck.c_str());
    } else {
      sim.run();
    }
  } catch (const tessera::Error& e) {
    if (!e.collective() || rank == 0) {
      if (e.collective()) {
        std::fprintf(stderr, "tessera: error: %s\n", e.what());
      } else {
        std::fprintf(stderr, "tessera: error on rank %d: %s\n", rank, e.what());
      }
    }
    exit_all(e.exit_code(), e.collective());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tessera: internal error on rank %d: %s\n", rank, e.what());
    exit_all(1, false);
  }
  MPI_Finalize();
  return 0;
}
