"""Side by side: Oasis LMF's financial module (fmpy) and our vectorised terms engine.

Run with the Oasis venv (bench/setup_oasis_venv.sh creates it), from the repository root::

    bench/.venv-oasis/bin/python bench/oasis_bench.py [--events E] [--policies P]
        [--samples S] [--repeat K]

The shared subset of terms (what fmpy can express and we can too): a deductible and a
limit per coverage (calcrule 1 at item level) and a limit over all coverages of a policy
(calcrule 14 at policy level), one event at a time. Inputs: E events × P policies × S
samples × 4 coverages of ground-up loss, lognormal, rounded to whole yen that float32
holds exactly, so that both sides read the same numbers. One (event, policy, sample) is
one of our simulated years with exactly one accident (bench/shared_subset.py).

Steps: write the inputs (``losses.npy``, ``terms.json``) and Oasis's files (fm_programme,
fm_policytc, fm_profile, fm_xref as CSV, the GUL binary stream) under bench/out/oasis;
``fmpy --create-financial-structure-files``; time fmpy once with an empty numba cache,
then as a CLI subprocess (median of K after a warm-up) and in-process through
``oasislmf.pytools.fm.manager.run`` (median of K after a warm-up); run our side in the
project venv as a subprocess; check both pay the same per event, policy and sample
(float32 tolerance); print one table and write bench/out/oasis_bench.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import struct
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median
from typing import Any

import numba
import numpy as np
import numpy.typing as npt
import oasislmf
from oasislmf.pytools.fm import manager

ROOT = Path(__file__).resolve().parent.parent
COVERAGES = ("liability", "response_costs", "profit_loss", "continuation_costs")
DEDUCTIBLES = {
    "liability": 1_000_000,
    "response_costs": 500_000,
    "profit_loss": 300_000,
    "continuation_costs": 200_000,
}
LIMITS = {
    "liability": 100_000_000,
    "response_costs": 50_000_000,
    "profit_loss": 30_000_000,
    "continuation_costs": 20_000_000,
}
# Oasis: calcrule 14 over the policy; ours: the aggregate, within ①'s limit (issue #17)
OVERALL_LIMIT = 100_000_000
LOSS_MEAN_LOG, LOSS_SIGMA = 15.0, 1.5
GUL_ITEM_STREAM = (1 << 24) | 1  # stream source type GUL (1) in the top byte, item stream (1)


def sample_losses(events: int, policies: int, samples: int, seed: int) -> npt.NDArray[np.int64]:
    """Ground-up loss (E, P, S, 4) in whole yen, each exactly a float32."""
    rng = np.random.default_rng(seed)
    x = np.rint(rng.lognormal(LOSS_MEAN_LOG, LOSS_SIGMA, (events, policies, samples, 4)))
    return x.astype(np.float32).astype(np.int64)


def write_csv(path: Path, header: str, rows: npt.NDArray[Any]) -> None:
    np.savetxt(path, rows, fmt="%d", delimiter=",", header=header, comments="")


def write_fm_tables(static: Path, policies: int) -> None:
    """Level 1: one node per item (calcrule 1); level 2: one node per policy (rule 14)."""
    static.mkdir(parents=True, exist_ok=True)
    items = np.arange(1, 4 * policies + 1)
    policy_of = (items - 1) // 4 + 1
    coverage_of = (items - 1) % 4 + 1
    pol = np.arange(1, policies + 1)
    ones = np.ones_like
    write_csv(
        static / "fm_programme.csv",
        "from_agg_id,level_id,to_agg_id",
        np.r_[
            np.c_[items, ones(items), items],
            np.c_[items, 2 * ones(items), policy_of],
        ],
    )
    write_csv(
        static / "fm_policytc.csv",
        "level_id,agg_id,layer_id,profile_id",
        np.r_[
            np.c_[ones(items), items, ones(items), coverage_of],
            np.c_[2 * ones(pol), pol, ones(pol), 5 * ones(pol)],
        ],
    )
    profiles = [
        [c + 1, 1, DEDUCTIBLES[code], 0, 0, 0, LIMITS[code], 0, 0, 0]
        for c, code in enumerate(COVERAGES)
    ]
    profiles.append([5, 14, 0, 0, 0, 0, OVERALL_LIMIT, 0, 0, 0])
    write_csv(
        static / "fm_profile.csv",
        "profile_id,calcrule_id,deductible1,deductible2,deductible3,attachment1,limit1,"
        "share1,share2,share3",
        np.array(profiles),
    )
    write_csv(static / "fm_xref.csv", "output,agg_id,layer_id", np.c_[pol, pol, ones(pol)])


def write_gul_stream(path: Path, losses: npt.NDArray[np.int64]) -> None:
    """The ground-up loss as Oasis's binary item stream, dense, with the mean (sidx −1)."""
    events, policies, samples, _ = losses.shape
    n_items = 4 * policies
    with path.open("wb") as f:
        f.write(struct.pack("<ii", GUL_ITEM_STREAM, samples))
        for e in range(events):
            g = losses[e].transpose(0, 2, 1).reshape(n_items, samples).astype(np.float32)
            rec = np.zeros((n_items, 2 + 2 * (samples + 2)), "<i4")
            val = rec.view("<f4")
            rec[:, 0] = e + 1
            rec[:, 1] = np.arange(1, n_items + 1)
            rec[:, 2] = -1
            val[:, 3] = g.mean(axis=1)
            rec[:, 4 : 4 + 2 * samples : 2] = np.arange(1, samples + 1)
            val[:, 5 : 5 + 2 * samples : 2] = g
            f.write(rec.tobytes())  # each item ends with the (0, 0) pair left at the end


