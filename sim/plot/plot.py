"""sim plot: pictures of what sim writes, as PNG and SVG.

    sim plot FILE... --out DIR

Each FILE is one of:
  - a sweep table (sim sweep --out T.csv): speedup.{png,svg}, speedup and
    scaling efficiency against workers, one line per strategy (and per value
    of any other swept field), with the ideal line; time_breakdown.{png,svg},
    where the workers' time goes at each point (compute, exposed
    communication, waiting);
  - a time series (sim --series S.csv, step,sim_time_s,loss,accuracy,
    staleness,kind): accuracy.{png,svg}, test accuracy and loss against
    simulated time from its evaluation rows, one line per file, labelled by
    its strategy when a result.json sits beside it (sim --out DIR), else by
    its file name; its step rows (sim --series-every N), if any, add the
    training loss of the steps' mini-batches as a thin line beside the test
    loss. A series without the kind column (older sim) is all evaluations;
  - a run's result (sim --json R.json): staleness.{png,svg}, the histogram of
    the staleness of applied gradients.

Exit status 2, with the reason, when matplotlib is missing or a file is none
of these. sim embeds this script and runs it with Debian's python3 (or
$SIM_PYTHON), so that `sim plot` works from any folder.
"""

import argparse
import csv
import json
import math
import os
import sys

SERIES_HEADER = ["step", "sim_time_s", "loss", "accuracy", "staleness", "kind"]
SERIES_KINDS = ("evaluation", "step")
SWEEP_COLUMNS = {"point", "workers", "strategy", "samples_per_s", "speedup", "scaling_efficiency",
                 "baseline_point", "compute_share", "exposed_comm_share", "wait_share", "error"}
# Swept paths whose values the strategy column already names.
STRATEGY_PATHS = {"strategy.kind", "strategy.allreduce"}


def fail(message):
    print("sim plot: error: " + message, file=sys.stderr)
    sys.exit(2)


plt = FuncFormatter = NullFormatter = None


def load_matplotlib():
    """Imported only once every file has been read: a bad file is reported
    at once, without the second matplotlib takes to load."""
    global plt, FuncFormatter, NullFormatter
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as pyplot
        from matplotlib.ticker import FuncFormatter as func_formatter, NullFormatter as null_formatter
    except ImportError as e:
        fail("matplotlib is missing (%s): install Debian's python3-matplotlib "
             "(apt-get install python3-matplotlib), or point SIM_PYTHON at a python3 that has it" % e)
    plt, FuncFormatter, NullFormatter = pyplot, func_formatter, null_formatter


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


# ------------------------------------------------------------ reading files --

class Sweep:
    def __init__(self, path, header, rows):
        self.path = path
        self.name = os.path.splitext(os.path.basename(path))[0]
        # The swept paths are the columns between "point" and "workers".
        self.swept = header[1:header.index("workers")]
        self.rows = rows


class Series:
    def __init__(self, path, rows, steps):
        self.path = path
        self.rows = rows    # evaluations: test loss and accuracy
        self.steps = steps  # step rows: the training loss of a step's mini-batches
        self.label = series_label(path)


class Result:
    def __init__(self, path, data):
        self.path = path
        self.data = data
        self.label = "%s, %s workers" % (data.get("strategy", "?"), data.get("workers", "?"))


def series_label(path):
    """Its strategy and workers from a result.json beside it (sim --out DIR
    writes both), else its file name."""
    folder = os.path.dirname(path) or "."
    beside = os.path.join(folder, "result.json")
    if os.path.basename(path) == "series.csv" and os.path.exists(beside):
        try:
            with open(beside) as f:
                r = json.load(f)
            return "%s, %s workers" % (r["strategy"], r["workers"])
        except (OSError, ValueError, KeyError):
            pass
    return os.path.splitext(os.path.basename(path))[0]


def read(path):
    kinds = "a sweep table (sim sweep), a series (sim --series) or a result (sim --json)"
    try:
        with open(path, newline="") as f:
            text = f.read()
    except OSError as e:
        fail("%s: cannot read: %s" % (path, e.strerror))
    except UnicodeDecodeError:
        fail("%s: not text, so not %s" % (path, kinds))
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
        except ValueError as e:
            fail("%s: not valid JSON (%s), so not %s" % (path, e, kinds))
        if not isinstance(data, dict) or "staleness_histogram" not in data:
            fail("%s: a JSON file without staleness_histogram, so not a sim --json result" % path)
        return Result(path, data)
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        fail("%s: empty, so not %s" % (path, kinds))
    header = rows[0]
    if header in (SERIES_HEADER, SERIES_HEADER[:-1]):
        return read_series(path, header, rows[1:])
    if header and header[0] == "point" and SWEEP_COLUMNS <= set(header):
        body = []
        for n, row in enumerate(rows[1:], start=2):
            if len(row) != len(header):
                fail("%s:%d: %d cells where the header has %d" % (path, n, len(row), len(header)))
            body.append(dict(zip(header, row)))
        return Sweep(path, header, body)
    fail("%s: its first line is neither a sim sweep header nor the series header %s, so not %s"
         % (path, ",".join(SERIES_HEADER), kinds))


