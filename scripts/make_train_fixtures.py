#!/usr/bin/python3
"""Writes the PyTorch reference fixtures of normviz's training lab into tests/fixtures/train/.

Run with Debian's Python, which has torch and numpy:

    /usr/bin/python3 scripts/make_train_fixtures.py [--out DIR]

The numbers come from PyTorch, not from normviz: tests/train/test_train_pytorch.cpp reads
them and checks core/train against them. Fixed seeds, one thread: rerunning writes the same
files. Every truth is computed by torch in float64 from float32 values; the manifests also
give torch's own float32 error against that truth, the scale of the tolerance.

Part 1, one normalization layer (norm_layers.tsv), per case NAME:
    NAME.inputs.npy  '<f8' flat: x (N*C*H*W), dy (same), gamma (C), beta (C); float32 values
    NAME.truth.npy   '<f8' flat: y, dx, dgamma, dbeta of a training-mode forward and backward
                     of sum(y * dy); then, for BatchNorm-like cases, running_mean and
                     running_var (C each) after that forward (momentum 0.1, unbiased variance,
                     starting from 0 and 1)
Part 2, the whole network (network.tsv): the network of core/train/network.h with widths
(4, 4, 8) on 8x8 images, batch 4, 20 steps of SGD (lr 0.05 with cosine decay over the 20
steps, momentum 0.9, weight decay 5e-4 on every parameter), cross-entropy over 4 classes.
    net.images.npy   '<f8' (80, 3, 8, 8): the 20 batches, float32 values
    net.labels.npy   '<f8' (80,): their classes 0..3
    net_NAME.init.npy    '<f8' flat: the initial parameters in PyTorch's order (conv1.weight,
                         conv1.bias, norm1.weight, norm1.bias, ..., fc.weight, fc.bias),
                         float32 values
    net_NAME.grads.npy   '<f8' flat: the gradients of the first step, same order
    net_NAME.losses.npy  '<f8' (21,): the 20 training losses, then the eval-mode loss of batch
                         0 after the 20 steps (BatchNorm: running statistics)
"""
import argparse
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

EPS = 1e-5


class Norm(nn.Module):
    """A norm as normviz names it (core/norm_spec.h), per-channel affine gamma and beta."""

    def __init__(self, kind, channels, groups=0, axes="", center=True):
        super().__init__()
        self.kind, self.groups, self.axes, self.center = kind, groups, axes, center
        if kind == "batch" or (kind == "custom" and axes == "NHW" and center):
            self.bn = nn.BatchNorm2d(channels, eps=EPS, momentum=0.1)
            self.weight, self.bias = self.bn.weight, self.bn.bias
        elif kind == "instance":
            self.inorm = nn.InstanceNorm2d(channels, eps=EPS, affine=True)
            self.weight, self.bias = self.inorm.weight, self.inorm.bias
        elif kind in ("layer", "group"):
            self.gn = nn.GroupNorm(1 if kind == "layer" else groups, channels, eps=EPS)
            self.weight, self.bias = self.gn.weight, self.gn.bias
        elif kind == "layer-token":
            self.ln = nn.LayerNorm(channels, eps=EPS)
            self.weight, self.bias = self.ln.weight, self.ln.bias
        else:
            self.weight = nn.Parameter(torch.ones(channels))
            self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x):
        if hasattr(self, "bn"):
            return self.bn(x)
        if hasattr(self, "inorm"):
            return self.inorm(x)
        if hasattr(self, "gn"):
            return self.gn(x)
        if hasattr(self, "ln"):
            return self.ln(x.permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        if self.kind == "rms":
            dims, center = (1,), False
        else:
            dims, center = tuple("NCHW".index(a) for a in self.axes), self.center
        if center:
            mean = x.mean(dim=dims, keepdim=True)
            var = x.var(dim=dims, unbiased=False, keepdim=True)
            xhat = (x - mean) / torch.sqrt(var + EPS)
        else:
            xhat = x / torch.sqrt((x * x).mean(dim=dims, keepdim=True) + EPS)
        return xhat * self.weight.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)

    def running(self):
        if hasattr(self, "bn"):
            return [self.bn.running_mean, self.bn.running_var]
        return []


