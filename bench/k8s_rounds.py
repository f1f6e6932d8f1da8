"""What bench/signer_driver.py and bench/pod_driver.py share: a watch that
notes when each object of a round got its certificate, the round's JSON
line, and (run as a script) the medians over rounds that bench/signer.sh
and bench/pods.sh print.

usage: k8s_rounds.py summary RESULTS_FILE LABEL UNIT
"""
import json
import statistics
import sys
import threading
import time

from kubernetes import watch

# Every watch and wait of a round ends after this many seconds at most.
ROUND_SECONDS = 300


def watch_issued(list_fn, args, names, has_certificate):
    """Starts a watch on list_fn(*args) that records, for each of names, the
    monotonic time its object first has a certificate. Returns the dict it
    fills and an Event set when the watch ends (all issued, or the bound)."""
    issued = {}
    wanted = set(names)
    done = threading.Event()

    def watcher():
        w = watch.Watch()
        for event in w.stream(list_fn, *args, timeout_seconds=ROUND_SECONDS):
            obj = event["object"]
            name = obj.metadata.name
            if name in wanted and name not in issued and has_certificate(obj):
                issued[name] = time.monotonic()
                if len(issued) == len(names):
                    w.stop()
                    break
        done.set()

    threading.Thread(target=watcher, daemon=True).start()
    time.sleep(0.5)  # the watch is established
    return issued, done


def report(signer, names, began, issued, start, phase, phase_seconds):
    """Prints the round's JSON line: latency of each name from began[name]
    to issued[name], and throughput from start to the last issuance. Exits 1
    when not every name was issued."""
    n = len(names)
    if len(issued) != n:
        print(json.dumps({"error": f"{len(issued)} of {n} issued"}))
        sys.exit(1)
    latencies = sorted(max(0.0, issued[k] - began[k]) for k in names)
    total = max(issued.values()) - start
    pct = lambda p: latencies[min(n - 1, int(p * n))]
    print(json.dumps({
        "signer": signer, "n": n,
        "p50_ms": round(pct(0.50) * 1000, 1), "p99_ms": round(pct(0.99) * 1000, 1),
        "max_ms": round(latencies[-1] * 1000, 1),
        phase: round(phase_seconds, 2), "total_s": round(total, 2),
        "per_s": round(n / total, 1),
    }))


def summary(results, label, unit):
    rows = [json.loads(line) for line in open(results) if line.strip()]
    med = lambda k: statistics.median(r[k] for r in rows)
    print("%-8s p50 %7.1f ms   p99 %7.1f ms   %6.1f %s"
          % (label, med("p50_ms"), med("p99_ms"), med("per_s"), unit))


if __name__ == "__main__" and sys.argv[1:2] == ["summary"]:
    summary(*sys.argv[2:5])
