"""Each metric against an independent computation on known signals."""

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from evaluation.dtw import distance_matrix, dtw
from evaluation.f0 import log_f0_rmse_cents, vuv_error
from evaluation.mcd import ORDER, mcd_dtw, mcd_on_path, mel_cepstrum
from evaluation.spectral import mel_cosine, mel_l1
from evaluation.stats import mean_ci

K = 10 / math.log(10) * math.sqrt(2)


def _all_paths(n, m):
    """Every monotone path from (0,0) to (n-1,m-1) with steps (1,0), (0,1), (1,1)."""

    def walk(i, j):
        if (i, j) == (n - 1, m - 1):
            yield [(i, j)]
            return
        for di, dj in ((1, 0), (0, 1), (1, 1)):
            if i + di < n and j + dj < m:
                for rest in walk(i + di, j + dj):
                    yield [(i, j)] + rest

    yield from walk(0, 0)


@pytest.mark.parametrize("n,m,seed", [(1, 1, 0), (1, 4, 1), (4, 1, 2), (3, 5, 3), (5, 5, 4), (6, 4, 5)])
def test_dtw_matches_brute_force(n, m, seed):
    rng = np.random.default_rng(seed)
    x, y = rng.normal(size=(n, 3)), rng.normal(size=(m, 3))
    d = np.array([[np.linalg.norm(a - b) for b in y] for a in x])  # independent distances
    best = min(sum(d[i, j] for i, j in p) for p in _all_paths(n, m))
    path, cost = dtw(x, y)
    assert cost == pytest.approx(best, rel=1e-9)
    assert d[path[:, 0], path[:, 1]].sum() == pytest.approx(cost, rel=1e-9)
    assert tuple(path[0]) == (0, 0) and tuple(path[-1]) == (n - 1, m - 1)
    steps = np.diff(path, axis=0)
    assert all(tuple(s) in {(1, 0), (0, 1), (1, 1)} for s in steps)
    np.testing.assert_allclose(distance_matrix(x, y), d, atol=1e-9)


def test_dtw_of_a_sequence_with_itself_is_the_diagonal_at_zero_cost():
    x = np.random.default_rng(0).normal(size=(20, 4))
    path, cost = dtw(x, x)
    assert cost == pytest.approx(0.0, abs=1e-6) and (path[:, 0] == path[:, 1]).all() and len(path) == 20


