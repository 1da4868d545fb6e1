#!/usr/bin/python3
"""Writes the PyTorch running-statistics fixtures of normviz into tests/fixtures/running_stats/.

Run with Debian's Python, which has torch (1.13) and numpy:

    /usr/bin/python3 tools/make_running_stats_fixtures.py [--out DIR]

A deterministic stream of BATCHES float32 batches of shape (4, 3, 2, 2), each with its own
per-channel offsets, goes through torch.nn.BatchNorm2d(3) in training mode, as a float64
module (.double(), the batches upcast), once with momentum 0.1 and once with momentum None
(cumulative average). After each batch the module's running_mean and running_var are
recorded. Then a float32 test batch of shape (1, 3, 2, 2) (a model served at batch 1) goes
through each module in eval mode (running statistics), and through a copy of the momentum
module in training mode (the batch's own statistics), which leaves the module unchanged.
Both modules carry the same affine weight and bias (GAMMA, BETA, exact in float32).
tests/test_running_stats.cpp reads these files and checks core::RunningStats,
core::normalize_eval and core::train_eval_gap. Rerunning writes byte-identical files.

Files (all C order; '<f4' inputs are float32 values, '<f8' outputs are torch's float64):
    batch{k}.in.npy            '<f4' (4, 3, 2, 2), k = 0 .. BATCHES-1, in stream order
    momentum.running_mean.npy  '<f8' (BATCHES, 3): row k = running_mean after batch k
    momentum.running_var.npy   '<f8' (BATCHES, 3): running_var (unbiased) after batch k
    cumulative.running_mean.npy, cumulative.running_var.npy: the same for momentum=None
    test.in.npy                '<f4' (1, 3, 2, 2): the test batch
    momentum.eval.npy          '<f8' (1, 3, 2, 2): eval-mode output, momentum module
    cumulative.eval.npy        '<f8' (1, 3, 2, 2): eval-mode output, cumulative module
    momentum.train.npy         '<f8' (1, 3, 2, 2): train-mode output of the test batch

manifest.tsv: tab-separated "key<TAB>value" lines after a header line "key<TAB>value":
    batches      number of batches in the stream
    batch_shape  'x'-separated shape of each batch, e.g. 4x3x2x2
    test_shape   shape of the test batch
    momentum     momentum of the first module (Python repr)
    eps          eps of both modules (Python repr)
    gamma, beta  the affine weight and bias, comma-separated Python reprs
    batches_tracked        num_batches_tracked of each module at the end
    train_eval_max_abs_diff  max |momentum.train - momentum.eval| (Python repr)
"""

import argparse
import copy
import os

import numpy as np
import torch

BATCHES = 5
BATCH_SHAPE = (4, 3, 2, 2)
TEST_SHAPE = (1, 3, 2, 2)
MOMENTUM = 0.1
EPS = 1e-5
GAMMA = (1.5, 0.5, 2.0)
BETA = (0.25, -1.0, 0.5)


def make_stream(rng):
    """BATCHES float32 batches; batch k has channel offsets that move with k."""
    scale = np.array([1.0, 2.0, 0.5]).reshape(1, 3, 1, 1)
    batches = []
    for k in range(BATCHES):
        offset = np.array([0.5 * k - 1.0, 2.0 + k, -3.0 + 0.25 * k]).reshape(1, 3, 1, 1)
        x = rng.standard_normal(BATCH_SHAPE) * scale + offset
        batches.append(x.astype(np.float32))
    return batches


def make_module(momentum):
    bn = torch.nn.BatchNorm2d(3, eps=EPS, momentum=momentum).double()
    with torch.no_grad():
        bn.weight.copy_(torch.tensor(GAMMA, dtype=torch.float64))
        bn.bias.copy_(torch.tensor(BETA, dtype=torch.float64))
    return bn


def run_stream(bn, batches):
    means, vars_ = [], []
    bn.train()
    with torch.no_grad():
        for x in batches:
            bn(torch.from_numpy(x).double())
            means.append(bn.running_mean.numpy().copy())
            vars_.append(bn.running_var.numpy().copy())
    return np.stack(means).astype("<f8"), np.stack(vars_).astype("<f8")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--out", default=os.path.join(root, "tests", "fixtures", "running_stats"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)

    rng = np.random.default_rng(20240705)
    batches = make_stream(rng)
    test = (rng.standard_normal(TEST_SHAPE) * 1.5 + 0.5).astype(np.float32)
    test_t = torch.from_numpy(test).double()

    def save(name, array):
        np.save(os.path.join(args.out, name), array)

    for k, x in enumerate(batches):
        save(f"batch{k}.in.npy", x)
    save("test.in.npy", test)

    outputs = {}
    modules = {"momentum": make_module(MOMENTUM), "cumulative": make_module(None)}
    for name, bn in modules.items():
        mean, var = run_stream(bn, batches)
        save(f"{name}.running_mean.npy", mean)
        save(f"{name}.running_var.npy", var)
        with torch.no_grad():
            outputs[name] = bn.eval()(test_t).numpy().astype("<f8")
        save(f"{name}.eval.npy", outputs[name])

    with torch.no_grad():
        trained = copy.deepcopy(modules["momentum"]).train()
        train_out = trained(test_t).numpy().astype("<f8")
    save("momentum.train.npy", train_out)
    gap = float(np.max(np.abs(train_out - outputs["momentum"])))

    shape = lambda s: "x".join(str(d) for d in s)  # noqa: E731
    rows = [
        ("batches", str(BATCHES)),
        ("batch_shape", shape(BATCH_SHAPE)),
        ("test_shape", shape(TEST_SHAPE)),
        ("momentum", repr(MOMENTUM)),
        ("eps", repr(EPS)),
        ("gamma", ",".join(repr(g) for g in GAMMA)),
        ("beta", ",".join(repr(b) for b in BETA)),
        ("batches_tracked", str(int(modules["momentum"].num_batches_tracked))),
        ("train_eval_max_abs_diff", repr(gap)),
    ]
    with open(os.path.join(args.out, "manifest.tsv"), "w", newline="\n") as f:
        f.write("key\tvalue\n")
        for key, value in rows:
            f.write(f"{key}\t{value}\n")
    print(f"wrote {BATCHES} batches, running stats and eval outputs to {args.out}")


if __name__ == "__main__":
    main()
