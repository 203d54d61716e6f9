#!/usr/bin/env python3
"""`validate` against `check` on one generated estate, as a user runs them.

    cargo build --release
    cargo run --release --example gen -- 100000 > /tmp/big.toml
    python3 benches/check_vs_validate.py target/release/blastradius /tmp/big.toml

Runs `check --format json` with the generator's ten-change plan and then
`validate`, alternately, RUNS times each (output to /dev/null), and prints
the median wall time of each, their ratio and the fastest runs. Issue 16
asks `validate` to take at most 10% more than `check`. Alternating keeps a
drift of the machine's speed from falling on one command only.
"""

import argparse
import statistics
import subprocess
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("topology")
    ap.add_argument("--runs", type=int, default=11)
    a = ap.parse_args()

    gen = a.binary.replace("blastradius", "examples/gen")
    # The generator's first line says how the file was made.
    with open(a.topology) as f:
        made = f.readline().split("gen -- ", 1)[1].split("`")[0].split()
    flags = subprocess.run(
        [gen, *made, "--changes"], capture_output=True, text=True, check=True
    ).stdout.split()

    def timed(args):
        t = time.perf_counter()
        subprocess.run([a.binary, *args], stdout=subprocess.DEVNULL, check=True)
        return time.perf_counter() - t

    check, validate = [], []
    for _ in range(a.runs):
        check.append(timed(["check", a.topology, *flags, "--format", "json"]))
        validate.append(timed(["validate", a.topology]))
    c, v = statistics.median(check), statistics.median(validate)
    print(
        f"check {c * 1e3:.1f} ms, validate {v * 1e3:.1f} ms (medians of {a.runs}), "
        f"validate / check {v / c:.3f}; fastest {min(check) * 1e3:.1f} / {min(validate) * 1e3:.1f} ms"
    )


if __name__ == "__main__":
    main()
