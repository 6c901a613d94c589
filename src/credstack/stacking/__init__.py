"""Stacking: qualifications as requirement trees, validation, learner progress, award decisions (pure: no I/O).

Public surface::

    Qualification, AllOf, NOf, MinCredits, RequireAchievement, RequireAlignment, RequireQualification,
    CreditFilter, ResultThreshold, Prerequisite, Articulation       model (JSON via to_json / from_json)
    CredentialFact, ResultFact, AchievementInfo, ResultSpec, Catalog  inputs
    validate, ensure_valid, Problem                                   every problem, with its path
    Evaluator -> Progress (NodeProgress, Component, IgnoredCredential)
    cheapest_remaining -> RemainingPlan                               by price or by hours
    award_decision -> AwardDecision; review_on_revocation -> RevocationReview
    build_qualification_achievement, build_award_credential, build_clr_credential
    describe_requirements, RequirementWords, Names                  the tree in words (award narrative, pages)

Time is always passed in (``at``); the verification state of each credential is an input (``CredentialFact.state``).
Schema and rules: docs/stacking.md.
"""

from credstack.stacking.award import AwardDecision, RevocationReview, award_decision, review_on_revocation
from credstack.stacking.builders import build_award_credential, build_clr_credential, build_qualification_achievement
from credstack.stacking.describe import Names, RequirementWords, describe_requirements
from credstack.stacking.evaluate import Evaluator
from credstack.stacking.facts import (
    CREDENTIAL_STATES,
    AchievementInfo,
    Catalog,
    CredentialFact,
    ResultFact,
    ResultSpec,
)
from credstack.stacking.model import (
    AllOf,
    Articulation,
    CreditFilter,
    MinCredits,
    NOf,
    Prerequisite,
    Qualification,
    RequireAchievement,
    RequireAlignment,
    Requirement,
    RequireQualification,
    ResultThreshold,
)
from credstack.stacking.progress import Component, IgnoredCredential, NodeProgress, Progress
from credstack.stacking.remaining import RemainingPlan, cheapest_remaining
from credstack.stacking.validate import Problem, ensure_valid, validate

__all__ = [
    "CREDENTIAL_STATES",
    "AchievementInfo",
    "AllOf",
    "Articulation",
    "AwardDecision",
    "Catalog",
    "Component",
    "CredentialFact",
    "CreditFilter",
    "Evaluator",
    "IgnoredCredential",
    "MinCredits",
    "NOf",
    "Names",
    "NodeProgress",
    "Prerequisite",
    "Problem",
    "Progress",
    "Qualification",
    "RemainingPlan",
    "RequireAchievement",
    "RequireAlignment",
    "RequireQualification",
    "Requirement",
    "RequirementWords",
    "ResultFact",
    "ResultSpec",
    "ResultThreshold",
    "RevocationReview",
    "award_decision",
    "build_award_credential",
    "build_clr_credential",
    "build_qualification_achievement",
    "cheapest_remaining",
    "describe_requirements",
    "ensure_valid",
    "review_on_revocation",
    "validate",
]
