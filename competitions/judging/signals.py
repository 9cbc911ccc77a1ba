"""What judging tells the areas above it, without importing them (blinker signals; Flask's own).

``marks_may_change`` is sent with a contest-trade's id before its marks are reopened or
corrected; a receiver answers with a ``Reason`` when they must stay as they are (results answer
"the results are final"), or None.

``marks_locked`` is sent with the assessment once its lock is committed (``user_id``: who
locked): the area of its kind takes it from there (a contest-trade's results are recomputed on
the workers); a kind that answers nothing just stays locked.
"""

from blinker import Namespace

_signals = Namespace()

marks_may_change = _signals.signal("marks-may-change")
marks_locked = _signals.signal("marks-locked")


def refusals(ct_id: int) -> list:
    """The reasons the areas above give for keeping this contest-trade's marks as they are.

    Nobody answering means the app was not built (``create_app`` connects the receivers): the
    marks are then not changed rather than changed unchecked.
    """
    if not marks_may_change.receivers:
        raise RuntimeError("no area answers marks_may_change: build the app with create_app")
    return [reason for _, reason in marks_may_change.send(ct_id) if reason is not None]
