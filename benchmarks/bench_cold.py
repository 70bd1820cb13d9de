"""Cold start: `sarcolit --help`, `search` and `ask` as new processes, like a shell.

Each command runs once to warm the file cache, then ``runs`` times; the median
wall time is reported with its CPU time (user + system; steadier than wall
time on a shared machine) and peak resident memory, both from GNU time.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUESTION = "What was the ORR in SARC028?"
TIME = "/usr/bin/time"
TIME_FORMAT = "%M %U %S"


def sarcolit_command() -> str:
    """Return the installed ``sarcolit`` console script."""
    beside = Path(sys.executable).parent / "sarcolit"
    found = shutil.which("sarcolit") or (str(beside) if beside.exists() else None)
    if found is None:
        raise RuntimeError("the sarcolit console script is not installed")
    return found


def time_report(report: Path) -> tuple[float | None, float | None]:
    """Return (peak RSS MB, CPU seconds) from GNU time's ``%M %U %S`` line."""
    try:
        rss, user, system = report.read_text().split()[-3:]
        return int(rss) / 1024, float(user) + float(system)
    except (OSError, ValueError):
        return None, None


def run_measured(
    argv: list[str], env: dict[str, str], scratch: Path
) -> tuple[float, float | None, float | None]:
    """Run ``argv``; return its wall time (s), peak memory (MB) and CPU time (s).

    The memory comes from GNU time (``/usr/bin/time -f %M``) when it is there:
    a child forked straight from this big benchmark process would report this
    process's peak, not its own (Linux keeps the larger high-water mark across
    fork and exec).
    """
    report = scratch / "time.txt"
    report.unlink(missing_ok=True)
    prefix = [TIME, "-f", TIME_FORMAT, "-o", str(report)] if Path(TIME).exists() else []
    start = time.perf_counter()
    done = subprocess.run(
        prefix + argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{argv} failed: {done.stderr.decode()[-500:]}")
    return wall, *time_report(report)


def cold_start(data_dir: Path, model_dir: Path, runs: int = 5) -> dict[str, object]:
    """Time the three commands against the store in ``data_dir``."""
    cli = sarcolit_command()
    env = {**os.environ, "SARCOLIT_EMBEDDER__MODEL_DIR": str(model_dir)}
    commands = {
        "help": [cli, "--help"],
        "search": [cli, "search", "PD-L1 expression", "--data-dir", str(data_dir)],
        "ask": [cli, "ask", QUESTION, "--data-dir", str(data_dir)],
    }
    result: dict[str, object] = {"runs": runs, "question": QUESTION}
    for name, argv in commands.items():
        run_measured(argv, env, data_dir)  # the file cache is warm for a user too
        samples = [run_measured(argv, env, data_dir) for _ in range(runs)]
        walls = [wall for wall, _, _ in samples]
        rss = [mb for _, mb, _ in samples if mb is not None]
        cpu = [seconds for _, _, seconds in samples if seconds is not None]
        result[name] = {
            "median_s": statistics.median(walls),
            "min_s": min(walls),
            "max_s": max(walls),
            "median_cpu_s": statistics.median(cpu) if cpu else None,
            "peak_rss_mb": max(rss) if rss else None,
        }
    return result
