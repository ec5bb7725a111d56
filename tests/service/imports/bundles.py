"""Small hand-written bundles for the import tests."""

from __future__ import annotations

from pathlib import Path

FILES = {
    "employers.csv": """external_id,name,sector,district,lat,lon,vetted,vetted_on
EM-1,Howrah Garments Unit 1,apparel,Howrah,,,true,2026-05-01
EM-2,Siliguri Retail Store 2,retail,darjeeling,26.7271,88.3953,YES,2026-02-10
""",
    "trainees.csv": """external_id,partner_org,cohort,status,district,lat,lon,skills,languages,education,preferred_sectors,max_commute_minutes,willing_to_relocate,night_shift_ok,has_dependents,attendance_rate,expected_wage_inr,excluded_employers,excluded_districts,available_from,is_survivor
TR-1,kolkata_metro,2026-A,job_ready,Kolkata,,,Tailoring:2;POS billing:1,bn;hi,secondary,apparel;retail,60,false,false,true,0.92,10500,EM-2,Malda,2026-10-01,true
TR-2,north_bengal,2026-B,in_training,Jalpaiguri,26.52,88.72,silai:1;xyzzy plumbing:2,bn;ne,primary,apparel,45,no,no,no,0.8,9800,,,2026-12-01,false
""",
    "openings.csv": """external_id,employer_external_id,title,occupation,sector,required_skills,district,lat,lon,monthly_wage_inr,positions,shift,accommodation_provided,transport_provided,languages_required,status,posted_on,closes_on
OP-1,EM-1,Sewing machine operator,sewing_machine_operator,apparel,stitching:2,Howrah,,,12000,2,day,false,false,bn,open,2026-10-01,2026-12-31
OP-2,EM-2,Sales associate,Retail Sales Associate,retail,POS billing:1;customer communication:2,Darjeeling,,,11500,1,rotating,false,true,,open,2026-10-15,
""",
    "placements.csv": """external_id,trainee_external_id,opening_external_id,started_on,ended_on
PL-1,TR-1,OP-1,2025-06-01,2025-10-15
""",
    "followups.csv": """placement_external_id,month,checked_on,employed,monthly_wage_inr,wellbeing,risk_flag
PL-1,1,2025-07-01,true,12000,4,false
PL-1,3,2025-09-01,true,12200,3,false
PL-1,6,2025-12-01,false,,2,false
""",
    "market_signals.csv": """district,occupation,period,postings,source
Howrah,sewing_machine_operator,2026-09,41,job_board
Howrah,sewing_machine_operator,2026-10,38,job_board
Darjeeling,retail_sales_associate,2026-10,12,
""",
}


def write_bundle(folder: Path, **overrides: str | None) -> Path:
    """Write the sample bundle, with some files replaced (text) or left out (None)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {**FILES, **{key.replace("_csv", ".csv"): value for key, value in overrides.items()}}.items():
        if text is not None:
            (folder / name).write_text(text, encoding="utf-8")
    return folder