def test_dtw_recovers_a_known_repetition():
    x = np.random.default_rng(1).normal(size=(10, 4))
    y = np.repeat(x, 2, axis=0)  # every frame twice
    path, cost = dtw(x, y)
    assert cost == pytest.approx(0.0, abs=1e-6)
    assert (path[:, 0] == path[:, 1] // 2).all()


def test_dtw_rejects_empty_input():
    with pytest.raises(ValueError, match="non-empty"):
        dtw(np.zeros((0, 3)), np.zeros((4, 3)))


def _log_mel(frames=40, bands=80, seed=0):
    return np.random.default_rng(seed).normal(-4, 2, size=(bands, frames))


def test_cepstrum_matches_the_cosine_sum_definition():
    lm = _log_mel(5)
    n = lm.shape[0]
    direct = np.array(
        [
            [np.mean(lm[:, t] * np.cos(np.pi * d * (np.arange(n) + 0.5) / n)) for d in range(1, ORDER + 1)]
            for t in range(lm.shape[1])
        ]
    )
    np.testing.assert_allclose(mel_cepstrum(lm), direct, atol=1e-10)


def test_mcd_identical_is_zero_and_level_changes_do_not_count():
    lm = _log_mel()
    assert mcd_dtw(lm, lm)[0] == pytest.approx(0.0, abs=1e-9)
    assert mcd_dtw(lm, lm + 3.0)[0] == pytest.approx(0.0, abs=1e-9)  # c0 excluded


@pytest.mark.parametrize("d,delta", [(1, 0.4), (3, 1.0), (24, -0.25)])
def test_mcd_of_a_known_cepstral_shift(d, delta):
    lm = _log_mel()
    n = lm.shape[0]
    shifted = lm + delta * np.cos(np.pi * d * (np.arange(n) + 0.5) / n)[:, None]  # c_d moves by delta / 2
    diagonal = np.stack([np.arange(lm.shape[1])] * 2, axis=1)
    expected = K * abs(delta) / 2
    assert mcd_on_path(mel_cepstrum(lm), mel_cepstrum(shifted), diagonal) == pytest.approx(expected, rel=1e-9)
    assert mcd_dtw(lm, shifted)[0] == pytest.approx(expected, rel=1e-6)


def test_mcd_beyond_order_24_is_ignored():
    lm = _log_mel()
    n = lm.shape[0]
    shifted = lm + np.cos(np.pi * 30 * (np.arange(n) + 0.5) / n)[:, None]
    assert mcd_dtw(lm, shifted)[0] == pytest.approx(0.0, abs=1e-9)


def test_log_f0_rmse_of_a_known_interval():
    f0 = np.linspace(100, 200, 50)
    voiced = np.ones(50, bool)
    diagonal = np.stack([np.arange(50)] * 2, axis=1)
    assert log_f0_rmse_cents(f0, voiced, f0 * 2 ** (100 / 1200), voiced, diagonal) == pytest.approx(100.0)
    assert log_f0_rmse_cents(f0, voiced, f0 * 2, voiced, diagonal) == pytest.approx(1200.0)
    # unvoiced pairs are left out; none voiced in both: NaN
    v2 = voiced.copy()
    v2[:25] = False
    assert log_f0_rmse_cents(f0, voiced, np.where(v2, f0, 0.0), v2, diagonal) == pytest.approx(0.0)
    assert math.isnan(log_f0_rmse_cents(f0, voiced, f0, np.zeros(50, bool), diagonal))


def test_vuv_error_counts_disagreements():
    a = np.array([1, 1, 0, 0, 1, 0, 1, 1], bool)
    b = a.copy()
    b[[1, 2, 5]] = ~b[[1, 2, 5]]
    diagonal = np.stack([np.arange(8)] * 2, axis=1)
    assert vuv_error(a, b, diagonal) == pytest.approx(3 / 8)


def test_mel_l1_and_cosine_on_known_changes():
    lm = _log_mel()
    diagonal = np.stack([np.arange(lm.shape[1])] * 2, axis=1)
    assert mel_l1(lm, lm, diagonal) == 0.0 and mel_cosine(lm, lm, diagonal) == pytest.approx(1.0)
    assert mel_l1(lm, lm + 0.5, diagonal) == pytest.approx(0.5)
    assert mel_cosine(lm, lm + 0.5, diagonal) == pytest.approx(1.0)  # a gain keeps the shape
    a = np.full((2, 1), np.log(1e-9))
    a[0, 0] = 0.0  # energy only in band 0
    b = np.full((2, 1), np.log(1e-9))
    b[1, 0] = 0.0  # only in band 1
    assert mel_cosine(a, b, np.array([[0, 0]])) == pytest.approx(0.0, abs=1e-8)


def test_mean_ci_uses_students_t():
    x = [4.1, 3.9, 4.4, 4.0, 3.6, 4.2, 4.8, 3.7, 4.1, 4.3]
    out = mean_ci(x)
    sd = math.sqrt(sum((v - sum(x) / 10) ** 2 for v in x) / 9)
    assert out["mean"] == pytest.approx(4.11) and out["n"] == 10
    assert out["ci95"] == pytest.approx(2.262157 * sd / math.sqrt(10), rel=1e-5)  # t(0.975, 9) from tables
    assert mean_ci([1.0, float("nan"), 3.0])["n"] == 2
    assert math.isnan(mean_ci([2.0])["ci95"]) and mean_ci([])["n"] == 0
    assert scipy_stats.t.ppf(0.975, 9) == pytest.approx(2.262157, rel=1e-6)
