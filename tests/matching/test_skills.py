"""Skill and occupation label normalisation, and "label:level" skill lists."""

from __future__ import annotations

import time

import pytest

from matching.reference import Taxonomy
from matching.skills import LabelMatch, SkillNormaliser, normalise_skill_list, parse_skill_list


@pytest.fixture(scope="module")
def skills(taxonomy: Taxonomy) -> SkillNormaliser:
    return SkillNormaliser(taxonomy)


@pytest.fixture(scope="module")
def occupations(taxonomy: Taxonomy) -> SkillNormaliser:
    return SkillNormaliser(taxonomy, kind="occupation")


# What coordinators type in the skills column, and the skill it must map to.
COORDINATOR_SKILLS = [
    ("tailoring", "machine_stitching"),
    ("Tailoring", "machine_stitching"),
    ("stitching", "machine_stitching"),
    ("Sewing", "machine_stitching"),
    ("silai", "machine_stitching"),
    ("selai", "machine_stitching"),
    ("Silai machine", "machine_stitching"),
    ("সেলাই", "machine_stitching"),
    ("सिलाई", "machine_stitching"),
    ("hand stitching", "hand_stitching"),
    ("POS billing", "pos_billing"),
    ("pos-billing", "pos_billing"),
    ("POS", "pos_billing"),
    ("billing machine", "pos_billing"),
    ("cash counting", "cash_handling"),
    ("GDA", "patient_care"),
    ("ward assistant", "patient_care"),
    ("Patient Care", "patient_care"),
    ("BP checking", "vital_signs"),
    ("elder care", "elderly_care"),
    ("baby care", "childcare"),
    ("kantha", "kantha_embroidery"),
    ("Kantha stitch", "kantha_embroidery"),
    ("kantha selai", "kantha_embroidery"),
    ("Nakshi Kantha", "kantha_embroidery"),
    ("jute bag making", "jute_product_making"),
    ("Jute bags", "jute_product_making"),
    ("pat", "jute_product_making"),
    ("zari", "hand_embroidery"),
    ("zardosi", "hand_embroidery"),
    ("Zardozi work", "hand_embroidery"),
    ("aari", "hand_embroidery"),
    ("karchupi", "hand_embroidery"),
    ("embroidery", "hand_embroidery"),
    ("computer embroidery", "machine_embroidery"),
    ("beads", "beadwork"),
    ("computer typing", "data_entry"),
    ("data entry", "data_entry"),
    ("Typing", "data_entry"),
    ("MS Excel", "ms_office"),
    ("basic computer", "digital_literacy"),
    ("DCA", "digital_literacy"),
    ("telecalling", "tele_calling"),
    ("parlour", "beauty_services"),
    ("Beautician", "beauty_services"),
    ("threading", "threading_waxing"),
    ("facial", "facial_skincare"),
    ("mehndi", "mehendi"),
    ("bridal make-up", "makeup"),
    ("rannabanna", "cooking"),
    ("ranna banna", "cooking"),
    ("khana banana", "cooking"),
    ("Cooking", "cooking"),
    ("রান্না", "cooking"),
    ("safai", "housekeeping"),
    ("Housekeeping", "housekeeping"),
    ("jharu pocha", "housekeeping"),
    ("ironing", "laundry"),
    ("dish washing", "kitchen_assistance"),
    ("waiter", "food_service"),
    ("F&B service", "food_service"),
    ("packing", "packaging"),
    ("achar", "food_preparation"),
    ("pickle making", "food_preparation"),
    ("sales", "sales_selling"),
    ("customer service", "customer_communication"),
    ("Spoken English", "basic_english"),
    ("hisab", "basic_numeracy"),
    ("hygiene", "hygiene_safety"),
    ("life skills", "workplace_readiness"),
    ("QC", "quality_checking"),
    ("overlock", "overlock_operation"),
    ("cutting", "measurement_cutting"),
]


@pytest.mark.parametrize("label, code", COORDINATOR_SKILLS)
def test_coordinator_spellings(skills: SkillNormaliser, label: str, code: str) -> None:
    match = skills.match(label)
    assert match.code == code, match
    assert match.method in ("exact", "synonym")
    assert match.score == 1.0
    assert match.label == label


