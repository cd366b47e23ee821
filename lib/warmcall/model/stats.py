"""Rank correlation with a confidence interval, and concentration of engagement.

- Spearman's rho = Pearson correlation of the average ranks (ties share the mean rank),
  as in Cha et al. (2010), "Measuring User Influence in Twitter: The Million Follower
  Fallacy". CI: percentile bootstrap (resampling pairs, ``n_boot`` resamples, seeded) for
  n ≤ ``BOOTSTRAP_MAX_N``; above that the Fisher z interval with Fieller, Hartley & Pearson's
  (1957) standard error 1.03 / √(n − 3), because the bootstrap's cost grows as n · n_boot
  (62 bootstraps of up to 5,000 pairs took 5 s of an L report; on the L groups between
  1,000 and 5,000 pairs the two intervals' ends differ by at most 0.007).
- Concentration: share of the total held by the top 1% / 10% (/ 20% / 50%) of units, and the Gini
  coefficient G = Σᵢ (2i − n − 1)·x₍ᵢ₎ / (n · Σ x) over ascending x₍ᵢ₎ (0 = equal, → 1 = one
  unit holds all).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from statistics import NormalDist

import numpy as np
import polars as pl

BOOTSTRAP_MAX_N = 1_000


@dataclass(frozen=True)
class RankCorrelation:
    rho: float | None
    lo: float | None
    hi: float | None
    n: int
    ci: float
    method: str

    def as_dict(self) -> dict:
        return asdict(self)

    def sentence(self, x_label: str, y_label: str) -> str:
        """A plain-language reading, e.g. for a report."""
        if self.rho is None:
            return f"Too few contacts (n = {self.n}) to relate {x_label} to {y_label}."
        strength = abs(self.rho)
        word = (
            "no real" if strength < 0.1 else "a weak" if strength < 0.3
            else "a moderate" if strength < 0.5 else "a strong"
        )  # fmt: skip
        sign = "" if word == "no real" else (" positive" if self.rho > 0 else " negative")
        ci = f"{self.ci:.0%} CI {self.lo:.2f} to {self.hi:.2f}" if self.lo is not None else "no CI"
        return (
            f"{x_label[:1].upper() + x_label[1:]} and {y_label} show {word}{sign} rank correlation: "
            f"Spearman ρ = {self.rho:.2f} ({ci}, n = {self.n:,})."
        )


def _rank_avg(a: np.ndarray) -> np.ndarray:
    return pl.Series(a).rank("average").to_numpy().astype(np.float64)


def _pearson(a: np.ndarray, b: np.ndarray) -> float | None:
    a = a - a.mean()
    b = b - b.mean()
    den = math.sqrt(float((a * a).sum()) * float((b * b).sum()))
    return float((a * b).sum() / den) if den > 0 else None


def spearman(x: np.ndarray, y: np.ndarray) -> float | None:
    """Spearman's rho with average ranks for ties; None when either side is constant."""
    return _pearson(_rank_avg(x), _rank_avg(y))


