"""Benchmark: requests per second for cached ~20 KB feeds, 50 concurrent clients, loopback only.

The server runs as production does: ``traincal serve`` in its own process (uvicorn, access log
on, at INFO, to a file), with 1 and then 2 worker processes. The load generator is a small
asyncio HTTP/1.1 keep-alive client (``--concurrency`` connections, each sending one request at a
time), bounded by ``--duration`` seconds and ``--max-requests`` per scenario. Each request picks
the next of many people's tokens, so every request also does the token lookup in the database.

Scenarios: a full 200 (identity), a full 200 gzip-encoded, and a conditional GET answered 304.

    python benchmarks/feeds_serve.py                 # 1 and 2 workers, 10 s per scenario
    python benchmarks/feeds_serve.py --workers 1 --duration 5 --json results.json

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from scheduler_service.clock import FixedClock  # noqa: E402
from scheduler_service.config import load_config  # noqa: E402
from scheduler_service.feeds.feed_key import load_feed_key  # noqa: E402
from scheduler_service.feeds.service import FeedService  # noqa: E402
from scheduler_service.ical.names import feed_filename  # noqa: E402
from scheduler_service.store import Store  # noqa: E402

HOST = "127.0.0.1"


@dataclass
class Result:
    workers: int
    scenario: str
    requests: int
    errors: int
    seconds: float
    requests_per_second: float
    mbytes_per_second: float
    p50_ms: float
    p99_ms: float
    body_bytes: int
    server_cpu_us_per_request: float
    client_cpu_us_per_request: float
    access_log: bool


def feed_body(person: str, target_bytes: int) -> bytes:
    """A plausible feed of about ``target_bytes``: weekly sessions with descriptions."""
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//traincal benchmark//EN",
             "X-WR-CALNAME:Training", "REFRESH-INTERVAL;VALUE=DURATION:PT1H"]
    start = datetime(2027, 1, 4, 14, 0, tzinfo=UTC)
    i = 0
    while sum(len(x) + 2 for x in lines) < target_bytes - 200:
        day = start + timedelta(days=7 * i)
        lines += [
            "BEGIN:VEVENT", f"UID:session-{i:04d}@traincal.example.org",
            "DTSTAMP:20261130T120000Z", f"DTSTART:{day:%Y%m%dT%H%M%SZ}",
            f"DTEND:{day + timedelta(hours=2):%Y%m%dT%H%M%SZ}", f"SUMMARY:Academy module {i}",
            "DESCRIPTION:Agenda: role play\\, safety planning and documentation. Prepare",
            " chapter 3 of the handbook. Homework due two days before.",
            "LOCATION:Training room 2\\, 100 Harbor St", "STATUS:CONFIRMED", "SEQUENCE:0",
            "END:VEVENT",
        ]
        i += 1
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


def prepare(workdir: Path, size: int) -> tuple[Path, list[str], int]:
    """A config, a database with tokens, and a feed file per person; returns the tokens."""
    text = (REPO / "config.example.toml").read_text(encoding="utf-8")
    text = text.replace('"sqlite:///traincal.db"', f'"sqlite:///{workdir}/traincal.db"')
    text = text.replace('directory = "calendars"', f'directory = "{workdir}/calendars"')
    config_path = workdir / "config.toml"
    config_path.write_text(text, encoding="utf-8")
    (workdir / "calendars").mkdir()
    config = load_config(config_path)
    store = Store(config.storage.url)
    key = load_feed_key(config.storage.url, {})
    service = FeedService(config, store, key, FixedClock(datetime.now(UTC)))
    tokens = []
    body = b""
    for link in service.links():
        if link.ref.kind != "person":
            continue
        body = feed_body(link.ref.holder, size)
        (workdir / "calendars" / feed_filename("person", link.ref.key)).write_bytes(body)
        tokens.append(link.links.https.rsplit("/", 1)[1].removesuffix(".ics"))
    return config_path, tokens, len(body)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(
    config_path: Path, port: int, workers: int, log: Path, access_log: bool
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("TRAINCAL_ADMIN_PASSWORD", None)
    handle = log.open("ab")
    proc = subprocess.Popen(
        [sys.executable, "-m", "scheduler_service", "serve", "--config", str(config_path),
         "--host", HOST, "--port", str(port), "--workers", str(workers),
         "--access-log" if access_log else "--no-access-log"],
        stdout=handle, stderr=handle, env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}; see {log}")
        try:
            with socket.create_connection((HOST, port), timeout=1) as sock:
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if sock.recv(64).startswith(b"HTTP/1.1 200"):
                    return proc
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    raise SystemExit("server did not become ready in 30 s")


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, int]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head[9:12])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    if length:
        await reader.readexactly(length)
    return status, length


async def _client(
    port: int, requests: list[bytes], expect: int, stop_at: float, budget: list[int],
    latencies: list[float], counters: dict[str, int], offset: int,
) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    i = offset
    try:
        while budget[0] > 0 and time.perf_counter() < stop_at:
            budget[0] -= 1
            started = time.perf_counter()
            writer.write(requests[i % len(requests)])
            i += 1
            status, length = await _read_response(reader)
            latencies.append(time.perf_counter() - started)
            counters["bytes"] += length
            counters["ok" if status == expect else "errors"] += 1
    finally:
        writer.close()


async def _load(
    port: int, requests: list[bytes], expect: int, concurrency: int, seconds: float,
    max_requests: int,
) -> tuple[int, int, float, list[float], int]:
    latencies: list[float] = []
    counters = {"ok": 0, "errors": 0, "bytes": 0}
    budget = [max_requests]
    started = time.perf_counter()
    await asyncio.gather(*(
        _client(port, requests, expect, started + seconds, budget, latencies, counters, n)
        for n in range(concurrency)
    ))
    elapsed = time.perf_counter() - started
    return counters["ok"], counters["errors"], elapsed, latencies, counters["bytes"]


def _requests(tokens: list[str], extra: str) -> list[bytes]:
    return [
        f"GET /feeds/{token}.ics HTTP/1.1\r\nHost: {HOST}\r\nUser-Agent: bench\r\n{extra}\r\n"
        .encode() for token in tokens
    ]


def _etags(port: int, tokens: list[str]) -> list[str]:
    """Each token's identity ETag (for the 304 scenario)."""
    out = []
    for token in tokens:
        with socket.create_connection((HOST, port)) as sock:
            sock.sendall(f"HEAD /feeds/{token}.ics HTTP/1.1\r\nHost: x\r\n"
                         "Accept-Encoding: identity\r\nConnection: close\r\n\r\n".encode())
            head = b""
            while b"\r\n\r\n" not in head:
                head += sock.recv(4096)
        for line in head.decode().split("\r\n"):
            if line.lower().startswith("etag:"):
                out.append(line.split(":", 1)[1].strip())
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children (uvicorn's workers), from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(child) for child in children]
    except OSError:
        pass
    for each in pids:
        try:
            fields = Path(f"/proc/{each}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def http_stack() -> str:
    found = []
    for module in ("httptools", "uvloop"):
        try:
            __import__(module)
            found.append(module)
        except ImportError:
            pass
    return "uvicorn with " + (" + ".join(found) if found else "h11 + asyncio (no extras)")


def run(args: argparse.Namespace) -> list[Result]:
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="traincal-bench-") as tmp:
        workdir = Path(tmp)
        config_path, tokens, size = prepare(workdir, args.size_kb * 1024)
        print(f"{len(tokens)} person feeds of {size} bytes each", flush=True)
        for workers in args.workers:
            port = free_port()
            log = workdir / "server.log"
            proc = start_server(config_path, port, workers, log, not args.no_access_log)
            try:
                tags = _etags(port, tokens)
                scenarios = {
                    "200 identity": (_requests(tokens, "Accept-Encoding: identity\r\n"), 200),
                    "200 gzip": (_requests(tokens, "Accept-Encoding: gzip\r\n"), 200),
                    "304 If-None-Match": ([
                        f"GET /feeds/{t}.ics HTTP/1.1\r\nHost: {HOST}\r\nAccept-Encoding: "
                        f"identity\r\nIf-None-Match: {e}\r\n\r\n".encode()
                        for t, e in zip(tokens, tags, strict=True)
                    ], 304),
                }
                for name, (requests, expect) in scenarios.items():
                    asyncio.run(_load(port, requests, expect, args.concurrency,
                                      args.warmup, args.max_requests))
                    server_cpu, client_cpu = cpu_seconds(proc.pid), time.process_time()
                    ok, errors, elapsed, lat, nbytes = asyncio.run(_load(
                        port, requests, expect, args.concurrency, args.duration,
                        args.max_requests))
                    server_cpu = cpu_seconds(proc.pid) - server_cpu
                    client_cpu = time.process_time() - client_cpu
                    done = max(ok + errors, 1)
                    result = Result(
                        workers, name, ok, errors, round(elapsed, 2), round(ok / elapsed, 1),
                        round(nbytes / elapsed / 1e6, 2),
                        round(statistics.median(lat) * 1000, 2),
                        round(sorted(lat)[int(len(lat) * 0.99) - 1] * 1000, 2),
                        nbytes // done, round(server_cpu / done * 1e6, 1),
                        round(client_cpu / done * 1e6, 1), not args.no_access_log,
                    )
                    results.append(result)
                    print(f"workers={workers} {name:18} {result.requests_per_second:8.0f} req/s "
                          f"p50 {result.p50_ms:6.2f} ms p99 {result.p99_ms:6.2f} ms "
                          f"errors {errors} | CPU/request server "
                          f"{result.server_cpu_us_per_request:.0f} us, client "
                          f"{result.client_cpu_us_per_request:.0f} us | {ok} requests in "
                          f"{elapsed:.1f} s, {result.body_bytes} B bodies", flush=True)
            finally:
                proc.terminate()
                proc.wait(timeout=30)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per scenario")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds before each")
    parser.add_argument("--max-requests", type=int, default=200_000, help="per scenario")
    parser.add_argument("--size-kb", type=int, default=20)
    parser.add_argument("--no-access-log", action="store_true",
                        help="run the server with --no-access-log")
    parser.add_argument("--json", dest="json_path", default=None)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, {http_stack()}, "
          f"access log {'off' if args.no_access_log else 'on'}, load average {load:.2f} "
          "before the run", flush=True)
    results = run(args)
    if args.json_path:
        Path(args.json_path).write_text(
            json.dumps([asdict(r) for r in results], indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
