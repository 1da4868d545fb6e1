#!/usr/bin/env python3
"""Soak of the headless subcommands: random valid and broken inputs for a bounded time.

Runs `normviz stats`, `normalize` and `mask` again and again, each run under an address-space
limit (what `ulimit -v` sets) and a timeout, on random arrays (.npy of every float dtype and
rank, .npz stored and deflated, .safetensors, NaN and Inf included) and on broken copies of
them (cut, bytes flipped, bytes inserted, crafted files from tests/adversarial/adversarial.py).
Fails on any crash (a signal, an exit status other than 0, 1, 2), hang, error that is not
one line, output missing after success or left behind after failure, or memory growth: one
fixed reference run is repeated every --reference-every runs, and its peak memory (maxrss)
must stay within 10 % + 8 MiB of its first.

  soak_cli.py --binary build/app/normviz [--seconds 10 | --minutes 10] [--seed S]
"""

import argparse
import os
import random
import resource
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "adversarial"))
import adversarial  # noqa: E402  (the file makers and crafted cases)

TIMEOUT_S = 60
NORMS = [["--norm", "batch"], ["--norm", "layer"], ["--norm", "instance"], ["--norm", "rms"],
         ["--norm", "layer-token"], ["--norm", "group", "--groups", "2"], ["--axes", "NW"],
         ["--axes", "HW", "--no-center", "--norm", "custom"]]


def random_values(rng, count, fmt):
    special = [float("nan"), float("inf"), -float("inf"), 0.0, -0.0, 3.0e38, -3.0e38, 1e-45]
    values = [rng.gauss(0, 10 ** rng.randint(-3, 5)) for _ in range(count)]
    for _ in range(rng.choice([0, 0, 0, 1, 3])):
        values[rng.randrange(count)] = rng.choice(special)
    if fmt == "e":  # float16: keep within its range
        values = [max(-65504.0, min(65504.0, v)) if v == v else v for v in values]
    return struct.pack("<%d%s" % (count, fmt), *values)


def random_array(rng):
    rank = rng.choice([2, 3, 4])
    dims = [rng.randint(1, 6) for _ in range(rank)]
    if rng.random() < 0.05:
        dims[0] = rng.randint(100, 400)  # now and then a larger one
    count = 1
    for d in dims:
        count *= d
    descr, fmt = rng.choice([("<f4", "f"), ("<f8", "d"), ("<f2", "e"), (">f4", "f")])
    data = random_values(rng, count, fmt)
    if descr == ">f4":
        data = b"".join(data[i:i + 4][::-1] for i in range(0, len(data), 4))
    shape = "(%s)" % ", ".join(map(str, dims)) if rank > 1 else "(%d,)" % dims[0]
    return dims, descr, data, adversarial.npy(descr=descr, shape=shape, data=data)


def random_file(rng, folder, index):
    """A random valid file; returns (path as the program takes it, valid dims)."""
    dims, descr, data, npy = random_array(rng)
    kind = rng.choice(["npy", "npy", "npz", "npz8", "safetensors"])
    if kind == "npy":
        path = os.path.join(folder, "in%d.npy" % index)
        blob, source = npy, path
    elif kind.startswith("npz"):
        path = os.path.join(folder, "in%d.npz" % index)
        blob = adversarial.zip_archive([(b"x.npy", npy)], method=8 if kind == "npz8" else 0)
        source = path + ":x"
    else:
        path = os.path.join(folder, "in%d.safetensors" % index)
        code = {"<f4": "F32", ">f4": "F32", "<f8": "F64", "<f2": "F16"}[descr]
        if descr == ">f4":
            data = b"".join(data[i:i + 4][::-1] for i in range(0, len(data), 4))
        blob = adversarial.safetensors({"x": {"dtype": code, "shape": dims, "data_offsets": [0, len(data)]}}, data)
        source = path + ":x"
    return path, source, blob


_crafted = []


def crafted_cases():
    """The crafted bad files of tests/adversarial/adversarial.py (not FIFOs, folders, links;
    broken() also skips cases that make a link or folder beside FILE)."""
    if not _crafted:
        _crafted.extend(c for c in adversarial.cases() if c.make is not None and c.command != "render" and
                        c.make not in (adversarial.fifo, adversarial.folder, adversarial.symlink_loop))
    return _crafted


def broken(rng, blob):
    """blob cut, with bytes flipped or inserted, or a crafted bad file."""
    how = rng.choice(["cut", "flip", "insert", "crafted"])
    if how == "cut":
        return blob[:rng.randrange(len(blob))]
    if how == "flip":
        b = bytearray(blob)
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)
    if how == "insert":
        at = rng.randrange(len(blob))
        return blob[:at] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 64))) + blob[at:]
    crafted = crafted_cases()
    while True:
        scratch = tempfile.mkdtemp()
        try:
            target = os.path.join(scratch, "f")
            rng.choice(crafted).make(target)
            # Some cases make a link or a folder beside FILE: only a file's bytes are used.
            if os.path.isfile(target) and not os.path.islink(target):
                with open(target, "rb") as f:
                    return f.read()
        finally:
            shutil.rmtree(scratch)


def limit(megabytes):
    def apply():
        if megabytes > 0:
            resource.setrlimit(resource.RLIMIT_AS, (megabytes << 20, megabytes << 20))
    return apply


