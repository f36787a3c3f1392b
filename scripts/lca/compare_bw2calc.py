#!/usr/bin/env python3
"""Compare Egret's LCA engine with Brightway's bw2calc on the same matrices.

Writes the synthetic system with `egret lca synth`, solves it with
`egret lca solve --out`, builds a bw_processing datapackage from the same
three CSV files, runs bw2calc.LCA, and checks that the score and every
scaling factor agree to a relative 1e-9. Then times bw2calc: first lci+lcia,
re-solve with a new demand (factorisation kept), one Monte Carlo draw and
N draws (in as many worker processes as --workers, default 2), printing
key=value lines. With --bench it also runs `egret bench lca` on the same
system and prints the speed-ups. Exits 1 on any mismatch.

Sign convention: an Egret technosphere file holds the signed matrix entry
(inputs negative). Brightway's datapackage holds positive input amounts
with flip=True, so an input becomes data=-amount, flip=True, and its
distribution is described on the magnitude (normal: loc negated;
triangular and uniform: bounds negated and swapped; lognormal: same loc,
as loc = ln|amount|).
"""

import argparse
import csv
import json
import math
import multiprocessing
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import warnings

import numpy as np

warnings.filterwarnings("ignore")
import bw2calc  # noqa: E402
import bw_processing as bwp  # noqa: E402

# stats_arrays uncertainty type ids
NO_UNCERTAINTY, LOGNORMAL, NORMAL, UNIFORM, TRIANGULAR = 0, 2, 3, 4, 5
NAN = float("nan")


def number(text):
    return float(text) if text not in (None, "") else NAN


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]


def distribution(row, amount, flip):
    """One UNCERTAINTY_DTYPE tuple for a matrix entry of signed value `amount`.

    With flip=True the datapackage holds -amount, so the distribution is the
    one of -X."""
    name = row.get("distribution", "").lower()
    loc, scale = number(row.get("loc")), number(row.get("scale"))
    lo, hi = number(row.get("min")), number(row.get("max"))
    s = -1.0 if flip else 1.0
    if name in ("", "none"):
        # stats_arrays draws `loc` for entries without uncertainty.
        return (NO_UNCERTAINTY, s * amount, NAN, NAN, NAN, NAN, False)
    if name == "lognormal":
        loc = math.log(abs(amount)) if math.isnan(loc) else loc
        stored = s * amount
        return (LOGNORMAL, loc, scale, NAN, NAN, NAN, stored < 0)
    if name == "normal":
        loc = amount if math.isnan(loc) else loc
        return (NORMAL, s * loc, scale, NAN, NAN, NAN, False)
    if name == "triangular":
        mode = amount if math.isnan(loc) else loc
        a, b = (lo, hi) if s > 0 else (-hi, -lo)
        return (TRIANGULAR, s * mode, NAN, NAN, a, b, False)
    if name == "uniform":
        a, b = (lo, hi) if s > 0 else (-hi, -lo)
        return (UNIFORM, NAN, NAN, NAN, a, b, False)
    raise ValueError(f"unknown distribution {name}")


class Ids:
    def __init__(self):
        self.ids = {}

    def __call__(self, key):
        return self.ids.setdefault(key, len(self.ids))


