#!/usr/bin/env python3
"""A bounded load generator for the Jixiao benchmark (issue 14).

Sends `--requests` GET requests to one path with `--clients` concurrent clients (threads,
keep-alive connections), and prints one row: p50 and p99 latency in ms, requests per second
and the number of failed requests (any status other than 200). Standard library only, so it runs
on the intranet machines the system is deployed on.
"""

import argparse
import http.client
import threading
import time
import urllib.parse


def run(base, path, headers, clients, requests):
    url = urllib.parse.urlsplit(base)
    latencies = []
    failures = [0]
    lock = threading.Lock()
    counter = [0]

    def worker():
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
        while True:
            with lock:
                if counter[0] >= requests:
                    break
                counter[0] += 1
            started = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                res = conn.getresponse()
                res.read()
                ok = res.status == 200
            except Exception:
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                if not ok:
                    failures[0] += 1
        conn.close()

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - began
    latencies.sort()

    def pct(p):
        if not latencies:
            return float("nan")
        return latencies[min(len(latencies) - 1, int(len(latencies) * p / 100))]

    return pct(50), pct(99), len(latencies) / wall if wall > 0 else 0.0, failures[0]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--path", required=True)
    ap.add_argument("--label", default="")
    ap.add_argument("--token", default="")
    ap.add_argument("--header", action="append", default=[])
    ap.add_argument("--clients", default="1,16,64")
    ap.add_argument("--requests", type=int, default=200)
    args = ap.parse_args()
    headers = {}
    if args.token:
        headers["Authorization"] = "Bearer " + args.token
    for h in args.header:
        k, _, v = h.partition(":")
        headers[k.strip()] = v.strip()
    for clients in [int(c) for c in args.clients.split(",")]:
        p50, p99, rps, failed = run(args.base, args.path, headers, clients, max(args.requests, clients))
        print(f"| {args.label or args.path} | {clients} | {p50:.1f} | {p99:.1f} | {rps:.0f} | {failed} |", flush=True)


if __name__ == "__main__":
    main()
