"""Change per wave as a linear mixed model with nested random intercepts, fitted by REML.

The model, for observation *j* (a wave) of participant *i* in group *g* of organisation *o*::

    score = β0 + β1·[wave = 2nd] + β2·[wave = 3rd] + … + u_o + u_g + u_i + ε

with independent normal random intercepts per level and residual ε. Unlike the paired analysis
it uses every observed score, so people with a missing wave still count.

Why no statsmodels here: its MixedLM builds dense matrices per cluster in Python, far too slow
for 100,000 people. With nested random intercepts only, V⁻¹ and log|V| have closed forms: the
Sherman–Morrison identity applied level by level (participant block σ²(I + γ_p J), then each
group, then each organisation) turns every quantity REML needs into grouped sums over the
units of a level. σ² is profiled out and the variance ratios γ are optimised with SLSQP
using the exact gradient. Numbers agree with statsmodels' ``MixedLM(reml=True)`` on the same
specification (see the tests).

Personal data: only a score matrix and per-row group/organisation codes (row position = a
course participation); no names or identifiers enter or leave.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import optimize, stats  # type: ignore[import-untyped]

from spejl.core.evaluation.dataset import FloatArray, IntArray

#: The random-intercept levels, innermost first.
LEVELS: tuple[str, ...] = ("participant", "group", "organisation")

_Z975 = float(stats.norm.ppf(0.975))
_Index = npt.NDArray[np.intp]
#: Starting points for the SD ratios sqrt(γ) = τ/σ, per level; the best few are polished.
_START_GRID: tuple[float, ...] = (0.3, 1.0, 3.0)
_N_STARTS = 2
#: Largest SD ratio τ/σ tried: a random-effect variance a million times the residual one.
_MAX_RATIO = 1e3
#: A fit counts as converged when |∂(−ℓ/n)/∂sqrt(γ)| is below this at every interior level.
_GRAD_TOL = 1e-6


@dataclass(frozen=True)
class WaveEffect:
    """A later wave's contrast with the first wave: Wald z test, normal 95 % interval (as
    statsmodels reports fixed effects)."""

    wave: str
    estimate: float
    se: float
    ci95_low: float
    ci95_high: float
    p: float


@dataclass(frozen=True)
class MixedModelResult:
    """A fitted model. ``n_units`` counts the units of each included level as the model uses
    them (people with an unknown group or organisation each count as a unit of their own)."""

    n_observations: int
    n_participants: int
    levels: tuple[str, ...]
    n_units: dict[str, int]
    baseline_mean: float
    effects: tuple[WaveEffect, ...]
    variance_components: dict[str, float]
    residual_variance: float
    log_likelihood: float
    converged: bool
    method: str


@dataclass(frozen=True)
class _Upper:
    """A group or organisation level in the fit. ``starts`` (all but the first upper level):
    where each of its units begins among the units one level in, for ``np.add.reduceat``;
    ``parent``: each unit's unit in the next level out (``None`` for the outermost)."""

    name: str
    starts: _Index
    parent: _Index | None


@dataclass(frozen=True)
class _Step:
    """One upper level's share of W⁻¹ at given variance ratios, per unit u. ``s_pre`` is
    1ᵤ'M⁻¹[X y] with M the levels inside this one; its intercept column is w = 1ᵤ'M⁻¹1ᵤ.
    ``b`` = 1 + γw and ``d`` = γ/b; ``s_post`` = s_pre/b is the same product once this level
    is in (Sherman–Morrison)."""

    s_pre: FloatArray
    b: FloatArray
    d: FloatArray
    s_post: FloatArray


@dataclass(frozen=True)
class _Eval:
    loglik: float
    beta: FloatArray
    xvx: FloatArray
    qf: float
    grad: FloatArray  # ∂ℓ/∂γ per level


