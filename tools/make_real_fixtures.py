#!/usr/bin/python3
"""Writes normviz's real-activation fixtures into tests/fixtures/real/.

Run with Debian's Python, which has torch (1.13), numpy and torchvision (python3-torchvision):

    /usr/bin/python3 tools/make_real_fixtures.py [--out DIR]

Activations are captured with forward hooks from real PyTorch models (randomly initialised,
fixed seeds): torchvision's resnet18, a small conv net (SmallNet below: Conv2d, BatchNorm2d,
Linear, BatchNorm1d, Conv1d) and an nn.TransformerEncoderLayer(16, 2, batch_first=True). They
are saved the way users save them: np.save(x.detach().numpy()), channels-last through
x.permute(0, 2, 3, 1), float16 through x.half(), several at once with np.savez and
np.savez_compressed, as .safetensors members (F32, F16, BF16, F64; written by hand, format of
huggingface/safetensors), and with torch.save (which normviz must refuse). Each normalization
truth comes from the PyTorch module applied the way its users apply it (nn.BatchNorm2d on
x.permute(0, 3, 1, 2) for channels-last, nn.LayerNorm(D) on (B, T, D), RMSNorm written out as
x / sqrt(mean(x^2, -1) + eps), ...), computed in float64, and is stored in the input's own
layout. tests/test_real_activations.cpp reads the files and checks normviz's core
(read_tensor, normalize, write_npy, read_batchnorm_buffers, normalize_eval, list_arrays)
against them. Rerunning writes byte-identical files (fixed seeds, one torch thread, fixed zip
timestamps).

The norms of normviz in its NCHW terms (a file's array is read into NCHW as the layout says:
NHWC (N,H,W,C) -> (N,C,H,W); NCL (N,C,L) -> (N,C,1,L); NLC (B,T,D) -> (B,D,1,T); NC (N,C) ->
(N,C,1,1)) and the PyTorch call that is the truth for each layout (C = channels, G = groups):

    batch        reduce N,H,W per channel: nn.BatchNorm2d(C) / nn.BatchNorm1d(C), training
                 mode, on the channels-first view (x.permute(0,3,1,2) for NHWC,
                 x.transpose(1,2) for NLC), the result moved back to the file's layout
    layer        reduce C,H,W per sample: nn.LayerNorm(x.shape[1:]) on the array as stored
    instance     reduce H,W: nn.InstanceNorm2d(C) / nn.InstanceNorm1d(C) on the channels-
                 first view (not for NC: no spatial extent)
    group        reduce C/G,H,W: nn.GroupNorm(G, C) on the channels-first view
    layer-token  reduce C per (n,h,w): nn.LayerNorm(C) on the channels-last view
                 (x.permute(0,2,3,1) for NCHW, x.transpose(1,2) for NCL, as stored for
                 NHWC, NLC and NC)
    rms          t / sqrt(mean(t^2, -1) + eps) on the channels-last view t
    eval         a checkpoint's BatchNorm in eval mode: bn.eval()(x) on the channels-first
                 view, running statistics and affine from the state_dict

Truth: torch's float64 output (modules .double(), the stored values upcast exactly) for
float32, float16 and bfloat16 inputs. For float64 inputs the truth is an extended-precision
(numpy longdouble, 64-bit mantissa) two-pass computation in normviz's NCHW terms, which the
script checks against torch's float64 output; the stored truth is it rounded to float64. The
script also checks every torch truth against that independent reference (a wrong permute in
the truth would show here, not only in normviz).

Tolerance (absolute, per case; the test applies max(tol, floor) per element):
    precision f32 (float32, float16, bfloat16 inputs): torch_err = max |torch float32 output -
        truth| (torch run on the same values as float32), tol = 3 * torch_err; floor = one
        float32 ulp of the truth value, as in tests/test_pytorch_fixtures.cpp.
    precision f64 (float64 inputs): torch_err = max |torch float64 output - truth| (for
        information: torch 1.13's GroupNorm on a channels-last view computes the variance in
        one pass and is off by ~3e-2 on 1e4 + 1e-3 N(0,1), so it is no yardstick), tol =
        max(1e-12 * max(1, max |truth|), 16 * 2^-52 * cond), cond = max over groups of
        |mean| / sqrt(var + eps) (rounding the mean to float64 once costs cond * 2^-53; cond
        is 1e5 for 1.0 + 1e-5 N(0,1) with eps 1e-12); floor = 4 float64 ulps of the truth.
        A float32 computation misses these by many orders of magnitude.

Files (in --out, default tests/fixtures/real/; the script deletes its folder's files first):
    *.npy, *.npz, *.safetensors, *.pt   inputs and checkpoints, see `origin` in the manifest
    NAME.truth.npy          '<f8', C order, the input's own dims (layout of the file)
    NAME.gamma.npy, NAME.beta.npy   '<f8' 1-d per-channel affine (float32 values) for cases
                            whose torch module has an affine; '-' in the manifest otherwise
    smallnet.safetensors    SmallNet's whole state_dict (float32, num_batches_tracked I64)
                            after 3 training-mode batches and random BatchNorm affines
    resnet18_bn.safetensors the BatchNorm entries of torchvision resnet18's state_dict (its
                            conv weights are 45 MB and not needed), same treatment
    smallnet_fc.pt          torch.save(x) of an activation (zip format): read_tensor must
                            refuse it with a message that says to use np.save
    manifest.tsv            one line per normalization case, columns below
    members.tsv             what list_arrays must report: file, member ('-' for a .npy),
                            dims ('x'-separated), dtype (float32|float16|bfloat16|float64),
                            one line per array in the file's order

manifest.tsv columns (tab-separated, one header line):
    name        case name ([a-z0-9_]+)
    test        the TEST in test_real_activations.cpp that checks the case
    kind        train (core::normalize with the norm) | eval (core::normalize_eval with the
                checkpoint's buffers)
    source      what read_tensor opens, relative to the folder: FILE.npy, FILE.npz:MEMBER,
                FILE.safetensors:MEMBER
    layout      NCHW | NHWC | NCL | NLC | NC
    norm        batch | layer | instance | group | layer-token | rms (eval: batch)
    groups      G for group, else 0
    eps         Python repr of eps
    gamma, beta affine files or '-'
    buffers     eval: FILE.safetensors:PREFIX for read_batchnorm_buffers; train: '-'
    truth       NAME.truth.npy
    dims        the file's dims, 'x'-separated
    nchw        the NCHW shape normviz must read it as, 'x'-separated
    dtype       float32 | float16 | bfloat16 | float64 (what the file stores)
    precision   f32 | f64 (see Tolerance)
    torch_err   see Tolerance (Python repr)
    tol         see Tolerance (Python repr)
    origin      where the activation came from and how it was saved
    torch_call  the PyTorch call whose float64 output is the truth
"""

