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
# # The outcome model: who stays in her job for a year, and why
#
# When jobmatch proposes an opening to a woman, its main score is the chance that she is **still in
# that job 12 months after starting**. That chance is learnt from the programme's own history: every
# placement, and the follow-up calls at months 1, 3, 6 and 12. This notebook
#
# 1. builds that history from the records, as it stood on 1 November 2026;
# 2. fits the outcome model the service uses;
# 3. checks whether its chances can be trusted (**calibration**: of the women given 70 %, do about
#    70 % stay?);
# 4. shows what the model has learnt: which factors go with staying or leaving;
# 5. shows which employers keep women longest;
# 6. on synthetic data only, compares the model with the hidden truth the data were generated from.
#
# It runs on the synthetic demo bundle (`data/demo`): every woman, employer and placement in it is
# invented. Nothing here needs the database; the files are read directly. No record of an individual
# woman is shown: only counts, rates and the model's learnt weights.

# %% tags=["parameters"]
# Parameters. The test suite and CI set JOBMATCH_NOTEBOOK_OUTPUT; otherwise figures go to a new
# temporary folder, never into the repository.
import os
import tempfile

BUNDLE = "data/demo"                      # the import bundle to read (relative to the repository)
SITE = "west_bengal"                      # folder under data/sites/
AS_OF = "2026-11-01"                      # the day the history is read as of
OUTPUT_DIR = os.environ.get("JOBMATCH_NOTEBOOK_OUTPUT") or tempfile.mkdtemp(prefix="jobmatch-outcome-model-")

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
from scipy.stats import spearmanr

from matching.demand_model import DemandForecaster, SignalFrame, period_index, period_label
from matching.engine import MatchEngine
from matching.outcome_data import INTERVALS, build_training_set, read_bundle_records
from matching.outcome_model import OutcomeModel
from matching.reference import load_site, load_taxonomy
from matching.scoring import WeightedScorer
from matching.tables import OpeningTable, TraineeTable
from service.models_registry.training import OUTCOME_C  # the regularisation `jobmatch train` uses


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
pd.set_option("display.precision", 3)


def show(fig: plt.Figure, name: str) -> None:
    """Save a figure to the output folder and show it here."""
    path = OUT / f"outcome_model_{name}.png"
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    display(Image(filename=str(path)))


print(f"bundle: {BUNDLE_DIR.relative_to(REPO)}; figures saved to {OUT}")

# %% [markdown]
# ## 1. The records
#
# The bundle's trainees, employers, openings, placements and follow-ups are read as the service
# stores them (skills mapped onto the taxonomy). **Whether a woman is a survivor is never used**: the
# field is removed from the records as soon as they are read, and the model has no such input.

# %%
DATA = REPO / "data"
taxonomy = load_taxonomy(DATA / "taxonomy.json")
site = load_site(DATA / "sites" / SITE)
as_of = datetime.date.fromisoformat(AS_OF)

records = read_bundle_records(BUNDLE_DIR, taxonomy=taxonomy)
for trainee in records.trainees:
    trainee.pop("is_survivor", None)  # sensitive: never a feature, never shown

print(f"{len(records.trainees)} trainees, {len(records.employers)} employers, {len(records.openings)} openings, "
      f"{len(records.placements)} placements, {len(records.followups)} follow-up calls")

# %% [markdown]
# The model also sees how fast postings for the occupation are growing in the district (a job in a
# growing market may last longer), so the demand model is fitted first, on the market signals up to
# the last complete month, exactly as `jobmatch train` does.

# %%
sector_of = {code: occupation.sector for code, occupation in taxonomy.occupations.items()}
last_complete = period_label(period_index(as_of) - 1)
own_openings = [{"district": o["district"], "occupation": o["occupation_code"], "posted_on": o["posted_on"]}
                for o in records.openings
                if o.get("occupation_code") and o.get("posted_on") and o["posted_on"][:7] <= last_complete]
demand = DemandForecaster().fit(SignalFrame.from_csv(BUNDLE_DIR / "market_signals.csv").until(last_complete),
                                sector_of=sector_of, own_openings=own_openings, as_of_period=last_complete)
engine = MatchEngine(taxonomy=taxonomy, site=site, demand=demand)
print(f"demand model: {demand.n_series_} series up to {demand.last_period_}")

# %% [markdown]
# ## 2. The history, as it stood on 1 November 2026
#
# Each placement is followed through four periods: the first month, months 2–3, months 4–6 and months
# 7–12. A woman counts in a period once it is over (plus 30 days for the follow-up call) and a call,
# or an end date, says whether she was still there. Placements younger than a year still count for
# the periods they have been followed: nothing is thrown away, and nobody is assumed to have stayed
# without a call confirming it.

