# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Market demand: where the jobs will be, and what the next cohort should learn
#
# Every month the programme counts job postings per district and occupation (from job boards and
# employer surveys). This notebook
#
# 1. looks at a few of those monthly series, including the garment jobs around Durga Puja;
# 2. forecasts the next six months, with a range we expect the real count to fall in;
# 3. checks how good such forecasts have been in the past, against two simple rules of thumb;
# 4. turns the forecasts into **training priorities** for each partner district: which occupations
#    the next cohort should train for, given the jobs expected and the women already in the pipeline.
#
# It runs on the synthetic demo bundle (`data/demo`) shipped with jobmatch: every district count,
# employer and trainee in it is invented. Nothing here needs the database; the files are read
# directly.

# %% tags=["parameters"]
# Parameters. The test suite and CI set JOBMATCH_NOTEBOOK_OUTPUT; otherwise figures go to a new
# temporary folder, never into the repository.
import os
import tempfile

BUNDLE = "data/demo"                      # the import bundle to read (relative to the repository)
SITE = "west_bengal"                      # folder under data/sites/
AS_OF = "2026-11-01"                      # the day the forecasts are made
HORIZON = 6                               # months ahead
PARTNER_DISTRICTS = ["Kolkata", "Howrah", "Darjeeling", "Jalpaiguri"]
EXAMPLE_SERIES = [("Howrah", "sewing_machine_operator"), ("Kolkata", "sewing_machine_operator"),
                  ("Kolkata", "garment_quality_checker")]
OUTPUT_DIR = os.environ.get("JOBMATCH_NOTEBOOK_OUTPUT") or tempfile.mkdtemp(prefix="jobmatch-market-demand-")

# %%
import csv
import datetime
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # figures are drawn off-screen, saved as PNG files, then shown below each cell
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Image, Markdown, display

from matching.backtest import METHODS, rolling_origin_backtest
from matching.demand_model import DemandForecaster, SignalFrame, period_index, period_label
from matching.outcome_data import read_bundle_records
from matching.reference import load_site, load_taxonomy
from matching.skills import SkillNormaliser
from matching.training_priorities import district_neighbours, supply_from_trainees, training_priorities


def find_repo(start: Path) -> Path:
    """The repository folder (holding ``matching/`` and ``data/``), from wherever the notebook runs."""
    for folder in (start, *start.parents):
        if (folder / "matching").is_dir() and (folder / "data").is_dir():
            return folder
    raise FileNotFoundError("run this notebook from inside the jobmatch repository")


REPO = find_repo(Path.cwd().resolve())
BUNDLE_DIR = REPO / BUNDLE
OUT = Path(OUTPUT_DIR)
OUT.mkdir(parents=True, exist_ok=True)
pd.set_option("display.precision", 2)


def show(fig: plt.Figure, name: str) -> None:
    """Save a figure to the output folder and show it here."""
    path = OUT / f"market_demand_{name}.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    display(Image(filename=str(path)))


print(f"bundle: {BUNDLE_DIR.relative_to(REPO)}; figures saved to {OUT}")

# %% [markdown]
# ## 1. The market signals
#
# `market_signals.csv` holds one row per district, occupation, month and source. The two sources
# (job boards and employer surveys) are added together, so each district × occupation has one
# monthly count: a **series**. Occupation labels are mapped onto the skill taxonomy, as the import
# does. A month without a row is *unknown*, not zero.
#
# The forecasts are made on **1 November 2026**. October is the last complete month, so the model
# sees the data up to October 2026 and nothing later.

# %%
DATA = REPO / "data"
taxonomy = load_taxonomy(DATA / "taxonomy.json")
site = load_site(DATA / "sites" / SITE)
sector_of = {code: occupation.sector for code, occupation in taxonomy.occupations.items()}
occupation_name = {code: occupation.name for code, occupation in taxonomy.occupations.items()}

