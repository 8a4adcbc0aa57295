#!/usr/bin/python3
"""Minimal loader for Tessera / The Well training files: yields (input, target) pairs of
consecutive frames, fields stacked as channels last ([x, y(, z), channels]), optionally
normalised with stats.yaml. NumPy only; wrapped as a torch Dataset when PyTorch is installed.

usage: well_loader_example.py DATASET_DIR [--split train] [--normalize]
prints the number of pairs and the shape/mean of the first one.
"""
import argparse
import glob
import os

import h5py
import numpy as np


def channels(f):
    """(group/name, tensor order) of the time-varying fields, in the files' order."""
    out = []
    for order in range(3):
        g = f[f"t{order}_fields"]
        for n in g.attrs["field_names"]:
            if g[n].attrs["time_varying"]:
                out.append((f"t{order}_fields/{n}", n, order))
    return out


def load_stats(path):
    """mean / std from stats.yaml (written by tools/well-dataset stats; PyYAML if present)."""
    try:
        import yaml
        with open(path) as fh:
            return yaml.safe_load(fh)
    except ImportError:
        return None


class WellPairs:
    """All (frame k, frame k+1) pairs of every trajectory of every file of one split."""

    def __init__(self, dataset_dir, split="train", normalize=False):
        self.files = sorted(glob.glob(os.path.join(dataset_dir, "data", split, "*.h5")))
        self.index = []  # (file, trajectory, k)
        for i, p in enumerate(self.files):
            with h5py.File(p, "r") as f:
                nt = f["dimensions/time"].shape[-1]
                for b in range(int(f.attrs["n_trajectories"])):
                    self.index += [(i, b, k) for k in range(nt - 1)]
        self.stats = load_stats(os.path.join(dataset_dir, "stats.yaml")) if normalize else None

    def __len__(self):
        return len(self.index)

    def frame(self, f, b, k):
        parts = []
        for path, name, order in channels(f):
            x = np.asarray(f[path][b, k], dtype=np.float32)
            if order == 0:
                x = x[..., None]
            else:
                x = x.reshape(*x.shape[:x.ndim - order], -1)
            if self.stats:
                x = (x - np.asarray(self.stats["mean"][name], np.float32)) / np.asarray(
                    self.stats["std"][name], np.float32)
            parts.append(x)
        return np.concatenate(parts, axis=-1)

    def __getitem__(self, i):
        fi, b, k = self.index[i]
        with h5py.File(self.files[fi], "r") as f:
            return self.frame(f, b, k), self.frame(f, b, k + 1)

    def __iter__(self):
        for i in range(len(self)):
            yield self[i]


def torch_dataset(pairs):
    """The same pairs as a torch.utils.data.Dataset of tensors (needs python3-torch)."""
    import torch

    class _D(torch.utils.data.Dataset):
        def __len__(self):
            return len(pairs)

        def __getitem__(self, i):
            x, y = pairs[i]
            return torch.from_numpy(x), torch.from_numpy(y)

    return _D()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset_dir")
    ap.add_argument("--split", default="train")
    ap.add_argument("--normalize", action="store_true")
    a = ap.parse_args()
    ds = WellPairs(a.dataset_dir, a.split, a.normalize)
    x, y = ds[0]
    print(f"{len(ds)} (input, target) pairs in {len(ds.files)} {a.split} files; "
          f"input {x.shape} {x.dtype}, mean {x.mean():.4g}; target {y.shape}")
    try:
        import torch  # noqa: F401
        t = torch_dataset(ds)
        print(f"torch Dataset of {len(t)} pairs")
    except ImportError:
        print("(PyTorch not installed: NumPy loader only)")