@dataclass(frozen=True)
class _Design:
    """The data reduced to what REML needs, with W = V/σ² = I + Σ γ_l Z_l Z_l'.

    Products of long vectors use ``np.einsum``, not ``@``: OpenBLAS threads level-1/2 calls
    (dot, gemv) on long vectors, and on a busy 2-core machine waking its threads cost
    milliseconds per call, about ten times the work itself. k × k Gram matrices stay on BLAS.

    A participant's share of W⁻¹ depends on them only through their number of observations
    n, so participants are pooled by n (``outer``) and, within each unit of the first upper
    level, by n (``tables``): per-person work happens once, and each evaluation costs a pass
    over the upper units only.
    """

    cross: FloatArray  # [X y]'[X y], k × k
    ns: FloatArray  # the distinct observation counts n
    n_count: FloatArray  # participants with each n
    outer: FloatArray  # per n: Σ sᵢsᵢ' over those participants (sᵢ = their Σ [X y])
    participant: bool
    tables: FloatArray  # per n, per first-upper unit: Σ sᵢ (len(ns) × U × k)
    table_count: FloatArray  # per n, per first-upper unit: participants (len(ns) × U)
    upper: tuple[_Upper, ...]

    @property
    def p(self) -> int:
        return int(self.cross.shape[0]) - 1

    @property
    def n_obs(self) -> float:
        return float(self.cross[0, 0])

    @property
    def m(self) -> float:
        return self.n_obs - self.p

    @property
    def n_par(self) -> int:
        return int(self.participant) + len(self.upper)

    def evaluate(self, gamma: FloatArray, *, with_grad: bool) -> _Eval:
        """The profiled REML log-likelihood at variance ratios ``gamma`` (τ²/σ² per level,
        innermost first), in statsmodels' constant convention; optionally its gradient."""
        p, m = self.p, self.m
        g_part = float(gamma[0]) if self.participant else 0.0
        g_upper = gamma[1:] if self.participant else gamma
        # Participant block I + γJ (n × n): inverse I − γ/(1 + nγ)·J, determinant 1 + nγ.
        a = 1.0 / (1.0 + g_part * self.ns)
        cross = self.cross - np.tensordot(g_part * a, self.outer, axes=1)
        logdet = float(self.n_count @ np.log1p(g_part * self.ns))
        steps: list[_Step] = []
        if self.upper:
            # The intercept column of X is all ones, so column 0 of 1ᵤ'M⁻¹[X y] is 1ᵤ'M⁻¹1ᵤ.
            s_pre = np.einsum("t,tuk->uk", a, self.tables)
            for i, (stage, g) in enumerate(zip(self.upper, g_upper, strict=True)):
                if i > 0:
                    s_pre = np.add.reduceat(steps[-1].s_post, stage.starts, axis=0)
                # Sherman–Morrison for this level's rank-one term γ11' within each unit.
                gw = g * s_pre[:, 0]
                b = 1.0 + gw
                d = g / b
                logdet += float(np.log1p(gw).sum())
                cross -= (s_pre * d[:, None]).T @ s_pre
                steps.append(_Step(s_pre=s_pre, b=b, d=d, s_post=s_pre / b[:, None]))
        xvx = cross[:p, :p]
        xvy = cross[:p, p]
        chol = np.linalg.cholesky(xvx)
        beta = np.linalg.solve(xvx, xvy)
        qf = float(cross[p, p] - xvy @ beta)
        logdet_x = 2.0 * float(np.log(np.diag(chol)).sum())
        const = -0.5 * m * math.log(2 * math.pi) + 0.5 * m * math.log(m) - 0.5 * m
        loglik = -0.5 * (logdet + m * math.log(qf) + logdet_x) + const
        grad = np.zeros(self.n_par)
        if with_grad:
            grad = self._gradient(a, steps, beta, np.linalg.inv(xvx), qf)
        return _Eval(loglik=loglik, beta=beta, xvx=xvx, qf=qf, grad=grad)

    def _gradient(
        self, a: FloatArray, steps: list[_Step], beta: FloatArray, xvx_inv: FloatArray, qf: float
    ) -> FloatArray:
        """∂ℓ/∂γ_l = ½(−tr(W⁻¹Z_lZ_l') + m·|Z_l'W⁻¹r|²/qf + tr((X'W⁻¹X)⁻¹X'W⁻¹Z_lZ_l'W⁻¹X)).

        Each needs, per unit u of level l, 1ᵤ'W⁻¹1ᵤ and 1ᵤ'W⁻¹[X y]. Each level further out
        corrects the partial inverse by its unit's rank-one term, scaled for u by
        1ᵤ'M⁻¹1_ancestor; summed from the outermost level inwards these corrections are
        c (a k-vector) and e (a scalar) per unit, so that 1ᵤ'W⁻¹[X y] = s_post − w·c and
        1ᵤ'W⁻¹1ᵤ = w − w²·e with w = 1ᵤ'M⁻¹1ᵤ."""
        p, m = self.p, self.m
        e_vec = np.append(-beta, 1.0)  # [X y]·e_vec is the residual

        def slope(sum_h: float, gram: FloatArray) -> float:
            quad_r = float(e_vec @ gram @ e_vec)
            quad_x = float((xvx_inv * gram[:p, :p]).sum())
            return 0.5 * (-sum_h + m * quad_r / qf + quad_x)

        grad = np.zeros(self.n_par)
        offset = int(self.participant)
        c_down = np.zeros((1, self.p + 1))
        e_down = np.zeros(1)
        for i in reversed(range(len(self.upper))):
            stage, step = self.upper[i], steps[i]
            w = step.s_post[:, 0]
            if stage.parent is None:
                sv, h = step.s_post, w
                c_down = step.s_pre * step.d[:, None]
                e_down = step.d
            else:
                c = c_down[stage.parent]
                e = e_down[stage.parent]
                sv = step.s_post - w[:, None] * c
                h = w - w * w * e
                c_down = (step.s_pre * step.d[:, None]) + c / step.b[:, None]
                e_down = step.d + e / (step.b * step.b)
            grad[offset + i] = slope(float(h.sum()), sv.T @ sv)
        if self.participant:
            sum_h = float(self.n_count @ (self.ns * a))
            gram = np.tensordot(a * a, self.outer, axes=1)
            if self.upper:
                # Person i with n observations in first-upper unit u: 1ᵢ'W⁻¹[X y] =
                # a_n·sᵢ − n·a_n·c_u and 1ᵢ'W⁻¹1ᵢ = n·a_n − (n·a_n)²·e_u, summed per (n, u).
                q = np.einsum("t,tu->u", self.ns * self.ns * a * a, self.table_count)
                sum_h -= float(np.einsum("u,u->", e_down, q))
                ta = np.einsum("t,tuk->uk", a * a * self.ns, self.tables)
                tc = ta.T @ c_down
                gram = gram - tc - tc.T + (c_down * q[:, None]).T @ c_down
            grad[0] = slope(sum_h, gram)
        return grad


