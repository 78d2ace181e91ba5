"""Ask's accuracy and latency on its question bank (semantic_model/question_bank.yaml), on a built warehouse.

    python benchmarks/ask_bank.py [--repeat 3] [--slowest 15]

Reads the home C360_HOME names (build it first with `make demo`; the issue's latency goal is at the default scale)
the way the app and `python -m customer360 ask` do: one AppWarehouse per role, as-of from C360_AS_OF. Each question
is asked as its role and judged against the bank's hand-written SQL: correct, or clarify / refused / wrong when that
is not what the bank expects. Latency is per question, from the words to the rows (understanding, SQL, running it,
through one read-only connection opened for the question, as a page render of the app opens one);
the vocabulary's distinct values are read once per role and timed apart. Prints every miss, the counts and the
latency percentiles, with --slowest N the N questions slowest by their median and the SQL each ran (where to look
next), and as its last line the figures as one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from customer360.app.access import ROLES
from customer360.app.ask import asker
from customer360.app.warehouse import AppWarehouse, WarehouseUnavailable
from customer360.lib.semantic import bank
from customer360.lib.semantic.ask import json_value
from customer360.settings import SettingsError, settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="times the whole bank is asked (latency over all)")
    parser.add_argument("--slowest", type=int, default=0, metavar="N",
                        help="list the N questions slowest by their median latency, with the SQL each ran")
    args = parser.parse_args(argv)
    try:
        s = settings(app=True)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    warehouses = {role: AppWarehouse(s, role) for role in ROLES}
    askers, vocabulary_s = {}, {}

    def for_role(role: str):
        if role not in askers:
            started = time.perf_counter()
            askers[role] = asker(warehouses[role])
            vocabulary_s[role] = time.perf_counter() - started
        return askers[role]

    entries = bank.load_bank()
    try:
        # Each question through one read-only connection, as one page render of the app or one `ask` command reads.
        runs = [bank.run(entries, for_role, warehouses["DATA_ENGINEER"].rows, s.as_of,
                         reading=lambda role: warehouses[role].reading()) for _ in range(max(1, args.repeat))]
    except WarehouseUnavailable as error:
        print(error, file=sys.stderr)
        return 2
    first = runs[0]
    customers = warehouses["DATA_ENGINEER"].rows("SELECT COUNT(*) FROM gold.marketing_customer_audience")[1][0][0]
    transactions = warehouses["DATA_ENGINEER"].rows("SELECT COUNT(*) FROM gold.fct_transactions_as_of")[1][0][0]
    print(f"Ask's question bank: {len(entries)} questions on {s.warehouse_path if not s.snowflake else 'Snowflake'} "
          f"({customers:,} customers, {transactions:,} transactions, as of {s.as_of}), asked {len(runs)} time(s)\n")
    for outcome in first:
        if outcome.verdict != bank.CORRECT:
            print(f"  [{outcome.verdict}] {outcome.entry.question} (as {outcome.entry.role}): {outcome.detail}")
    figures = bank.summary([o for run in runs for o in run])
    counts = bank.summary(first)
    figures.update({k: counts[k] for k in (*bank.VERDICTS, "questions", "accuracy")})
    figures.update({"customers": customers, "transactions": transactions, "as_of": s.as_of.isoformat(),
                    "vocabulary_load_s": round(max(vocabulary_s.values()), 3), "repeat": len(runs),
                    "by_source": {source: f"{sum(o.verdict == bank.CORRECT for o in first if o.entry.source == source)}"
                                          f"/{sum(o.entry.source == source for o in first)}"
                                  for source in ("s4", "verified", "analyst")}})
    if args.slowest > 0:
        _print_slowest(bank.slowest(runs, args.slowest))
    print(f"\n{'correct':<10}{counts['correct']:>5}   ({counts['accuracy']:.1%})")
    for verdict in (bank.CLARIFY, bank.REFUSED, bank.WRONG):
        print(f"{verdict:<10}{counts[verdict]:>5}   (not what the bank expects)")
    print(f"\nlatency per question: p50 {figures['latency_p50_ms']} ms, p95 {figures['latency_p95_ms']} ms, max "
          f"{figures['latency_max_ms']} ms over {len(runs) * len(entries)} answers; vocabulary (distinct values) "
          f"{figures['vocabulary_load_s']} s once per role")
    print(json.dumps(figures))
    return 0


def _print_slowest(slowest: list[tuple[bank.Outcome, float]]) -> None:
    print(f"\nthe {len(slowest)} slowest questions (median over the runs):")
    for place, (outcome, median_ms) in enumerate(slowest, 1):
        answer = outcome.answer
        print(f"{place:>3}. {median_ms:8.1f} ms  {outcome.entry.question} (as {outcome.entry.role}, {answer.status})")
        if answer.sql:
            print(f"       SQL: {answer.sql}\n       bound: {json.dumps([json_value(p) for p in answer.params])}")


if __name__ == "__main__":
    sys.exit(main())