# %%
history = build_training_set(engine=engine, trainees=records.trainees, openings=records.openings,
                             employers=records.employers, placements=records.placements,
                             followups=records.followups, as_of=as_of)
usable = history.usable
known = history.twelve_month_known
summary = pd.Series({
    "placements started by the as-of day": len(history),
    "followed through at least the first month": int(usable.sum()),
    "left within 12 months": history.n_events,
    "12-month outcome known": int(known.sum()),
    "... of whom still in the job at 12 months": int(history.twelve_month_retained[known].sum()),
    "waiting for a confirming follow-up call": int(history.unconfirmed.sum()),
}, name="count")
display(summary.to_frame())

rows, interval, event = history.person_periods()
periods = pd.DataFrame([{
    "months": f"{a + 1}–{b}" if b > 1 else "1",
    "women followed through it": int((interval == k).sum()),
    "left in it": int(event[interval == k].sum()),
} for k, (a, b) in enumerate(INTERVALS)]).set_index("months")
periods["share who left"] = periods["left in it"] / periods["women followed through it"]
periods["still in the job at its end"] = np.cumprod(1 - periods["share who left"])
display(periods)

# %%
fig, ax = plt.subplots(figsize=(7, 4))
ends = [0] + [b for _, b in INTERVALS]
ax.step(ends, [1.0, *periods["still in the job at its end"]], where="post", marker="o")
ax.set_xticks(ends)
ax.set_xlabel("months since she started")
ax.set_ylabel("share still in the job")
ax.set_ylim(0, 1.02)
ax.set_title("Retention over the first year, all placements")
ax.grid(alpha=0.3)
show(fig, "retention_curve")

# %% [markdown]
# ## 3. The model
#
# The model estimates, for each period, the chance that she leaves in it, from the features of the
# pair: how well her skills fit, the journey, the pay against what she expects and against the legal
# minimum, the shift, transport, her preferred sectors, languages, her attendance in training,
# dependants (and night or rotating shifts with dependants), whether the employer is vetted, and the
# employer's own record of keeping women. Multiplying the chances of staying through the four periods
# gives the 12-month chance. The settings are those of `jobmatch train`.

# %%
model = OutcomeModel(C=OUTCOME_C).fit(history)
print(model.reason_)
print(f"12-month retention over the history (base rate): {model.base_rate_:.1%}; "
      f"calibration step: {model.calibration_ or 'none needed'}")

# %% [markdown]
# ### Can the chances be trusted? Calibration
#
# Each placement whose 12-month outcome is known is scored by a model fitted **without her** (five
# groups of women; each group is scored by the model learnt from the other four). The placements are
# then sorted by their chance into ten equal groups; for each group the plot compares the average
# chance given with the share who actually stayed. Points near the diagonal mean the chances can be
# read at face value. Each group holds only a dozen or so placements, so each observed share is
# uncertain by more than ten points either way (the vertical bars): some scatter is expected.
#
# The **Brier score** is the average squared gap between the chance given and what happened (1 if she
# stayed, 0 if she left): lower is better. The reference is the Brier score of giving every woman the
# same chance, the overall rate; a model that knows something beats it.

# %%
metrics = model.metrics_
reliability = pd.DataFrame(metrics["reliability"], columns=["average chance given", "share who stayed", "placements"])
skill = 1 - metrics["brier"] / metrics["brier_base_rate"]
print(f"evaluated on {metrics['n']} placements with a known 12-month outcome ({metrics['evaluated_on']})")
print(f"Brier score: model {metrics['brier']:.4f}, same chance for everyone ({model.base_rate_:.1%}) "
      f"{metrics['brier_base_rate']:.4f}: {skill:+.1%} better")
print(f"AUC (chance that a woman who stayed was given a higher score than one who left): {metrics['auc']:.3f}")
test = metrics.get("calibration_test") or {}
if test:
    print(f"calibration test: p = {test['p_value']:.2f} (below 0.01 would add a correction step)")
display(reliability)

fig, ax = plt.subplots(figsize=(5.5, 5.5))
ax.plot([0, 1], [0, 1], color="grey", lw=1, label="perfect calibration")
standard_error = np.sqrt(reliability["share who stayed"].clip(0.05, 0.95)
                         * (1 - reliability["share who stayed"].clip(0.05, 0.95)) / reliability["placements"])
