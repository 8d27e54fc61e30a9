#!/usr/bin/env python3
"""The cockpit's resident memory through an alert storm and after it clears.

Starts the release cockpit in a pseudo-terminal against a running Alertmanager pair that holds
a storm, samples VmRSS every 2 s for 24 s, resolves every alert (re-posted with endsAt in the
past, as Prometheus does when alerts stop firing), samples for 20 s more, then stops the
cockpit and puts the storm back (so runs can be interleaved, A/B).

    STORM_HOLD=1 cargo bench --bench am_storm     # prints the pair's URLs and holds it
    python3 benches/storm_memory.py BINARY HOME URL [URL...]

STORM_REFRESH sets the cockpit's refresh (default 5s), STORM_SECONDS how long the storm is
held before it clears (default 24; 600 for the ten-minute run).
"""
import json, os, pty, select, sys, time, urllib.request, datetime
binary, home, urls = sys.argv[1], sys.argv[2], sys.argv[3:]
cfg = os.path.join(home, "cockpit.toml")
refresh = os.environ.get("STORM_REFRESH", "5s")
held = int(os.environ.get("STORM_SECONDS", "24"))
open(cfg, "w").write('[general]\nrefresh = "%s"\ntimeout = "60s"\n\n[[alertmanager]]\nname = "prod"\nurls = [%s]\n' % (refresh, ", ".join('"%s"' % u for u in urls)))
env = dict(os.environ, HOME=home, XDG_STATE_HOME=home + "/state", TERM="xterm-256color")
pid, fd = pty.fork()
if pid == 0:
    os.execve(binary, [binary, "--config", cfg], env)
def rss():
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS"):
            return int(line.split()[1]) // 1024
def drain(t):
    end = time.time() + t
    while time.time() < end:
        try:
            r, _, _ = select.select([fd], [], [], 0.2)
            if r: os.read(fd, 65536)
        except OSError:
            return
def cpu_seconds():
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
drain(6)  # the first polls, the storm applied
samples, t0, c0 = [], time.time(), cpu_seconds()
for i in range(max(held // 2 - 3, 1)):
    drain(2); samples.append(rss())
busy = (cpu_seconds() - c0) / (time.time() - t0) * 100
late = samples[len(samples) // 2:]
mid = (max(late) + min(late)) / 2
print("storm (refresh %s, %d s): RSS MiB every 2 s" % (refresh, held), samples[:12], "..." if len(samples) > 12 else "",
      "max %d; last half %d..%d (within +-%.1f%%); CPU %.1f%% of a core" % (max(samples), min(late), max(late), (max(late) - mid) / mid * 100, busy), flush=True)
alerts = json.load(urllib.request.urlopen(urls[0] + "/api/v2/alerts"))
past = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=5)).isoformat()
post = [{"labels": a["labels"], "annotations": a["annotations"], "startsAt": a["startsAt"], "endsAt": past, "generatorURL": a.get("generatorURL", "")} for a in alerts]
for u in urls:
    for i in range(0, len(post), 2000):
        req = urllib.request.Request(u + "/api/v2/alerts", data=json.dumps(post[i:i+2000]).encode(), headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req).read()
left = len(json.load(urllib.request.urlopen(urls[0] + "/api/v2/alerts")))
samples = []
for i in range(10):
    drain(2); samples.append(rss())
print("cleared (%d alerts left): RSS MiB every 2 s" % left, samples, flush=True)
os.kill(pid, 15); os.waitpid(pid, 0)
# put the storm back for the next run
for u in urls:
    for a in post: a["endsAt"] = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).isoformat()
    for i in range(0, len(post), 2000):
        req = urllib.request.Request(u + "/api/v2/alerts", data=json.dumps(post[i:i+2000]).encode(), headers={"Content-Type": "application/json"})
        urllib.request.urlopen(req).read()
