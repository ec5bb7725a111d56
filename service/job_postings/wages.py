"""The wage of a posting (``baseSalary``, per HOUR, DAY, WEEK, MONTH or YEAR, as a monthly wage) and its number
of positions (``totalJobOpenings``)."""

from __future__ import annotations

from service.job_postings.context import PostingContext
from service.job_postings.readers import describe, join_path, read_number, round_half_up, show

#: Pay periods a salary can be given per.
PAY_PERIODS = ("HOUR", "DAY", "WEEK", "MONTH", "YEAR")
MAX_POSITIONS = 10_000
MAX_MONTHLY_WAGE = 10_000_000


class Wages(PostingContext):
    def positions(self) -> None:
        if "totalJobOpenings" not in self.posting:
            self.opening["positions"] = 1
            return
        value = self.take("totalJobOpenings")
        path = self.at("totalJobOpenings")
        number = read_number(value)
        if number is None or not number.is_integer():
            self.error(path, f"{show(value)} is not a whole number of openings")
        elif not 0 <= number <= MAX_POSITIONS:
            self.error(path, f"{int(number)} openings is out of range: give 0 to {MAX_POSITIONS}")
        else:
            self.opening["positions"] = int(number)

    def salary(self) -> None:
        raw = self.take("baseSalary")
        path = self.at("baseSalary")
        if raw is None:
            self.error(path, "missing: a wage is required; give a MonetaryAmount with currency"
                             f" {self.reference.currency} and a value per HOUR, DAY, WEEK, MONTH or YEAR")
            return
        if isinstance(raw, list):
            if len(raw) != 1:
                self.error(path, f"gives {len(raw)} salaries: give one MonetaryAmount (one opening has one wage)")
                return
            raw, path = raw[0], join_path(path, 0)
        if not isinstance(raw, dict):
            self.error(path, f"is {describe(raw)}, not a MonetaryAmount: give {{\"currency\": "
                             f"\"{self.reference.currency}\", \"value\": {{\"value\": ..., \"unitText\": \"MONTH\"}}}}"
                             " so the pay period is known")
            return
        self.currency(raw, path)
        holder, holder_path = raw, path
        if isinstance(raw.get("value"), dict):
            holder, holder_path = raw["value"], join_path(path, "value")
        unit, unit_path = self.unit(raw, path, holder, holder_path)
        amount = self.amount(holder, holder_path)
        if unit is None or amount is None:
            return
        monthly = round_half_up(amount * self.per_month[unit])
        if monthly > MAX_MONTHLY_WAGE:
            self.error(unit_path, f"{amount:g} per {unit} is {monthly} a month, more than {MAX_MONTHLY_WAGE}:"
                                  " check the amount and unitText")
            return
        self.opening["monthly_wage_inr"] = monthly

    def amount(self, holder: dict, holder_path: str) -> float | None:
        """The lowest amount given (value or minValue); maxValue is checked and reported as not stored."""
        amounts: dict[str, float] = {}
        bad = False
        for key in ("value", "minValue", "maxValue"):
            if key in holder and holder[key] is not None:
                number = read_number(holder[key])
                if number is None:
                    self.error(join_path(holder_path, key), f"{show(holder[key])} is not a number: give the amount"
                                                            " as a number, like 12000 or 55.5")
                    bad = True
                else:
                    amounts[key] = number
        if bad:
            return None
        lowest = [(amounts[k], k) for k in ("value", "minValue") if k in amounts]
        if not lowest:
            where = join_path(holder_path, "value" if "maxValue" not in amounts else "minValue")
            self.error(where, "missing: give the amount (value, or minValue for a range; the lowest pay is checked"
                              " against the minimum wage)")
            return None
        amount, key = min(lowest)
        if amount <= 0:
            self.error(join_path(holder_path, key), f"{amount:g} is not a wage: it must be more than zero")
            return None
        if "maxValue" in amounts:
            if amounts["maxValue"] < amount:
                self.error(join_path(holder_path, "maxValue"), f"{amounts['maxValue']:g} is below the lowest amount"
                                                                 f" of the range ({amount:g})")
                return None
            self.skip(join_path(holder_path, "maxValue"), "the lowest pay of the range is stored as the wage (it"
                                                          " is checked against the minimum wage); maxValue is not")
        return amount

    def currency(self, raw: dict, path: str) -> None:
        own = raw.get("currency")
        posting_currency = self.posting.get("salaryCurrency")
        site = self.reference.currency
        if "salaryCurrency" in self.posting:
            self.used.add("salaryCurrency")
        if own is None and posting_currency is None:
            self.error(join_path(path, "currency"), f"missing: give the currency of the wage ({site})")
            return
        for value, where in ((own, join_path(path, "currency")), (posting_currency, self.at("salaryCurrency"))):
            if value is None:
                continue
            if not isinstance(value, str) or value.strip().upper() != site.upper():
                self.error(where, f"{show(value)} is not the currency of {self.site_name} ({site}): give the wage in"
                                  f" {site}, as it is checked against the minimum wage")

    def unit(self, raw: dict, path: str, holder: dict, holder_path: str) -> tuple[str | None, str]:
        candidates = [(holder.get("unitText"), join_path(holder_path, "unitText"))]
        if holder is not raw:
            candidates.append((raw.get("unitText"), join_path(path, "unitText")))
        given = [(value, where) for value, where in candidates if value is not None]
        if not given:
            self.error(join_path(holder_path, "unitText"),
                       "missing: say what period the amount is for: HOUR, DAY, WEEK, MONTH or YEAR")
            return None, ""
        units = []
        for value, where in given:
            unit = value.strip().upper() if isinstance(value, str) else None
            if unit not in PAY_PERIODS:
                self.error(where, f"{show(value)} is not a pay period jobmatch can convert to a monthly wage: use HOUR,"
                                  " DAY, WEEK, MONTH or YEAR")
                return None, where
            units.append((unit, where))
        if len({u for u, _ in units}) > 1:
            self.error(units[0][1], f"{units[0][0]} disagrees with {units[1][1]} ({units[1][0]}): give one pay period")
            return None, units[0][1]
        return units[0]
