#!/usr/bin/env python3
"""Headless end-to-end budgets of the release binary in a pseudo-terminal.

Runs `onwatch demo` (simulator in-process) at 80x24 or the given size and reports:
  - time to first frame: from spawn to the first frame holding the pane titles (before any
    backend has answered: the titles are drawn in the first frame);
  - CPU over the measured window (user+system of the process, as % of one core);
  - peak resident memory (VmHWM);
  - bytes written to the terminal over the window, and frames (synchronized updates).

Usage: python3 benches/e2e_idle.py [--seconds 60] [--size 100x30] [--bin target/release/onwatch]
Build first: cargo build --release
"""
import argparse, fcntl, os, pty, select, signal, struct, sys, termios, time

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--size", default="100x30")
    ap.add_argument("--bin", default="target/release/onwatch")
    ap.add_argument("args", nargs="*", default=["demo"])
    a = ap.parse_args()
    cols, rows = (int(x) for x in a.size.split("x"))
    env = dict(os.environ, TERM="xterm-256color")
    env.pop("NO_COLOR", None)
    t0 = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(a.bin, [a.bin] + a.args, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    out = bytearray()
    first_frame = None
    def pump(until):
        nonlocal first_frame
        while time.monotonic() < until:
            r, _, _ = select.select([fd], [], [], max(0, until - time.monotonic()))
            if not r:
                continue
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return False
            if not chunk:
                return False
            out.extend(chunk)
            if first_frame is None and b"Alerts" in out and b"Logs" in out:
                first_frame = time.monotonic() - t0
        return True
    pump(time.monotonic() + 5)  # start-up, first polls
    def cpu_ticks():
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])
    hz = os.sysconf("SC_CLK_TCK")
    c0, b0, f0, w0 = cpu_ticks(), len(out), out.count(b"\x1b[?2026h"), time.monotonic()
    pump(w0 + a.seconds)
    c1, b1, f1, w1 = cpu_ticks(), len(out), out.count(b"\x1b[?2026h"), time.monotonic()
    with open(f"/proc/{pid}/status") as f:
        hwm = next(l for l in f if l.startswith("VmHWM")).split()[1]
    os.write(fd, b"q")
    pump(time.monotonic() + 1)
    if b"Quit anyway" in out[b1:]:
        os.write(fd, b"y")
    pump(time.monotonic() + 2)
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    os.waitpid(pid, 0)
    window = w1 - w0
    print(f"first frame        {first_frame * 1000:.0f} ms" if first_frame else "first frame        never")
    print(f"cpu                {100 * (c1 - c0) / hz / window:.2f} % of one core over {window:.0f} s")
    print(f"peak rss           {int(hwm) / 1024:.1f} MiB")
    print(f"terminal output    {b1 - b0} bytes in {window:.0f} s ({(b1 - b0) / window * 60 / 1024:.1f} KiB/min), {f1 - f0} frames")

if __name__ == "__main__":
    main()
