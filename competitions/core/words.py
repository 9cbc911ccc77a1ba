"""Words every area shares: the marker of a translatable message and a rule's reason.

Rules modules import these and nothing else of ours, so that a rule stays a pure function the
UI, the workers and the exports all call.
"""

from dataclasses import dataclass


def N_(msgid: str) -> str:
    """Mark a message for translation; the UI translates it with its parameters."""
    return msgid


@dataclass(frozen=True)
class Reason:
    """Why a rule refused something: a translatable message id and its parameters."""

    msgid: str
    params: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, msgid: str, **params) -> "Reason":
        """A reason with keyword parameters."""
        return cls(msgid, tuple(sorted(params.items())))

    def __str__(self) -> str:
        return self.msgid % dict(self.params)
