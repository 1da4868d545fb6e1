#!/usr/bin/python3
"""Writes the PyTorch reference fixtures of normviz into tests/fixtures/.

Run with Debian's Python, which has torch (1.13) and numpy:

    /usr/bin/python3 tools/make_fixtures.py [--out DIR]

The numbers in the fixtures come from PyTorch, not from normviz: tests/test_pytorch_fixtures.cpp
reads them and checks normviz's core (read_npy, make_partition, compute_group_stats, normalize)
against them. Rerunning the script writes byte-identical files (fixed seeds, one thread).

Semantics (PyTorch's training-mode forward pass, no affine):
    batch        F.batch_norm(x, None, None, training=True, eps=eps)
    layer        F.layer_norm(x, x.shape[1:], eps=eps)
    instance     F.instance_norm(x, eps=eps)
    group        F.group_norm(x, G, eps=eps)
    layer-token  LayerNorm over C for each (n, h, w): permute C last, F.layer_norm, permute back
    rms          x / sqrt(mean over C of x^2 + eps) for each (n, h, w)
    custom       mean and biased variance over the named axes of the 4-d view:
                 (x - mean) / sqrt(var + eps); uncentred: x / sqrt(mean(x^2) + eps)
A rank-2 input (N, C) is computed as its 4-d view (N, C, 1, 1), a rank-3 input (N, C, L) as
(N, C, 1, L), as normviz reads them; outputs are reshaped back to the input's shape.

Files per case (NAME is the case name):
    NAME.in.npy     the input in the storage format under test ('<f4' unless the case tests
                    '>f4', '<f8', '>f8' or Fortran order). Values are float32 values, except
                    in float64 files, which hold float64 data.
    NAME.truth.npy  '<f8', C order, the input's shape: the norm computed by torch in float64
                    from the input's values (float32 values upcast; float64 files as stored).
    NAME.stats.npy  '<f8', C order, shape (groups, 4): per group [count, mean, biased var,
                    mean of x^2], computed in float64 from the values as normviz stores them
                    (float32; a float64 file's float64 values), two-pass, with IEEE
                    semantics for NaN/Inf (a group with NaN: NaN mean/var/mean_sq; a group with
                    one +-Inf: +-Inf mean, NaN var, +Inf mean_sq). Group order is normviz's:
                    the group number is the flat index, NCHW order, of the key
                    (n // bN, c // bC, h // bH, w // bW), block bA = 1 for a kept axis, the
                    extent for a reduced axis, C / G for GroupNorm's C.

manifest.tsv: tab-separated, one header line, then one line per case. Columns:
    name               case name ([a-z0-9_]+), also the test's name
    input              input file, relative to the fixtures folder
    truth              float64 truth file
    stats              float64 per-group statistics file
    norm               batch | layer | instance | group | layer-token | rms | custom
    groups             G for group, else 0
    axes               reduced axes for custom (letters from NCHW, e.g. NW), else -
    center             1 = subtract the mean, 0 = divide by the RMS (custom; 1 for presets but
                       rms, which is 0)
    eps                eps, Python repr of a double (e.g. 1e-05, 0.001, 0.0)
    torch_f32_max_abs_err  max over elements with finite truth of |torch float32 output -
                       truth|, torch run on the float32 input (a float64 file cast to float32);
                       'inf' when torch's float32 output is not finite where the truth is
    torch_f32_nan_match    1 if torch's float32 output is NaN exactly where the truth is NaN
    torch_f32_usable   1 if torch's float32 output is a usable yardstick: NaN positions match,
                       error finite and at most 1e-2 * max(1, max |truth|). 0 where float32
                       torch overflows or underflows (e.g. 1e30 under LayerNorm / RMSNorm)
    tol                absolute tolerance for normviz: 3 * torch_f32_max_abs_err when usable,
                       else 0. The test applies max(tol, one float32 ulp of the truth value) per
                       element: a correctly rounded float32 result is within half an ulp, the
                       other half absorbs the float64 rounding of the truth and of our stats.
    dtype              descr of the input file: <f4, >f4, <f8, >f8
    fortran            1 if the input file is in Fortran order
    shape              the input's shape, 'x'-separated (e.g. 4x6x4x4, 3x4, 2x6x7)
    note               free text, what the case is about
"""