ax.errorbar(reliability["average chance given"], reliability["share who stayed"], yerr=standard_error, fmt="o",
            ms=7, capsize=3, zorder=3, label="groups of placements (out of fold), ±1 standard error")
ax.axhline(metrics["observed_rate"], color="tab:orange", ls=":", label="overall share who stayed")
ax.set_xlim(0, 1)
ax.set_ylim(0, 1)
ax.set_xlabel("chance of staying 12 months, given by the model")
ax.set_ylabel("share who actually stayed")
ax.set_title(f"Calibration: Brier {metrics['brier']:.3f} vs {metrics['brier_base_rate']:.3f} (base rate)")
ax.legend(loc="upper left", fontsize=8)
ax.grid(alpha=0.3)
show(fig, "calibration")

# %% [markdown]
# ## 4. What the model has learnt
#
# Each bar is one input. It shows how the chance of leaving in any period moves when the input is one
# standard deviation higher (a typical difference between two placements), with everything else the
# same. Bars are drawn so that **to the right means she tends to stay longer**, to the left that she
# tends to leave sooner.
#
# How to read them: these are patterns in the programme's past placements, not proof of cause and
# effect. With a couple of hundred placements and the strong restraint the model is fitted with, every
# bar is shrunk towards zero, and short bars are as likely noise as signal. Inputs that move together
# (the journey in minutes and as a share of what she accepts, for example) share their effect between
# them, so read them as a group.

# %%
effects = pd.DataFrame({"input": model.feature_names_, "factor": model.feature_factors_,
                        "stays longer (per standard deviation)": -np.asarray(model.coef_)})
effects = effects.sort_values("stays longer (per standard deviation)")

fig, ax = plt.subplots(figsize=(8, 0.3 * len(effects) + 1))
values = effects["stays longer (per standard deviation)"]
ax.barh(effects["input"], values, color=np.where(values >= 0, "tab:green", "tab:red"))
ax.axvline(0, color="black", lw=0.8)
ax.set_xlabel("← leaves sooner        effect on the log-odds of staying, per standard deviation        "
              "stays longer →")
ax.set_title("What goes with staying or leaving (past placements)")
ax.grid(axis="x", alpha=0.3)
show(fig, "feature_effects")

# %% [markdown]
# The inputs are grouped into the factors a coordinator sees next to each proposed match. For every
# placement in the history, each factor's contribution says how much higher or lower her 12-month
# chance is than it would be with an average value of that factor, the rest unchanged. The table
# gives, per factor, the typical size of that difference (either way, in percentage points) and the
# largest pushes towards staying and towards leaving.

# %%
placements_features = history.subset(usable).features
score, contributions = model.predict(placements_features)
score_logit = np.log(score / (1 - score))


def points(contribution: np.ndarray) -> np.ndarray:
    """Her chance minus her chance with this factor at its average, in percentage points."""
    return 100 * (score - 1 / (1 + np.exp(-(score_logit - contribution))))


factor_table = pd.DataFrame([{
    "factor": factor,
    "typical size (pp)": float(np.mean(np.abs(points(values)))),
    "largest push to stay (pp)": float(np.max(points(values))),
    "largest push to leave (pp)": float(np.min(points(values))),
} for factor, values in contributions.items() if factor != "baseline"]).set_index("factor")
display(factor_table.sort_values("typical size (pp)", ascending=False).round(1))

# %% [markdown]
# ## 5. Which employers keep women longest
#
# For each employer, the share of the women it took on who were still there at 12 months, counted
# period by period so that recent placements count for the months they have been followed. An
# employer with few placements is pulled towards the overall rate (its own record counts in proportion
# to `n / (n + k)`, `n` the women it had in each period, `k` printed below), so that one or two women
# leaving does not brand an employer: the fewer its placements, the closer to the overall rate it
# stays. The raw share (women still there at 12 months among those whose 12-month outcome is known) is
# shown next to it. This record is one of the model's inputs ("employer history"). Employer names are
# the synthetic ones of `employers.csv`.

# %%
employer_ids = history.employer.astype(str)
observed = history.twelve_month_retained
employer_rows = []
for employer_id, retention in model.employer_retention_.items():
    mine = employer_ids == employer_id
    record = records.employers.get(employer_id, {})
    employer_rows.append({
        "employer": record.get("name", employer_id), "id": employer_id,
        "sector": taxonomy.sectors.get(record.get("sector"), record.get("sector")),
        "vetted": bool(record.get("vetted")),
        "placements (n)": int((mine & usable).sum()),
        "12-month outcome known": int((mine & known).sum()),
        "stayed 12 months (raw)": float(observed[mine & known].mean()) if (mine & known).any() else np.nan,
        "12-month retention (shrunk)": retention,
    })
