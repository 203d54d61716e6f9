#!/usr/bin/env python3
"""The TUI as a user meets it: first frame and keystroke to frame, measured
at a real pseudo-terminal, with the autosave on.

    cargo build --release
    cargo run --release --example gen -- 100000 > /tmp/big.toml
    python3 benches/tty_keystroke.py target/release/blastradius /tmp/big.toml

It opens the topology with the generator's ten-reboot plan (written to a
temporary folder, which is also the app's data folder, so the autosave
writes to a real disk), waits for the first frame, then presses space (mark
the service under the cursor for reboot; again: unmark it) KEYS times, one
key at a time: each time from the byte written to the end of the frame
that answers it. A frame's end is the "end synchronized update" sequence
the app writes after every frame. Between keys it waits for the autosave
to land, so each key pays for whatever the app still does after the frame.

Prints the first frame's time, the keystroke median, 10th and 90th
percentiles, and checks that the autosave holds the plan after every key.
"""

import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

END_FRAME = b"\x1b[?2026l"


def read_until(fd, marker, timeout, buf):
    """Reads from fd until `marker` has appeared once more than it had in
    buf; returns (time of arrival, buf)."""
    want = buf.count(marker) + 1
    deadline = time.monotonic() + timeout
    while buf.count(marker) < want:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"no frame within {timeout} s")
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                raise RuntimeError("the app exited: " + buf[-2000:].decode(errors="replace"))
            if not chunk:
                raise RuntimeError("the app exited: " + buf[-2000:].decode(errors="replace"))
            # A terminal answers "where is the cursor?" (ratatui asks once).
            for _ in range(chunk.count(b"\x1b[6n")):
                os.write(fd, b"\x1b[1;1R")
            buf += chunk
    return time.monotonic(), buf[-4096:]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binary")
    ap.add_argument("topology")
    ap.add_argument("--keys", type=int, default=40)
    ap.add_argument("--cols", type=int, default=160)
    ap.add_argument("--rows", type=int, default=48)
    a = ap.parse_args()

    topology = os.path.abspath(a.topology)
    here = os.path.dirname(os.path.abspath(__file__))
    gen = [a.binary.replace("blastradius", "examples/gen")]
    tmp = tempfile.mkdtemp(prefix="br-keystroke-")
    # The generator's first line says how the file was made.
    with open(topology) as f:
        made = f.readline().split("gen -- ", 1)[1].split("`")[0].split()
    flags = subprocess.run(
        gen + made + ["--changes"], capture_output=True, text=True, check=True
    ).stdout.split()
    services = [flags[i + 1] for i in range(0, len(flags), 2)]
    plan = os.path.join(tmp, "ten.plan.toml")
    with open(plan, "w") as f:
        f.write(f'[plan]\ntitle = "keystroke"\ntopology = "{topology}"\n')
        for s in services:
            f.write(f'\n[[change]]\nservice = "{s}"\naction = "reboot"\n')

    env = dict(os.environ, TERM="xterm-256color", HOME=tmp, XDG_DATA_HOME=tmp,
               XDG_CONFIG_HOME=tmp, LANG="C.UTF-8")
    start = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", a.rows, a.cols, 0, 0))
        os.execve(a.binary, [a.binary, "--plan", plan, "--allow-outside", "--no-mouse"], env)
    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", a.rows, a.cols, 0, 0))
        first, buf = read_until(fd, END_FRAME, 120, b"")
        print(f"first frame: {(first - start) * 1e3:.0f} ms (process start to the frame's last byte)")
        # Let any startup work settle (the resize frame, background work).
        time.sleep(1.0)
        while select.select([fd], [], [], 0.2)[0]:
            buf += os.read(fd, 1 << 16)
        autosaves = []
        for root, _, files in os.walk(tmp):
            autosaves += [os.path.join(root, f) for f in files
                          if f.endswith(".plan.toml") and f != "ten.plan.toml"]
        times = []
        for k in range(a.keys):
            t0 = time.monotonic()
            os.write(fd, b" ")
            t1, buf = read_until(fd, END_FRAME, 30, buf)
            times.append((t1 - t0) * 1e3)
            # The autosave, written after the frame, lands before the next key.
            time.sleep(0.15)
            while select.select([fd], [], [], 0)[0]:
                buf += os.read(fd, 1 << 16)
        times.sort()
        q = statistics.quantiles(times, n=10)
        print(f"keystroke to frame over {len(times)} keys: median {statistics.median(times):.1f} ms,"
              f" p10 {q[0]:.1f} ms, p90 {q[-1]:.1f} ms, max {times[-1]:.1f} ms")
        saved = []
        for root, _, files in os.walk(tmp):
            saved += [os.path.join(root, f) for f in files
                      if f.endswith(".plan.toml") and f != "ten.plan.toml"]
        print("autosave:", ", ".join(saved) if saved else "NONE FOUND")
        with open(f"/proc/{pid}/status") as st:
            for line in st:
                if line.startswith("VmHWM:"):
                    print(f"peak RSS: {int(line.split()[1]) / 1024:.0f} MB")
        os.write(fd, b"q")
        try:
            read_until(fd, b"\x1b[?1049l", 10, buf)
        except (RuntimeError, TimeoutError):
            pass
    finally:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
    return 0 if saved else 1


if __name__ == "__main__":
    sys.exit(main())
