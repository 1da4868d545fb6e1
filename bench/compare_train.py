#!/usr/bin/python3
"""Training speed of normviz against PyTorch on the same network, in alternating rounds.

Usage: /usr/bin/python3 bench/compare_train.py --binary build/app/normviz [--threads T]
                                               [--rounds R] [--steps S]

Each round runs `normviz bench --train` and bench/train_pytorch.py once each (the order
alternates between rounds, so a slow minute on a shared machine hits both), S timed steps per
norm at batch 32. Prints per norm the median ms/step of each side and the median of the
rounds' ratios (PyTorch ms / normviz ms: above 1 means normviz is faster).
"""
import argparse
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def ms_per_step(lines):
    """'<norm> <images/s> images/s <ms> ms/step' lines -> {norm: ms}."""
    out = {}
    for line in lines.splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[4] == "ms/step":
            out[parts[0]] = float(parts[3])
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=40)
    args = parser.parse_args()
    normviz = [args.binary, "bench", "--train", "--threads", str(args.threads), "--repeat", str(args.steps)]
    pytorch = [sys.executable, os.path.join(HERE, "train_pytorch.py"), "--threads", str(args.threads),
               "--steps", str(args.steps)]
    rounds = []
    for r in range(args.rounds):
        order = [("normviz", normviz), ("pytorch", pytorch)]
        if r % 2:
            order.reverse()
        result = {}
        for name, command in order:
            done = subprocess.run(command, capture_output=True, text=True, check=True)
            result[name] = ms_per_step(done.stdout)
        rounds.append(result)
    print("# %d rounds, %d threads, batch 32, %d timed steps per norm and round" %
          (args.rounds, args.threads, args.steps))
    print("%-9s %12s %12s %18s" % ("norm", "normviz ms", "pytorch ms", "pytorch/normviz"))
    for norm in rounds[0]["normviz"]:
        ours = [r["normviz"][norm] for r in rounds]
        theirs = [r["pytorch"][norm] for r in rounds]
        ratio = statistics.median(t / o for o, t in zip(ours, theirs))
        print("%-9s %12.2f %12.2f %18.2f" % (norm, statistics.median(ours), statistics.median(theirs), ratio))
    return 0


if __name__ == "__main__":
    sys.exit(main())