def _resample_ranks(a: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Average ranks (ties: the mean of their positions, as ``rank("average")``) of
    ``a[idx[b]]`` within each resample ``b`` (a row of ``idx``), without sorting each row:
    with c = the dense code of a value and k_b(c) how often resample b drew code c, a value
    of code c ranks Σ_{c' < c} k_b(c') + (k_b(c) + 1) / 2."""
    values, code = np.unique(a, return_inverse=True)
    b, n = idx.shape
    k = len(values)
    drawn = code[idx]  # (b, n) codes
    counts = np.bincount((drawn + (np.arange(b) * k)[:, None]).ravel(), minlength=b * k)
    counts = counts.reshape(b, k).astype(np.float64)
    below = np.cumsum(counts, axis=1) - counts
    avg = below + (counts + 1) / 2
    return np.take_along_axis(avg, drawn, axis=1)


def _boot_rhos(x: np.ndarray, y: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Spearman rho of each resample ``(x[idx[b]], y[idx[b]])``; NaN where a side is
    constant."""
    rx, ry = _resample_ranks(x, idx), _resample_ranks(y, idx)
    rx -= rx.mean(axis=1, keepdims=True)
    ry -= ry.mean(axis=1, keepdims=True)
    den = np.sqrt((rx * rx).sum(axis=1) * (ry * ry).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (rx * ry).sum(axis=1) / den, np.nan)


def rank_correlation(
    x: Sequence[float] | pl.Series | np.ndarray,
    y: Sequence[float] | pl.Series | np.ndarray,
    ci: float = 0.95,
    n_boot: int = 1000,
    seed: int = 0,
) -> RankCorrelation:
    """Spearman rho of paired values (pairs with a missing side dropped), CI and n."""
    xs = pl.Series(x, dtype=pl.Float64)
    ys = pl.Series(y, dtype=pl.Float64)
    if len(xs) != len(ys):
        raise ValueError("x and y must have the same length")
    keep = (xs.is_not_null() & ys.is_not_null() & xs.is_not_nan() & ys.is_not_nan()).to_numpy()
    xa = xs.to_numpy()[keep]
    ya = ys.to_numpy()[keep]
    n = len(xa)
    if n < 3:
        return RankCorrelation(None, None, None, n, ci, "none")
    rho = spearman(xa, ya)
    if rho is None:
        return RankCorrelation(None, None, None, n, ci, "none")
    if n > BOOTSTRAP_MAX_N:
        return fisher_correlation(rho, n, ci)
    alpha = (1 - ci) / 2
    rng = np.random.default_rng(seed)
    boot = _boot_rhos(xa, ya, rng.integers(0, n, size=(n_boot, n)))
    boot = boot[~np.isnan(boot)]
    if boot.size == 0:  # every resample constant on a side: no interval to give
        return RankCorrelation(rho, None, None, n, ci, "none")
    lo, hi = (float(np.quantile(boot, q, method="linear")) for q in (alpha, 1 - alpha))
    return RankCorrelation(rho, lo, hi, n, ci, f"bootstrap ({n_boot} resamples)")


def fisher_correlation(rho: float, n: int, ci: float = 0.95) -> RankCorrelation:
    """``rho`` of ``n`` > ``BOOTSTRAP_MAX_N`` pairs with its Fisher z interval:
    tanh(atanh ρ ± q · 1.03 / √(n − 3)), q the normal quantile of ``ci`` (Fieller, Hartley
    & Pearson 1957; module docstring)."""
    alpha = (1 - ci) / 2
    z = math.atanh(max(min(rho, 0.999999), -0.999999))
    se = 1.03 / math.sqrt(n - 3)
    q = NormalDist().inv_cdf(1 - alpha)
    lo, hi = math.tanh(z - q * se), math.tanh(z + q * se)
    return RankCorrelation(rho, lo, hi, n, ci, "Fisher z (Fieller et al. 1957)")


def spearman_by_group(df: pl.DataFrame, x: str, y: str, by: Sequence[str]) -> pl.DataFrame:
    """Per ``by`` group (in order of first appearance; all rows as one group when ``by`` is
    empty): ``n``, the pairs with both sides known (not null, not NaN), and ``rho``,
    Spearman's rho of those pairs (Pearson correlation of their average ranks within the
    group, as ``spearman``; null where a side is constant or n < 2). All groups in one
    polars query, so the ranks of a million contacts are not taken group by group."""
    xs, ys = pl.col(x).cast(pl.Float64), pl.col(y).cast(pl.Float64)
    ok = xs.is_not_null() & ys.is_not_null() & xs.is_not_nan() & ys.is_not_nan()
    keys = list(by)
    ranked = (
        df.lazy()
        .select(*keys, xs.alias("_x"), ys.alias("_y"), ok.alias("_ok"))
        .filter("_ok")
        .with_columns(
            (pl.col(c).rank("average").over(keys) if keys else pl.col(c).rank("average"))
            for c in ("_x", "_y")
        )
    )
    aggs = (pl.len().cast(pl.Int64).alias("n"), pl.corr("_x", "_y").fill_nan(None).alias("rho"))
    if not keys:
        return ranked.select(*aggs).collect()
    order = df.lazy().select(keys).unique(maintain_order=True)  # groups without pairs too
    found = ranked.group_by(keys).agg(*aggs)
    return (
        order.join(found, on=keys, how="left", nulls_equal=True, maintain_order="left")
        .with_columns(pl.col("n").fill_null(0))
        .collect()
    )


def top_share(values: pl.Expr, top: float) -> pl.Expr:
    """Share of Σ values held by the top ``top`` fraction of units (at least one unit)."""
    n_top = (values.len().cast(pl.Float64) * top).ceil().clip(lower_bound=1).cast(pl.UInt32)
    return values.sort(descending=True).head(n_top).sum() / values.sum()


def gini(values: pl.Expr) -> pl.Expr:
    """Gini coefficient G = Σᵢ (2i − n − 1)·x₍ᵢ₎ / (n · Σ x), x ascending, i = 1..n."""
    s = values.sort()
    n = s.len().cast(pl.Float64)
    i = pl.int_range(1, s.len() + 1, dtype=pl.Int64).cast(pl.Float64)
    return ((2 * i - n - 1) * s).sum() / (n * s.sum())


def concentration(df: pl.DataFrame, value: str, by: Sequence[str] = ()) -> pl.DataFrame:
    """Top-1% share, top-10% share and Gini of ``value`` per group (units with value ≥ 0)."""
    v = pl.col(value).cast(pl.Float64)
    aggs = [
        pl.len().alias("units"),
        v.sum().alias("total"),
        top_share(v, 0.01).alias("top1_share"),
        top_share(v, 0.10).alias("top10_share"),
        gini(v).alias("gini"),
    ]
    src = df.filter(pl.col(value).is_not_null())
    out = (
        src.group_by(list(by), maintain_order=True).agg(aggs).sort(list(by))
        if by
        else src.select(aggs)
    )
    # nothing to share out (total 0): shares and Gini are undefined, not NaN
    return out.with_columns(
        [
            pl.when(pl.col("total") > 0).then(pl.col(c)).alias(c)
            for c in ("top1_share", "top10_share", "gini")
        ]
    )


#: the "top N% of contacts" groups of :func:`top_shares`
TOP_FRACTIONS = (0.10, 0.20, 0.50)


def top_shares(
    df: pl.DataFrame, value: str, by: Sequence[str] = (), tops: Sequence[float] = TOP_FRACTIONS
) -> pl.DataFrame:
    """How much of the total the top fraction p of units carries, for each p in ``tops``.

    share(p) = Σ of the k = max(1, ⌈p·n⌉) largest values / Σ of all n values (:func:`top_share`;
    units with a null value are left out, ties at the cut count once each). Long frame, one row
    per group and p: ``*by, top`` (p), ``top_units`` (k), ``units`` (n), ``active`` (units with
    a value > 0), ``total`` (Σ) and ``share``, null when the total is 0 (nothing to share out).
    """
    keys = list(by)
    v = pl.col(value).cast(pl.Float64)
    names = [f"_s{i}" for i in range(len(tops))]
    aggs = [
        pl.len().alias("units"),
        (v > 0).sum().cast(pl.Int64).alias("active"),
        v.sum().alias("total"),
        *[top_share(v, p).alias(n) for p, n in zip(tops, names, strict=True)],
    ]
    src = df.filter(pl.col(value).is_not_null())
    wide = src.group_by(keys, maintain_order=True).agg(aggs) if keys else src.select(aggs)
    top_of = pl.DataFrame({"_k": names, "top": [float(p) for p in tops]})
    return (
        wide.unpivot(
            index=[*keys, "units", "active", "total"],
            on=names,
            variable_name="_k",
            value_name="share",
        )
        .join(top_of, on="_k")
        .with_columns(
            top_units=(pl.col("units").cast(pl.Float64) * pl.col("top"))
            .ceil()
            .clip(lower_bound=1)
            .cast(pl.Int64),
            share=pl.when(pl.col("total") > 0).then(pl.col("share")),
        )
        .select(*keys, "top", "top_units", "units", "active", "total", "share")
        .sort([*keys, "top"])
    )