def build_datapackage(directory):
    """The datapackage and the id maps (products, processes, flows)."""
    tech = read_rows(os.path.join(directory, "technosphere.csv"))
    bio = read_rows(os.path.join(directory, "biosphere.csv"))
    cfs = read_rows(os.path.join(directory, "cf.csv"))
    products, processes, flows = Ids(), Ids(), Ids()
    offset = 10_000_000  # process ids apart from product ids, for clarity

    def vectors(rows, row_key, row_ids, col_ids, col_key, value_key, flip_inputs):
        idx, data, flip, dist = [], [], [], []
        for r in rows:
            amount = float(r[value_key])
            f = flip_inputs and amount < 0
            idx.append((row_ids(r[row_key]), col_ids(r[col_key])))
            data.append(-amount if f else amount)
            flip.append(f)
            dist.append(distribution(r, amount, f))
        return (
            np.array(idx, dtype=bwp.INDICES_DTYPE),
            np.array(data, dtype=np.float64),
            np.array(flip, dtype=bool),
            np.array(dist, dtype=bwp.UNCERTAINTY_DTYPE),
        )

    dp = bwp.create_datapackage(sequential=True)
    t_idx, t_data, t_flip, t_dist = vectors(
        tech, "product", products, lambda p: offset + processes(p), "process", "amount", True
    )
    dp.add_persistent_vector(
        matrix="technosphere_matrix",
        indices_array=t_idx,
        data_array=t_data,
        flip_array=t_flip,
        distributions_array=t_dist,
    )
    b_idx, b_data, b_flip, b_dist = vectors(
        bio, "flow", flows, lambda p: offset + processes.ids[p], "process", "amount", False
    )
    dp.add_persistent_vector(
        matrix="biosphere_matrix",
        indices_array=b_idx,
        data_array=b_data,
        flip_array=b_flip,
        distributions_array=b_dist,
    )
    # Factors of flows that no process emits contribute nothing; Brightway's
    # characterisation matrix only has rows for flows in the biosphere.
    cfs = [r for r in cfs if r["flow"] in flows.ids]
    c_idx = np.array([(flows.ids[r["flow"]],) * 2 for r in cfs], dtype=bwp.INDICES_DTYPE)
    dp.add_persistent_vector(
        matrix="characterization_matrix",
        indices_array=c_idx,
        data_array=np.array([float(r["factor"]) for r in cfs]),
        distributions_array=np.array(
            [distribution(r, float(r["factor"]), False) for r in cfs], dtype=bwp.UNCERTAINTY_DTYPE
        ),
    )
    return dp, products.ids, {k: offset + v for k, v in processes.ids.items()}


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return out.stdout


def key_values(text):
    kv = {}
    for line in text.splitlines():
        for part in line.split():
            if "=" in part:
                k, v = part.split("=", 1)
                kv[k] = v
    return kv


