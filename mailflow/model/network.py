"""The network as configured: its departments, its address, its working groups and their rules."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .enums import CallStatus, Role, Scale, Territory


@dataclass(frozen=True)
class Department:
    """One department of the region."""

    code: str
    name: str
    coastal: bool


@dataclass(frozen=True)
class Network:
    """The network running the mailbox."""

    name: str
    address: str
    staff: tuple[str, ...]
    timezone: str

    @property
    def domain(self) -> str:
        """The domain of the network's address, used for our Message-IDs."""
        return self.address.rpartition("@")[2]


@dataclass(frozen=True)
class Criteria:
    """A group's profile criteria; None means the criterion does not apply."""

    roles: tuple[Role, ...] | None = None
    excluded_territories: tuple[Territory, ...] = ()
    scale: Scale | None = None
    fte_below: float | None = None
    max_population: int | None = None


@dataclass(frozen=True)
class Meeting:
    """A group's first meeting."""

    starts_at: datetime
    place: str
    #: The SEQUENCE of the invitations last sent for it: 0, raised by one at each change.
    sequence: int = 0


@dataclass(frozen=True)
class Group:
    """A working group as configured by staff."""

    id: str
    title: str
    aliases: tuple[str, ...]
    context: str
    objectives: tuple[str, ...]
    participants: str
    capacity: int
    quota_coastal: int | None
    quota_inland: int | None
    criteria: Criteria
    required: tuple[str, ...]
    first_meeting: Meeting
    commitment: str
    call: CallStatus
    closes_at: datetime | None = None
    confirm_within_hours: float | None = None  # double opt-in: hold the place this long
    opened_at: datetime | None = None  # when staff opened the call, where they did

    def quota_for(self, department: Department) -> int | None:
        """The department's quota in this group, or None when unlimited."""
        return self.quota_coastal if department.coastal else self.quota_inland


@dataclass(frozen=True)
class Divergence:
    """One setting of a group where the file and staff's change differ: staff's is in force."""

    group_id: str
    key: str  # as groups.toml names it
    in_file: object
    in_force: object
    at: datetime | None  # when staff changed it; None in a store from before it was kept
    by: str | None  # who changed it (a staff address, or a login on the command line)

    @property
    def reset_command(self) -> str:
        return f"mailflow groups reset {self.group_id} {self.key}"
