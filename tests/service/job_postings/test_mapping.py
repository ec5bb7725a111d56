"""Mapping schema.org JobPosting JSON-LD onto openings: documents, fields, unmapped fields and located errors."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from service.core.reference import load_reference
from service.job_postings import MappedPosting, map_posting, postings_from_document
from service.job_postings.mapping import experience_level, shift_from_work_hours
from service.openings.models import OpeningCreate

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = Path(__file__).resolve().parent / "examples"


@pytest.fixture(scope="module")
def reference():
    return load_reference(REPO / "data", "west_bengal")


def example(name: str):
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


@pytest.fixture
def google() -> dict:
    return example("google_style.json")


def fields(items: list[dict[str, str]]) -> list[str]:
    return [item["field"] for item in items]


def reason(items: list[dict[str, str]], field: str) -> str:
    found = [item["reason"] for item in items if item["field"] == field]
    assert found, f"{field} not reported; reported: {fields(items)}"
    return found[0]


def mapped(posting: dict, reference, **kwargs) -> MappedPosting:
    return map_posting(posting, reference=reference, **kwargs)


def valid_opening(result: MappedPosting) -> OpeningCreate:
    """The mapped fields make a valid opening once the router adds the employer."""
    assert result.errors == []
    return OpeningCreate(employer_external_id=result.employer_external_id, **result.opening)


# --------------------------------------------------------------------------- the Google-style example


def test_google_style_posting_maps_onto_an_opening(reference, google):
    [(path, posting)] = postings_from_document(google)
    result = mapped(posting, reference, path=path)
    assert path == "$"
    assert result.errors == []
    assert result.external_id == "EGW-2026-0141"
    assert result.employer_external_id == "EM-1"
    opening = result.opening
    assert opening["monthly_wage_inr"] == 60 * 208 == 12480
    assert opening["positions"] == 6
    assert opening["closes_on"] == date(2026, 11, 30) and opening["posted_on"] == date(2026, 9, 15)
    assert opening["status"] == "open"
    assert opening["district"] == "Howrah" and (opening["lat"], opening["lon"]) == (22.5958, 88.2636)
    assert opening["occupation"] == "sewing_machine_operator" and opening["sector"] == "apparel"
    assert opening["title"] == "Sewing Machine Operator"
    assert opening["required_skills"] == [{"label": "Machine stitching", "level": 1},
                                          {"label": "Overlock & interlock machine operation", "level": 1},
                                          {"label": "Quality checking", "level": 1}]
    assert opening["shift"] == "day"
    assert opening["accommodation_provided"] is True and opening["transport_provided"] is True
    assert opening["languages_required"] == ["bn"]
    created = valid_opening(result)
    assert created.monthly_wage_inr == 12480 and created.required_skills[0].label == "Machine stitching"


def test_google_style_second_location_is_reported_not_dropped(reference, google):
    result = mapped(google, reference)
    text = reason(result.unmapped, "$.jobLocation[1]")
    assert "one opening per location: post each location as its own JobPosting" in text
    assert "Howrah" in text


def test_google_style_unused_fields_are_reported(reference, google):
    result = mapped(google, reference)
    reported = fields(result.unmapped)
    for field in ("$.employmentType", "$.educationRequirements", "$.directApply", "$.hiringOrganization.name",
                  "$.hiringOrganization.logo", "$.jobLocation[0].address.streetAddress"):
        assert field in reported
    assert "not used by jobmatch" in reason(result.unmapped, "$.directApply")
    assert "employment-type" in reason(result.unmapped, "$.employmentType")
    # Used fields and JSON-LD keywords are not reported.
    for field in ("$.description", "$.title", "$.skills", "$.baseSalary", "$['@context']", "$['@type']",
                  "$.identifier", "$.occupationalCategory", "$.industry", "$.workHours", "$.totalJobOpenings"):
        assert field not in reported
    # Every reported field is a field of the posting.
    for field in reported:
        assert field.startswith("$.")


def test_salary_per_period_becomes_a_monthly_wage(reference, google):
    cases = {("HOUR", 60): 12480, ("DAY", 450): 11700, ("WEEK", 2800): 12124, ("MONTH", 12000): 12000,
             ("YEAR", 150000): 12500, ("hour", 55.5): 11544}
    for (unit, value), monthly in cases.items():
        posting = copy.deepcopy(google)
        posting["baseSalary"]["value"] = {"@type": "QuantitativeValue", "value": value, "unitText": unit}
        assert mapped(posting, reference).opening["monthly_wage_inr"] == monthly, unit
    posting = copy.deepcopy(google)
    posting["baseSalary"]["value"]["value"] = 60
    result = mapped(posting, reference, hours_per_month=8 * 22)
    assert result.opening["monthly_wage_inr"] == 60 * 176


def test_salary_range_keeps_the_lowest_pay_and_reports_the_highest(reference, google):
    posting = copy.deepcopy(google)
    posting["baseSalary"] = {"@type": "MonetaryAmount", "currency": "INR", "unitText": "DAY",
                             "value": {"@type": "QuantitativeValue", "minValue": 420, "maxValue": "520"}}
    result = mapped(posting, reference)
    assert result.errors == [] and result.opening["monthly_wage_inr"] == 420 * 26
    assert "lowest pay" in reason(result.unmapped, "$.baseSalary.value.maxValue")


def test_salary_value_directly_on_the_monetary_amount(reference, google):
    posting = copy.deepcopy(google)
    posting["baseSalary"] = {"@type": "MonetaryAmount", "currency": "INR", "value": "12500", "unitText": "MONTH"}
    assert mapped(posting, reference).opening["monthly_wage_inr"] == 12500


# --------------------------------------------------------------------------- documents


def test_a_list_of_two_postings(reference):
    postings = postings_from_document(example("two_postings.json"))
    assert [path for path, _ in postings] == ["$[0]", "$[1]"]
    first, second = (mapped(posting, reference, path=path, today=date(2026, 10, 10)) for path, posting in postings)

    assert first.external_id == "RS-KOL-0007" and first.employer_external_id == "EM-2"
    assert first.opening["monthly_wage_inr"] == 11000
    assert first.opening["district"] == "Kolkata" and first.opening["lat"] == 22.5448
    assert first.opening["occupation"] == "retail_sales_associate" and first.opening["sector"] == "retail"
    assert first.opening["shift"] == "rotating"
    assert first.opening["languages_required"] == ["bn", "hi", "en"]
    assert [s["level"] for s in first.opening["required_skills"]] == [2, 2, 2]  # asks for experience
    assert first.opening["required_skills"][2]["label"] == "Basic English"  # a DefinedTerm's name
    assert fields(first.unmapped) == ["$[0].baseSalary.value.maxValue", "$[0].employmentType[0]",
                                      "$[0].employmentType[1]"]
    assert "TEMPORARY" in reason(first.unmapped, "$[0].employmentType[1]")
    valid_opening(first)

    assert second.external_id == "WH-BRS-0112" and second.employer_external_id == "EM-3"
    assert second.opening["monthly_wage_inr"] == 450 * 26
    assert second.opening["positions"] == 12
    assert second.opening["shift"] == "night"
    # Geo coordinates only: the district whose headquarters is nearest (Barasat, a few km away).
    assert second.opening["district"] == "North 24 Parganas"
    assert (second.opening["lat"], second.opening["lon"]) == (22.735, 88.491)
    # "Cab ... to the hostel gate; no accommodation": transport yes, accommodation no.
    assert second.opening["transport_provided"] is True and second.opening["accommodation_provided"] is False
    assert second.opening["posted_on"] == date(2026, 10, 5)
    assert second.unmapped == [] and second.errors == []
    valid_opening(second)


def test_a_graph_of_postings(reference):
    postings = postings_from_document(example("graph.json"))
    assert [path for path, _ in postings] == ["$['@graph'][0]", "$['@graph'][1]"]
    first, second = (mapped(posting, reference, path=path) for path, posting in postings)
    assert first.errors == [] and second.errors == []
    assert first.opening["district"] == "North 24 Parganas"  # from "Salt Lake, North 24 Parganas"
    assert first.opening["monthly_wage_inr"] == 12500  # 150000 a year
    assert first.opening["sector"] == "it_ites" and first.opening["occupation"] == "domestic_data_entry_operator"
    assert first.unmapped == []  # @id is JSON-LD plumbing
    assert second.opening["district"] == "Darjeeling"  # from "Darjeeling district"
    assert second.opening["monthly_wage_inr"] == round(2800 * 4.33)
    assert second.opening["shift"] == "night"
    assert "remote" in reason(second.unmapped, "$['@graph'][1].jobLocationType")


def test_a_single_posting_is_at_the_root(google):
    assert postings_from_document(google) == [("$", google)]


def test_job_posting_among_several_types_is_accepted(google):
    google["@type"] = ["JobPosting", "Thing"]
    assert len(postings_from_document(google)) == 1


@pytest.mark.parametrize(("document", "path"), [
    ({"@type": "Organization", "name": "x"}, "$['@type']"),
    ([{"@type": "JobPosting"}, {"@type": "Person"}], "$[1]['@type']"),
    ({"@context": "https://schema.org", "@graph": [{"@type": "JobPosting"}, {"@type": "Place"}]},
     "$['@graph'][1]['@type']"),
    ([{"@type": "JobPosting"}, "a posting"], "$[1]"),
    ([{"title": "no type"}], "$[0]"),
    ("JobPosting", "$"),
    ([], "$"),
])
def test_a_node_that_is_not_a_job_posting_is_refused_by_path(document, path):
    with pytest.raises(ValueError) as caught:
        postings_from_document(document)
    assert str(caught.value).startswith(path + " ")


# --------------------------------------------------------------------------- errors


def test_missing_identifier_is_an_error(reference, google):
    del google["identifier"]
    result = mapped(google, reference, path="$[3]")
    assert result.external_id is None
    assert fields(result.errors) == ["$[3].identifier"]
    assert "missing" in result.errors[0]["reason"]


def test_identifier_that_is_not_a_usable_id_is_an_error(reference, google):
    google["identifier"] = {"@type": "PropertyValue", "value": "job 17 / Howrah"}
    result = mapped(google, reference)
    assert fields(result.errors) == ["$.identifier.value"]


def test_numeric_identifier_is_text(reference, google):
    google["identifier"] = {"@type": "PropertyValue", "name": "HR", "value": 1234567}
    assert mapped(google, reference).external_id == "1234567"


def test_missing_employer_identifier_is_an_error(reference, google):
    del google["hiringOrganization"]["identifier"]
    result = mapped(google, reference)
    assert result.employer_external_id is None
    assert fields(result.errors) == ["$.hiringOrganization.identifier"]


def test_unknown_pay_period_is_an_error_at_its_path(reference):
    document = example("two_postings.json")
    document[1]["baseSalary"] = {"@type": "MonetaryAmount", "currency": "INR",
                                 "value": {"@type": "QuantitativeValue", "value": 6000, "unitText": "FORTNIGHT"}}
    path, posting = postings_from_document(document)[1]
    result = mapped(posting, reference, path=path)
    assert fields(result.errors) == ["$[1].baseSalary.value.unitText"]
    assert "FORTNIGHT" in result.errors[0]["reason"] and "HOUR, DAY, WEEK, MONTH or YEAR" in result.errors[0]["reason"]
    assert "monthly_wage_inr" not in result.opening


def test_missing_pay_period_is_an_error(reference, google):
    del google["baseSalary"]["value"]["unitText"]
    assert fields(mapped(google, reference).errors) == ["$.baseSalary.value.unitText"]


def test_wrong_currency_is_an_error(reference, google):
    google["baseSalary"]["currency"] = "USD"
    result = mapped(google, reference)
    assert fields(result.errors) == ["$.baseSalary.currency"]
    assert "USD" in result.errors[0]["reason"] and "INR" in result.errors[0]["reason"]


def test_missing_currency_is_an_error_unless_salary_currency_gives_it(reference, google):
    del google["baseSalary"]["currency"]
    assert fields(mapped(google, reference).errors) == ["$.baseSalary.currency"]
    google["salaryCurrency"] = "INR"
    result = mapped(google, reference)
    assert result.errors == [] and "$.salaryCurrency" not in fields(result.unmapped)


@pytest.mark.parametrize("value", ["twelve thousand", "Rs. 60", None, True, [60], {"amount": 60}])
def test_non_numeric_salary_is_an_error(reference, google, value):
    google["baseSalary"]["value"]["value"] = value
    result = mapped(google, reference)
    assert fields(result.errors) == ["$.baseSalary.value.value"]


@pytest.mark.parametrize("value", [0, -5])
def test_salary_must_be_more_than_zero(reference, google, value):
    google["baseSalary"]["value"]["value"] = value
    assert fields(mapped(google, reference).errors) == ["$.baseSalary.value.value"]


def test_missing_salary_is_an_error(reference, google):
    del google["baseSalary"]
    result = mapped(google, reference)
    assert fields(result.errors) == ["$.baseSalary"] and "wage is required" in result.errors[0]["reason"]


def test_a_bare_number_salary_is_an_error(reference, google):
    google["baseSalary"] = 12000
    assert fields(mapped(google, reference).errors) == ["$.baseSalary"]


def test_unknown_location_is_an_error(reference, google):
    google["jobLocation"] = {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "Pune",
                                                           "addressRegion": "Maharashtra"}}
    result = mapped(google, reference)
    assert fields(result.errors) == ["$.jobLocation"]
    assert "Pune" in result.errors[0]["reason"] and "West Bengal" in result.errors[0]["reason"]
    assert "district" not in result.opening


def test_no_location_of_several_resolves(reference, google):
    for place in google["jobLocation"]:
        place["address"]["addressLocality"] = "Nowhere"
        place["address"]["addressRegion"] = "Elsewhere"
        place["address"]["streetAddress"] = "1 Main Road"
    result = mapped(google, reference)
    assert fields(result.errors) == ["$.jobLocation"]
    assert "$.jobLocation[0]" in result.errors[0]["reason"] and "$.jobLocation[1]" in result.errors[0]["reason"]


def test_missing_location_is_an_error(reference, google):
    del google["jobLocation"]
    assert fields(mapped(google, reference).errors) == ["$.jobLocation"]


def test_location_in_another_country_does_not_resolve(reference, google):
    google["jobLocation"][0]["address"]["addressCountry"] = "BD"
    result = mapped(google, reference)
    assert result.opening["district"] == "Nadia"  # the second location, from "Nadia, West Bengal"
    assert "addressCountry" in reason(result.unmapped, "$.jobLocation[0]")


def test_geo_far_from_every_district_does_not_resolve(reference, google):
    google["jobLocation"] = {"@type": "Place", "geo": {"@type": "GeoCoordinates", "latitude": 19.07,
                                                       "longitude": 72.88}}
    result = mapped(google, reference)
    assert fields(result.errors) == ["$.jobLocation"] and "km" in result.errors[0]["reason"]


def test_geo_far_from_the_district_of_the_address_is_not_used(reference, google):
    google["jobLocation"][0]["geo"] = {"@type": "GeoCoordinates", "latitude": 88.26, "longitude": 22.59}  # swapped
    result = mapped(google, reference)
    assert result.opening["district"] == "Howrah" and result.opening["lat"] == 22.5958
    assert "not used" in reason(result.unmapped, "$.jobLocation[0].geo")


def test_bad_dates_are_errors(reference, google):
    google["validThrough"] = "end of November"
    google["datePosted"] = "2026-12-01"
    result = mapped(google, reference)
    assert fields(result.errors) == ["$.validThrough"]
    google["validThrough"] = "2026-11-30"
    result = mapped(google, reference)
    assert fields(result.errors) == ["$.validThrough"] and "before datePosted" in result.errors[0]["reason"]


@pytest.mark.parametrize("value", ["six", -1, 2.5, True])
def test_bad_total_job_openings_is_an_error(reference, google, value):
    google["totalJobOpenings"] = value
    assert fields(mapped(google, reference).errors) == ["$.totalJobOpenings"]


def test_every_error_names_a_path_and_says_what_is_wrong(reference, google):
    posting = copy.deepcopy(google)
    del posting["identifier"], posting["title"]
    posting["baseSalary"]["currency"] = "EUR"
    posting["jobLocation"] = []
    result = mapped(posting, reference, path="$[0]")
    assert sorted(fields(result.errors)) == ["$[0].baseSalary.currency", "$[0].identifier", "$[0].jobLocation",
                                             "$[0].title"]
    for error in result.errors:
        assert len(error["reason"]) > 20 and error["field"].startswith("$[0].")


# --------------------------------------------------------------------------- other fields


def test_defaults_when_optional_fields_are_absent(reference, google):
    for key in ("totalJobOpenings", "workHours", "description", "skills", "experienceRequirements", "inLanguage",
                "validThrough", "datePosted", "industry", "occupationalCategory"):
        del google[key]
    result = mapped(google, reference)
    assert result.errors == []
    opening = result.opening
    assert opening["positions"] == 1 and opening["shift"] == "day" and opening["required_skills"] == []
    assert opening["accommodation_provided"] is False and opening["transport_provided"] is False
    assert opening["languages_required"] == [] and opening["status"] == "open"
    assert opening["occupation"] == "sewing_machine_operator" and opening["sector"] == "apparel"  # from the title
    valid_opening(result)


def test_status_is_closed_once_valid_through_has_passed(reference, google):
    assert mapped(google, reference, today=date(2026, 11, 30)).opening["status"] == "open"
    assert mapped(google, reference, today=date(2026, 12, 1)).opening["status"] == "closed"
    assert mapped(google, reference).opening["status"] == "open"


def test_valid_through_date_time_is_read_in_the_site_time_zone(reference, google):
    google["validThrough"] = "2026-11-30T20:00:00Z"  # 01:30 on 1 December in Kolkata
    assert mapped(google, reference).opening["closes_on"] == date(2026, 12, 1)


def test_occupation_from_the_title_when_the_category_is_unknown(reference, google):
    google["occupationalCategory"] = "7533"
    google["title"] = "Tailor"
    result = mapped(google, reference)
    assert result.opening["occupation"] == "sewing_machine_operator"
    assert "from title" in reason(result.unmapped, "$.occupationalCategory")


def test_title_kept_as_occupation_when_nothing_maps(reference, google):
    google["occupationalCategory"] = {"@type": "CategoryCode", "codeValue": "9999", "inCodeSet": "ISCO-08"}
    google["title"] = "Lab technician"
    del google["industry"]
    result = mapped(google, reference)
    assert result.opening["occupation"] == "Lab technician" and result.opening["sector"] is None
    assert "kept as the occupation text" in reason(result.unmapped, "$.occupationalCategory")


def test_category_code_object_maps(reference, google):
    google["occupationalCategory"] = {"@type": "CategoryCode", "codeValue": "AMH/Q1001", "name": "Hand embroiderer"}
    google["title"] = "Karigar"
    assert mapped(google, reference).opening["occupation"] == "hand_embroiderer"


def test_industry_that_is_not_a_sector_falls_back_to_the_occupation(reference, google):
    google["industry"] = "Textiles"
    result = mapped(google, reference)
    assert result.opening["sector"] == "apparel"
    assert "not a sector" in reason(result.unmapped, "$.industry")


def test_long_title_is_truncated_and_reported(reference, google):
    google["title"] = "Sewing machine operator " + "x" * 300
    result = mapped(google, reference)
    assert len(result.opening["title"]) == 200
    assert "truncated" in reason(result.unmapped, "$.title")
    valid_opening(result)


def test_skills_as_list_html_and_defined_terms(reference, google):
    google["skills"] = ["<ul><li>Hand embroidery</li><li>Zari work</li></ul>",
                        {"@type": "DefinedTerm", "name": "hand embroidery"}, 7]
    google["experienceRequirements"] = {"@type": "OccupationalExperienceRequirements", "monthsOfExperience": 12}
    result = mapped(google, reference)
    assert result.opening["required_skills"] == [{"label": "Hand embroidery", "level": 2},
                                                 {"label": "Zari work", "level": 2}]
    assert "$.skills[2]" in fields(result.unmapped)


@pytest.mark.parametrize(("requirement", "level"), [
    ("2 years of experience on industrial machines", 2),
    ("Experienced tailors preferred", 2),
    ("No experience needed", 1),
    ("Freshers welcome", 1),
    ("Experience not required", 1),
    ("Class 8 pass", 1),
    ({"@type": "OccupationalExperienceRequirements", "monthsOfExperience": 0}, 1),
    ({"@type": "OccupationalExperienceRequirements", "monthsOfExperience": 6}, 2),
])
def test_experience_level(requirement, level):
    assert experience_level(requirement) == level


@pytest.mark.parametrize(("hours", "shift"), [
    ("9am-6pm", "day"),
    ("9:30 a.m. to 6:30 p.m., Monday to Saturday", "day"),
    ("10:00-18:00", "day"),
    ("9-6", "day"),
    ("16:00-24:00", "day"),
    ("Day shift only, no night work", "day"),
    ("22:00-06:00", "night"),
    ("10pm to 6am", "night"),
    ("10-6am", "night"),
    ("18:00-00:30", "night"),
    ("00:00-08:00", "night"),
    ("Night shift", "night"),
    ("overnight stocking", "night"),
    ("Rotating shifts", "rotating"),
    ("rotational shift, 8 hours", "rotating"),
    ("Shifts vary week to week", "rotating"),
    ("Day and night shifts", "rotating"),
    ("6am-2pm, 2pm-10pm, 10pm-6am", "rotating"),
])
def test_work_hours_become_a_shift(hours, shift):
    assert shift_from_work_hours(hours)[0] == shift


def test_unreadable_work_hours_are_a_day_shift_and_reported(reference, google):
    google["workHours"] = "flexible"
    result = mapped(google, reference)
    assert result.opening["shift"] == "day"
    assert "day shift" in reason(result.unmapped, "$.workHours")


def test_night_work_hours_map_onto_the_opening(reference, google):
    google["workHours"] = "22:00-06:00"
    assert mapped(google, reference).opening["shift"] == "night"


@pytest.mark.parametrize(("benefits", "accommodation", "transport"), [
    ("Hostel accommodation provided at no cost", True, False),
    ("Company cab for night shift staff", False, True),
    ("Pick-up and drop from Howrah station", False, True),
    ("Transport allowance of Rs 500 a month", False, False),
    ("No accommodation. Transport provided.", False, True),
    ("We don't provide housing", False, False),
    ("Drop your CV at the gate", False, False),
])
def test_benefits_keywords(reference, google, benefits, accommodation, transport):
    del google["description"]
    google["jobBenefits"] = benefits
    opening = mapped(google, reference).opening
    assert (opening["accommodation_provided"], opening["transport_provided"]) == (accommodation, transport)


def test_benefits_without_accommodation_or_transport_are_reported(reference, google):
    google["jobBenefits"] = "Provident fund, ESI, paid leave"
    assert "other benefits" in reason(mapped(google, reference).unmapped, "$.jobBenefits")


def test_a_negation_anywhere_outweighs_a_mention(reference, google):
    google["jobBenefits"] = "Accommodation is not provided"
    assert mapped(google, reference).opening["accommodation_provided"] is False  # the description offers a hostel


def test_languages_not_in_iso_639_1_are_reported(reference, google):
    google["inLanguage"] = ["bn", "Bengali", "ben", {"@type": "Language", "name": "Hindi", "alternateName": "hi"}]
    result = mapped(google, reference)
    assert result.opening["languages_required"] == ["bn", "hi"]
    assert {"$.inLanguage[1]", "$.inLanguage[2]"} <= set(fields(result.unmapped))


def test_telecommute_is_reported(reference, google):
    google["jobLocationType"] = "TELECOMMUTE"
    result = mapped(google, reference)
    assert result.errors == [] and "remote" in reason(result.unmapped, "$.jobLocationType")


def test_other_employment_types_are_reported(reference, google):
    google["employmentType"] = ["PART_TIME", "VOLUNTEER", "SEASONAL"]
    reported = mapped(google, reference).unmapped
    assert "VOLUNTEER" in reason(reported, "$.employmentType[1]")
    assert "not a schema.org employment type" in reason(reported, "$.employmentType[2]")


def test_mapping_does_not_change_the_posting(reference, google):
    before = copy.deepcopy(google)
    mapped(google, reference)
    assert google == before