import argparse
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

AXES = "NCHW"

COLUMNS = ["name", "input", "truth", "stats", "norm", "groups", "axes", "center", "eps",
           "torch_f32_max_abs_err", "torch_f32_nan_match", "torch_f32_usable", "tol",
           "dtype", "fortran", "shape", "note"]


# ------------------------------------------------------------------------------------------
# The norms, in torch, for any float dtype, on the 4-d view.

def view4(x):
    """(N,C) -> (N,C,1,1); (N,C,L) -> (N,C,1,L); (N,C,H,W) as is."""
    if x.dim() == 2:
        return x.reshape(x.shape[0], x.shape[1], 1, 1)
    if x.dim() == 3:
        return x.reshape(x.shape[0], x.shape[1], 1, x.shape[2])
    assert x.dim() == 4
    return x


def reduced_dims(norm, axes):
    return {"batch": (0, 2, 3), "layer": (1, 2, 3), "instance": (2, 3),
            "layer-token": (1,), "rms": (1,)}.get(norm) or \
        tuple(AXES.index(a) for a in axes)


def torch_norm(x, norm, groups, axes, center, eps):
    """The norm of tensor x (rank 2..4), computed by torch in x's dtype; shape of x."""
    x4 = view4(x)
    if norm == "batch":
        y = F.batch_norm(x4, None, None, training=True, eps=eps)
    elif norm == "layer":
        y = F.layer_norm(x4, x4.shape[1:], eps=eps)
    elif norm == "instance":
        y = F.instance_norm(x4, eps=eps)
    elif norm == "group":
        y = F.group_norm(x4, groups, eps=eps)
    elif norm == "layer-token":
        t = x4.permute(0, 2, 3, 1)
        y = F.layer_norm(t, t.shape[-1:], eps=eps).permute(0, 3, 1, 2)
    elif norm == "rms":
        y = x4 / torch.sqrt((x4 * x4).mean(dim=1, keepdim=True) + eps)
    elif norm == "custom":
        dims = reduced_dims(norm, axes)
        if center:
            mean = x4.mean(dim=dims, keepdim=True)
            var = x4.var(dim=dims, unbiased=False, keepdim=True)
            y = (x4 - mean) / torch.sqrt(var + eps)
        else:
            y = x4 / torch.sqrt((x4 * x4).mean(dim=dims, keepdim=True) + eps)
    else:
        raise ValueError(norm)
    return y.contiguous().reshape(x.shape)


# ------------------------------------------------------------------------------------------
# Independent float64 reference in numpy (a check on the fixture, not stored), and the
# per-group statistics in normviz's group order.

def blocks(norm, groups, axes, shape4):
    if norm == "group":
        red = (0, 1, 1, 1)  # C reduced within a group, see below
    else:
        dims = reduced_dims(norm, axes)
        red = tuple(1 if d in dims else 0 for d in range(4))
    b = [shape4[d] if red[d] else 1 for d in range(4)]
    if norm == "group":
        b[1] = shape4[1] // groups
    return b