as_of = datetime.date.fromisoformat(AS_OF)
last_complete = period_label(period_index(as_of) - 1)          # the month before the as-of day's month
occupations = SkillNormaliser(taxonomy, kind="occupation")
with open(BUNDLE_DIR / "market_signals.csv", newline="", encoding="utf-8") as handle:
    signal_rows = [{**row, "occupation": occupations.match(row["occupation"]).code or row["occupation"]}
                   for row in csv.DictReader(handle)]
signals = SignalFrame.from_records(signal_rows).until(last_complete)

districts = sorted(set(signals.district.tolist()))
print(f"{len(signal_rows)} rows ({', '.join(sorted({r['source'] for r in signal_rows}))}) -> "
      f"{len(signals)} district x occupation x month counts, {len(signals.series())} series, "
      f"{len(districts)} districts, {len(set(signals.occupation.tolist()))} occupations, "
      f"{signals.first_period} to {signals.last_period}")

# %%
by_sector = (pd.DataFrame({"sector": [sector_of.get(o, "other") for o in signals.occupation.tolist()],
                           "series": list(zip(signals.district.tolist(), signals.occupation.tolist())),
                           "postings": signals.postings})
             .groupby("sector")
             .agg(series=("series", "nunique"), postings_per_month=("postings", "mean"),
                  total_postings=("postings", "sum")))
by_sector.index = [taxonomy.sectors.get(code, code) for code in by_sector.index]
display(by_sector.sort_values("total_postings", ascending=False).round(1))

# %% [markdown]
# ### A few series: garment jobs in Howrah and Kolkata
#
# Garment factories hire ahead of **Durga Puja** (September–October), when clothes sell most; shops
# and hotels do the same. The shaded months below are September and October of each year.