def read_series(path, header, rows):
    """Evaluation rows need every number; step rows may lack the loss (a
    timing-only run) and have no accuracy."""
    evaluations, steps = [], []
    expected = ",".join(SERIES_HEADER)
    for n, row in enumerate(rows, start=2):
        if len(row) != len(header):
            fail("%s:%d: %d cells, not a series row (%s)" % (path, n, len(row), expected))
        cells = dict(zip(header, row))
        kind = cells.get("kind", "evaluation")
        if kind not in SERIES_KINDS:
            fail("%s:%d: kind %r is neither %s" % (path, n, kind, " nor ".join(SERIES_KINDS)))
        values = {k: number(cells[k]) for k in SERIES_HEADER[:-1]}
        needed = SERIES_HEADER[:-1] if kind == "evaluation" else ["step", "sim_time_s", "staleness"]
        missing = [k for k in needed if values[k] is None]
        if missing:
            fail("%s:%d: %s %s row needs a number in %s"
                 % (path, n, "an" if kind == "evaluation" else "a", kind, ", ".join(missing)))
        (evaluations if kind == "evaluation" else steps).append(values)
    return Series(path, evaluations, steps)


# ----------------------------------------------------------------- figures --

def style():
    plt.rcParams.update({
        "figure.dpi": 100, "savefig.dpi": 150, "font.size": 10, "axes.titlesize": 11,
        "axes.grid": True, "grid.alpha": 0.3, "axes.spines.top": False, "axes.spines.right": False,
        "legend.frameon": False, "svg.hashsalt": "sim-plot", "svg.fonttype": "none",
    })


def save(fig, out, name):
    written = []
    for ext in ("png", "svg"):
        path = os.path.join(out, name + "." + ext)
        fig.savefig(path, bbox_inches="tight", metadata={"Date": None} if ext == "svg" else None)
        written.append(path)
    plt.close(fig)
    return written


def short(path):
    return path.split(".")[-1]


def power_of_two_axis(ax, values):
    """A log2 axis with a tick at each value when they span 8x or more."""
    lo, hi = min(values), max(values)
    if lo > 0 and hi / lo >= 8:
        ax.set_xscale("log", base=2)
        ax.set_xticks(sorted(set(values)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: "%g" % v))
        ax.xaxis.set_minor_formatter(NullFormatter())
        return True
    return False


def groups_of(sweep, x_path):
    """Rows that ran, grouped by every swept path but `x_path`; the
    strategy column stands for the strategy paths it names. Each group keeps
    the table's (point) order."""
    others = [p for p in sweep.swept if p != x_path and p not in STRATEGY_PATHS]
    by_strategy = any(p in STRATEGY_PATHS for p in sweep.swept) or len({r["strategy"] for r in sweep.rows}) > 1
    groups = {}
    for row in sweep.rows:
        if row["error"] or number(row["workers"]) is None:
            continue
        key = tuple(([row["strategy"]] if by_strategy or x_path == "cluster.workers" else [])
                    + ["%s=%s" % (short(p), row[p]) for p in others])
        groups.setdefault(key, []).append(row)
    return groups


def lines_of(sweep):
    """One line per strategy and value of every other swept path, by workers."""
    lines = groups_of(sweep, "cluster.workers")
    for rows in lines.values():
        rows.sort(key=lambda r: number(r["workers"]))
    return lines