def read_fm_stream(path: Path, shape: tuple[int, int, int]) -> npt.NDArray[np.float32]:
    """fmpy's policy-level output as (E, P, S); samples it omits (zero loss) stay 0."""
    data = path.read_bytes()
    pairs = np.frombuffer(data, "<i4", offset=8).reshape(-1, 2)
    loss = np.frombuffer(data, "<f4", offset=8).reshape(-1, 2)[:, 1]
    end = np.flatnonzero((pairs[:, 0] == 0) & (pairs[:, 1] == 0))
    start = np.r_[0, end[:-1] + 1]
    record = np.repeat(np.arange(start.shape[0]), end - start + 1)
    head = np.zeros(pairs.shape[0], np.bool_)
    head[start] = True
    keep = ~head & (pairs[:, 0] > 0)  # sample rows; special samples are negative
    out = np.zeros(shape, np.float32)
    event = pairs[start, 0][record[keep]] - 1
    policy = pairs[start, 1][record[keep]] - 1
    out[event, policy, pairs[keep, 0] - 1] = loss[keep]
    return out


def seconds(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, env=env, check=True)
    return time.perf_counter() - t0


def run_in_process(static: Path, gul: Path, out: Path) -> float:
    t0 = time.perf_counter()
    manager.run(
        create_financial_structure_files=False,
        allocation_rule=0,
        files_in=[str(gul)],
        files_out=[str(out)],
        net_loss=None,
        storage_method="sparse",
        static_path=str(static),
        low_memory=False,
        sort_output=False,
    )
    return time.perf_counter() - t0


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "numba": numba.__version__,
        "oasislmf": oasislmf.__version__,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    work: Path = args.workdir
    work.mkdir(parents=True, exist_ok=True)
    shape = (args.events, args.policies, args.samples)
    losses = sample_losses(*shape, args.seed)
    np.save(work / "losses.npy", losses.reshape(-1, 4))
    spec = {"deductibles": DEDUCTIBLES, "limits": LIMITS, "overall_limit": OVERALL_LIMIT}
    (work / "terms.json").write_text(json.dumps(spec, indent=2) + "\n")
    static, gul, out = work / "static", work / "gul.bin", work / "fm_out.bin"
    write_fm_tables(static, args.policies)
    write_gul_stream(gul, losses)

    fmpy = str(Path(sys.executable).parent / "fmpy")
    seconds([fmpy, "--create-financial-structure-files", "-a0", "-p", str(static)], work)
    cli = [fmpy, "-a0", "-p", str(static), "-i", str(gul), "-o", str(out)]
    with tempfile.TemporaryDirectory() as cache:
        cold_s = seconds(cli, work, {**os.environ, "NUMBA_CACHE_DIR": cache})
    seconds(cli, work)  # warm-up: fills the venv's own numba cache
    cli_s = [seconds(cli, work) for _ in range(args.repeat)]
    with contextlib.chdir(work):  # fmpy logs to ./log
        run_in_process(static, gul, out)
        inproc_s = [run_in_process(static, gul, out) for _ in range(args.repeat)]
    oasis = read_fm_stream(out, shape)

    ours_cmd = [str(args.ours_python), str(ROOT / "bench" / "shared_subset.py")]
    subprocess.run(
        [*ours_cmd, "--dir", str(work), "--repeat", str(args.repeat)], cwd=ROOT, check=True
    )
    ours = json.loads((work / "ours.json").read_text())
    ours_total = np.load(work / "ours_total.npy").reshape(shape)
    diff = np.abs(oasis.astype(np.float64) - ours_total)
    agree = bool(np.allclose(oasis, ours_total, rtol=1e-6, atol=1.0))
    values = losses.size
    return {
        "machine": machine(),
        "events": args.events,
        "policies": args.policies,
        "samples": args.samples,
        "values": values,
        "repeat": args.repeat,
        "seed": args.seed,
        "terms": spec,
        "overall_limit_binds_share": float(np.mean(ours_total == OVERALL_LIMIT)),
        "fmpy_cold_numba_s": cold_s,
        "fmpy_cli_s": cli_s,
        "fmpy_cli_median_s": median(cli_s),
        "fmpy_in_process_s": inproc_s,
        "fmpy_in_process_median_s": median(inproc_s),
        "ours": ours,
        "agree": agree,
        "max_abs_diff": float(diff.max()),
        "max_rel_diff": float((diff / np.maximum(ours_total, 1)).max()),
        "total_oasis": float(oasis.sum(dtype=np.float64)),
        "total_ours": int(ours_total.sum()),
    }


