"""Replies held for review as the store keeps them (the `reviews` table), and back."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ..model.enums import ReviewFate
from ..model.review import Review
from .codecs import lean


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parsed(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def review_to_json(review: Review) -> dict[str, Any]:
    """A review as a record (empty fields left out: a settled one keeps few)."""
    return lean({
        "id": review.id, "number": review.number, "outcome": review.outcome,
        "created_at": _when(review.created_at), "tokens": list(review.tokens), "to": review.to,
        "name": review.name, "subject": review.subject, "summary": review.summary,
        "text": review.text, "received_at": _when(review.received_at), "about": review.about,
        "group": review.group, "with_it": list(review.with_it), "mails": list(review.mails),
        "reminded_at": _when(review.reminded_at), "held_at": _when(review.held_at),
        "held_by": review.held_by, "fate": review.fate.value, "settled_at": _when(review.settled_at),
        "settled_by": review.settled_by,
    })


def review_from_json(d: Mapping[str, Any]) -> Review:
    created = _parsed(d["created_at"])
    assert created is not None
    return Review(
        id=str(d["id"]), number=int(d["number"]), outcome=str(d["outcome"]), created_at=created,
        tokens=tuple(d.get("tokens") or ()), to=str(d.get("to") or ""), name=d.get("name"),
        subject=str(d.get("subject") or ""), summary=str(d.get("summary") or ""),
        text=str(d.get("text") or ""), received_at=_parsed(d.get("received_at")),
        about=str(d.get("about") or ""), group=d.get("group"),
        with_it=tuple(d.get("with_it") or ()), mails=tuple(d.get("mails") or ()),
        reminded_at=_parsed(d.get("reminded_at")), held_at=_parsed(d.get("held_at")),
        held_by=str(d.get("held_by") or ""), fate=ReviewFate(d.get("fate", "waiting")),
        settled_at=_parsed(d.get("settled_at")), settled_by=str(d.get("settled_by") or ""),
    )
