"""Load test at the protocol level: simulated users on running dashboard processes.

Each user opens a websocket to Streamlit as the browser does, then, at random intervals (an
exponential wait with the given mean), asks for another page of the LA officer's view (demo
mode), as one would moving through the sidebar in a meeting week. A render is timed from the
request until the server reports the script finished. The test runs for a fixed time and then
stops by itself; it talks only to the local servers it is given (loopback).

    python bench/load_test.py --url http://127.0.0.1:8501 [--url ...] --users 30 --mean-wait 15 --seconds 180

With several --url (several dashboard processes), users are spread over them in turn, as a
reverse proxy with sticky sessions would (docs/DEPLOY... see docs/PERFORMANCE.md, "Capacity").
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

PAGES = ["", "benchmarking", "cohorts", "neighbourhoods", "schools", "school", "governors", "technical_notes"]


async def _render(ws, page: str, timeout: float) -> float | None:
    """Ask for a page and wait for its script to finish; seconds taken (None: timed out)."""
    msg = BackMsg()
    msg.rerun_script.query_string = ""
    msg.rerun_script.page_name = page
    msg.rerun_script.page_script_hash = ""
    t0 = time.perf_counter()
    await ws.send(msg.SerializeToString())
    deadline = t0 + timeout
    while time.perf_counter() < deadline:
        try:
            raw = await asyncio.wait_for(ws.recv(), deadline - time.perf_counter())
        except (TimeoutError, websockets.ConnectionClosed):
            return None
        if isinstance(raw, str):
            continue
        fm = ForwardMsg()
        fm.ParseFromString(raw)
        kind = fm.WhichOneof("type")
        if kind == "page_not_found":
            raise LookupError(f"page {page!r} not found")
        if kind == "script_finished":
            return time.perf_counter() - t0
    return None


async def user(url: str, mean_wait: float, until: float, timings: list, failures: list, rng) -> None:
    ws_url = url.replace("http", "ws", 1) + "/_stcore/stream"
    try:
        ws = await websockets.connect(
            ws_url, origin=url, subprotocols=["streamlit"], max_size=512 * 1024 * 1024, open_timeout=60
        )
    except Exception as exc:  # noqa: BLE001
        failures.append(f"connect: {exc}")
        return
    try:
        await asyncio.sleep(rng.uniform(0, mean_wait))  # users arrive spread out
        while time.time() < until:
            try:
                took = await _render(ws, rng.choice(PAGES), timeout=120)
            except LookupError as exc:
                failures.append(str(exc))
                continue
            if took is None:
                failures.append("render timed out")
            else:
                timings.append(took)
            await asyncio.sleep(rng.expovariate(1 / mean_wait))
    finally:
        await ws.close()


async def main_async(args) -> int:
    rng = random.Random(args.seed)
    timings: list[float] = []
    failures: list[str] = []
    until = time.time() + args.seconds
    await asyncio.gather(
        *(
            user(args.url[i % len(args.url)], args.mean_wait, until, timings, failures, rng)
            for i in range(args.users)
        )
    )
    if not timings:
        print(f"no render finished; failures: {failures[:5]}")
        return 1
    timings.sort()
    p95 = timings[int(0.95 * (len(timings) - 1))]
    print(
        f"{args.users} users, mean wait {args.mean_wait:g} s, {len(args.url)} process(es), "
        f"{args.seconds:g} s: {len(timings)} renders ({len(timings) / args.seconds:.2f}/s), "
        f"median {statistics.median(timings):.2f} s, p95 {p95:.2f} s, worst {timings[-1]:.2f} s, "
        f"failures {len(failures)}"
    )
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--url", action="append", required=True, help="a running dashboard (loopback only)")
    ap.add_argument("--users", type=int, default=30)
    ap.add_argument("--mean-wait", type=float, default=15.0)
    ap.add_argument("--seconds", type=float, default=180.0)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    for u in args.url:
        host = u.split("//", 1)[-1].split(":", 1)[0]
        if host not in ("127.0.0.1", "localhost", "[::1]"):
            ap.error(f"{u}: this load test only talks to servers on this machine")
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    sys.exit(main())