class Net(nn.Module):
    """core/train/network.h: conv1 conv2 pool conv3 conv4 pool conv5 conv6 gap fc."""

    def __init__(self, widths, norm, classes=4):
        super().__init__()
        self.convs, self.norms = nn.ModuleList(), nn.ModuleList()
        cin = 3
        for layer in range(6):
            cout = widths[layer // 2]
            self.convs.append(nn.Conv2d(cin, cout, 3, padding=1))
            if norm is not None:
                self.norms.append(Norm(channels=cout, **norm))
            cin = cout
        self.fc = nn.Linear(cin, classes)

    def ordered_params(self):
        out = []
        for layer in range(6):
            out += [self.convs[layer].weight, self.convs[layer].bias]
            if len(self.norms):
                out += [self.norms[layer].weight, self.norms[layer].bias]
        return out + [self.fc.weight, self.fc.bias]

    def forward(self, x):
        for layer in range(6):
            x = self.convs[layer](x)
            if len(self.norms):
                x = self.norms[layer](x)
            x = F.relu(x)
            if layer in (1, 3):
                x = F.avg_pool2d(x, 2)
        return self.fc(x.mean(dim=(2, 3)))


def save(out, name, array):
    np.save(os.path.join(out, name), np.ascontiguousarray(np.asarray(array, dtype="<f8")))


def flat(tensors):
    return np.concatenate([t.detach().double().reshape(-1).numpy() for t in tensors])


def f32(shape, gen, scale=1.0, shift=0.0):
    return (torch.randn(shape, generator=gen) * scale + shift).float()


# name, shape, norm options
LAYER_CASES = [
    ("batch", (3, 4, 3, 5), dict(kind="batch")),
    ("layer", (3, 4, 3, 5), dict(kind="layer")),
    ("instance", (3, 4, 3, 5), dict(kind="instance")),
    ("group2", (3, 4, 3, 5), dict(kind="group", groups=2)),
    ("layer_token", (3, 4, 3, 5), dict(kind="layer-token")),
    ("rms", (3, 4, 3, 5), dict(kind="rms")),
    ("custom_nw", (3, 4, 3, 5), dict(kind="custom", axes="NW")),
    ("custom_c_nocenter", (3, 4, 3, 5), dict(kind="custom", axes="C", center=False)),
    ("custom_nhw", (3, 4, 3, 5), dict(kind="custom", axes="NHW")),
    ("batch_offset", (4, 2, 2, 2), dict(kind="batch")),
]

NET_CASES = [
    ("none", None),
    ("batch", dict(kind="batch")),
    ("layer", dict(kind="layer")),
    ("instance", dict(kind="instance")),
    ("group2", dict(kind="group", groups=2)),
    ("layer_token", dict(kind="layer-token")),
    ("rms", dict(kind="rms")),
    ("custom_nw", dict(kind="custom", axes="NW")),
]


def norm_columns(opts):
    return [opts["kind"], str(opts.get("groups", 0)), opts.get("axes", "-"),
            "1" if opts.get("center", True) else "0"]


def layer_pass(opts, x, dy, gamma, beta, dtype):
    norm = Norm(channels=x.shape[1], **opts).to(dtype)
    with torch.no_grad():
        norm.weight.copy_(gamma)
        norm.bias.copy_(beta)
    xi = x.to(dtype).clone().requires_grad_(True)
    y = norm(xi)
    (y * dy.to(dtype)).sum().backward()
    parts = [y, xi.grad, norm.weight.grad, norm.bias.grad]
    return parts, norm.running()


def make_layer_cases(out, gen):
    rows = []
    for name, shape, opts in LAYER_CASES:
        shift = 3.0 if name == "batch_offset" else 0.0
        x = f32(shape, gen, 2.0, shift)
        dy = f32(shape, gen)
        gamma = f32((shape[1],), gen, 0.5, 1.0)
        beta = f32((shape[1],), gen, 0.5)
        save(out, name + ".inputs.npy", flat([x, dy, gamma, beta]))
        truth, running = layer_pass(opts, x, dy, gamma, beta, torch.float64)
        approx, _ = layer_pass(opts, x, dy, gamma, beta, torch.float32)
        save(out, name + ".truth.npy", flat(truth + running))
        errors = ["%.3e" % (a.double() - t).abs().max().item() for a, t in zip(approx, truth)]
        rows.append([name, ",".join(map(str, shape))] + norm_columns(opts) +
                    ["1" if running else "0"] + errors)
    with open(os.path.join(out, "norm_layers.tsv"), "w") as f:
        f.write("name\tshape\tnorm\tgroups\taxes\tcenter\trunning\t"
                "f32_err_y\tf32_err_dx\tf32_err_dgamma\tf32_err_dbeta\n")
        for row in rows:
            f.write("\t".join(row) + "\n")


def train_net(net, images, labels, steps, batch):
    opt = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9, weight_decay=5e-4)
    losses, first_grads = [], None
    for step in range(steps):
        for group in opt.param_groups:
            group["lr"] = 0.05 * 0.5 * (1 + math.cos(math.pi * step / steps))
        xb = images[step * batch:(step + 1) * batch]
        yb = labels[step * batch:(step + 1) * batch]
        opt.zero_grad()
        loss = F.cross_entropy(net(xb), yb)
        loss.backward()
        if first_grads is None:
            first_grads = flat([p.grad for p in net.ordered_params()])
        opt.step()
        losses.append(loss.item())
    net.eval()
    with torch.no_grad():
        losses.append(F.cross_entropy(net(images[:batch]), labels[:batch]).item())
    return first_grads, np.array(losses)


