"""Reference data: a site's gazetteer and minimum-wage tables, and the skill taxonomy.

Every loader validates its file and raises :class:`ReferenceDataError` (a
``ValueError``) whose message names the file, the line and the problem, one
line per problem, so a bad data file is caught when the service starts.

The text normalisation used to look up district names and skill labels lives
here too (:func:`normalise_text`), so that the loaders reject two entries that
would be indistinguishable once normalised.

The modules: :mod:`.normalise` (labels), :mod:`.loading` (reading files, errors),
:mod:`.gazetteer`, :mod:`.wages`, :mod:`.site`, :mod:`.taxonomy` and :mod:`.trainer_rules` (the programme's
rules for trainer roles and cohorts). Import the
names from this package.
"""

from __future__ import annotations

from .gazetteer import AREA_TYPES, District, Gazetteer, load_gazetteer
from .loading import ReferenceDataError, default_data_dir
from .normalise import LabelIndex, compact_text, normalise_text
from .site import QualificationPolicy, Site, SkillLabel, TrainingCentre, available_sites, load_site
from .taxonomy import SKILL_LEVELS, Occupation, Skill, Taxonomy, load_taxonomy
from .trainer_rules import TrackRules, TrainerRules, load_trainer_rules, trainer_rules_path
from .wages import (
    CATEGORY_FALLBACK,
    SKILL_CATEGORIES,
    WAGE_KINDS,
    MinimumWage,
    MinimumWageLookupError,
    MinimumWageTable,
    load_minimum_wages,
)

__all__ = [
    "AREA_TYPES",
    "CATEGORY_FALLBACK",
    "SKILL_CATEGORIES",
    "SKILL_LEVELS",
    "WAGE_KINDS",
    "District",
    "Gazetteer",
    "LabelIndex",
    "MinimumWage",
    "MinimumWageLookupError",
    "MinimumWageTable",
    "Occupation",
    "QualificationPolicy",
    "ReferenceDataError",
    "Site",
    "Skill",
    "SkillLabel",
    "Taxonomy",
    "TrainingCentre",
    "TrackRules",
    "TrainerRules",
    "available_sites",
    "compact_text",
    "default_data_dir",
    "load_gazetteer",
    "load_minimum_wages",
    "load_site",
    "load_taxonomy",
    "load_trainer_rules",
    "normalise_text",
    "trainer_rules_path",
]