import argparse
import collections
import copy
import json
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn as nn

LAYOUTS = ("NCHW", "NHWC", "NCL", "NLC", "NC")
NORMS = ("batch", "layer", "instance", "group", "layer-token", "rms")

COLUMNS = ["name", "test", "kind", "source", "layout", "norm", "groups", "eps", "gamma", "beta",
           "buffers", "truth", "dims", "nchw", "dtype", "precision", "torch_err", "tol",
           "origin", "torch_call"]

LD = np.longdouble
U64 = 2.0 ** -52  # float64 machine epsilon


# ------------------------------------------------------------------------------------------
# Saving, as users do.

FIXED_ZIP_TIME = time.struct_time((2024, 6, 1, 0, 0, 0, 5, 153, 0))


def savez(path, compressed, members):
    """np.savez / np.savez_compressed with the zip entries' timestamps fixed (zipfile takes
    them from time.localtime(), which would make every run's bytes differ)."""
    real = time.localtime
    time.localtime = lambda *args: FIXED_ZIP_TIME
    try:
        (np.savez_compressed if compressed else np.savez)(path, **members)
    finally:
        time.localtime = real


SAFETENSORS_DTYPES = {"float32": "F32", "float16": "F16", "bfloat16": "BF16", "float64": "F64",
                      "int64": "I64"}


def tensor_bytes(t):
    """Little-endian C-order bytes of a torch tensor, and its dtype name."""
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().astype("<i2").tobytes(), "bfloat16"
    a = t.numpy()
    name = {np.dtype(np.float32): "float32", np.dtype(np.float16): "float16",
            np.dtype(np.float64): "float64", np.dtype(np.int64): "int64"}[a.dtype]
    return a.astype(a.dtype.newbyteorder("<")).tobytes(), name