def make_network_cases(out, gen):
    steps, batch, widths = 20, 4, (4, 4, 8)
    images = f32((steps * batch, 3, 8, 8), gen)
    labels = torch.randint(0, 4, (steps * batch,), generator=gen)
    save(out, "net.images.npy", images.double().numpy())
    save(out, "net.labels.npy", labels.double().numpy())
    rows = []
    for name, opts in NET_CASES:
        torch.manual_seed(7)
        net = Net(widths, opts)
        with torch.no_grad():  # gamma and beta away from 1 and 0, so their use is checked
            for norm in net.norms:
                norm.weight.copy_(f32(norm.weight.shape, gen, 0.2, 1.0))
                norm.bias.copy_(f32(norm.bias.shape, gen, 0.2))
        init = [p.detach().clone() for p in net.ordered_params()]
        save(out, "net_%s.init.npy" % name, flat(init))
        net64 = net.double()
        grads, losses = train_net(net64, images.double(), labels, steps, batch)
        save(out, "net_%s.grads.npy" % name, grads)
        save(out, "net_%s.losses.npy" % name, losses)
        net32 = Net(widths, opts)
        with torch.no_grad():
            for p, v in zip(net32.ordered_params(), init):
                p.copy_(v)
        grads32, losses32 = train_net(net32, images, labels, steps, batch)
        grad_err = np.abs(grads32 - grads).max()
        loss_rel = (np.abs(losses32 - losses) / np.abs(losses)).max()
        rows.append([name] + (norm_columns(opts) if opts else ["none", "0", "-", "1"]) +
                    ["%.3e" % grad_err, "%.3e" % loss_rel])
        print("%-12s f32 grad err %.2e, f32 loss rel err %.2e, losses %.4f -> %.4f (eval %.4f)" %
              (name, grad_err, loss_rel, losses[0], losses[19], losses[20]))
    with open(os.path.join(out, "network.tsv"), "w") as f:
        f.write("name\tnorm\tgroups\taxes\tcenter\tf32_err_grads\tf32_rel_err_losses\n")
        for row in rows:
            f.write("\t".join(row) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "tests",
                                                      "fixtures", "train"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    gen = torch.Generator().manual_seed(20181)
    make_layer_cases(args.out, gen)
    make_network_cases(args.out, gen)


if __name__ == "__main__":
    main()