def group_ids(norm, groups, axes, shape4):
    b = blocks(norm, groups, axes, shape4)
    kext = [shape4[d] // b[d] for d in range(4)]
    idx = np.indices(shape4)
    key = [idx[d] // b[d] for d in range(4)]
    gid = ((key[0] * kext[1] + key[1]) * kext[2] + key[2]) * kext[3] + key[3]
    return gid, int(np.prod(kext))


def group_stats(x4, gid, count):
    """x4: float64 4-d array. Returns (count, 4) array [count, mean, var, mean_sq]."""
    out = np.zeros((count, 4), dtype=np.float64)
    flat_g = gid.reshape(-1)
    flat_x = x4.reshape(-1)
    for g in range(count):
        v = flat_x[flat_g == g]
        n = v.size
        if np.all(np.isfinite(v)):
            mean = math.fsum(v) / n
            var = math.fsum((v - mean) ** 2) / n
            msq = math.fsum(v * v) / n
        else:
            with np.errstate(invalid="ignore", over="ignore"):
                mean = float(np.sum(v)) / n
                var = float(np.sum((v - mean) ** 2)) / n
                msq = float(np.sum(v * v)) / n
        out[g] = (n, mean, var, msq)
    return out


def numpy_norm(x4, gid, stats, centered, eps):
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        mean = stats[gid, 1]
        var = stats[gid, 2]
        msq = stats[gid, 3]
        if centered:
            return (x4 - mean) / np.sqrt(var + eps)
        return x4 / np.sqrt(msq + eps)


# ------------------------------------------------------------------------------------------
# Cases.

def randn(rng, shape):
    return rng.standard_normal(shape).astype(np.float32)


class Case:
    def __init__(self, name, x, norm, groups=0, axes="-", center=True, eps=1e-5,
                 dtype="<f4", fortran=False, note=""):
        self.name, self.x, self.norm, self.groups = name, x, norm, groups
        self.axes, self.center, self.eps = axes, center, eps
        self.dtype, self.fortran, self.note = dtype, fortran, note
        if norm == "rms":
            self.center = False


def make_cases():
    cases = []

    def add(*a, **k):
        cases.append(Case(*a, **k))

    rng = np.random.default_rng(20240601)
    s4 = (4, 6, 4, 4)
    s5 = (2, 8, 3, 5)

    # Every norm on standard normal data.
    x = randn(rng, s4)
    add("batch_4x6x4x4", x, "batch", note="N(0,1)")
    add("layer_4x6x4x4", x, "layer", note="N(0,1)")
    add("instance_4x6x4x4", x, "instance", note="N(0,1)")
    for g in (1, 2, 3, 6):
        add(f"group{g}_4x6x4x4", x, "group", groups=g, note=f"N(0,1), G={g}")
    add("layer_token_4x6x4x4", x, "layer-token", note="N(0,1)")
    add("rms_4x6x4x4", x, "rms", note="N(0,1)")

    x = (randn(rng, s5) * np.float32(1.5) + np.float32(0.75)).astype(np.float32)
    add("batch_2x8x3x5", x, "batch", note="1.5 N(0,1) + 0.75")
    add("group4_2x8x3x5", x, "group", groups=4, note="G=4")
    for axes in ("NHW", "CHW", "HW", "C", "NW", "NCHW", "NC", "W"):
        add(f"custom_{axes.lower()}_2x8x3x5", x, "custom", axes=axes, note="custom centred")
    add("custom_c_nocenter_2x8x3x5", x, "custom", axes="C", center=False,
        note="custom C uncentred = rms")
    add("custom_nw_nocenter_2x8x3x5", x, "custom", axes="NW", center=False,
        note="custom NW uncentred")

    # Large offset: cancellation in naive one-pass variance.
    x = (np.float32(1e4) + randn(rng, s4)).astype(np.float32)
    for norm, g in (("batch", 0), ("layer", 0), ("instance", 0), ("group", 3),
                    ("layer-token", 0), ("rms", 0)):
        nm = norm.replace("-", "_") + (str(g) if g else "")
        add(f"offset_{nm}_4x6x4x4", x, norm, groups=g, note="1e4 + N(0,1)")
    add("offset_custom_nw_4x6x4x4", x, "custom", axes="NW", note="1e4 + N(0,1)")

    # Constant tensor: variance exactly 0, output exactly 0 (rms: 3.25 / sqrt(3.25^2 + eps)).
    x = np.full((2, 4, 3, 3), 3.25, dtype=np.float32)
    for norm, g in (("batch", 0), ("layer", 0), ("instance", 0), ("group", 2), ("rms", 0)):
        nm = norm + (str(g) if g else "")
        add(f"const_{nm}_2x4x3x3", x, norm, groups=g, note="all 3.25")
    add("const_custom_nchw_2x4x3x3", x, "custom", axes="NCHW", note="all 3.25")

    # NaN / +Inf / -Inf in one group: they must stay inside it.
    base = randn(rng, s4)
    x = base.copy()
    x[1, 2, 3, 0] = np.nan
    for norm, g, axes in (("batch", 0, "-"), ("layer", 0, "-"), ("instance", 0, "-"),
                          ("group", 3, "-"), ("layer-token", 0, "-"), ("rms", 0, "-"),
                          ("custom", 0, "NW")):
        nm = norm.replace("-", "_") + (str(g) if g else "") + \
            ("_" + axes.lower() if axes != "-" else "")
        add(f"nan_{nm}_4x6x4x4", x, norm, groups=g, axes=axes, note="NaN at (1,2,3,0)")
    x = base.copy()
    x[2, 4, 1, 3] = np.inf
    for norm, g in (("batch", 0), ("group", 2), ("layer-token", 0), ("rms", 0)):
        nm = norm.replace("-", "_") + (str(g) if g else "")
        add(f"posinf_{nm}_4x6x4x4", x, norm, groups=g, note="+Inf at (2,4,1,3)")
    x = base.copy()
    x[0, 1, 0, 2] = -np.inf
    for norm, g in (("layer", 0), ("instance", 0), ("rms", 0)):
        add(f"neginf_{norm}_4x6x4x4", x, norm, groups=g, note="-Inf at (0,1,0,2)")
    add("neginf_custom_hw_nocenter_4x6x4x4", x, "custom", axes="HW", center=False,
        note="-Inf at (0,1,0,2)")

    # Rank 2 (N, C) -> (N, C, 1, 1).
    x = randn(rng, (3, 4))
    for norm, g, axes, c in (("batch", 0, "-", 1), ("layer", 0, "-", 1), ("group", 2, "-", 1),
                             ("layer-token", 0, "-", 1), ("rms", 0, "-", 0),
                             ("custom", 0, "N", 1), ("custom", 0, "NC", 1)):
        nm = norm.replace("-", "_") + (str(g) if g else "") + \
            ("_" + axes.lower() if axes != "-" else "")
        add(f"rank2_{nm}_3x4", x, norm, groups=g, axes=axes, center=bool(c), note="rank 2")

    # Rank 3 (N, C, L) -> (N, C, 1, L).
    x = randn(rng, (2, 6, 7))
    for norm, g, axes, c in (("batch", 0, "-", 1), ("layer", 0, "-", 1),
                             ("instance", 0, "-", 1), ("group", 3, "-", 1),
                             ("layer-token", 0, "-", 1), ("rms", 0, "-", 0),
                             ("custom", 0, "NW", 1), ("custom", 0, "C", 0)):
        nm = norm.replace("-", "_") + (str(g) if g else "") + \
            ("_" + axes.lower() if axes != "-" else "") + ("" if c else "_nocenter")
        add(f"rank3_{nm}_2x6x7", x, norm, groups=g, axes=axes, center=bool(c), note="rank 3")

    # Storage formats: float64 data, big-endian, Fortran order.
    x64 = rng.standard_normal(s4) * 2.0 - 0.5  # float64 values, not float32-representable
    add("f64_batch_4x6x4x4", x64, "batch", dtype="<f8", note="float64 file")
    add("f64_layer_4x6x4x4", x64, "layer", dtype="<f8", note="float64 file")
    add("f64_rms_4x6x4x4", x64, "rms", dtype="<f8", note="float64 file")
    add("f64be_fortran_group3_4x6x4x4", x64, "group", groups=3, dtype=">f8", fortran=True,
        note="big-endian float64, Fortran order")
    x = randn(rng, s5)
    add("be_layer_2x8x3x5", x, "layer", dtype=">f4", note="big-endian float32")
    add("be_group2_2x8x3x5", x, "group", groups=2, dtype=">f4", note="big-endian float32")
    add("fortran_batch_2x8x3x5", x, "batch", fortran=True, note="Fortran order")
    add("fortran_custom_nw_2x8x3x5", x, "custom", axes="NW", fortran=True,
        note="Fortran order")
    x = randn(rng, (2, 6, 7))
    add("fortran_rank3_instance_2x6x7", x, "instance", fortran=True,
        note="Fortran order, rank 3")
    add("be_fortran_rank2_batch_5x3", randn(rng, (5, 3)), "batch", dtype=">f4", fortran=True,
        note="big-endian, Fortran order, rank 2")

    # Non-default eps.
    x = (randn(rng, s4) * np.float32(0.05)).astype(np.float32)
    add("eps1e3_batch_4x6x4x4", x, "batch", eps=1e-3, note="eps 1e-3, std 0.05")
    add("eps1e3_layer_4x6x4x4", x, "layer", eps=1e-3, note="eps 1e-3, std 0.05")
    add("eps1e3_rms_4x6x4x4", x, "rms", eps=1e-3, note="eps 1e-3, std 0.05")
    add("eps1e3_custom_c_nocenter_4x6x4x4", x, "custom", axes="C", center=False, eps=1e-3,
        note="eps 1e-3, std 0.05")
    add("eps0_instance_4x6x4x4", x, "instance", eps=0.0, note="eps 0")
    add("eps0_layer_4x6x4x4", x, "layer", eps=0.0, note="eps 0")
    add("eps0_group2_4x6x4x4", x, "group", groups=2, eps=0.0, note="eps 0")
    add("eps0_rms_4x6x4x4", x, "rms", eps=0.0, note="eps 0")

    # Huge and tiny magnitudes.
    x = (randn(rng, s4) * np.float32(1e30)).astype(np.float32)
    for norm, g in (("batch", 0), ("layer", 0), ("instance", 0), ("group", 2), ("rms", 0)):
        nm = norm + (str(g) if g else "")
        add(f"huge_{nm}_4x6x4x4", x, norm, groups=g, note="1e30 N(0,1)")
    add("huge_custom_c_nocenter_4x6x4x4", x, "custom", axes="C", center=False,
        note="1e30 N(0,1)")
    x = (randn(rng, s4) * np.float32(1e-30)).astype(np.float32)
    for norm, g in (("batch", 0), ("layer", 0), ("layer-token", 0), ("rms", 0)):
        nm = norm.replace("-", "_") + (str(g) if g else "")
        add(f"tiny_{nm}_4x6x4x4", x, norm, groups=g, note="1e-30 N(0,1)")
    add("tiny_eps0_batch_4x6x4x4", x, "batch", eps=0.0, note="1e-30 N(0,1), eps 0")
    add("tiny_eps0_layer_4x6x4x4", x, "layer", eps=0.0, note="1e-30 N(0,1), eps 0")
    add("tiny_eps0_rms_4x6x4x4", x, "rms", eps=0.0, note="1e-30 N(0,1), eps 0")

    names = [c.name for c in cases]
    assert len(names) == len(set(names)), "duplicate case names"
    return cases


# ------------------------------------------------------------------------------------------

def ulp32(t):
    a = np.abs(t).astype(np.float32)
    return (np.nextafter(a, np.float32(np.inf)) - a).astype(np.float64)


def run_case(case, out_dir):
    x_store = np.asarray(case.x)
    if case.dtype in ("<f8", ">f8"):
        assert x_store.dtype == np.float64
        x_exact = x_store.astype(np.float64)
    else:
        assert x_store.dtype == np.float32
        x_exact = x_store.astype(np.float64)
    x_f32 = x_store.astype(np.float32)  # what normviz stores

    # Truth: torch in float64 from the stored values.
    with torch.no_grad():
        truth = torch_norm(torch.from_numpy(np.ascontiguousarray(x_exact)), case.norm,
                           case.groups, case.axes, case.center, case.eps).numpy()
        y32 = torch_norm(torch.from_numpy(np.ascontiguousarray(x_f32)), case.norm,
                         case.groups, case.axes, case.center, case.eps).numpy()
    truth = np.ascontiguousarray(truth, dtype="<f8")
    assert truth.shape == x_store.shape

    # Statistics truth, in normviz's group order, from the values normviz keeps: float32, or
    # the exact float64 values of a float64 file.
    kept = x_exact if case.dtype in ("<f8", ">f8") else x_f32.astype(np.float64)
    x4 = kept.reshape(view4(torch.from_numpy(x_f32)).shape)
    gid, count = group_ids(case.norm, case.groups, case.axes, x4.shape)
    stats = group_stats(x4, gid, count)

    # Self-check: an independent numpy float64 computation agrees with torch's float64.
    x4e = x_exact.reshape(x4.shape)
    stats_e = group_stats(x4e, gid, count)
    ref = numpy_norm(x4e, gid, stats_e, case.center, case.eps).reshape(truth.shape)
    if not np.array_equal(np.isnan(ref), np.isnan(truth)):
        raise SystemExit(f"{case.name}: numpy and torch float64 disagree on NaN positions")
    # torch's float64 is not exact either (it divides by the count as a multiply by 1/count,
    # so a constant 3.25 gives 1e-13, not 0): allow for an error of a few ulp in the mean,
    # scaled by 1/std, on top of a 1e-10 relative agreement.
    fin = np.isfinite(truth)
    scale = max(float(np.max(np.abs(truth[fin]), initial=0.0)), 1e-300)
    with np.errstate(invalid="ignore", divide="ignore"):
        slack = 1e-14 * np.abs(stats_e[gid, 1]) / np.sqrt(stats_e[gid, 2] + case.eps)
    slack = slack.reshape(truth.shape) if case.center else np.zeros(truth.shape)
    dev = np.abs(ref - truth)
    if np.any(fin & ~(dev <= 1e-10 * scale + slack)):
        worst = float(np.max(dev[fin]))
        raise SystemExit(f"{case.name}: numpy and torch float64 differ by {worst} "
                         f"(scale {scale})")
    if not np.array_equal(np.isfinite(ref), fin):
        raise SystemExit(f"{case.name}: numpy and torch float64 disagree on Inf positions")

    # PyTorch's own float32 error.
    nan_match = bool(np.array_equal(np.isnan(y32), np.isnan(truth)))
    y32d = y32.astype(np.float64)
    with np.errstate(invalid="ignore"):
        diff = np.abs(y32d[fin] - truth[fin])
    if diff.size and not np.all(np.isfinite(diff)):
        err = math.inf
    else:
        err = float(np.max(diff, initial=0.0))
    usable = nan_match and math.isfinite(err) and err <= 1e-2 * max(1.0, scale)
    tol = 3.0 * err if usable else 0.0

    # Would a correctly rounded float32 result pass the test's tolerance? (It must.)
    rounded = truth.astype(np.float32).astype(np.float64)
    allowed = np.maximum(tol, ulp32(truth))
    with np.errstate(invalid="ignore"):
        bad = fin & ~(np.abs(rounded - truth) <= allowed)
    assert not np.any(bad), f"{case.name}: tolerance rejects the correctly rounded result"

    # Write the files.
    base = case.name
    stored = x_store.astype(case.dtype)
    if case.fortran:
        stored = np.asfortranarray(stored)
    else:
        stored = np.ascontiguousarray(stored)
    np.save(os.path.join(out_dir, base + ".in.npy"), stored, allow_pickle=False)
    np.save(os.path.join(out_dir, base + ".truth.npy"), truth, allow_pickle=False)
    np.save(os.path.join(out_dir, base + ".stats.npy"),
            np.ascontiguousarray(stats, dtype="<f8"), allow_pickle=False)

    return {
        "name": base, "input": base + ".in.npy", "truth": base + ".truth.npy",
        "stats": base + ".stats.npy", "norm": case.norm, "groups": str(case.groups),
        "axes": case.axes, "center": "1" if case.center else "0", "eps": repr(float(case.eps)),
        "torch_f32_max_abs_err": repr(err), "torch_f32_nan_match": "1" if nan_match else "0",
        "torch_f32_usable": "1" if usable else "0", "tol": repr(tol), "dtype": case.dtype,
        "fortran": "1" if case.fortran else "0",
        "shape": "x".join(str(d) for d in x_store.shape), "note": case.note,
    }


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(here, "..", "tests", "fixtures"))
    args = parser.parse_args()
    out_dir = os.path.normpath(args.out)
    os.makedirs(out_dir, exist_ok=True)

    torch.set_num_threads(1)  # reductions in a fixed order: identical files on every run
    torch.manual_seed(0)

    # Remove our previous outputs so that dropped cases leave nothing behind.
    for f in os.listdir(out_dir):
        if f.endswith(".npy") or f == "manifest.tsv":
            os.remove(os.path.join(out_dir, f))

    rows = [run_case(c, out_dir) for c in make_cases()]
    with open(os.path.join(out_dir, "manifest.tsv"), "w", newline="\n") as f:
        f.write("\t".join(COLUMNS) + "\n")
        for r in rows:
            f.write("\t".join(r[c] for c in COLUMNS) + "\n")

    total = sum(os.path.getsize(os.path.join(out_dir, f)) for f in os.listdir(out_dir))
    unusable = [r["name"] for r in rows if r["torch_f32_usable"] == "0"]
    print(f"{len(rows)} cases, {total} bytes in {out_dir}")
    if unusable:
        print("torch float32 not usable as yardstick (tolerance = 1 ulp):", ", ".join(unusable))
    return 0


if __name__ == "__main__":
    sys.exit(main())