# %%
def mid_month(period: int) -> datetime.date:
    """A month index as the middle of that month, where its count is drawn."""
    return datetime.date(period // 12, period % 12 + 1, 15)


def history(district: str, occupation: str) -> tuple[np.ndarray, np.ndarray]:
    """Months (as dates) and postings of one series; unknown months are left out."""
    keep = (signals.district == district) & (signals.occupation == occupation)
    return np.array([mid_month(p) for p in signals.period[keep].tolist()]), signals.postings[keep]


def shade_puja(ax: plt.Axes, first: datetime.date, last: datetime.date) -> None:
    """Shade September and October of every year between two days, and show just those days."""
    for year in range(first.year, last.year + 1):
        ax.axvspan(datetime.date(year, 9, 1), datetime.date(year, 11, 1), color="orange", alpha=0.15, lw=0)
    ax.set_xlim(first, last)


fig, ax = plt.subplots(figsize=(10, 4))
for district, occupation in EXAMPLE_SERIES:
    months, postings = history(district, occupation)
    ax.plot(months, postings, marker="o", ms=3, label=f"{occupation_name[occupation]}, {district}")
shade_puja(ax, mid_month(int(signals.period.min())) - datetime.timedelta(days=20),
           mid_month(int(signals.period.max())) + datetime.timedelta(days=20))
ax.set_ylabel("postings per month")
ax.set_title("Monthly job postings (shaded: September–October, the Durga Puja season)")
ax.legend(loc="upper left")
ax.grid(alpha=0.3)
show(fig, "example_series")

# %% [markdown]
# ## 2. The forecast
#
# The demand model (`matching.demand_model.DemandForecaster`) describes each series by
#
# * **where it stands now** (its recent level),
# * **how fast it grows** — each series' own trend, pulled towards the trend of its sector and
#   district when the series is short or small, so that one noisy series does not swing the forecast,
# * **the yearly pattern of its sector** (the Puja peak in garments, shops and hotels; the winter
#   wedding season in beauty), learnt from all districts together.
#
# It also reads the programme's own openings (`openings.csv`) as a second, smaller signal of the same
# demand, as the service does. It is fitted on the months up to October 2026.

# %%
records = read_bundle_records(BUNDLE_DIR, taxonomy=taxonomy)
own_openings = [{"district": o["district"], "occupation": o["occupation_code"], "posted_on": o["posted_on"]}
                for o in records.openings
                if o.get("occupation_code") and o.get("posted_on") and o["posted_on"][:7] <= last_complete]
model = DemandForecaster(horizon=HORIZON)
model.fit(signals, sector_of=sector_of, own_openings=own_openings, as_of_period=last_complete)
first_forecast, last_forecast = (period_label(period_index(last_complete) + h) for h in (1, HORIZON))
print(f"fitted {model.n_series_} series on {model.first_period_}..{model.last_period_} "
      f"({len(own_openings)} of the programme's own openings as extra evidence); "
      f"forecasting {first_forecast}..{last_forecast}")

# %% [markdown]
# ### The yearly pattern the model learnt, per sector
#
# A value of 1.5 in October means October brings about 1.5 times the postings of an average month.
# Sectors without a pattern stay near 1.

# %%
month_labels = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
fig, ax = plt.subplots(figsize=(10, 4))
for sector, profile in zip(model.sectors_, model.seasonal_):
    strong = profile.max() / profile.min() > 1.2
    ax.plot(month_labels, profile, marker="o" if strong else None, lw=2 if strong else 1,
            alpha=1 if strong else 0.5, label=taxonomy.sectors.get(sector, sector))
ax.axhline(1, color="grey", lw=0.8)
ax.set_ylabel("postings relative to an average month")
ax.set_title("Yearly pattern of postings, per sector (learnt from all districts)")
ax.legend(ncol=3, fontsize=8)
ax.grid(alpha=0.3)
show(fig, "seasonal_profiles")

# %% [markdown]
# ### Forecasts for the example series
#
# The line continues each series six months ahead; the band is the range the real count should fall
# in **8 times out of 10** (the model's 80 % interval). A wide band means: plan for either end.

# %%
series_keys, periods, mean, lower, upper = model.forecast_arrays(horizon=HORIZON, series=EXAMPLE_SERIES)
future = [mid_month(period_index(p)) for p in periods]
recent_start = datetime.date(as_of.year - 2, as_of.month, 1)

fig, axes = plt.subplots(len(series_keys), 1, figsize=(10, 3 * len(series_keys)), sharex=True)
for ax, (district, occupation), m, lo, hi in zip(np.atleast_1d(axes), series_keys, mean, lower, upper):
    months, postings = history(district, occupation)
    recent = months >= recent_start
    ax.plot(months[recent], postings[recent], marker="o", ms=3, color="black", label="postings")
    ax.plot(future, m, marker="o", ms=3, color="tab:blue", label="forecast")
    ax.fill_between(future, lo, hi, color="tab:blue", alpha=0.2, label="80% range")
    shade_puja(ax, recent_start, future[-1] + datetime.timedelta(days=20))
    ax.set_title(f"{occupation_name[occupation]}, {district}")
    ax.set_ylabel("postings")
    ax.grid(alpha=0.3)
np.atleast_1d(axes)[0].legend(loc="upper left")
show(fig, "forecasts")

forecast_table = pd.DataFrame([
    {"district": d, "occupation": occupation_name[o], "month": p, "forecast": m[j], "low (80%)": lo[j],
     "high (80%)": hi[j]}
    for (d, o), m, lo, hi in zip(series_keys, mean, lower, upper) for j, p in enumerate(periods)])
display(forecast_table.pivot_table(index="month", columns=["district", "occupation"], values="forecast").round(0))

# %% [markdown]
# ## 3. How good have the forecasts been? A backtest
#
# We pretend to stand at six past months in turn (the *origins*). At each, the model is fitted only
# on what was known then and forecasts 1 to 6 months ahead; the forecasts are compared with what was
# then counted. Two rules of thumb forecast the same months:
#
# * **seasonal naive**: "the same month last year";
# * **last-12-month mean**: "the average month of the past year".
#
# The error measure is the **WAPE**: all the forecast misses added up, as a share of all the postings.
# 0.20 means the forecasts missed by 20 % of the postings. Lower is better.

# %%
report = rolling_origin_backtest(signals, sector_of=sector_of, own_openings=own_openings, origins=6,
                                 horizons=tuple(range(1, HORIZON + 1)))
print(report.table())

# %%
wape_table = pd.DataFrame({method: {**{f"{h} month{'s' if h > 1 else ''} ahead": report.wape_by_horizon[method][h]
                                       for h in report.horizons}, "all": report.wape[method]}
                           for method in METHODS})
wape_table["points"] = [report.n_points_by_horizon[h] for h in report.horizons] + [report.n_points]
display(wape_table.rename(columns={"model": "model", "seasonal_naive": "seasonal naive",
                                   "last_12_month_mean": "last-12-month mean"}).round(3))
print(f"The model's forecasts missed by {report.wape['model']:.0%} of postings, against "
      f"{report.wape['seasonal_naive']:.0%} for 'same month last year' ({report.improvement:.0f}% better) and "
      f"{report.wape['last_12_month_mean']:.0%} for 'average of the past year' "
      f"({report.improvement_over_last_12:.0f}% better). "
      f"{report.coverage:.0%} of the real counts fell inside the 80% range.")

# %%
fig, ax = plt.subplots(figsize=(7, 4))
labels = {"model": "demand model", "seasonal_naive": "same month last year",
          "last_12_month_mean": "average of the past year"}
for method in METHODS:
    ax.plot(report.horizons, [report.wape_by_horizon[method][h] for h in report.horizons], marker="o",
            lw=2.5 if method == "model" else 1.5, label=labels[method])
ax.set_xlabel("months ahead")
ax.set_ylabel("WAPE (lower is better)")
ax.set_ylim(0, None)
ax.set_title(f"Backtest, origins {report.origins[0]} to {report.origins[-1]}")
ax.legend()
ax.grid(alpha=0.3)
show(fig, "backtest_by_horizon")

# %% [markdown]
# The same error per sector: where the model is most and least reliable.

# %%
sector_table = pd.DataFrame(report.per_sector).T.rename(
    columns={"seasonal_naive": "seasonal naive", "last_12_month_mean": "last-12-month mean"})
sector_table.index = [taxonomy.sectors.get(code, code) for code in sector_table.index]
sector_table["points"] = sector_table["points"].astype(int)
display(sector_table.sort_values("model").round(3))

# %% [markdown]
# ## 4. What should the next cohort learn? Training priorities per partner district
#
# For each district and occupation, over the next six months:
#
# * **jobs expected**: the forecast postings in the district and in the districts within a daily
#   commute (headquarters within 40 km);
# * **women nearby**: trainees who are job-ready or in training for that occupation (her training
#   track, or at least half of its core skills at working level), living in the district or within
#   a commute of it — they will compete for the same jobs;
# * **growth**: how fast postings for the occupation grow there, per year;
# * **score**: the jobs expected, grown to when a cohort starting now is ready (six months on), minus
#   the women nearby. The higher, the more room for a new cohort.
#
# This is the same ranking as the service's `/v1/market/training-priorities`. The last column lists
# the core skills of the occupation: what the cohort should be taught.

# %%
neighbours = district_neighbours(site.gazetteer)
# women counted in their own district and every district within a commute (counts only, no one's record)
supply = supply_from_trainees(records.trainees, taxonomy, site.gazetteer, neighbours=neighbours)
forecasts = model.predict(horizon=HORIZON)


def priority_table(district: str, *, local_only: bool = False, limit: int = 8) -> pd.DataFrame:
    """The ranking for one district; ``local_only``: jobs and women of the district itself only."""
    ranked = training_priorities(forecasts=forecasts, supply=supply_local if local_only else supply,
                                 district=district, taxonomy=taxonomy, neighbours=None if local_only else neighbours,
                                 horizon=HORIZON, growth=model, limit=limit)
    return pd.DataFrame([{
        "rank": p.rank, "occupation": p.occupation_name, "sector": taxonomy.sectors.get(p.sector, p.sector),
        "jobs expected": round(p.forecast_postings), "women nearby": int(p.supply), "gap": round(p.gap),
        "growth / year": f"{p.growth:+.0%}", "score": round(p.score), "skills to teach": ", ".join(p.skill_names),
    } for p in ranked]).set_index("rank")


for district in PARTNER_DISTRICTS:
    near = neighbours.get(district, ())
    display(Markdown(f"### {district}\n\nJobs counted in {district}"
                     + (f" and {', '.join(near)}" if near else " only (no other district within a daily commute)")
                     + "."))
    display(priority_table(district))

# %% [markdown]
# **Reading these tables.** Kolkata and Howrah share one commuting area (with North and South 24
# Parganas and Hooghly), so their lists are the same: a woman in Howrah can take a job in Kolkata and
# the other way round. Darjeeling counts Kalimpong's jobs too; Jalpaiguri has no neighbour within a
# daily commute, so only its own jobs count.
#
# Market postings are far more numerous than the programme's trainees, so the scores mostly follow
# the jobs expected; the women nearby matter where the pipeline is already full.
#
# If women take jobs only in their own district (no commuting across district lines), each district
# counts its own jobs and its own women, and the two metro lists part ways:

# %%
supply_local = supply_from_trainees(records.trainees, taxonomy, site.gazetteer, neighbours={})
for district in ("Kolkata", "Howrah"):
    if district in PARTNER_DISTRICTS:
        display(Markdown(f"**{district}, its own jobs and women only**"))
        display(priority_table(district, local_only=True, limit=5)[
            ["occupation", "jobs expected", "women nearby", "growth / year", "score"]])

# %% [markdown]
# ## 5. Check against the hidden truth — only possible on synthetic data
#
# The demo bundle was generated from a known "true" market: every series has a true yearly growth
# rate. **For real programme data this truth does not exist**; this section only shows that the model
# recovers what it should on data where we know the answer. Growth is the hardest part to learn from
# three years of counts; small series, with few postings a month, agree least.

# %%
from scipy.stats import spearmanr

from demo.truth import TruthModel

truth_file = BUNDLE_DIR / "_truth" / "truth.json"
if truth_file.is_file():
    truth = TruthModel.load(BUNDLE_DIR)
    true_growth = np.array([truth.demand_growth(d, o) for d, o in model.series_])
    large = model.level_ >= 8
    rho_all = spearmanr(model.growth_, true_growth).statistic
    rho_large = spearmanr(model.growth_[large], true_growth[large]).statistic
    print(f"growth per year, model vs truth: rank correlation (Spearman) {rho_all:.2f} over all "
          f"{model.n_series_} series, {rho_large:.2f} over the {int(large.sum())} series with at least 8 "
          f"postings a month; mean absolute error {np.abs(model.growth_ - true_growth).mean():.1%} a year")

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    ax = axes[0]
    ax.scatter(100 * true_growth, 100 * model.growth_, s=12 + 2 * np.sqrt(model.level_), alpha=0.5)
    limits = [100 * min(true_growth.min(), model.growth_.min()), 100 * max(true_growth.max(), model.growth_.max())]
    ax.plot(limits, limits, color="grey", lw=1)
    ax.set_xlabel("true growth, % a year")
    ax.set_ylabel("model's growth, % a year")
    ax.set_title("Growth per series (larger dots: busier series)")
    ax.grid(alpha=0.3)
    ax = axes[1]
    apparel = model.sectors_.index("apparel") if "apparel" in model.sectors_ else 0
    sector = model.sectors_[apparel]
    ax.plot(month_labels, model.seasonal_[apparel], marker="o", label="learnt")
    if sector in truth.params.get("seasonality", {}):
        profile = np.asarray(truth.params["seasonality"][sector], dtype=float)
        ax.plot(month_labels, profile / np.exp(np.log(profile).mean()), ls="--", color="black", label="true")
    ax.set_title(f"Yearly pattern, {taxonomy.sectors.get(sector, sector)}")
    ax.legend()
    ax.grid(alpha=0.3)
    show(fig, "truth_check")
else:
    print("this bundle carries no hidden truth (real data never does): nothing to compare")
