"""What results tell the areas above them, without importing them (blinker signals).

- ``results_changed`` is sent with the ids of contest-trades whose results a recompute rewrote
  (in the transaction that rewrote them); publication invalidates their public pages.
- ``result_set_refusals`` is sent with a result set when the organiser's results page is drawn;
  a receiver answers ``{action: reason text}`` for the actions on it that would be refused now
  (publication: making final, withdrawing).
"""

from blinker import Namespace

_signals = Namespace()

results_changed = _signals.signal("results-changed")
result_set_refusals = _signals.signal("result-set-refusals")


def refusals_of(result_set) -> dict[str, str]:
    """``{action: why}`` from every receiver of ``result_set_refusals``."""
    out: dict[str, str] = {}
    for _, answer in result_set_refusals.send(result_set):
        out.update(answer or {})
    return out