def _fit(design: _Design) -> tuple[_Eval, FloatArray, bool]:
    """Maximise the profiled REML likelihood over x = sqrt(γ) ≥ 0 (as statsmodels does: zero
    is reachable, so a variance on the boundary comes out as exactly zero)."""
    n_par = design.n_par
    if n_par == 0:
        return design.evaluate(np.zeros(0), with_grad=False), np.zeros(0), True
    scale = design.n_obs

    def objective(x: FloatArray) -> tuple[float, FloatArray]:
        ev = design.evaluate(x * x, with_grad=True)
        return -ev.loglik / scale, -2.0 * x * ev.grad / scale

    grid = np.array(np.meshgrid(*([_START_GRID] * n_par), indexing="ij")).reshape(n_par, -1).T
    start_ll = [design.evaluate(x * x, with_grad=False).loglik for x in grid]
    order = np.argsort(-np.asarray(start_ll), kind="stable")[:_N_STARTS]
    best_x: FloatArray | None = None
    best_f = math.inf
    for i in order:
        # SLSQP rather than L-BFGS-B: scipy's L-BFGS-B calls OpenBLAS on tiny arrays, and on
        # a busy 2-core machine its threads spinning afterwards tripled the wall-clock time
        # of the whole fit. With at most three parameters SLSQP's dense quasi-Newton steps
        # cost nothing and reach the same optimum.
        res = optimize.minimize(
            objective,
            grid[i],
            jac=True,
            method="SLSQP",
            bounds=[(0.0, _MAX_RATIO)] * n_par,
            options={"maxiter": 1000, "ftol": 1e-15},
        )
        if float(res.fun) < best_f:
            best_f = float(res.fun)
            best_x = np.asarray(res.x, dtype=np.float64)
    assert best_x is not None
    # A ratio this small is a variance on the boundary that the optimiser approached but did
    # not land on exactly; reporting it as zero changes the likelihood by nothing visible.
    gamma = np.where(best_x < 1e-7, 0.0, best_x * best_x)
    final = design.evaluate(gamma, with_grad=True)
    grad_x = 2.0 * np.sqrt(gamma) * final.grad / scale
    # At γ = 0 the sqrt parametrisation has zero slope whatever the data; a true boundary
    # maximum also needs the likelihood to fall when γ moves into the interior. At the upper
    # bound the slope is not small, so such a fit does not count as converged.
    interior_ok = np.abs(grad_x[gamma > 0]) < _GRAD_TOL
    boundary_ok = final.grad[gamma == 0] / scale < _GRAD_TOL
    converged = bool(interior_ok.all() and boundary_ok.all())
    return final, gamma, converged