def report(r: dict[str, Any]) -> str:
    v = r["values"]
    rows = [
        ("fmpy CLI (subprocess, -a0)", r["fmpy_cli_median_s"]),
        ("fmpy in-process (manager.run)", r["fmpy_in_process_median_s"]),
        ("cybercover apply_terms, totals", r["ours"]["median_s"]),
        ("cybercover apply_terms, per part", r["ours"]["median_per_part_s"]),
        ("cybercover per part, new buffer", r["ours"]["median_per_part_new_buffer_s"]),
        ("cybercover np.load + totals", r["ours"]["median_with_np_load_s"]),
    ]
    ours = r["ours"]["median_s"]
    lines = [
        f"{r['events']} events × {r['policies']:,} policies × {r['samples']:,} samples × 4 "
        f"coverages = {v:,} ground-up values; overall limit binds for "
        f"{r['overall_limit_binds_share']:.2%} of (event, policy, sample)",
        f"fmpy with an empty numba cache: {r['fmpy_cold_numba_s']:.1f} s; "
        f"ours first call: {r['ours']['first_call_s']:.2f} s",
        "",
        f"{'engine':<36}{'median s':>10}{'values/s':>16}{'ours faster':>13}",
    ]
    lines += [f"{name:<36}{s:>10.4f}{v / s:>16,.0f}{s / ours:>12.1f}×" for name, s in rows]
    lines += [
        "",
        f"results agree (rtol 1e-6, atol 1 yen): {'yes' if r['agree'] else 'NO'}; "
        f"max abs diff {r['max_abs_diff']:.3f} yen, max rel diff {r['max_rel_diff']:.2e}; "
        f"totals {r['total_oasis']:,.0f} (fmpy) vs {r['total_ours']:,} (ours)",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=4)
    parser.add_argument("--policies", type=int, default=1_000)
    parser.add_argument("--samples", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / "out" / "oasis")
    parser.add_argument("--ours-python", type=Path, default=ROOT / ".venv" / "bin" / "python")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "oasis_bench.json")
    args = parser.parse_args()
    result = run(args)
    print(report(result))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    if not result["agree"]:
        sys.exit("fmpy and cybercover disagree")
    print(f"\nwritten: {args.out}")


if __name__ == "__main__":
    main()