def speedup_figure(sweeps, out):
    fig, (ax_s, ax_e) = plt.subplots(1, 2, figsize=(12, 4.8))
    all_workers, baselines = [], set()
    for sweep in sweeps:
        by_point = {row["point"]: row for row in sweep.rows}
        for key, rows in lines_of(sweep).items():
            rows = [r for r in rows if number(r["speedup"]) is not None]
            if not rows:
                continue
            label = ", ".join(key) + (" (%s)" % sweep.name if len(sweeps) > 1 else "")
            workers = [number(r["workers"]) for r in rows]
            all_workers += workers
            line, = ax_s.plot(workers, [number(r["speedup"]) for r in rows], "o-", label=label)
            ax_e.plot(workers, [100 * number(r["scaling_efficiency"]) for r in rows], "o-",
                      color=line.get_color(), label=label)
            for r in rows:
                base = by_point.get(r["baseline_point"])
                if base is not None and number(base["workers"]):
                    baselines.add(number(base["workers"]))
    if not all_workers:
        plt.close(fig)
        return []
    xs = sorted(set(all_workers))
    for w0 in sorted(baselines):
        ideal = [x / w0 for x in xs]
        ax_s.plot(xs, ideal, "k--", linewidth=1,
                  label="ideal (linear from %g worker%s)" % (w0, "" if w0 == 1 else "s"))
    ax_e.axhline(100, color="k", linestyle="--", linewidth=1, label="ideal")
    if power_of_two_axis(ax_s, xs):
        ax_s.set_yscale("log", base=2)
        ax_s.yaxis.set_major_formatter(FuncFormatter(lambda v, _: "%g" % v))
        ax_s.yaxis.set_minor_formatter(NullFormatter())
    power_of_two_axis(ax_e, xs)
    w0 = ", ".join("%g" % w for w in sorted(baselines)) or "the baseline's"
    ax_s.set(xlabel="workers", ylabel="speedup (throughput / throughput at %s workers)" % w0,
             title="Speedup")
    ax_e.set(xlabel="workers", ylabel="scaling efficiency (% of linear)", title="Scaling efficiency")
    ax_e.set_ylim(bottom=0)
    ax_s.legend(fontsize=8)
    ax_e.legend(fontsize=8)
    fig.suptitle("Scaling: " + ", ".join(s.name for s in sweeps), fontsize=12)
    return save(fig, out, "speedup")


def breakdown_figure(sweeps, out):
    """Per sweep, one panel per group of points (groups_of), a stacked bar per
    point along the worker count (or the last swept path), its step time
    written above it."""
    parts = [("compute_share", "compute", "#4C72B0"),
             ("exposed_comm_share", "exposed communication", "#DD8452"),
             ("wait_share", "waiting", "#8C8C8C")]
    panels = []
    for sweep in sweeps:
        x_path = "cluster.workers" if "cluster.workers" in sweep.swept else sweep.swept[-1]
        for key, rows in groups_of(sweep, x_path).items():
            rows = [r for r in rows if number(r["compute_share"]) is not None]
            if rows:
                title = ", ".join(key) or sweep.name
                if len(sweeps) > 1:
                    title += " (%s)" % sweep.name
                panels.append((title, x_path, rows))
    if not panels:
        return []
    columns = min(len(panels), 3)
    rows_of_panels = (len(panels) + columns - 1) // columns
    widest = max(len(rows) for _, _, rows in panels)
    fig, axes = plt.subplots(rows_of_panels, columns, squeeze=False, sharey=True,
                             figsize=(columns * max(4.0, 0.45 * widest + 1.5), 3.8 * rows_of_panels + 0.8))
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax, (title, x_path, rows) in zip(axes.flat, panels):
        x = list(range(len(rows)))
        bottom = [0.0] * len(rows)
        for column, label, color in parts:
            heights = [100 * number(r[column]) for r in rows]
            ax.bar(x, heights, bottom=bottom, color=color, label=label, width=0.75)
            bottom = [b + h for b, h in zip(bottom, heights)]
        if len(rows) <= 16:
            for i, r in enumerate(rows):
                ax.text(i, 101, seconds(number(r["step_time_s"])), ha="center", va="bottom", fontsize=7,
                        rotation=90 if len(rows) > 8 else 0)
        ax.set_xticks(x)
        ax.set_xticklabels([r[x_path] for r in rows], rotation=45 if max(len(r[x_path]) for r in rows) > 5 else 0,
                           ha="right" if max(len(r[x_path]) for r in rows) > 5 else "center")
        ax.set_xlabel(x_path)
        ax.set_ylim(0, 118)
        ax.set_yticks(range(0, 101, 20))
        ax.set_title(title, fontsize=10)
        ax.grid(axis="x", visible=False)
    for ax in axes[:, 0]:
        ax.set_ylabel("share of workers' time (%)")
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, bbox_to_anchor=(0.5, -0.02))
    fig.suptitle("Where the time goes (step time above each bar): " + ", ".join(s.name for s in sweeps),
                 fontsize=12)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    return save(fig, out, "time_breakdown")


def seconds(value):
    """A step time with the unit that keeps it readable: 12.3 ms, 45 us."""
    if value is None:
        return ""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if value >= scale:
            return "%.3g %s" % (value / scale, unit)
    return "%.3g ns" % (value / 1e-9)


