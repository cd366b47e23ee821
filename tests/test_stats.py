"""rank_correlation against scipy (an independent implementation); concentration by hand."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from scipy import stats as sps
from warmcall.model.stats import concentration, rank_correlation, spearman_by_group


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_rho_matches_scipy_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 15, 400)  # many ties
    y = x * 0.3 + rng.integers(0, 10, 400)
    r = rank_correlation(x, y, n_boot=300, seed=seed)
    assert math.isclose(r.rho, sps.spearmanr(x, y).statistic, abs_tol=1e-12)
    assert r.n == 400
    assert r.lo < r.rho < r.hi
    # scipy's own bootstrap of the same statistic gives a similar percentile interval
    ref = sps.bootstrap((x, y), lambda a, b: sps.spearmanr(a, b).statistic, paired=True,
                        n_resamples=300, method="percentile", random_state=seed, vectorized=False)  # fmt: skip
    assert abs(ref.confidence_interval.low - r.lo) < 0.05
    assert abs(ref.confidence_interval.high - r.hi) < 0.05


def test_nulls_dropped_and_degenerate_cases() -> None:
    r = rank_correlation([1, 2, None, 4, 5], [2, 1, 3, None, 7])
    assert r.n == 3
    assert math.isclose(r.rho, sps.spearmanr([1, 2, 5], [2, 1, 7]).statistic)
    assert rank_correlation([1, 2], [1, 2]).rho is None
    assert rank_correlation([1, 1, 1, 1], [1, 2, 3, 4]).rho is None  # constant side


def test_seed_reproducible_and_large_n_uses_fisher() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=30_000)
    y = x + rng.normal(size=30_000)
    a, b = rank_correlation(x, y, seed=5), rank_correlation(x, y, seed=5)
    assert a == b
    assert a.method.startswith("Fisher")
    z, se = math.atanh(a.rho), 1.03 / math.sqrt(30_000 - 3)
    assert math.isclose(a.lo, math.tanh(z - 1.959963984540054 * se), rel_tol=1e-9)


@pytest.mark.parametrize("seed", [0, 1])
def test_spearman_by_group_matches_scipy_per_group(seed: int) -> None:
    """All groups in one query: each group's n and rho as scipy's Spearman of that group's
    complete pairs (ties, nulls and NaN on either side); a constant side: rho null."""
    rng = np.random.default_rng(seed)
    n = 3_000
    x = rng.integers(0, 40, n).astype(float)
    y = x * 0.5 + rng.integers(0, 25, n)
    x[rng.random(n) < 0.05] = np.nan
    g = rng.choice(["a", "b", "c"], n)
    df = pl.DataFrame({"g": g, "x": x, "y": y}).with_columns(
        y=pl.when(pl.int_range(pl.len()) % 17 == 0).then(None).otherwise(pl.col("y")),
        x=pl.col("x").fill_nan(None).fill_null(float("nan")),  # NaN, not null, on this side
    )
    df = pl.concat([df, pl.DataFrame({"g": ["k"] * 5, "x": [1.0, 2, 3, 4, 5], "y": [7.0] * 5})])
    out = spearman_by_group(df, "x", "y", ["g"])
    assert out["g"].to_list() == list(dict.fromkeys(df["g"].to_list()))  # first appearance
    for key, n_, rho in out.rows():
        part = df.filter(pl.col("g") == key, pl.col("x").is_not_nan(), pl.col("y").is_not_null())
        assert n_ == part.height
        if key == "k":
            assert rho is None
        else:
            assert math.isclose(rho, sps.spearmanr(part["x"], part["y"]).statistic, abs_tol=1e-12)
    whole = spearman_by_group(df.filter(pl.col("g") != "k"), "x", "y", ())
    ok = df.filter(pl.col("g") != "k", pl.col("x").is_not_nan(), pl.col("y").is_not_null())
    assert whole["n"].item() == ok.height
    assert math.isclose(
        whole["rho"].item(), sps.spearmanr(ok["x"], ok["y"]).statistic, abs_tol=1e-12
    )


def test_concentration_by_hand() -> None:
    # 10 contacts: one with 91 engagements, nine with 1 -> total 100
    df = pl.DataFrame({"e": [91] + [1] * 9})
    c = concentration(df, "e").row(0, named=True)
    assert c["top1_share"] == 0.91  # top 1% of 10 units rounds up to 1 unit
    assert c["top10_share"] == 0.91
    # Gini by the mean-difference definition: Σ_i Σ_j |x_i - x_j| / (2 n² mean)
    x = [91] + [1] * 9
    g = sum(abs(a - b) for a in x for b in x) / (2 * len(x) ** 2 * (sum(x) / len(x)))
    assert math.isclose(c["gini"], g, rel_tol=1e-12)
    assert concentration(pl.DataFrame({"e": [5] * 8}), "e")["gini"][0] == 0.0


@pytest.mark.parametrize("seed", range(5))
def test_resample_ranks_are_each_resamples_average_ranks(seed: int) -> None:
    """The bootstrap ranks each resample by counting draws per value; checked against
    scipy's rankdata of every resample row, ties included."""
    from warmcall.model.stats import _boot_rhos, _resample_ranks

    rng = np.random.default_rng(seed)
    n = int(rng.integers(3, 60))
    x = rng.integers(0, 5, n).astype(float)  # many ties
    y = rng.normal(size=n)
    idx = rng.integers(0, n, size=(40, n))
    want = np.vstack([sps.rankdata(x[row], method="average") for row in idx])
    assert np.allclose(_resample_ranks(x, idx), want)
    rhos = _boot_rhos(x, y, idx)
    for row, rho in zip(idx, rhos, strict=True):
        expect = sps.spearmanr(x[row], y[row]).statistic
        assert (np.isnan(rho) and np.isnan(expect)) or math.isclose(rho, expect, abs_tol=1e-12)