def _within_spread(design: _Design) -> float:
    """Residual sum of squares once each unit of the innermost level has a mean of its own
    (besides the wave effects): the variation left for the residual variance. Without it the
    REML likelihood grows without bound as σ² → 0, so there is nothing to fit."""
    if design.participant:
        inner = design.cross - np.tensordot(1.0 / design.ns, design.outer, axes=1)
    elif design.upper:
        sums = design.tables.sum(axis=0)
        inner = design.cross - (sums / sums[:, :1]).T @ sums
    else:
        return math.inf
    waves, y = inner[1:-1, 1:-1], inner[1:-1, -1]
    coef = np.linalg.lstsq(waves, y, rcond=None)[0]
    return float(inner[-1, -1] - y @ coef)


def _dense_codes(keys: npt.NDArray[np.int64]) -> tuple[_Index, int]:
    uniq, inverse = np.unique(keys, return_inverse=True)
    return inverse.astype(np.intp), int(uniq.shape[0])


def _unit_keys(codes: IntArray | None, n: int) -> npt.NDArray[np.int64]:
    """Per-person unit keys: the code when known, otherwise a unit of the person's own."""
    own = -1 - np.arange(n, dtype=np.int64)
    if codes is None:
        return own
    c = np.asarray(codes).astype(np.int64)
    return np.where(c >= 0, c, own)


def _layout(
    sums: FloatArray,
    cross: FloatArray,
    *,
    participant: bool,
    upper: list[tuple[str, _Index]],
) -> _Design:
    """Pool participants by observation count and lay the upper levels out for
    ``np.add.reduceat``.

    ``sums`` holds each participant's Σ [X y] (first column: their observation count);
    ``upper`` names each included upper level, innermost first, with each participant's unit
    (nested: a unit lies within one unit of every level further out)."""
    ns, n_idx = np.unique(sums[:, 0], return_inverse=True)
    n_idx = n_idx.astype(np.intp)
    n_kinds = int(ns.shape[0])
    n_count = np.bincount(n_idx, minlength=n_kinds).astype(np.float64)
    # Loops over distinct observation counts and columns (a handful), never over clusters.
    outer = np.stack([sums[n_idx == t].T @ sums[n_idx == t] for t in range(n_kinds)])
    k = sums.shape[1]
    if not upper:
        return _Design(
            cross=cross,
            ns=ns,
            n_count=n_count,
            outer=outer,
            participant=participant,
            tables=np.zeros((n_kinds, 0, k)),
            table_count=np.zeros((n_kinds, 0)),
            upper=(),
        )
    # Number units so each is one run inside its parent's run: sort outermost level first.
    order = np.lexsort(tuple(units for _, units in upper))
    dense = []
    for _, units in upper:
        u = units[order]
        dense.append(np.concatenate(([0], np.cumsum(np.diff(u) != 0))).astype(np.intp))
    n_first = int(dense[0][-1]) + 1
    cell = n_idx[order] * n_first + dense[0]
    size = n_kinds * n_first
    sorted_sums = sums[order]
    tables = np.stack(
        [np.bincount(cell, weights=sorted_sums[:, c], minlength=size) for c in range(k)], axis=1
    ).reshape(n_kinds, n_first, k)
    table_count = np.bincount(cell, minlength=size).astype(np.float64).reshape(n_kinds, n_first)
    stages = []
    previous_first = np.zeros(0, dtype=np.intp)
    for i, (name, _) in enumerate(upper):
        unit_first = _starts(dense[i])
        # The first upper level's units are the tables' columns; the others gather runs.
        starts = np.arange(n_first, dtype=np.intp) if i == 0 else _starts(dense[i][previous_first])
        parent = dense[i + 1][unit_first] if i + 1 < len(upper) else None
        stages.append(_Upper(name=name, starts=starts, parent=parent))
        previous_first = unit_first
    return _Design(
        cross=cross,
        ns=ns,
        n_count=n_count,
        outer=outer,
        participant=participant,
        tables=tables,
        table_count=table_count,
        upper=tuple(stages),
    )


