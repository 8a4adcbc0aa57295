# Shared by tools/run-demo and tools/run-tests: install, configure, build.
# Sourced, not executed. Sets TESSERA_ROOT and TESSERA_BUILD.
TESSERA_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TESSERA_BUILD=${TESSERA_BUILD_DIR:-$TESSERA_ROOT/build}
# mpirun as root (containers, CI) and more ranks than cores (tests use up to 4 on 2 cores).
if [ "$(id -u)" -eq 0 ]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
export OMPI_MCA_rmaps_base_oversubscribe=1

tessera_build() {
  "$TESSERA_ROOT/tools/install-deps"
  mkdir -p "$TESSERA_BUILD"
  cmake -S "$TESSERA_ROOT" -B "$TESSERA_BUILD" -DCMAKE_BUILD_TYPE=Release ${TESSERA_CMAKE_ARGS:-} >"$TESSERA_BUILD/configure.log" 2>&1 || {
    cat "$TESSERA_BUILD/configure.log" >&2
    echo "configure failed (log above)" >&2
    return 1
  }
  cmake --build "$TESSERA_BUILD" -j"$(nproc)" >"$TESSERA_BUILD/build.log" 2>&1 || {
    grep -E -A5 "error|Error" "$TESSERA_BUILD/build.log" | head -60 >&2
    echo "build failed: full log in $TESSERA_BUILD/build.log" >&2
    return 1
  }
}
