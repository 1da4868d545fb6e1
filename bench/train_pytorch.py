#!/usr/bin/python3
"""Times the training lab's network in PyTorch (CPU), as `normviz bench --train` does.

Usage: /usr/bin/python3 bench/train_pytorch.py [--threads T] [--steps S]

The network is scripts/make_train_fixtures.py's Net with core/train's default widths
(8, 16, 32) on 16x16 RGB images, batch 32; each timed step is a forward pass, cross-entropy,
backward pass and SGD update (momentum 0.9, weight decay 5e-4), after two untimed steps.
Prints '<norm> <images/s> images/s <ms> ms/step' per norm (group: G = 4), the same lines as
`normviz bench --train`, so the two can be read side by side.
"""
import argparse
import importlib.util
import os
import time

import torch
import torch.nn.functional as F


def load_fixture_module():
    path = os.path.join(os.path.dirname(__file__), "..", "scripts", "make_train_fixtures.py")
    spec = importlib.util.spec_from_file_location("make_train_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


NORMS = [("none", None), ("batch", dict(kind="batch")), ("layer", dict(kind="layer")),
         ("instance", dict(kind="instance")), ("group", dict(kind="group", groups=4)),
         ("rms", dict(kind="rms"))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--steps", type=int, default=20)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    fixtures = load_fixture_module()
    batch = 32
    gen = torch.Generator().manual_seed(1)
    images = torch.randn((batch * 4, 3, 16, 16), generator=gen)
    labels = torch.randint(0, 4, (batch * 4,), generator=gen)
    print("# torch %s, %d threads, batch %d, %d timed steps" %
          (torch.__version__, args.threads, batch, args.steps))
    for name, opts in NORMS:
        net = fixtures.Net((8, 16, 32), opts)
        opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)

        def step(i):
            x = images[(i % 4) * batch:(i % 4 + 1) * batch]
            y = labels[(i % 4) * batch:(i % 4 + 1) * batch]
            opt.zero_grad()
            F.cross_entropy(net(x), y).backward()
            opt.step()

        step(0)
        step(1)
        start = time.perf_counter()
        for i in range(args.steps):
            step(i)
        seconds = time.perf_counter() - start
        print("%s %.0f images/s %.2f ms/step" % (name, batch * args.steps / seconds,
                                                1e3 * seconds / args.steps))


if __name__ == "__main__":
    main()
