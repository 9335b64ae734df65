"""The code kinds of the customer-path codebook (DOMAIN.md) and their fixed vocabularies."""

from __future__ import annotations

import enum


class CodeKind(enum.StrEnum):
    GOAL = "goal"
    SUB_GOAL = "sub_goal"
    ACTOR = "actor"
    PHASE = "phase"
    TOUCHPOINT = "touchpoint"
    CHANNEL = "channel"
    PAIN_POINT = "pain_point"
    NEED = "need"
    EMOTION = "emotion"
    THEME = "theme"

    @property
    def label(self) -> str:
        return self.value.replace("_", "-").capitalize().replace("Pain-point", "Pain point")


OWNERSHIPS = {
    "company": "The studied company",
    "partner": "Partner",
    "third_party": "Third party",
    "customer_sphere": "Customer's own sphere",
}
ACTOR_TYPES = ("person", "organisation", "role", "system")
MEDIA = ("digital", "physical")
TOUCHPOINT_TYPES = ("owned", "paid", "earned", "user_generated")
COMPANY_ROLES = ("active", "passive")
VALENCES = (-2, -1, 0, 1, 2)
