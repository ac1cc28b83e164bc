"""Benchmark of the evaluator exports on the synthetic evaluation dataset.

    .venv/bin/python benchmarks/evaluation_export.py [--people 100000] [--seed 1]

:func:`write_sav_long` is what ``run_evaluation.py`` times as one delivery: response records
for every score of the synthetic dataset (``spejl/testing/evaluation.py``), the long layout
(``spejl.core.exports.layout.long_table``) and the SPSS file. :func:`main` times each step
apart — records, ``long_table``, ``per_instrument_table``, ``long_to_wide``, and the ``.sav``
of each of the three layouts — and prints rows, columns, file sizes and peak memory.

The synthetic dataset has five outcomes; each stands in for a real instrument file of
``spejl/instruments/`` (:data:`STAND_INS`): ``tils``, ``who5`` and ``swemwbs`` for themselves,
``scale_a`` for ``direct_loneliness`` and ``scale_b`` for ``experience``. For every non-missing
synthetic score there is one response whose item answers follow the score's position on its
scale (within each item's options, rounded at random), and whose score and band are computed
from those answers by the instrument's own rule (sum, ×4, the SWEMWBS table, bands), so they
agree with the items as Spejl's scoring would have them. The unscored stand-ins have about 1 %
of their items declined.

Touches no personal data: every participant, group, postcode and answer is invented.
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from functools import partial
from pathlib import Path
from typing import Final, cast

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    # Run as a script from anywhere: make ``spejl`` importable.
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

from spejl.core.evaluation.dataset import WAVES, Dataset  # noqa: E402
from spejl.core.exports.deidentify import DeidentifyOptions, Place  # noqa: E402
from spejl.core.exports.instrument_layout import per_instrument_table  # noqa: E402
from spejl.core.exports.layout import ParticipantRecord, ResponseRecord, long_table  # noqa: E402
from spejl.core.exports.model import Table, long_to_wide  # noqa: E402
from spejl.core.exports.pseudonym import recipient_key  # noqa: E402
from spejl.core.exports.writers import write_sav  # noqa: E402
from spejl.core.instruments import Instrument, load_all  # noqa: E402

INSTRUMENT_DIRECTORY: Final = ROOT / "spejl" / "instruments"
#: The real instrument file (scoring version) each synthetic outcome stands in for.
STAND_INS: Final[Mapping[str, str]] = {
    "tils": "tils.v1",
    "who5": "who5.v1",
    "swemwbs": "swemwbs.v1",
    "scale_a": "direct_loneliness.v1",
    "scale_b": "experience.v1",
}
#: Invented postcodes → municipality and region code (real places, no real people).
PLACES: Final[Mapping[str, Place]] = {
    "1050": Place("København", "1084"),
    "2800": Place("Lyngby-Taarbæk", "1084"),
    "4000": Place("Roskilde", "1085"),
    "5000": Place("Odense", "1083"),
    "6700": Place("Esbjerg", "1083"),
    "8000": Place("Aarhus", "1082"),
    "9000": Place("Aalborg", "1081"),
}
# A zero master key: the benchmark needs a valid key, not a secret one.
KEY: Final = recipient_key(bytes(32), "benchmark")
SCORING_ENGINE: Final = 1
FIRST_START: Final = np.datetime64("2024-01-08", "D")
# Days from a group's first meeting to each wave's answer (T0 a week before, T1 at the last of
# nine weekly meetings, T2 three months later).
WAVE_OFFSETS: Final = (-7, 56, 147)
MODES: Final = ("web", "paper", "phone")
MODE_SHARES: Final = (0.85, 0.1, 0.05)
DECLINED_SHARE: Final = 0.01
# Mid-band ages of the synthetic age bands ("16–17" … "75+") in the year of the first meeting.
BAND_AGES: Final = np.array([17, 21, 30, 40, 50, 60, 70, 80])

IntMatrix = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


def benchmark_instruments() -> list[Instrument]:
    """The real instrument files the synthetic outcomes stand in for, in outcome order."""
    loaded = load_all(INSTRUMENT_DIRECTORY)
    return [loaded[version] for version in STAND_INS.values()]


def _answers(instrument: Instrument, position: FloatArray, rng: np.random.Generator) -> IntMatrix:
    """Item answers (rows × choice items, -1 = declined) following ``position`` (0–1 on the
    outcome's scale): each item's option at that position, rounded up or down at random."""
    items = instrument.choice_items
    answers = np.empty((len(position), len(items)), dtype=np.int64)
    for j, item in enumerate(items):
        options = np.array(sorted(item.scores), dtype=np.int64)
        where = 1.0 - position if item.reversed else position
        index = np.floor(where * (len(options) - 1) + rng.random(len(position))).astype(np.int64)
        answers[:, j] = options[np.clip(index, 0, len(options) - 1)]
    if instrument.scoring.type == "items":
        answers[rng.random(answers.shape) < DECLINED_SHARE] = -1
    return answers


def _scores(instrument: Instrument, answers: IntMatrix) -> tuple[FloatArray, list[str | None]]:
    """The score and band code of each row, by the instrument's rule (complete answers)."""
    rule = instrument.scoring
    rows = len(answers)
    if rule.type == "items":
        return np.full(rows, np.nan), [None] * rows
    reversed_ = np.array([item.reversed for item in instrument.choice_items])
    low = np.array([item.min_score for item in instrument.choice_items])
    high = np.array([item.max_score for item in instrument.choice_items])
    raw = np.where(reversed_, low + high - answers, answers).sum(axis=1)
    if rule.type == "sum":
        score = raw.astype(np.float64)
    elif rule.type == "sum_linear":
        assert rule.multiplier is not None
        score = raw * float(rule.multiplier)
    else:
        assert rule.table is not None
        table = np.full(max(r for r, _ in rule.table) + 1, np.nan)
        for r, value in rule.table:
            table[r] = value
        score = table[raw]
    band = np.full(rows, -1, dtype=np.int64)
    for number, item in enumerate(instrument.bands):
        band[(band < 0) & (score >= item.min) & (score <= item.max)] = number
    codes = np.array([None, *(b.code for b in instrument.bands)], dtype=object)
    return score, codes[band + 1].tolist()


def _dates(days: npt.NDArray[np.datetime64]) -> list[date]:
    return cast(list[date], days.astype(object).tolist())


def _participants(
    dataset: Dataset, starts: npt.NDArray[np.datetime64], pids: list[str]
) -> list[ParticipantRecord]:
    rng = np.random.default_rng(2)
    n = dataset.n
    age_code = dataset.age_band.codes
    birth_year = np.where(
        age_code >= 0,
        starts.astype("datetime64[Y]").astype(np.int64) + 1970 - BAND_AGES[np.maximum(age_code, 0)],
        -1,
    )
    postcodes = np.array([*PLACES, None], dtype=object)[rng.integers(0, len(PLACES) + 1, size=n)]
    years = [None if y < 0 else y for y in birth_year.tolist()]
    return [
        ParticipantRecord(participant_id=pid, birth_year=year, postcode=code, age_on=on)
        for pid, year, code, on in zip(pids, years, postcodes.tolist(), _dates(starts), strict=True)
    ]


def delivery_records(
    dataset: Dataset, instruments: Sequence[Instrument], *, seed: int = 1
) -> tuple[list[ResponseRecord], list[ParticipantRecord]]:
    """One :class:`ResponseRecord` per non-missing score of ``dataset`` (outcome ``i`` answered
    as ``instruments[i]``), and one :class:`ParticipantRecord` per participation.

    Answers, scores, bands, dates and modes are computed column-wise with numpy; only the
    construction of the record objects themselves is a Python loop."""
    rng = np.random.default_rng(seed)
    n = dataset.n
    pids = [f"p{i:07d}" for i in range(n)]
    pid_array = np.array(pids, dtype=object)
    group_array = np.array(dataset.group.labels, dtype=object)[dataset.group.codes]
    org_array = np.array(dataset.organisation.labels, dtype=object)[dataset.organisation.codes]
    starts = FIRST_START + ((dataset.group.codes.astype(np.int64) * 3) % 730).astype(
        "timedelta64[D]"
    )
    records: list[ResponseRecord] = []
    for outcome, instrument in zip(dataset.outcomes, instruments, strict=True):
        span = outcome.score_max - outcome.score_min
        choice_codes = [item.code for item in instrument.choice_items]
        for w, wave in enumerate(WAVES):
            rows = np.flatnonzero(~np.isnan(dataset.scores[outcome.code][:, w]))
            position = (dataset.scores[outcome.code][rows, w] - outcome.score_min) / span
            answers = _answers(instrument, np.clip(position, 0.0, 1.0), rng)
            score, bands = _scores(instrument, answers)
            columns = [answers[:, j].astype(object) for j in range(answers.shape[1])]
            for column, values in zip(columns, answers.T, strict=True):
                column[values < 0] = None
            answer_dicts = [
                dict(zip(choice_codes, row, strict=True))
                for row in zip(*(c.tolist() for c in columns), strict=True)
            ]
            offsets = WAVE_OFFSETS[w] + rng.integers(0, 7, size=len(rows))
            days = starts[rows] + offsets.astype("timedelta64[D]")
            modes = np.array(MODES, dtype=object)[
                rng.choice(len(MODES), size=len(rows), p=MODE_SHARES)
            ]
            scores: list[float | None] = [None if s != s else s for s in score.tolist()]
            records.extend(
                ResponseRecord(
                    participant_id=pid,
                    wave=wave,
                    instrument=instrument.code,
                    instrument_version=instrument.version,
                    mode=mode,
                    answered_on=on,
                    answers=given,
                    score=value,
                    band=band,
                    group_id=group,
                    organisation=org,
                )
                for pid, mode, on, given, value, band, group, org in zip(
                    pid_array[rows].tolist(),
                    modes.tolist(),
                    _dates(days),
                    answer_dicts,
                    scores,
                    bands,
                    group_array[rows].tolist(),
                    org_array[rows].tolist(),
                    strict=True,
                )
            )
    return records, _participants(dataset, starts, pids)


def delivery_long_table(
    records: Sequence[ResponseRecord],
    participants: Sequence[ParticipantRecord],
    instruments: Sequence[Instrument],
) -> Table:
    """The long layout as a delivery makes it (default de-identification options)."""
    return long_table(
        records,
        instruments=instruments,
        key=KEY,
        participants=participants,
        options=DeidentifyOptions(),
        places=PLACES,
        language="da",
        scoring_engine=SCORING_ENGINE,
        title="Spejl — besvarelser (syntetiske)",
    )


def write_sav_long(dataset: Dataset, path: Path) -> int:
    """Write the long layout of ``dataset`` as SPSS to ``path``; return the number of rows.

    The whole delivery: instruments loaded, response records built, ``long_table``,
    ``write_sav``."""
    instruments = benchmark_instruments()
    records, participants = delivery_records(dataset, instruments)
    table = delivery_long_table(records, participants, instruments)
    write_sav(table, path)
    return table.n_rows


def _timed[T](label: str, action: Callable[[], T]) -> T:
    start = time.perf_counter()
    result = action()
    print(f"{label:<34}{time.perf_counter() - start:8.2f} s", flush=True)
    return result


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    """Time each step of a delivery of ``--people`` synthetic participations."""
    from spejl.testing.evaluation import synthetic_dataset

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(
        f"machine: {platform.processor() or platform.machine()}, Python {platform.python_version()}"
    )
    dataset = synthetic_dataset(args.people, seed=args.seed)
    instruments = benchmark_instruments()
    print(
        f"data: {dataset.n:,} participations × {len(WAVES)} waves × {len(instruments)} "
        f"instruments ({', '.join(i.scoring_version for i in instruments)})"
    )
    total = time.perf_counter()
    records, participants = _timed(
        "response records", lambda: delivery_records(dataset, instruments, seed=args.seed)
    )
    print(f"  {len(records):,} responses, {len(participants):,} participations")
    long = _timed("long_table", lambda: delivery_long_table(records, participants, instruments))
    # The records are not needed any more; free them so peak memory reflects a delivery.
    records.clear()
    participants.clear()
    per_instrument = _timed(
        "per_instrument_table",
        lambda: per_instrument_table(long, instruments=instruments, language="da"),
    )
    wide = _timed("long_to_wide", lambda: long_to_wide(long))
    with tempfile.TemporaryDirectory(prefix="spejl-benchmark-") as directory:
        for name, table in (("long", long), ("per instrument", per_instrument), ("wide", wide)):
            path = Path(directory) / f"{name.replace(' ', '_')}.sav"
            _timed(f".sav {name}", partial(write_sav, table, path))
            print(
                f"  {table.n_rows:,} rows × {len(table.variables)} variables, "
                f"{path.stat().st_size / 1e6:.0f} MB"
            )
    print(f"{'all steps':<34}{time.perf_counter() - total:8.2f} s")
    print(f"peak RSS: {_peak_rss_mib():.0f} MiB")


if __name__ == "__main__":
    main()
