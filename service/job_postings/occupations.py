"""What a posting's job is: its title, its occupation and sector in the taxonomy, and the skills it asks for."""

from __future__ import annotations

import re
from typing import Any

from matching.reference import normalise_text
from service.job_postings.context import PostingContext
from service.job_postings.readers import describe, html_lines, join_path, show, strip_html, text_of
from service.job_postings.wording import experience_level

MAX_TITLE = 200
MAX_SKILL_LABEL = 100
MAX_SKILLS = 100

_LEADING_CODE = re.compile(r"^\s*[0-9][0-9.\-]*\s*[-:–]?\s*")
_SKILL_SEPARATORS = re.compile(r"[,;\n\r•|]+")


class Occupations(PostingContext):
    def title_and_occupation(self) -> None:
        raw = self.take("title")
        path = self.at("title")
        title = None
        if raw is None:
            self.error(path, "missing: give the job title")
        elif not isinstance(raw, str) or not raw.strip():
            self.error(path, f"must be non-empty text, not {describe(raw)}")
        else:
            title = strip_html(raw)
            if len(title) > MAX_TITLE:
                self.skip(path, f"{len(title)} characters long: truncated to the first {MAX_TITLE}")
                title = title[:MAX_TITLE].rstrip()
            self.opening["title"] = title
        category = self.take("occupationalCategory")
        category_path = self.at("occupationalCategory")
        code = None
        if category is not None:
            code, tried = self.category_code(category)
            if code is None:
                by_title = self.reference.occupations.match(title).code if title else None
                how = (f"the occupation was taken from title ('{title}' → {by_title})" if by_title
                       else "the title is kept as the occupation text")
                self.skip(category_path, f"{tried} is not an occupation of the jobmatch taxonomy; {how}")
                code = by_title
        elif title:
            code = self.reference.occupations.match(title).code
        occupation = code or title
        if occupation:
            self.opening["occupation"] = occupation
        self.sector(code)

    def category_code(self, category: Any) -> tuple[str | None, str]:
        texts: list[str] = []
        for item in category if isinstance(category, list) else [category]:
            if isinstance(item, str):
                texts.append(item)
            elif isinstance(item, dict):
                texts += [item[k] for k in ("codeValue", "name") if isinstance(item.get(k), str)]
        for text in texts:
            for candidate in (text, _LEADING_CODE.sub("", text)):
                if candidate.strip():
                    code = self.reference.occupations.match(candidate.strip()).code
                    if code:
                        return code, text
        shown = " / ".join(f"'{t}'" for t in texts) if texts else f"{describe(category)}"
        return None, shown

    def sector(self, occupation_code: str | None) -> None:
        industry = self.take("industry")
        sectors = self.reference.taxonomy.sectors
        from_occupation = (self.reference.taxonomy.occupations[occupation_code].sector
                           if occupation_code in self.reference.taxonomy.occupations else None)
        if industry is not None:
            text = text_of(industry)
            wanted = normalise_text(text) if text else ""
            for code, name in sectors.items():
                if wanted and wanted in (normalise_text(code), normalise_text(name)):
                    self.opening["sector"] = code
                    return
            fallback = (f"the sector is taken from the occupation ({from_occupation})" if from_occupation
                        else "no sector is recorded")
            self.skip(self.at("industry"), f"{show(text or industry)} is not a sector of the jobmatch taxonomy"
                                           f" ({', '.join(sectors)}); {fallback}")
        self.opening["sector"] = from_occupation

    def skills(self) -> None:
        raw = self.take("skills")
        requirement = self.take("experienceRequirements")
        path = self.at("skills")
        level = experience_level(requirement) if requirement is not None else 1
        if raw is None:
            self.opening["required_skills"] = []
            if requirement is not None:
                self.skip(self.at("experienceRequirements"), "not used: it only sets the level of listed skills, and"
                                                             " the posting lists no skills")
            return
        items = [(join_path(path, i), item) for i, item in enumerate(raw)] if isinstance(raw, list) else [(path, raw)]
        labels: list[str] = []
        seen: set[str] = set()
        for item_path, item in items:
            text = text_of(item)
            if text is None:
                self.skip(item_path, f"is {describe(item)}: give skills as text or DefinedTerm objects with a name")
                continue
            for label in _SKILL_SEPARATORS.split(html_lines(text)):
                label = " ".join(label.split())
                if not label or label.casefold() in seen:
                    continue
                if len(label) > MAX_SKILL_LABEL:
                    self.skip(item_path, f"'{label[:40]}...' is longer than {MAX_SKILL_LABEL} characters: not read"
                                         " as a skill")
                    continue
                if len(labels) >= MAX_SKILLS:
                    self.skip(item_path, f"'{label}' not kept: an opening lists at most {MAX_SKILLS} skills")
                    continue
                seen.add(label.casefold())
                labels.append(label)
        self.opening["required_skills"] = [{"label": label, "level": level} for label in labels]