def run(binary, args, cwd, memory_mb):
    """(exit status or -signal, stderr text, peak memory in KiB, seconds); None on timeout."""
    start = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        child = subprocess.Popen([binary] + args, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                 preexec_fn=limit(memory_mb))
        deadline = start + TIMEOUT_S
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                child.kill()
                os.wait4(child.pid, 0)
                return None
            time.sleep(0.002)
        child.returncode = 0  # reaped here; keep Popen from waiting again
        err.seek(0)
        code = os.waitstatus_to_exitcode(status)
        return code, err.read().decode("utf-8", "backslashreplace"), usage.ru_maxrss, time.monotonic() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", required=True)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--minutes", type=float)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--memory-mb", type=int, default=2048, help="address-space limit per run (0: none)")
    parser.add_argument("--reference-every", type=int, default=25)
    options = parser.parse_args()
    seconds = options.minutes * 60 if options.minutes is not None else options.seconds
    seed = options.seed if options.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    binary = os.path.abspath(options.binary)
    folder = tempfile.mkdtemp(prefix="normviz_soak_cli_")
    print("soak_cli: seed %d, %.0f s, %d MiB per run" % (seed, seconds, options.memory_mb), flush=True)

    # The reference: a fixed 16 x 64 x 16 x 16 float32 tensor, normalized each time.
    reference_in = os.path.join(folder, "reference.npy")
    ref_rng = random.Random(1)
    with open(reference_in, "wb") as f:
        f.write(adversarial.npy(shape="(16, 64, 16, 16)", data=struct.pack(
            "<262144f", *(ref_rng.uniform(-1, 1) for _ in range(262144)))))
    reference = ["normalize", "--norm", "group", "--groups", "8", reference_in, os.path.join(folder, "reference_out.npy")]

    failures, runs, exits, ref_rss = [], 0, {0: 0, 1: 0, 2: 0}, []
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end and len(failures) < 10:
            if runs % options.reference_every == 0:
                result = run(binary, reference, folder, options.memory_mb)
                if result is None or result[0] != 0:
                    failures.append("reference run failed: %r" % (result,))
                    break
                ref_rss.append(result[2])
                if result[2] > ref_rss[0] * 1.1 + 8192:
                    failures.append("memory grew: the reference run peaked at %d KiB, first %d KiB" %
                                    (result[2], ref_rss[0]))
            path, source, blob = random_file(rng, folder, runs)
            valid = rng.random() < 0.5
            if not valid:
                blob = broken(rng, blob)
            with open(path, "wb") as f:
                f.write(blob)
            out = os.path.join(folder, "out%d.npy" % runs)
            command = rng.choice(["stats", "stats", "normalize", "mask"])
            if command == "stats":
                args = ["stats"] + rng.choice(NORMS) + ["--format", rng.choice(["json", "csv"]), source]
            elif command == "normalize":
                args = ["normalize"] + rng.choice(NORMS) + ["--dtype", rng.choice(["float32", "float64", "float16"]),
                                                            source, out]
            else:
                shape = [rng.randint(1, 9) for _ in range(4)]
                focus = [rng.randint(-1, s) for s in shape]
                args = ["mask", "--shape", ",".join(map(str, shape)), "--focus", ",".join(map(str, focus))] + \
                    rng.choice(NORMS) + [out]
            if rng.random() < 0.1:
                args.insert(rng.randrange(1, len(args)), rng.choice(["--eps", "--groups", "--layout", "NLC", "--bogus"]))
            result = run(binary, args, folder, options.memory_mb)
            runs += 1
            where = "%s (input %s, %d bytes)" % (" ".join(args), "valid" if valid else "broken", len(blob))
            wrote = os.path.exists(out)
            if result is None:
                failures.append("hang (over %d s): %s" % (TIMEOUT_S, where))
            elif result[0] not in exits:
                failures.append("exit %d (a crash or signal): %s; stderr %r" % (result[0], where, result[1][-400:]))
            else:
                code, err = result[0], result[1]
                exits[code] += 1
                if code != 0 and (err.count("\n") != 1 or not err.startswith("normviz ")):
                    failures.append("error not one line: %s; stderr %r" % (where, err[:400]))
                if code != 0 and wrote:
                    failures.append("OUT left behind after exit %d: %s" % (code, where))
                if code == 0 and command != "stats" and not wrote:
                    failures.append("exit 0 without OUT: %s" % where)
            for name in (path, out):
                if os.path.exists(name):
                    os.remove(name)
            leftovers = [n for n in os.listdir(folder) if not n.startswith("reference")]
            if leftovers:
                failures.append("files left behind: %s after %s" % (leftovers, where))
                for n in leftovers:
                    os.remove(os.path.join(folder, n))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print("soak_cli: %d runs (exit 0: %d, 1: %d, 2: %d); reference peak memory %s KiB (first, max of %d)" %
          (runs, exits[0], exits[1], exits[2], "%d, %d" % (ref_rss[0], max(ref_rss)) if ref_rss else "-",
           len(ref_rss)), flush=True)
    for failure in failures:
        print("FAIL " + failure)
    if failures:
        print("soak_cli: rerun with --seed %d" % seed)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