def accuracy_figure(series, out):
    fig, (ax_a, ax_l) = plt.subplots(1, 2, figsize=(12, 4.8))
    labels = [s.label for s in series]
    for k, (s, label) in enumerate(zip(series, labels)):
        if labels.count(label) > 1:  # two runs of one strategy: tell them apart by file
            label += " (%s)" % s.path
        t = [r["sim_time_s"] for r in s.rows]
        # Each line's gid names it in the SVG (accuracy_0, test_loss_0, ...).
        line, = ax_a.plot(t, [100 * r["accuracy"] for r in s.rows], "o-", markersize=3, label=label,
                          gid="accuracy_%d" % k)
        ax_l.plot(t, [r["loss"] for r in s.rows], "o-", markersize=3, color=line.get_color(), gid="test_loss_%d" % k)
        trained = [r for r in s.steps if r["loss"] is not None]
        if trained:
            ax_l.plot([r["sim_time_s"] for r in trained], [r["loss"] for r in trained], "-", linewidth=0.8,
                      alpha=0.45, color=line.get_color(), gid="training_loss_%d" % k)
    with_steps = any(r["loss"] is not None for s in series for r in s.steps)
    what = "loss" if with_steps else "test loss"
    if with_steps:  # a key to the two kinds of line (unlabelled, so not in the figure's legend)
        test, = ax_l.plot([], [], "o-", markersize=3, color="0.35")
        batches, = ax_l.plot([], [], "-", linewidth=0.8, alpha=0.45, color="0.35")
        ax_l.legend([test, batches], ["test set (evaluations)", "steps' training mini-batches"], fontsize=8)
    ax_a.set(xlabel="simulated time (s)", ylabel="test accuracy (%)", title="Accuracy over simulated time")
    ax_l.set(xlabel="simulated time (s)", ylabel=what + " (cross-entropy or MSE)", title="Loss over simulated time")
    # A diverging run (a loss of 70 next to 0.5) would flatten every other line.
    losses = [r["loss"] for s in series for r in s.rows + s.steps
              if r["loss"] is not None and r["loss"] > 0 and math.isfinite(r["loss"])]
    if losses and max(losses) / min(losses) > 20:
        ax_l.set_yscale("log")
        ax_l.set_ylabel(what + " (cross-entropy or MSE, log scale)")
    for ax in (ax_a, ax_l):
        ax.set_xlim(left=0)
    fig.legend(loc="lower center", ncol=min(len(series), 3), fontsize=9, bbox_to_anchor=(0.5, -0.01))
    fig.tight_layout(rect=(0, 0.07 + 0.04 * ((len(series) - 1) // 3), 1, 1))
    return save(fig, out, "accuracy")


def staleness_figure(results, out):
    fig, ax = plt.subplots(figsize=(9, 4.5))
    n = len(results)
    width = 0.8 / n
    longest = 0
    for k, r in enumerate(results):
        counts = [float(c) for c in r.data["staleness_histogram"]]
        total = sum(counts) or 1.0
        longest = max(longest, len(counts))
        xs = [s - 0.4 + width * (k + 0.5) for s in range(len(counts))]
        mean = r.data.get("staleness_mean", 0.0)
        ax.bar(xs, [100 * c / total for c in counts], width=width,
               label="%s (mean %.2f, max %s)" % (r.label, mean, r.data.get("staleness_max", len(counts) - 1)))
    ax.set(xlabel="staleness (model updates between a gradient's read and its application)",
           ylabel="gradients applied (%)", title="Staleness of applied gradients")
    if longest <= 25:
        ax.set_xticks(range(longest))
    ax.set_xlim(-0.6, longest - 0.4)
    ax.grid(axis="x", visible=False)
    ax.legend(fontsize=8)
    return save(fig, out, "staleness")


def main():
    parser = argparse.ArgumentParser(prog="sim plot", description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", help="sweep tables, series CSVs, result JSONs")
    parser.add_argument("--out", required=True, help="folder for the PNG and SVG files")
    args = parser.parse_args()

    inputs = [read(p) for p in args.files]
    load_matplotlib()
    sweeps = [i for i in inputs if isinstance(i, Sweep)]
    series = [i for i in inputs if isinstance(i, Series)]
    results = [i for i in inputs if isinstance(i, Result)]
    try:
        os.makedirs(args.out, exist_ok=True)
    except OSError as e:
        fail("%s: cannot create the folder: %s" % (args.out, e.strerror))
    style()
    written = []
    if sweeps:
        made = speedup_figure(sweeps, args.out)
        if not made:
            print("sim plot: no speedup figure: no point of the tables ran with a speedup", file=sys.stderr)
        written += made + breakdown_figure(sweeps, args.out)
    if series:
        written += accuracy_figure(series, args.out)
    if results:
        written += staleness_figure(results, args.out)
    for path in written:
        print(path)


if __name__ == "__main__":
    main()