employers = pd.DataFrame(employer_rows).sort_values("12-month retention (shrunk)", ascending=False)
employers.index = np.arange(1, len(employers) + 1)
top = min(10, len(employers))
print(f"{len(employers)} employers with placements; overall 12-month retention {model.base_rate_:.1%}; "
      f"shrinking strength k = {model.employer_prior_strength:g}")
display(Markdown(f"**Top {top}: women stay longest**"))
display(employers.head(top).round(2))
display(Markdown(f"**Bottom {top}: women leave soonest** (worst first)"))
display(employers.tail(top).iloc[::-1].round(2))

# %%
fig, ax = plt.subplots(figsize=(8, 0.32 * len(employers) + 1))
ordered = employers.iloc[::-1]
ax.barh(ordered["employer"], ordered["12-month retention (shrunk)"],
        color=np.where(ordered["vetted"], "tab:blue", "tab:gray"))
ax.scatter(ordered["stayed 12 months (raw)"], ordered["employer"], color="black", marker="|", s=120, zorder=3,
           label="raw share (before shrinking)")
for y, n in enumerate(ordered["placements (n)"]):
    ax.text(0.01, y, f"n={n}", va="center", fontsize=7, color="white")
ax.axvline(model.base_rate_, color="tab:orange", ls=":", label="overall")
ax.set_xlim(0, 1)
ax.set_xlabel("12-month retention (blue: vetted employer, grey: not vetted)")
ax.set_title("Employers by how long women stay")
ax.legend(loc="lower right", fontsize=8)
show(fig, "employers")

# %% [markdown]
# ## 6. Check against the hidden truth — only possible on synthetic data
#
# The demo bundle was generated from a known "true" model of who stays: every woman-and-job pair has
# a true 12-month chance. **For real programme data this truth does not exist**; this section only
# shows that the model learns what it should on data where we know the answer.
#
# The test uses **unseen pairs**: every trainee against every opening still open, leaving out the
# pairs that were placements (the model learnt from those). The rank correlation (Spearman) says how
# well the model puts the pairs in the true order (1 = the same order, 0 = no relation). It is shown
# for all pairs and for those the safety rules allow (the ones ever proposed, which are more alike
# and so harder to tell apart), next to the transparent weighted score used before the model had
# enough history.

# %%
from demo.truth import TruthModel

TRUTH_TRAINEE_COLUMNS = ("external_id", "skills", "preferred_sectors", "has_dependents", "night_shift_ok",
                         "willing_to_relocate", "lat", "lon", "expected_wage_inr", "attendance_rate")
TRUTH_OPENING_COLUMNS = ("external_id", "required_skills", "sector", "shift", "transport_provided",
                         "accommodation_provided", "occupation", "district", "posted_on", "employer_external_id",
                         "lat", "lon", "monthly_wage_inr")
NUMERIC = {"lat", "lon", "expected_wage_inr", "attendance_rate", "monthly_wage_inr"}


def raw_columns(path: Path, columns: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """The named columns of a bundle file, by external id (nothing else is read)."""
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["external_id"]: {c: row[c] for c in columns} for row in csv.DictReader(handle)}


def true_probabilities(truth: TruthModel, trainee_ids: list[str], opening_ids: list[str]) -> np.ndarray:
    """The true 12-month chance of aligned (trainee, opening) pairs, from the bundle's raw columns."""
    trainees = raw_columns(BUNDLE_DIR / "trainees.csv", TRUTH_TRAINEE_COLUMNS)
    openings = raw_columns(BUNDLE_DIR / "openings.csv", TRUTH_OPENING_COLUMNS)

    def columns(rows: list[dict[str, str]], names: tuple[str, ...]) -> dict[str, np.ndarray]:
        return {name: np.array([r[name] for r in rows], dtype=np.float64 if name in NUMERIC else object)
                for name in names if name != "external_id"}

    o_rows = [openings[j] for j in opening_ids]
    o_cols = columns(o_rows, TRUTH_OPENING_COLUMNS)
    o_cols["vetted"] = np.array([bool(records.employers[r["employer_external_id"]]["vetted"]) for r in o_rows])
    return truth.retention_probability(columns([trainees[i] for i in trainee_ids], TRUTH_TRAINEE_COLUMNS), o_cols)