def test_every_code_name_and_synonym_maps_to_itself(taxonomy: Taxonomy, skills: SkillNormaliser,
                                                    occupations: SkillNormaliser) -> None:
    for skill in taxonomy.skills.values():
        assert skills.match(skill.code) == LabelMatch(skill.code, skill.code, "exact", 1.0)
        assert skills.match(skill.name).method == "exact"
        for synonym in skill.synonyms:
            assert skills.match(synonym).code == skill.code, synonym
    for occupation in taxonomy.occupations.values():
        assert occupations.match(occupation.name).code == occupation.code
        for synonym in occupation.synonyms:
            assert occupations.match(synonym).code == occupation.code, synonym


@pytest.mark.parametrize("label, code", [
    ("stiching", "machine_stitching"),
    ("tailorring", "machine_stitching"),
    ("embroidary", "hand_embroidery"),
    ("embriodery", "hand_embroidery"),
    ("Beuty parlor", "beauty_services"),
    ("computr typing", "data_entry"),
    ("hosekeeping", "housekeeping"),
    ("kantha stich", "kantha_embroidery"),
    ("stitching machine", "machine_stitching"),
])
def test_typos_map_by_fuzzy(skills: SkillNormaliser, label: str, code: str) -> None:
    match = skills.match(label)
    assert (match.code, match.method) == (code, "fuzzy")
    assert 0.86 <= match.score <= 1.0


@pytest.mark.parametrize("label", ["xyzzy plumbing", "driving", "electrician", "accounting", "welding", "",
                                   "   ", "--", "ab"])
def test_nonsense_and_unrelated_skills_are_unknown(skills: SkillNormaliser, label: str) -> None:
    match = skills.match(label)
    assert match.code is None and match.method == "unknown" and not match.matched
    assert 0.0 <= match.score < 1.0


def test_unknown_label_may_carry_a_suggestion(skills: SkillNormaliser) -> None:
    match = skills.match("beautition")
    assert match.code is None and match.suggestion == "beauty_services"
    assert skills.match("xyzzy plumbing").suggestion is None


def test_threshold_is_configurable(taxonomy: Taxonomy) -> None:
    strict = SkillNormaliser(taxonomy, fuzzy_threshold=0.99)
    assert strict.match("stiching").code is None
    assert strict.match("stitching").code == "machine_stitching"
    with pytest.raises(ValueError):
        SkillNormaliser(taxonomy, fuzzy_threshold=0)
    with pytest.raises(ValueError):
        SkillNormaliser(taxonomy, kind="sector")


@pytest.mark.parametrize("label, code", [
    ("AMH/Q0301", "sewing_machine_operator"),
    ("amh q0301", "sewing_machine_operator"),
    ("AMHQ0301", "sewing_machine_operator"),
    ("amh/q1001", "hand_embroiderer"),
    ("HSS/Q5101", "general_duty_assistant"),
    ("hss-q5102", "home_health_aide"),
    ("SSC/Q2212", "domestic_data_entry_operator"),
    ("THC/Q0301", "fnb_service_associate"),
    ("BWS/Q0101", "assistant_beauty_therapist"),
    ("RAS/Q0104", "retail_sales_associate"),
])
def test_occupation_by_nsqf_code(occupations: SkillNormaliser, label: str, code: str) -> None:
    match = occupations.match(label)
    assert (match.code, match.method) == (code, "exact")


@pytest.mark.parametrize("label, code", [
    ("tailor", "sewing_machine_operator"),
    ("Darji", "sewing_machine_operator"),
    ("Sewing Machine Operator", "sewing_machine_operator"),
    ("sewing_machine_operator", "sewing_machine_operator"),
    ("GDA", "general_duty_assistant"),
    ("ward assistant", "general_duty_assistant"),
    ("patient care", "general_duty_assistant"),
    ("beautician", "assistant_beauty_therapist"),
    ("Sales girl", "retail_sales_associate"),
    ("data entry operator", "domestic_data_entry_operator"),
    ("kantha artisan", "kantha_embroiderer"),
    ("jute bag maker", "jute_products_artisan"),
    ("zari karigar", "hand_embroiderer"),
    ("waiter", "fnb_service_associate"),
    ("room attendant", "housekeeping_attendant"),
    ("house maid", "domestic_worker"),
    ("billing executive", "cashier"),
    ("packing helper", "food_packaging_helper"),
    ("home nurse", "home_health_aide"),
    ("data entry oparator", "domestic_data_entry_operator"),
])
def test_occupation_labels(occupations: SkillNormaliser, label: str, code: str) -> None:
    assert occupations.match(label).code == code


