"""Helpers shared by the Catalyst tests: a private Xvfb, tessera runs, VTK file reading."""
import os
import shutil
import subprocess
import time

import numpy as np


class Xvfb:
    """An X server of our own on a free display (-displayfd lets Xvfb pick the number, so
    parallel tests never collide). -noreset: without it a two-rank run sometimes aborted while
    a rank connected during a server reset (issue 8)."""

    def __init__(self):
        self.proc = None
        self.display = os.environ.get("TESSERA_TEST_DISPLAY")

    def __enter__(self):
        if self.display:  # a display given by the caller (e.g. a developer's own server)
            return self
        exe = shutil.which("Xvfb")
        if exe is None:
            raise RuntimeError("Xvfb not found: tools/install-deps installs xvfb")
        r, w = os.pipe()
        self.proc = subprocess.Popen([exe, "-displayfd", str(w), "-noreset", "-nolisten", "tcp",
                                      "-screen", "0", "1280x1024x24"], pass_fds=(w,),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(w)
        data = b""
        deadline = time.time() + 30
        while not data.endswith(b"\n") and time.time() < deadline:
            chunk = os.read(r, 16)
            if not chunk:
                break
            data += chunk
        os.close(r)
        if not data.strip():
            self.proc.kill()
            raise RuntimeError("Xvfb did not report a display number")
        self.display = ":" + data.decode().strip()
        return self

    def __exit__(self, *exc):
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def run_tessera(tessera, deck, sets, np_=2, cwd=None, display=None, timeout=300, extra=()):
    """Runs tessera on np_ ranks; returns (returncode, stdout, stderr, seconds). A hang counts
    as a failure (returncode None) instead of blocking the test."""
    cmd = ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", str(np_)]
    env = dict(os.environ)
    if display:
        env["DISPLAY"] = display
        cmd += ["-x", "DISPLAY"]
    cmd += [tessera, deck]
    for s in sets:
        cmd += ["--set", s]
    cmd += list(extra)
    t0 = time.time()
    try:
        p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout, p.stderr, time.time() - t0
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
        return None, out, err, time.time() - t0


def read_vtm(path):
    """Leaves of a .vtm file: list of dicts {name: numpy array (ncells[, ncomp])}, with the
    ghost-cell marks under 'vtkGhostType' when present."""
    from vtkmodules.util.numpy_support import vtk_to_numpy
    from vtkmodules.vtkIOXML import vtkXMLMultiBlockDataReader

    r = vtkXMLMultiBlockDataReader()
    r.SetFileName(path)
    r.Update()
    out = []
    it = r.GetOutput().NewIterator()
    it.InitTraversal()
    while not it.IsDoneWithTraversal():
        ds = it.GetCurrentDataObject()
        cd = ds.GetCellData()
        leaf = {"ncells": ds.GetNumberOfCells()}
        for i in range(cd.GetNumberOfArrays()):
            leaf[cd.GetArrayName(i)] = vtk_to_numpy(cd.GetArray(i))
        out.append(leaf)
        it.GoToNextItem()
    return out


def assemble(h5file, comp, cells, block_cells, lower, upper):
    """A blocks-layout snapshot component as one global array [Nz, Ny, Nx] (the block with
    corner `lower` + m * block size goes to cells m * block_cells)."""
    import h5py

    with h5py.File(h5file, "r") as f:
        data = f["fields/" + comp][...]
        blo = f["blocks/lower"][...]
    nd = len(cells)
    cells = list(cells) + [1] * (3 - nd)
    bc = list(block_cells) + [1] * (3 - nd)
    g = np.full(cells[::-1], np.nan)
    for b in range(data.shape[0]):
        i0 = [0, 0, 0]
        for a in range(nd):
            size = (upper[a] - lower[a]) * bc[a] / cells[a]
            i0[a] = int(round((blo[b, a] - lower[a]) / size)) * bc[a]
        g[i0[2]:i0[2] + bc[2], i0[1]:i0[1] + bc[1], i0[0]:i0[0] + bc[0]] = data[b]
    assert not np.isnan(g).any(), "snapshot blocks do not tile the domain"
    return g


def png_stats(path):
    """(height, width, grey-level variance, fraction of non-background pixels, distinct
    colours) of a PNG; the background is the colour of the top-left pixel."""
    import matplotlib.image as mpimg

    img = mpimg.imread(path)[..., :3]
    grey = img.mean(axis=2)
    bg = img[0, 0]
    nonbg = np.any(np.abs(img - bg) > 1e-6, axis=2).mean()
    colours = len(np.unique((img * 255).round().astype(np.int64).reshape(-1, 3), axis=0))
    return img.shape[0], img.shape[1], float(grey.var()), float(nonbg), colours