def save_safetensors(path, tensors, metadata=None):
    """Writes {name: torch tensor} (in order) as huggingface's safetensors.torch.save_file
    would: u64 header length, JSON header padded with spaces to 8 bytes, data buffer."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    chunks = []
    offset = 0
    for name, t in tensors.items():
        data, dtype = tensor_bytes(t)
        header[name] = {"dtype": SAFETENSORS_DTYPES[dtype], "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        chunks.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for c in chunks:
            f.write(c)


def exact(t):
    """The exact values a stored torch tensor (float32/float16/bfloat16/float64) holds, as a
    float64 numpy array, and the dtype name."""
    t = t.detach()
    name = {torch.float32: "float32", torch.float16: "float16", torch.bfloat16: "bfloat16",
            torch.float64: "float64"}[t.dtype]
    return t.to(torch.float64).numpy().copy(), name


# ------------------------------------------------------------------------------------------
# Layout views.

def channels(layout, dims):
    return dims[{"NCHW": 1, "NHWC": 3, "NCL": 1, "NLC": 2, "NC": 1}[layout]]


def nchw_shape(layout, dims):
    if layout == "NCHW":
        return tuple(dims)
    if layout == "NHWC":
        return (dims[0], dims[3], dims[1], dims[2])
    if layout == "NCL":
        return (dims[0], dims[1], 1, dims[2])
    if layout == "NLC":
        return (dims[0], dims[2], 1, dims[1])
    return (dims[0], dims[1], 1, 1)


def np_to_nchw(a, layout):
    if layout == "NCHW":
        return a
    if layout == "NHWC":
        return a.transpose(0, 3, 1, 2)
    if layout == "NCL":
        return a[:, :, None, :]
    if layout == "NLC":
        return a.transpose(0, 2, 1)[:, :, None, :]
    return a[:, :, None, None]


def np_from_nchw(a4, layout):
    if layout == "NCHW":
        return a4
    if layout == "NHWC":
        return a4.transpose(0, 2, 3, 1)
    if layout == "NCL":
        return a4[:, :, 0, :]
    if layout == "NLC":
        return a4[:, :, 0, :].transpose(0, 2, 1)
    return a4[:, :, 0, 0]


# Channels-first view (what nn.BatchNorm*/InstanceNorm*/GroupNorm take) and back.
CFIRST = {"NCHW": ("", lambda x: x, lambda y: y),
          "NHWC": ("x.permute(0, 3, 1, 2)", lambda x: x.permute(0, 3, 1, 2),
                   lambda y: y.permute(0, 2, 3, 1)),
          "NCL": ("", lambda x: x, lambda y: y),
          "NLC": ("x.transpose(1, 2)", lambda x: x.transpose(1, 2), lambda y: y.transpose(1, 2)),
          "NC": ("", lambda x: x, lambda y: y)}
# Channels-last view (what nn.LayerNorm(C) and RMSNorm take) and back.
CLAST = {"NCHW": ("x.permute(0, 2, 3, 1)", lambda x: x.permute(0, 2, 3, 1),
                  lambda y: y.permute(0, 3, 1, 2)),
         "NHWC": ("", lambda x: x, lambda y: y),
         "NCL": ("x.transpose(1, 2)", lambda x: x.transpose(1, 2), lambda y: y.transpose(1, 2)),
         "NLC": ("", lambda x: x, lambda y: y),
         "NC": ("", lambda x: x, lambda y: y)}


def on_view(view, layout, what):
    text = view[layout][0]
    return f"{what} on {text}, moved back" if text else f"{what} on x"


def set_affine(module, gamma, beta, dtype):
    with torch.no_grad():
        module.weight.copy_(torch.from_numpy(gamma).to(dtype))
        module.bias.copy_(torch.from_numpy(beta).to(dtype))


def torch_apply(layout, norm, x, groups, eps, gamma=None, beta=None, contiguous=False):
    """The norm of x (a torch tensor in the file's layout), as PyTorch's users apply it, in
    x's dtype. Returns (y in the file's layout, text of the call). contiguous=True copies the
    channels-first view first (the same math through torch's NCHW kernels; used to check the
    float64 reference where torch's channels-last kernel is inaccurate, see finish())."""
    dt = x.dtype
    C = channels(layout, tuple(x.shape))
    affine = gamma is not None
    aff = "" if affine else ", affine=False"
    if norm in ("batch", "instance", "group"):
        _, fwd, back = CFIRST[layout]
        xc = fwd(x).contiguous() if contiguous else fwd(x)
        rank = xc.dim()
        if norm == "batch":
            cls = nn.BatchNorm2d if rank == 4 else nn.BatchNorm1d
            m = cls(C, eps=eps, affine=affine)
            what = f"nn.{cls.__name__}({C}, eps={eps!r}{aff}).train()"
        elif norm == "instance":
            assert rank in (3, 4), "instance norm needs a spatial extent"
            cls = nn.InstanceNorm2d if rank == 4 else nn.InstanceNorm1d
            m = cls(C, eps=eps, affine=affine)
            what = f"nn.{cls.__name__}({C}, eps={eps!r}{', affine=True' if affine else ''})"
        else:
            m = nn.GroupNorm(groups, C, eps=eps, affine=affine)
            what = f"nn.GroupNorm({groups}, {C}, eps={eps!r}{aff})"
        m = m.to(dt).train()
        if affine:
            set_affine(m, gamma, beta, dt)
        return back(m(xc)), on_view(CFIRST, layout, what)
    if norm == "layer":
        assert not affine, "LayerNorm over C,H,W has an elementwise affine, not per-channel"
        m = nn.LayerNorm(tuple(x.shape[1:]), eps=eps, elementwise_affine=False).to(dt)
        return m(x), f"nn.LayerNorm({tuple(x.shape[1:])}, eps={eps!r}, " \
                     "elementwise_affine=False) on x"
    _, fwd, back = CLAST[layout]
    t = fwd(x)
    if norm == "layer-token":
        m = nn.LayerNorm(C, eps=eps, elementwise_affine=affine).to(dt)
        if affine:
            set_affine(m, gamma, beta, dt)
        what = f"nn.LayerNorm({C}, eps={eps!r}{'' if affine else ', elementwise_affine=False'})"
        return back(m(t)), on_view(CLAST, layout, what)
    assert norm == "rms"
    y = t / torch.sqrt(t.pow(2).mean(-1, keepdim=True) + eps)
    what = f"t / torch.sqrt(t.pow(2).mean(-1, keepdim=True) + {eps!r})"
    if affine:
        y = y * torch.from_numpy(gamma).to(dt) + torch.from_numpy(beta).to(dt)
        what += " * weight + bias"
    return back(y), on_view(CLAST, layout, what).replace(" on x", " with t = x")


def torch_eval(layout, bn, x):
    """bn.eval() applied to x (file layout) on the channels-first view, in x's dtype."""
    _, fwd, back = CFIRST[layout]
    m = copy.deepcopy(bn).to(x.dtype).eval()
    return back(m(fwd(x)))


# ------------------------------------------------------------------------------------------
# The independent reference: normviz's definition in NCHW terms, extended precision.

REDUCED = {"batch": (0, 2, 3), "layer": (1, 2, 3), "instance": (2, 3), "layer-token": (1,),
           "rms": (1,)}


def reference(x, layout, norm, groups, eps, gamma=None, beta=None, running=None):
    """Returns (y in the file's layout as longdouble, cond = max |mean| / sqrt(var + eps))."""
    x4 = np_to_nchw(np.asarray(x, dtype=LD), layout)
    e = LD(eps)
    if running is not None:
        rm, rv = (np.asarray(v, dtype=LD).reshape(1, -1, 1, 1) for v in running)
        y = (x4 - rm) / np.sqrt(rv + e)
        cond = float(np.max(np.abs(rm) / np.sqrt(rv + e)))
    elif norm == "group":
        N, C, H, W = x4.shape
        g = x4.reshape(N, groups, C // groups, H, W)
        mean = g.mean(axis=(2, 3, 4), keepdims=True)
        var = ((g - mean) ** 2).mean(axis=(2, 3, 4), keepdims=True)
        y = ((g - mean) / np.sqrt(var + e)).reshape(x4.shape)
        cond = float(np.max(np.abs(mean) / np.sqrt(var + e)))
    elif norm == "rms":
        msq = (x4 * x4).mean(axis=1, keepdims=True)
        y = x4 / np.sqrt(msq + e)
        cond = 1.0
    else:
        axes = REDUCED[norm]
        mean = x4.mean(axis=axes, keepdims=True)
        var = ((x4 - mean) ** 2).mean(axis=axes, keepdims=True)
        y = (x4 - mean) / np.sqrt(var + e)
        cond = float(np.max(np.abs(mean) / np.sqrt(var + e)))
    if gamma is not None:
        y = y * np.asarray(gamma, dtype=LD).reshape(1, -1, 1, 1) + \
            np.asarray(beta, dtype=LD).reshape(1, -1, 1, 1)
    return np_from_nchw(y, layout), max(cond, 1.0)


def ulp32(t):
    a = np.abs(t).astype(np.float32)
    return (np.nextafter(a, np.float32(np.inf)) - a).astype(np.float64)


# ------------------------------------------------------------------------------------------
# Cases.

class Fixtures:
    def __init__(self, out_dir):
        self.out = out_dir
        self.rows = []
        self.members = []  # (file, member, dims, dtype)

    def path(self, name):
        return os.path.join(self.out, name)

    def np_save(self, name, array):
        np.save(self.path(name), array, allow_pickle=False)
        a = np.asarray(array)
        self.members.append((name, "-", a.shape, str(a.dtype)))

    def savez(self, name, compressed, members):
        savez(self.path(name), compressed, members)
        for k, v in members.items():
            self.members.append((name, k, np.asarray(v).shape, str(np.asarray(v).dtype)))

    def save_safetensors(self, name, tensors, metadata=None, listed=True):
        save_safetensors(self.path(name), tensors, metadata)
        if listed:
            for k, t in tensors.items():
                self.members.append((name, k, tuple(t.shape), tensor_bytes(t)[1]))

    def affine_files(self, name, gamma, beta):
        if gamma is None:
            return "-", "-"
        np.save(self.path(name + ".gamma.npy"), np.asarray(gamma, dtype="<f8"))
        np.save(self.path(name + ".beta.npy"), np.asarray(beta, dtype="<f8"))
        return name + ".gamma.npy", name + ".beta.npy"

    def finish(self, name, test, kind, source, layout, norm, groups, eps, x, dtype, t64,
               y_low, ref, cond, origin, call, gamma=None, beta=None, buffers="-",
               t64_check=None):
        """Checks the truth, derives the tolerance, writes NAME.truth.npy, adds the row.
        x: exact stored values (float64, file layout); t64: torch float64 output; y_low:
        torch's float32 output (None for float64 inputs); ref: longdouble reference;
        t64_check: torch float64 through contiguous NCHW kernels (float64 inputs only)."""
        t64 = np.ascontiguousarray(t64, dtype=np.float64)
        assert t64.shape == x.shape, (name, t64.shape, x.shape)
        ref64 = np.ascontiguousarray(ref.astype(np.float64))
        scale = max(1.0, float(np.max(np.abs(ref64))))
        assert np.all(np.isfinite(ref64)), name
        # torch's float64 against the independent reference: a wrong permute or reduced axis
        # in the torch call (or in the reference) is an O(1) difference. For float64 inputs
        # torch's channels-last GroupNorm kernel (1.13) computes the variance in one pass and
        # loses ~3e-2 on 1e4 + 1e-3 N(0,1): the check then uses the contiguous NCHW path.
        bound = max(1e-9 * scale, 1e3 * U64 * cond * scale)
        check = t64 if t64_check is None else np.asarray(t64_check, dtype=np.float64)
        dev = float(np.max(np.abs(check - ref64)))
        assert dev <= bound, (name, dev, cond)
        if dtype == "float64":
            # The truth is the extended-precision reference. torch's float64 error is recorded
            # but is no yardstick (see the channels-last GroupNorm above); the tolerance is
            # what rounding the mean to float64 costs, and at least 1e-12 relative.
            precision = "f64"
            truth = ref64
            err = float(np.max(np.abs(t64 - truth)))
            tol = max(1e-12 * scale, 16.0 * U64 * cond)
            if err > bound:
                print(f"note: {name}: torch float64 ({call}) is off by {err:.3g}; "
                      f"its contiguous NCHW path by {dev:.3g}")
        else:
            precision = "f32"
            truth = t64
            y_low = np.asarray(y_low, dtype=np.float64)
            assert np.all(np.isfinite(y_low)), name
            err = float(np.max(np.abs(y_low - truth)))
            assert err <= 1e-2 * scale, (name, err)
            tol = 3.0 * err
            # A correctly rounded float32 result must pass.
            rounded = truth.astype(np.float32).astype(np.float64)
            assert np.all(np.abs(rounded - truth) <= np.maximum(tol, ulp32(truth))), name
        np.save(self.path(name + ".truth.npy"), np.ascontiguousarray(truth, dtype="<f8"))
        g_file, b_file = self.affine_files(name, gamma, beta)
        dims = tuple(x.shape)
        self.rows.append({
            "name": name, "test": test, "kind": kind, "source": source, "layout": layout,
            "norm": norm, "groups": str(groups), "eps": repr(float(eps)), "gamma": g_file,
            "beta": b_file, "buffers": buffers, "truth": name + ".truth.npy",
            "dims": "x".join(map(str, dims)),
            "nchw": "x".join(map(str, nchw_shape(layout, dims))), "dtype": dtype,
            "precision": precision, "torch_err": repr(err), "tol": repr(tol),
            "origin": origin, "torch_call": call})

    def norm_case(self, name, test, source, stored, layout, norm, groups=0, eps=1e-5,
                  gamma=None, beta=None, origin=""):
        """stored: the torch tensor exactly as the file holds it (file layout, its dtype)."""
        x, dtype = exact(stored)
        x64 = torch.from_numpy(x)
        with torch.no_grad():
            t64, call = torch_apply(layout, norm, x64, groups, eps, gamma, beta)
            y_low = t64_check = None
            if dtype != "float64":
                y_low = torch_apply(layout, norm, x64.float(), groups, eps, gamma, beta)[0]
                y_low = y_low.numpy()
            else:
                t64_check = torch_apply(layout, norm, x64, groups, eps, gamma, beta,
                                        contiguous=True)[0].numpy()
        ref, cond = reference(x, layout, norm, groups, eps, gamma, beta)
        self.finish(name, test, "train", source, layout, norm, groups, eps, x, dtype,
                    t64.numpy(), y_low, ref, cond, origin, call, gamma, beta,
                    t64_check=t64_check)

    def eval_case(self, name, source, stored, layout, bn, buffers, origin):
        x, dtype = exact(stored)
        x64 = torch.from_numpy(x)
        with torch.no_grad():
            t64 = torch_eval(layout, bn, x64).numpy()
            y_low = torch_eval(layout, bn, x64.float()).numpy()
        running = (bn.running_mean.double().numpy(), bn.running_var.double().numpy())
        gamma = beta = None
        if bn.affine:
            gamma, beta = bn.weight.detach().double().numpy(), bn.bias.detach().double().numpy()
        ref, cond = reference(x, layout, "batch", 0, bn.eps, gamma, beta, running)
        call = on_view(CFIRST, layout, f"{buffers.split(':')[1]}.eval() (nn.{type(bn).__name__}"
                       f"({bn.num_features}, eps={bn.eps!r}), buffers from the state_dict)")
        self.finish(name, "CheckpointBatchNormEvalMatchesTorch", "eval", source, layout,
                    "batch", 0, bn.eps, x, dtype, t64, y_low, ref, cond, origin, call,
                    buffers=buffers)


# ------------------------------------------------------------------------------------------
# Models.

class SmallNet(nn.Module):
    """A small conv net with the BatchNorms users meet: BatchNorm2d after convs, BatchNorm1d
    on (N, C) features, BatchNorm1d (affine=False) after a Conv1d, BatchNorm1d over the
    features of (B, T, D) tokens through a transpose."""

    def __init__(self):
        super().__init__()
        od = collections.OrderedDict
        self.stem = nn.Sequential(od(conv=nn.Conv2d(3, 8, 3, padding=1, bias=False),
                                     bn=nn.BatchNorm2d(8), act=nn.ReLU()))
        self.block = nn.Sequential(od(conv=nn.Conv2d(8, 16, 3, stride=2, padding=1, bias=False),
                                      bn=nn.BatchNorm2d(16), act=nn.ReLU()))
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(16, 12)
        self.head_bn = nn.BatchNorm1d(12, eps=1e-3)
        self.temporal = nn.Sequential(od(conv=nn.Conv1d(4, 8, 3, padding=1),
                                         bn=nn.BatchNorm1d(8, affine=False)))
        self.token_proj = nn.Linear(5, 10)
        self.token_bn = nn.BatchNorm1d(10)

    def forward(self, img, seq, tokens):
        f = self.pool(self.block(self.stem(img))).flatten(1)
        t = self.token_bn(self.token_proj(tokens).transpose(1, 2)).transpose(1, 2)
        return self.head_bn(self.fc(f)), self.temporal(seq), t


def randomize_bn_affine(model):
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm) and m.affine:
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.2)