if (BUNDLE_DIR / "_truth" / "truth.json").is_file():
    truth = TruthModel.load(BUNDLE_DIR)
    open_openings = [r for r in records.openings if (r.get("status") or "open") == "open"]
    trainee_table = TraineeTable.from_records(records.trainees, taxonomy=taxonomy, site=site)
    opening_table = OpeningTable.from_records(open_openings, employers=records.employers, taxonomy=taxonomy,
                                              site=site)
    placed = {(p["trainee_external_id"], p["opening_external_id"]) for p in records.placements}
    t_idx, o_idx = (a.ravel() for a in np.meshgrid(np.arange(len(trainee_table)), np.arange(len(opening_table)),
                                                   indexing="ij"))
    unseen = np.array([(trainee_table.external_id[i], opening_table.external_id[j]) not in placed
                       for i, j in zip(t_idx.tolist(), o_idx.tolist())])
    t_idx, o_idx = t_idx[unseen], o_idx[unseen]
    pairs = MatchEngine(taxonomy=taxonomy, site=site, scorer=model, demand=demand).score_pairs(
        trainee_table, t_idx, opening_table, o_idx, as_of=as_of)
    weighted = WeightedScorer().predict(pairs.features)[0]
    true_p = true_probabilities(truth, [str(trainee_table.external_id[i]) for i in t_idx],
                                [str(opening_table.external_id[j]) for j in o_idx])

    agreement = pd.DataFrame([{
        "pairs": label, "n": int(mask.sum()),
        "outcome model: Spearman": spearmanr(pairs.score[mask], true_p[mask]).statistic,
        "weighted score: Spearman": spearmanr(weighted[mask], true_p[mask]).statistic,
        "model: average chance": float(pairs.score[mask].mean()), "truth: average chance": float(true_p[mask].mean()),
    } for label, mask in (("all unseen pairs", np.ones(len(t_idx), dtype=bool)),
                          ("allowed by the safety rules", pairs.allowed))]).set_index("pairs")
    display(agreement.round(3))

    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    hexes = ax.hexbin(true_p, pairs.score, gridsize=40, extent=(0, 1, 0, 1), bins="log", cmap="Blues", mincnt=1)
    ax.plot([0, 1], [0, 1], color="grey", lw=1)
    ax.set_xlabel("true 12-month chance (known only for synthetic data)")
    ax.set_ylabel("outcome model's 12-month chance")
    ax.set_title(f"Unseen pairs: Spearman {agreement.iloc[0, 1]:.2f} (all), {agreement.iloc[1, 1]:.2f} (allowed)")
    fig.colorbar(hexes, ax=ax, label="pairs (log scale)")
    show(fig, "truth_check")

    # employers: the model's record of each employer against the hidden employer quality
    ids = employers["id"].tolist()
    rho_employers = spearmanr(employers["12-month retention (shrunk)"],
                              [truth.employer_effects.get(e, 0.0) for e in ids]).statistic
    print(f"employers: rank correlation between the shrunk retention and the hidden employer quality "
          f"{rho_employers:.2f} ({len(ids)} employers)")

    # directions: the true effects (on the log-odds of staying) against the model's, where both have the input
    counterpart = {"skill_fit": "skill_fit", "commute_km": "commute_minutes", "log_wage_ratio": "log_wage_ratio",
                   "night": "night", "night_dependents": "night_dependents", "night_not_ok": "night_not_ok",
                   "rotating_dependents": "rotating_dependents", "transport": "transport",
                   "odd_hours_no_transport": "odd_hours_no_transport", "preferred_sector": "preferred_sector",
                   "attendance": "attendance", "below_minimum": "below_minimum"}
    learnt = dict(zip(model.feature_names_, -np.asarray(model.coef_)))
    directions = pd.DataFrame([{
        "input": term, "true effect (log-odds of staying, per unit)": truth.coefficients[name],
        "model (per standard deviation)": learnt[term],
        "same direction": bool(np.sign(truth.coefficients[name]) == np.sign(learnt[term])),
    } for name, term in counterpart.items() if term in learnt]).set_index("input")
    directions.loc["employer_vetted"] = [-truth.coefficients["unvetted"], learnt.get("employer_vetted", np.nan),
                                         bool(-truth.coefficients["unvetted"] * learnt.get("employer_vetted", 0) > 0)]
    print(f"direction of effect agrees with the truth for {int(directions['same direction'].sum())} of "
          f"{len(directions)} inputs (the sizes are on different scales and are not comparable)")
    display(directions.round(3))
else:
    print("this bundle carries no hidden truth (real data never does): nothing to compare")
