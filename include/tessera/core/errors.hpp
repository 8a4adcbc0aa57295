#pragma once
/// \file errors.hpp
/// Typed exceptions. Every message says what went wrong, where, and what to do.
/// `main` catches them, prints once, and aborts the whole communicator with a non-zero code.
#include <stdexcept>
#include <string>

namespace tessera {

/// Base class of every Tessera error.
/// `collective()` is true when every rank of the simulation raises the same error at the same
/// point (e.g. a bad deck, read identically by all ranks): then only rank 0 prints it.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what, bool collective = false)
      : std::runtime_error(what), collective_(collective) {}
  bool collective() const noexcept { return collective_; }
  virtual int exit_code() const noexcept { return 1; }

 private:
  bool collective_;
};

/// A problem with the input deck or the command line (exit code 2).
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& what) : Error(what, true) {}
  int exit_code() const noexcept override { return 2; }
};

/// A file could not be read or written (exit code 3).
class IoError : public Error {
 public:
  explicit IoError(const std::string& what, bool collective = false) : Error(what, collective) {}
  int exit_code() const noexcept override { return 3; }
};

/// The solution became invalid (NaN/Inf, negative density, ...) (exit code 4).
class PhysicsError : public Error {
 public:
  explicit PhysicsError(const std::string& what, bool collective = false)
      : Error(what, collective) {}
  int exit_code() const noexcept override { return 4; }
};

/// A linear or nonlinear solve failed (exit code 5).
class SolverError : public Error {
 public:
  explicit SolverError(const std::string& what, bool collective = false)
      : Error(what, collective) {}
  int exit_code() const noexcept override { return 5; }
};

/// An MPI call failed (exit code 6).
class MpiError : public Error {
 public:
  explicit MpiError(const std::string& what) : Error(what, false) {}
  int exit_code() const noexcept override { return 6; }
};

}  // namespace tessera