class Capture:
    """Forward hooks that keep a module's input (pre=True) or output, by module name."""

    def __init__(self, model, names, pre):
        self.values = {}
        self.handles = []
        modules = dict(model.named_modules())
        for n in names:
            if pre:
                h = modules[n].register_forward_pre_hook(
                    lambda m, inp, n=n: self.values.__setitem__(n, inp[0].detach().clone()))
            else:
                h = modules[n].register_forward_hook(
                    lambda m, inp, out, n=n: self.values.__setitem__(n, out.detach().clone()))
            self.handles.append(h)

    def remove(self):
        for h in self.handles:
            h.remove()


def train_batches(model, make_batch, count=3):
    """A few training-mode forward passes: BatchNorm running statistics move off 0 and 1."""
    model.train()
    with torch.no_grad():
        for _ in range(count):
            model(*make_batch())
    model.eval()


def bn_state(model):
    """The BatchNorm entries of model.state_dict() (weight, bias, running_mean, running_var,
    num_batches_tracked), in state_dict order."""
    bn_names = {n for n, m in model.named_modules()
                if isinstance(m, nn.modules.batchnorm._BatchNorm)}
    return collections.OrderedDict((k, v) for k, v in model.state_dict().items()
                                   if k.rsplit(".", 1)[0] in bn_names)