def test_skill_and_occupation_namespaces_are_separate(skills: SkillNormaliser,
                                                      occupations: SkillNormaliser) -> None:
    assert skills.match("AMH/Q0301").code is None
    assert occupations.match("machine_stitching").code is None
    assert skills.match("tailor").code == "machine_stitching"
    assert occupations.match("tailor").code == "sewing_machine_operator"


def test_match_many_keeps_order_and_caches(taxonomy: Taxonomy) -> None:
    normaliser = SkillNormaliser(taxonomy)
    labels = ["Tailoring", "POS billing", "xyzzy plumbing", "stiching", "Tailoring"]
    results = normaliser.match_many(labels)
    assert [r.label for r in results] == labels
    assert [r.code for r in results] == ["machine_stitching", "pos_billing", None, "machine_stitching",
                                         "machine_stitching"]
    assert results[0] is results[4]
    assert normaliser.cache_info()["labels"] == 4


def test_a_large_import_normalises_fast(taxonomy: Taxonomy) -> None:
    normaliser = SkillNormaliser(taxonomy)
    distinct = [label for label, _ in COORDINATOR_SKILLS] + [f"unlisted skill {i}" for i in range(300)]
    rows = (distinct * (100_000 // len(distinct) + 1))[:100_000]
    start = time.perf_counter()
    results = normaliser.match_many(rows)
    elapsed = time.perf_counter() - start
    assert len(results) == 100_000
    assert elapsed < 1.5, elapsed


def test_non_string_label_is_a_type_error(skills: SkillNormaliser) -> None:
    with pytest.raises(TypeError):
        skills.match(None)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- parse_skill_list


@pytest.mark.parametrize("text, expected", [
    ("Tailoring:2; POS billing:1", [("Tailoring", 2), ("POS billing", 1)]),
    ("Tailoring", [("Tailoring", 1)]),
    ("  kantha : 3 ;zari", [("kantha", 3), ("zari", 1)]),
    ("Tailoring:2;", [("Tailoring", 2)]),
    ("Tailoring:2;;POS:1", [("Tailoring", 2), ("POS", 1)]),
    ("Tailoring:working; typing:Proficient; cooking:basic", [("Tailoring", 2), ("typing", 3), ("cooking", 1)]),
    ("F&B service:2\nhousekeeping:1", [("F&B service", 2), ("housekeeping", 1)]),
    ("Tailoring:2; tailoring:3", [("Tailoring", 2), ("tailoring", 3)]),
    ("", []),
    ("   ", []),
    (None, []),
])
def test_parse_skill_list(text, expected) -> None:
    assert parse_skill_list(text) == expected


@pytest.mark.parametrize("text, message", [
    ("Tailoring:4", r"skill 1 \('Tailoring'\): level '4' is not 1, 2 or 3"),
    ("Tailoring:2; POS:0", r"skill 2 \('POS'\): level '0' is not 1, 2 or 3"),
    ("Tailoring:two", r"level 'two' is not 1, 2 or 3"),
    ("Tailoring:2.5", r"level '2.5' is not 1, 2 or 3"),
    ("Tailoring:-1", r"level '-1' is not 1, 2 or 3"),
    ("Tailoring:", r"skill 1 \('Tailoring'\): level is missing after ':'"),
    (":2", r"skill 1 \(':2'\): the label before ':' is empty"),
    ("Tailoring:2; :3", r"skill 2 \(':3'\): the label before ':' is empty"),
    ("!!:2", r"the label has no letters or digits"),
])
def test_parse_skill_list_errors(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_skill_list(text)


def test_normalise_skill_list_keeps_highest_level(skills: SkillNormaliser) -> None:
    levels, unmatched = normalise_skill_list("Tailoring:1; silai:3; POS billing:2; xyzzy plumbing:2", skills)
    assert levels == {"machine_stitching": 3, "pos_billing": 2}
    assert [m.label for m in unmatched] == ["xyzzy plumbing"]


# --------------------------------------------------------------------------- properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from matching.reference import normalise_text  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40))
def test_any_label_gets_an_answer(skills: SkillNormaliser, label: str) -> None:
    match = skills.match(label)
    assert match.method in ("exact", "synonym", "fuzzy", "unknown")
    assert (match.code is None) == (match.method == "unknown")
    assert 0.0 <= match.score <= 1.0
    assert normalise_text(normalise_text(label)) == normalise_text(label)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([label for label, _ in COORDINATOR_SKILLS]),
                          st.sampled_from([1, 2, 3])), max_size=6))
def test_parse_skill_list_round_trips(items) -> None:
    text = "; ".join(f"{label}:{level}" for label, level in items)
    assert parse_skill_list(text) == items
