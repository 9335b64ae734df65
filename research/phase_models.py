"""The phase-model templates of DOMAIN.md. A project copies one and may edit it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PhaseTemplate:
    name: str
    description: str


PHASE_MODELS: dict[str, tuple[str, tuple[PhaseTemplate, ...]]] = {
    "five": ("Five phases (awareness to loyalty)", (
        PhaseTemplate("Awareness", "The customer notices a need or learns that an offer exists."),
        PhaseTemplate("Consideration", "The customer compares options, asks others and gathers information."),
        PhaseTemplate("Purchase", "The customer decides, signs or pays."),
        PhaseTemplate("Follow-up", "Delivery, onboarding, first use and support after the purchase."),
        PhaseTemplate("Loyalty", "Coming back, recommending, renewing or leaving."),
    )),
    "six": ("Six phases (aware to trusting over time)", (
        PhaseTemplate("Medveten", "Aware: the customer becomes aware of a need or of the company."),
        PhaseTemplate("Intresserad", "Interested: the customer starts looking for information."),
        PhaseTemplate("Överväger", "Considering: comparing alternatives, asking people, weighing risks."),
        PhaseTemplate("Köper", "Purchasing: the decision, the contract, the payment."),
        PhaseTemplate("Utvärderar", "Evaluating: using what was bought and judging it."),
        PhaseTemplate("Förtroende över tid", "Trusting over time: staying, recommending, renewing."),
    )),
    "b2b": ("B2B buying", (
        PhaseTemplate("Starting to think about a purchase", "A need is recognised inside the buying organisation."),
        PhaseTemplate("Buying process", "Specifying, searching suppliers, evaluating offers, negotiating, ordering."),
        PhaseTemplate("Use of what was bought", "Delivery, implementation, use, support and re-buying."),
    )),
    "before-during-after": ("Before / during / after use", (
        PhaseTemplate("Before", "Everything before the customer uses the service."),
        PhaseTemplate("During", "The customer uses the service."),
        PhaseTemplate("After", "Follow-up, support, evaluation and what comes next."),
    )),
}