# ------------------------------------------------------------------------------------------

def make_all(fx):
    rng = np.random.default_rng(20240917)
    matrix_tests = {"NCHW": "NchwActivationsMatchTorch", "NHWC": "NhwcActivationsMatchTorch",
                    "NCL": "NclActivationsMatchTorch", "NLC": "NlcHiddenStatesMatchTorch",
                    "NC": "NcFeaturesMatchTorch"}

    def matrix(layout, stem, file, stored, groups, origin):
        for norm in NORMS:
            if layout == "NC" and norm == "instance":
                continue  # no spatial extent: PyTorch has no instance norm of (N, C)
            fx.norm_case(f"{stem}_{norm.replace('-', '_')}", matrix_tests[layout], file, stored,
                         layout, norm, groups=groups if norm == "group" else 0,
                         eps=1e-6 if norm == "rms" else 1e-5, origin=origin)

    # ---- torchvision resnet18, random weights -------------------------------------------
    import torchvision
    torch.manual_seed(1)
    resnet = torchvision.models.resnet18(weights=None)
    randomize_bn_affine(resnet)
    train_batches(resnet, lambda: (torch.randn(2, 3, 32, 24) * 1.5 + 0.25,))
    cap_out = Capture(resnet, ["layer2.0.conv1", "layer3.1.conv2"], pre=False)
    cap_in = Capture(resnet, ["layer1.0.bn1", "layer3.1.bn2", "layer4.0.downsample.1"],
                     pre=True)
    with torch.no_grad():
        resnet(torch.randn(2, 3, 32, 24))
    cap_out.remove()
    cap_in.remove()
    cap_bn1 = Capture(resnet, ["bn1"], pre=True)
    with torch.no_grad():
        resnet(torch.randn(1, 3, 12, 8))
    cap_bn1.remove()
    fx.save_safetensors("resnet18_bn.safetensors", bn_state(resnet), {"format": "pt"},
                        listed=False)

    a = cap_out.values["layer2.0.conv1"]  # (2, 128, 4, 3)
    fx.np_save("resnet18_layer2_0_conv1.nchw.npy", a.numpy())
    matrix("NCHW", "nchw_resnet18_layer2", "resnet18_layer2_0_conv1.nchw.npy", a, 4,
           "resnet18 layer2.0.conv1 output, np.save(x.detach().numpy())")
    a_cl = a.permute(0, 2, 3, 1)
    fx.np_save("resnet18_layer2_0_conv1.nhwc.npy", a_cl.numpy())
    matrix("NHWC", "nhwc_resnet18_layer2", "resnet18_layer2_0_conv1.nhwc.npy", a_cl, 4,
           "resnet18 layer2.0.conv1 output, np.save(x.permute(0, 2, 3, 1).numpy())")

    h = cap_out.values["layer3.1.conv2"].half()  # (2, 256, 2, 2)
    fx.np_save("resnet18_layer3_1_conv2.f16.npy", h.numpy())
    for norm, g in (("batch", 0), ("group", 32)):
        fx.norm_case(f"f16_resnet18_layer3_{norm}", "Float16NpyMatchesTorch",
                     "resnet18_layer3_1_conv2.f16.npy", h, "NCHW", norm, groups=g,
                     origin="resnet18 layer3.1.conv2 output, np.save(x.half().numpy())")

    for prefix, layout, store, note in (
            ("bn1", "NCHW", lambda t: t, "bn1 input at a (1, 3, 12, 8) image"),
            ("layer1.0.bn1", "NCHW", lambda t: t, "input"),
            ("layer3.1.bn2", "NHWC", lambda t: t.permute(0, 2, 3, 1), "input, channels-last"),
            ("layer4.0.downsample.1", "NCHW", lambda t: t, "input (H = W = 1)")):
        x = store((cap_bn1 if prefix == "bn1" else cap_in).values[prefix])
        file = f"resnet18_{prefix.replace('.', '_')}_in.{layout.lower()}.npy"
        fx.np_save(file, x.numpy())
        bn = dict(resnet.named_modules())[prefix]
        fx.eval_case(f"eval_resnet18_{prefix.replace('.', '_')}", file, x, layout, bn,
                     f"resnet18_bn.safetensors:{prefix}",
                     f"resnet18 {prefix} {note}, forward pre-hook, np.save")

    # ---- SmallNet ------------------------------------------------------------------------
    torch.manual_seed(2)
    net = SmallNet()
    randomize_bn_affine(net)
    train_batches(net, lambda: (torch.randn(6, 3, 6, 10) * 2.0 + 0.5,
                                torch.randn(6, 4, 12) * 1.5 - 0.3,
                                torch.randn(3, 9, 5) * 1.2 + 0.4))
    cap_in = Capture(net, ["stem.bn", "block.bn", "head_bn", "temporal.bn", "token_bn"],
                     pre=True)
    with torch.no_grad():
        net(torch.randn(6, 3, 6, 10), torch.randn(6, 4, 12), torch.randn(3, 9, 5))
    cap_in.remove()
    state = net.state_dict()
    fx.save_safetensors("smallnet.safetensors", state, {"format": "pt"}, listed=False)
    v = cap_in.values

    fx.np_save("smallnet_temporal_conv.ncl.npy", v["temporal.bn"].numpy())  # (6, 8, 12)
    matrix("NCL", "ncl_smallnet_temporal", "smallnet_temporal_conv.ncl.npy", v["temporal.bn"],
           2, "SmallNet temporal.conv (Conv1d) output, np.save")
    fx.np_save("smallnet_fc.nc.npy", v["head_bn"].numpy())  # (6, 12)
    matrix("NC", "nc_smallnet_fc", "smallnet_fc.nc.npy", v["head_bn"], 3,
           "SmallNet fc (Linear) output, np.save")

    block_cl = v["block.bn"].permute(0, 2, 3, 1)  # (6, 3, 5, 16)
    tokens = v["token_bn"].transpose(1, 2)  # token_proj output (3, 9, 10), as (B, T, D)
    for prefix, layout, x, file in (
            ("token_bn", "NLC", tokens, "smallnet_token_proj.nlc.npy"),
            ("stem.bn", "NCHW", v["stem.bn"], "smallnet_stem_conv.nchw.npy"),
            ("block.bn", "NHWC", block_cl, "smallnet_block_conv.nhwc.npy"),
            ("head_bn", "NC", v["head_bn"], "smallnet_fc.nc.npy"),
            ("temporal.bn", "NCL", v["temporal.bn"], "smallnet_temporal_conv.ncl.npy")):
        if not os.path.exists(fx.path(file)):
            fx.np_save(file, x.numpy())
        bn = dict(net.named_modules())[prefix]
        fx.eval_case(f"eval_smallnet_{prefix.replace('.', '_')}", file, x, layout, bn,
                     f"smallnet.safetensors:{prefix}",
                     f"SmallNet {prefix} input, forward pre-hook, np.save ({layout})")

    # torch.save of an activation: normviz must refuse it (and never unpickle it).
    # (The zip format only: the legacy format keys storages by memory address, so its bytes
    # differ on every run.)
    torch.save(v["head_bn"], fx.path("smallnet_fc.pt"))

    # ---- nn.TransformerEncoderLayer hidden states -----------------------------------------
    torch.manual_seed(3)
    enc = nn.TransformerEncoderLayer(d_model=16, nhead=2, dim_feedforward=32, dropout=0.0,
                                     batch_first=True)
    with torch.no_grad():
        enc.norm1.weight.copy_(1.0 + 0.2 * torch.randn(16))
        enc.norm1.bias.copy_(0.1 * torch.randn(16))
    enc.eval()
    cap = Capture(enc, ["norm1"], pre=True)
    emb = torch.randn(2, 7, 16)
    hidden = enc(emb).detach()  # grad enabled: the module path (no fused fast path) runs
    cap.remove()
    assert "norm1" in cap.values, "norm1's pre-hook did not run (fast path?)"
    n1 = cap.values["norm1"]  # x + self_attn(x), what norm1 normalizes: (2, 7, 16)
    fx.np_save("encoder_norm1_in.nlc.npy", n1.numpy())
    matrix("NLC", "nlc_encoder_norm1_in", "encoder_norm1_in.nlc.npy", n1, 4,
           "TransformerEncoderLayer(16, 2, batch_first=True): norm1 input x + sa(x), np.save")
    # The encoder's own norm1 (affine) on its input, and a LLaMA-style RMSNorm with weight.
    g = enc.norm1.weight.detach().double().numpy()
    b = enc.norm1.bias.detach().double().numpy()
    fx.norm_case("affine_encoder_norm1", "AffineMatchesTorchModules", "encoder_norm1_in.nlc.npy",
                 n1, "NLC", "layer-token", eps=enc.norm1.eps, gamma=g, beta=b,
                 origin="TransformerEncoderLayer norm1 input; truth = the layer's own norm1")
    w = (1.0 + 0.25 * torch.randn(16)).double().numpy()
    w = w.astype(np.float32).astype(np.float64)
    fx.norm_case("affine_rmsnorm_weight", "AffineMatchesTorchModules", "encoder_norm1_in.nlc.npy",
                 n1, "NLC", "rms", eps=1e-6, gamma=w, beta=np.zeros(16),
                 origin="TransformerEncoderLayer norm1 input; RMSNorm with a weight")
    gg = (1.0 + 0.3 * torch.randn(128)).float().double().numpy()
    gb = (0.2 * torch.randn(128)).float().double().numpy()
    fx.norm_case("affine_groupnorm_nhwc", "AffineMatchesTorchModules",
                 "resnet18_layer2_0_conv1.nhwc.npy", a_cl, "NHWC", "group", groups=8,
                 gamma=gg, beta=gb, origin="resnet18 layer2.0.conv1 output, channels-last; "
                 "GroupNorm(8, 128) with affine")

    hf = hidden.half()
    fx.np_save("encoder_hidden.f16.npy", hf.numpy())
    for norm in ("layer-token", "rms", "batch"):
        fx.norm_case(f"f16_encoder_hidden_{norm.replace('-', '_')}", "Float16NpyMatchesTorch",
                     "encoder_hidden.f16.npy", hf, "NLC", norm,
                     eps=1e-6 if norm == "rms" else 1e-5,
                     origin="TransformerEncoderLayer output, np.save(h.half().numpy())")

    # ---- float64 inputs whose variance float32 would lose --------------------------------
    def tiny(shape, offset=1.0, noise=1e-5):
        return torch.from_numpy(offset + noise * rng.standard_normal(shape))

    t = tiny((2, 4, 3, 5))
    fx.np_save("tinyvar_f64.nchw.npy", t.numpy())
    for norm in NORMS:
        fx.norm_case(f"f64_tinyvar_nchw_{norm.replace('-', '_')}", "Float64KeepsPrecision",
                     "tinyvar_f64.nchw.npy", t, "NCHW", norm,
                     groups=2 if norm == "group" else 0, eps=1e-12,
                     origin="float64 1.0 + 1e-5 N(0,1) (variance 1e-10), np.save")
    fx.norm_case("f64_tinyvar_nchw_batch_eps_default", "Float64KeepsPrecision",
                 "tinyvar_f64.nchw.npy", t, "NCHW", "batch", eps=1e-5,
                 origin="float64 1.0 + 1e-5 N(0,1), eps 1e-5")
    t = tiny((2, 7, 16))
    fx.np_save("tinyvar_f64.nlc.npy", t.numpy())
    for norm in ("layer-token", "batch", "group"):
        fx.norm_case(f"f64_tinyvar_nlc_{norm.replace('-', '_')}", "Float64KeepsPrecision",
                     "tinyvar_f64.nlc.npy", t, "NLC", norm, groups=4 if norm == "group" else 0,
                     eps=1e-12, origin="float64 (B, T, D) 1.0 + 1e-5 N(0,1), np.save")
    t = tiny((2, 3, 5, 4), offset=1e4, noise=1e-3)
    fx.np_save("offset_f64.nhwc.npy", t.numpy())
    for norm in ("instance", "layer-token", "group"):
        fx.norm_case(f"f64_offset_nhwc_{norm.replace('-', '_')}", "Float64KeepsPrecision",
                     "offset_f64.nhwc.npy", t, "NHWC", norm, groups=2 if norm == "group" else 0,
                     eps=1e-12, origin="float64 channels-last 1e4 + 1e-3 N(0,1), np.save")
    t = tiny((3, 4, 9))
    fx.np_save("tinyvar_f64.ncl.npy", t.numpy())
    fx.norm_case("f64_tinyvar_ncl_instance", "Float64KeepsPrecision", "tinyvar_f64.ncl.npy", t,
                 "NCL", "instance", eps=1e-12, origin="float64 (N, C, L), np.save")
    t = tiny((6, 5))
    fx.np_save("tinyvar_f64.nc.npy", t.numpy())
    fx.norm_case("f64_tinyvar_nc_batch", "Float64KeepsPrecision", "tinyvar_f64.nc.npy", t,
                 "NC", "batch", eps=1e-12, origin="float64 (N, C), np.save")

    # ---- .npz archives -------------------------------------------------------------------
    block_out = v["block.bn"]  # (6, 16, 3, 5)
    feats = v["head_bn"]
    fx.savez("activations.npz", False, collections.OrderedDict(
        block=block_out.numpy(), features=feats.numpy(), hidden=hidden.numpy()))
    origin = "np.savez(path, block=..., features=..., hidden=...)"
    fx.norm_case("npz_block_batch", "NpzMembersMatchTorch", "activations.npz:block", block_out,
                 "NCHW", "batch", origin="SmallNet block.conv output; " + origin)
    fx.norm_case("npz_features_layer_token", "NpzMembersMatchTorch", "activations.npz:features",
                 feats, "NC", "layer-token", origin="SmallNet fc output; " + origin)
    fx.norm_case("npz_hidden_group", "NpzMembersMatchTorch", "activations.npz:hidden", hidden,
                 "NLC", "group", groups=2, origin="TransformerEncoderLayer output; " + origin)

    seq = v["temporal.bn"]
    t64 = tiny((2, 6, 3, 3), offset=-2.0, noise=1e-4)
    fx.savez("activations_compressed.npz", True, collections.OrderedDict(
        hidden_f16=hf.numpy(), block_nhwc=block_cl.numpy(), seq=seq.numpy(),
        sample64=t64.numpy()))
    origin = "np.savez_compressed(path, hidden_f16=..., block_nhwc=..., seq=..., sample64=...)"
    src = "activations_compressed.npz:"
    fx.norm_case("npzc_hidden_f16_layer_token", "NpzCompressedMembersMatchTorch",
                 src + "hidden_f16", hf, "NLC", "layer-token", origin=origin)
    fx.norm_case("npzc_block_nhwc_instance", "NpzCompressedMembersMatchTorch",
                 src + "block_nhwc", block_cl, "NHWC", "instance", origin=origin)
    fx.norm_case("npzc_seq_group", "NpzCompressedMembersMatchTorch", src + "seq", seq, "NCL",
                 "group", groups=4, origin=origin)
    fx.norm_case("npzc_sample64_layer", "NpzCompressedMembersMatchTorch", src + "sample64", t64,
                 "NCHW", "layer", eps=1e-12, origin="float64 -2 + 1e-4 N(0,1); " + origin)

    # ---- .safetensors members ------------------------------------------------------------
    st = collections.OrderedDict()
    st["block.conv"] = block_out.float()
    st["encoder.hidden"] = hidden.half()
    st["encoder.hidden_bf16"] = hidden.bfloat16()
    st["tinyvar"] = tiny((2, 4, 3, 5), offset=1.0, noise=1e-5)
    st["encoder.norm1_in.f64"] = n1.double()
    fx.save_safetensors("activations.safetensors", st, {"format": "pt"})
    origin = "safetensors (format pt), member "
    src = "activations.safetensors:"
    fx.norm_case("st_f32_block_group", "SafetensorsMembersMatchTorch", src + "block.conv",
                 st["block.conv"], "NCHW", "group", groups=4, origin=origin + "F32")
    fx.norm_case("st_f16_hidden_layer_token", "SafetensorsMembersMatchTorch",
                 src + "encoder.hidden", st["encoder.hidden"], "NLC", "layer-token",
                 origin=origin + "F16")
    fx.norm_case("st_bf16_hidden_rms", "SafetensorsMembersMatchTorch",
                 src + "encoder.hidden_bf16", st["encoder.hidden_bf16"], "NLC", "rms", eps=1e-6,
                 origin=origin + "BF16")
    fx.norm_case("st_f64_tinyvar_instance", "SafetensorsMembersMatchTorch", src + "tinyvar",
                 st["tinyvar"], "NCHW", "instance", eps=1e-12, origin=origin + "F64")
    fx.norm_case("st_f64_norm1_in_batch", "SafetensorsMembersMatchTorch",
                 src + "encoder.norm1_in.f64", st["encoder.norm1_in.f64"], "NLC", "batch",
                 origin=origin + "F64 (x.double())")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(here, "..", "tests", "fixtures", "real"))
    args = parser.parse_args()
    out_dir = os.path.normpath(args.out)
    os.makedirs(out_dir, exist_ok=True)

    torch.set_num_threads(1)  # reductions in a fixed order: identical files on every run
    torch.manual_seed(0)

    # The folder is this script's: remove the previous outputs so dropped cases leave nothing.
    for f in os.listdir(out_dir):
        p = os.path.join(out_dir, f)
        if os.path.isfile(p):
            os.remove(p)

    fx = Fixtures(out_dir)
    make_all(fx)
    names = [r["name"] for r in fx.rows]
    assert len(names) == len(set(names)), "duplicate case names"
    with open(os.path.join(out_dir, "manifest.tsv"), "w", newline="\n") as f:
        f.write("\t".join(COLUMNS) + "\n")
        for r in fx.rows:
            assert all("\t" not in r[c] and "\n" not in r[c] for c in COLUMNS), r
            f.write("\t".join(r[c] for c in COLUMNS) + "\n")
    with open(os.path.join(out_dir, "members.tsv"), "w", newline="\n") as f:
        f.write("file\tmember\tdims\tdtype\n")
        for file, member, dims, dtype in fx.members:
            f.write(f"{file}\t{member}\t{'x'.join(map(str, dims))}\t{dtype}\n")

    total = sum(os.path.getsize(os.path.join(out_dir, f)) for f in os.listdir(out_dir))
    print(f"{len(fx.rows)} cases, {len(os.listdir(out_dir))} files, {total} bytes in {out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