def mc_worker(args):
    directory, demand, seed, draws = args
    warnings.filterwarnings("ignore")
    dp, _, _ = build_datapackage(directory)
    lca = bw2calc.LCA(demand, data_objs=[dp], use_distributions=True, seed_override=seed)
    lca.lci()
    lca.lcia()
    t = time.perf_counter()
    scores = []
    for _ in range(draws):
        next(lca)
        scores.append(float(lca.score))
    return time.perf_counter() - t, scores


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--egret", required=True, help="path of the egret binary")
    ap.add_argument("--processes", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--draws", type=int, default=20, help="Monte Carlo draws to time (0: none)")
    ap.add_argument("--workers", type=int, default=2, help="processes for the N-draw run")
    ap.add_argument("--bw-draws", type=int, default=0,
                    help="draws bw2calc really runs for the N-draw figure, which is then scaled "
                         "to --draws (default: all of them)")
    ap.add_argument("--bw-single-draws", type=int, default=10,
                    help="draws averaged for bw2calc's one-draw figure")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--bench", action="store_true", help="also run `egret bench lca` and compare")
    ap.add_argument("--dir", help="working directory (default: a temporary one)")
    ap.add_argument("--tolerance", type=float, default=1e-9)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        directory = args.dir or tmp
        run([args.egret, "lca", "synth", "--processes", str(args.processes),
             "--seed", str(args.seed), "--out", directory])
        result_path = os.path.join(directory, "egret-result.json")
        demand_rows = read_rows(os.path.join(directory, "demand.csv"))
        egret_out = key_values(run([
            args.egret, "lca", "solve",
            "--technosphere", os.path.join(directory, "technosphere.csv"),
            "--biosphere", os.path.join(directory, "biosphere.csv"),
            "--cf", os.path.join(directory, "cf.csv"),
            "--demand-file", os.path.join(directory, "demand.csv"),
            "--out", result_path,
        ]))
        with open(result_path, encoding="utf-8") as f:
            egret = json.load(f)

        t = time.perf_counter()
        dp, product_ids, process_ids = build_datapackage(directory)
        read_seconds = time.perf_counter() - t
        demand = {product_ids[r["product"]]: float(r["amount"]) for r in demand_rows}

        # Correctness: score and scaling vector.
        lca = bw2calc.LCA(demand, data_objs=[dp])
        lca.lci()
        lca.lcia()
        ok = True
        e_score = float(egret_out["score"])
        rel = abs(float(lca.score) - e_score) / abs(float(lca.score))
        print(f"compare=bw2calc processes={args.processes} bw2calc={bw2calc.__version__} "
              f"pardiso={bw2calc.PYPARDISO} tolerance={args.tolerance:g}")
        print(f"score_egret={e_score!r} score_bw2calc={float(lca.score)!r} score_rel_diff={rel:.3e}")
        if not rel <= args.tolerance:
            print("MISMATCH: score", file=sys.stderr)
            ok = False
        col = lca.dicts.activity
        bw_supply = lca.supply_array
        biggest = max(abs(x) for x in bw_supply)
        worst, worst_process, worst_abs = 0.0, None, 0.0
        for entry in egret["scaling"]:
            b = bw_supply[col[process_ids[entry["process"]]]]
            diff = abs(entry["scaling"] - b)
            allowed = args.tolerance * abs(b) + 1e-15 * biggest
            if diff > allowed:
                ok = False
                print(f"MISMATCH: scaling of {entry['process']}: egret {entry['scaling']!r} "
                      f"bw2calc {b!r}", file=sys.stderr)
            worst_abs = max(worst_abs, diff / biggest)
            if abs(b) < 1e-6 * biggest:
                continue  # relative differences of negligible entries mean little
            r = diff / abs(b)
            if r > worst:
                worst, worst_process = r, entry["process"]
        if len(egret["scaling"]) != len(bw_supply):
            print("MISMATCH: number of processes", file=sys.stderr)
            ok = False
        print(f"supply_entries={len(bw_supply)} supply_max_rel_diff={worst:.3e} "
              f"(entries above 1e-6 of the largest; at {worst_process}) "
              f"supply_max_diff_over_largest={worst_abs:.3e}")

        # Timings.
        print(f"bw_read_csv_build_datapackage_seconds={read_seconds:.4f}")
        build, first = [], []
        for _ in range(args.repeats):
            t = time.perf_counter()
            l = bw2calc.LCA(demand, data_objs=[dp])
            l.load_lci_data()
            l.load_lcia_data()
            build.append(time.perf_counter() - t)
            t = time.perf_counter()
            l.lci()
            l.lcia()
            first.append(time.perf_counter() - t)
        print(f"bw_build_matrices_seconds={statistics.median(build):.4f}")
        print(f"bw_first_lci_lcia_seconds={statistics.median(first):.4f}")

        l = bw2calc.LCA(demand, data_objs=[dp])
        l.lci(factorize=True)
        l.lcia()
        rng = random.Random(args.seed)
        all_products = list(product_ids.values())
        resolve = []
        for _ in range(max(args.repeats, 20)):
            t = time.perf_counter()
            l.lcia(demand={rng.choice(all_products): 1.0})
            resolve.append(time.perf_counter() - t)
        print(f"bw_resolve_new_demand_seconds={statistics.median(resolve):.6f}")

        if args.draws > 0:
            single = max(1, min(args.draws, args.bw_single_draws))
            t_single, _ = mc_worker((directory, demand, args.seed, single))
            print(f"bw_mc_draw_seconds={t_single / single:.5f}")
            workers = max(1, args.workers)
            really = args.bw_draws if 0 < args.bw_draws < args.draws else args.draws
            chunks = [really // workers + (1 if i < really % workers else 0)
                      for i in range(workers)]
            jobs = [(directory, demand, args.seed + 1000 * i, n) for i, n in enumerate(chunks) if n]
            with multiprocessing.get_context("spawn").Pool(len(jobs)) as pool:
                outcomes = pool.map(mc_worker, jobs)
            wall = max(o[0] for o in outcomes) * args.draws / really
            scores = [s for o in outcomes for s in o[1]]
            note = "" if really == args.draws else f", scaled from {really} draws"
            print(f"bw_mc_{args.draws}_draws_seconds={wall:.3f} workers={len(jobs)} "
                  f"(draw loops only, in parallel processes{note})")
            print(f"bw_mc_mean={statistics.fmean(scores)!r} "
                  f"bw_mc_sd={statistics.stdev(scores) if len(scores) > 1 else 0.0!r}")

        if args.bench:
            out = run([args.egret, "bench", "lca", "--processes", str(args.processes),
                       "--draws", str(max(args.draws, 1)), "--seed", str(args.seed)])
            print(out, end="")
            e = key_values(out)
            pairs = [
                ("first_solve", "first_solve_seconds", statistics.median(first)),
                ("resolve_new_demand", "resolve_new_demand_seconds", statistics.median(resolve)),
            ]
            if args.draws > 0:
                pairs.append(("mc_draw", "mc_draw_seconds", t_single / single))
                pairs.append((f"mc_{args.draws}_draws", f"mc_{args.draws}_draws_seconds", wall))
            for name, key, bw in pairs:
                mine = float(e[key])
                print(f"speedup_{name}={bw / mine:.1f} (bw2calc {bw:.5f} s, egret {mine:.5f} s)")

    if not ok:
        print("compare=FAILED", file=sys.stderr)
        return 1
    print("compare=ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