def _starts(units_sorted: _Index) -> _Index:
    """Where each run begins in a sorted unit index."""
    change = np.flatnonzero(np.diff(units_sorted)) + 1
    return np.concatenate(([0], change)).astype(np.intp)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


def mixed_model(
    scores: FloatArray,
    waves: tuple[str, ...],
    *,
    group: IntArray | None = None,
    organisation: IntArray | None = None,
    min_units: int = 10,
) -> MixedModelResult | None:
    """Fit score ~ wave with nested random intercepts (organisation ⊃ group ⊃ participant)
    by REML, using every observed score.

    ``scores`` is people × ``len(waves)``, NaN = missing; ``group`` / ``organisation`` are
    per-person codes, negative = unknown (such a person is a group / organisation of their
    own). A group or organisation level enters only with at least ``min_units`` distinct
    known units with data, and only when some unit holds more than one unit of the level
    below (otherwise its variance cannot be told from that level's); the participant level
    is left out only when nobody has more than one observation. When the organisation level
    is in, a group is taken within its organisation (a group code seen under two
    organisations counts as two groups), so the levels nest.

    Returns ``None`` with too little data: fewer than two people with a score, no score at
    the first wave or at any later wave, fewer observations than fixed effects + 1, or scores
    that do not vary beyond the wave means and, with the participant level in, beyond each
    person's own mean (then the residual variance has no data and REML no maximum).
    """
    y_all = np.asarray(scores, dtype=np.float64)
    if y_all.ndim != 2 or y_all.shape[1] != len(waves):
        raise ValueError("scores must be people × len(waves)")
    n_people = y_all.shape[0]
    for name, codes in (("group", group), ("organisation", organisation)):
        if codes is not None and np.shape(codes) != (n_people,):
            raise ValueError(f"{name} must have one code per person")
    if min_units < 1:
        raise ValueError("min_units must be at least 1")

    observed = np.isfinite(y_all)
    counts_all = observed.sum(axis=1)
    keep = np.flatnonzero(counts_all > 0)
    n_part = int(keep.shape[0])
    if n_part < 2:
        return None
    observed = observed[keep]
    wave_n = observed.sum(axis=0)
    later = [j for j in range(1, len(waves)) if wave_n[j] > 0]
    if wave_n[0] == 0 or not later:
        return None
    n_obs = int(wave_n.sum())
    p = 1 + len(later)
    if n_obs - p < 1:
        return None

    # Centring y leaves everything but β0 unchanged and keeps y'V⁻¹y free of cancellation.
    y_obs = y_all[keep]
    centre = float(y_obs[observed].mean())
    yc = np.where(observed, y_obs - centre, 0.0)
    counts = counts_all[keep].astype(np.float64)
    sums = np.column_stack(
        [counts, *(observed[:, j].astype(np.float64) for j in later), yc.sum(axis=1)]
    )
    k = p + 1
    cross = np.zeros((k, k))
    cross[0, 0] = n_obs
    for a, j in enumerate(later, start=1):
        cross[0, a] = cross[a, 0] = cross[a, a] = wave_n[j]
        cross[a, k - 1] = cross[k - 1, a] = float(yc[:, j].sum())
    cross[0, k - 1] = cross[k - 1, 0] = float(yc.sum())
    cross[k - 1, k - 1] = float((yc * yc).sum())

    # Least squares leaves the spread around each wave's mean; none means nothing to model.
    wave_mean = yc.sum(axis=0) / np.maximum(wave_n, 1)
    spread = float((np.where(observed, yc - wave_mean, 0.0) ** 2).sum())
    if spread <= 1e-12 * max(cross[k - 1, k - 1], 1e-300):
        return None

    # Which levels enter, innermost first; each must be identifiable against the one below.
    notes: list[str] = []
    multi = bool((counts > 1).any())
    if not multi:
        notes.append(
            "Participant level left out: nobody has more than one observation, so differences"
            " between people cannot be told apart from residual variation."
        )
    org_codes = None if organisation is None else np.asarray(organisation)[keep]
    grp_codes = None if group is None else np.asarray(group)[keep]
    org_keys = _unit_keys(org_codes, n_part)
    grp_keys = _unit_keys(grp_codes, n_part)
    org_unit, n_org = _dense_codes(org_keys)

    def enough(name: str, keys: npt.NDArray[np.int64], given: bool) -> bool:
        known = int(np.unique(keys[keys >= 0]).shape[0])
        if given and known < min_units:
            notes.append(
                f"{name.capitalize()} level left out: {_plural(known, name)} with data,"
                f" fewer than {min_units}."
            )
        return given and known >= min_units

    def holds_several(name: str, n_outer: int, below: str, n_inner: int) -> bool:
        # Units nest, so some unit holds two inner units exactly when there are fewer units.
        if n_outer < n_inner:
            return True
        notes.append(
            f"{name.capitalize()} level left out: no {name} has more than one {below} with"
            " data, so its variance cannot be told apart."
        )
        return False

    use_grp = enough("group", grp_keys, group is not None)
    use_org = enough("organisation", org_keys, organisation is not None)
    # Groups are taken within organisations when that level is in, so the levels nest.
    scope = org_unit.astype(np.int64) if use_org else np.zeros(n_part, dtype=np.int64)
    low = int(grp_keys.min())
    span = int(grp_keys.max()) - low + 1
    grp_unit, n_grp = _dense_codes(scope * span + (grp_keys - low))
    use_grp = use_grp and holds_several("group", n_grp, "participant", n_part)
    if use_org:
        inner = ("group", n_grp) if use_grp else ("participant", n_part)
        use_org = holds_several("organisation", n_org, *inner)

    upper = [
        (n, u)
        for n, u, use in (("group", grp_unit, use_grp), ("organisation", org_unit, use_org))
        if use
    ]
    design = _layout(sums, cross, participant=multi, upper=upper)
    if _within_spread(design) <= 1e-10 * spread:
        return None
    names = (["participant"] if multi else []) + [name for name, _ in upper]
    n_units = {"participant": n_part} if multi else {}
    n_units.update({name: int(units.max()) + 1 for name, units in upper})

    final, gamma, converged = _fit(design)
    sigma2 = final.qf / design.m
    cov = sigma2 * np.linalg.inv(final.xvx)
    effects = []
    for a, j in enumerate(later, start=1):
        est = float(final.beta[a])
        se = math.sqrt(float(cov[a, a]))
        z = est / se
        effects.append(
            WaveEffect(
                wave=waves[j],
                estimate=est,
                se=se,
                ci95_low=est - _Z975 * se,
                ci95_high=est + _Z975 * se,
                p=float(2.0 * stats.norm.sf(abs(z))),
            )
        )
    wave_words = ", ".join(waves[j] for j in later)
    random_words = (
        f"random intercepts for {' within '.join(names)}"
        if names
        else "no random intercepts (ordinary least squares)"
    )
    unknown = []
    if use_grp and grp_codes is not None and bool((grp_codes < 0).any()):
        unknown.append("group")
    if use_org and org_codes is not None and bool((org_codes < 0).any()):
        unknown.append("organisation")
    n_gaps = int((counts < len(waves)).sum())
    method = (
        f"Linear mixed model fitted by REML (restricted maximum likelihood): score by wave"
        f" ({wave_words} compared with {waves[0]}), with {random_words}."
        f" Uses all {_plural(n_obs, 'observation')} from {_plural(n_part, 'participant')},"
        f" {n_gaps:,} of them with a missing wave. Model-based standard errors, Wald z tests"
        " and normal 95 % intervals."
    )
    if unknown:
        method += (
            " People with an unknown " + " or ".join(unknown) + " count as a unit of their own."
        )
    if notes:
        method += " " + " ".join(notes)
    if not converged:
        method += " The optimiser did not fully converge; treat the estimates with care."
    return MixedModelResult(
        n_observations=n_obs,
        n_participants=n_part,
        levels=tuple(names),
        n_units=n_units,
        baseline_mean=float(final.beta[0]) + centre,
        effects=tuple(effects),
        variance_components={name: float(gamma[i] * sigma2) for i, name in enumerate(names)},
        residual_variance=sigma2,
        log_likelihood=final.loglik,
        converged=converged,
        method=method,
    )
