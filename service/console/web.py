"""The console's plumbing, shared by every page: the route class that turns errors into pages, the signed-in
session and the database session a page gets, the navigation, and `Page.render` (a template with the catalogue,
the CSRF token and the layout's context)."""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from sqlmodel import Session

from service.auth.models import ApiKey
from service.console import csrf, i18n
from service.console.session import COOKIE, ConsoleSession, SignInRequired, StaffOnly, resolve, secret
from service.core.actor import STATE_KEY
from service.core.errors import DomainError
from service.core.reference import Reference
from service.keys.sites import key_site_codes, site_for
from service.matches.index import MatchIndex, SiteIndexes
from service.records.unit_of_work import unit_of_work

HERE = Path(__file__).resolve().parent
PREFIX = "/console"
STATIC = "/console/static"
templates = Jinja2Templates(directory=HERE / "templates")
# Pages hold personal data: never cached, never framed, nothing loaded from anywhere but the app itself.
HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
                               "form-action 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


@dataclass(frozen=True)
class NavEntry:
    path: str  # under /console
    label: str  # catalogue key


# The header's navigation, in order. A new screen adds its entry here (and its label to locales/en.json).
NAV: list[NavEntry] = [
    NavEntry("/", "nav.today"),
    NavEntry("/trainees", "nav.trainees"),
    NavEntry("/openings", "nav.openings"),
    NavEntry("/proposals", "nav.proposals"),
    NavEntry("/followups", "nav.followups"),
    NavEntry("/imports", "nav.imports"),
    NavEntry("/market", "nav.market"),
    NavEntry("/cohort-plan", "nav.cohort_plan"),
    NavEntry("/trainer-candidates", "nav.trainer_candidates"),
]


def translator(request: Request) -> i18n.Translator:
    """The page's language: `?lang=`, else the `lang` cookie, else the browser's Accept-Language, else English."""
    return i18n.Translator(i18n.choose(query=request.query_params.get("lang"),
                                       cookie=request.cookies.get(i18n.LANG_COOKIE),
                                       accept_language=request.headers.get("accept-language")))


def secure_cookies(request: Request) -> bool:
    """Cookies are Secure when the settings say so, or (unset) when the request came over https."""
    configured = request.app.state.settings.console_secure_cookie
    return request.url.scheme == "https" if configured is None else bool(configured)


def set_cookie(request: Request, response: Response, name: str, value: str, *, max_age: int | None = None,
               http_only: bool = True) -> None:
    """Set one of the console's cookies: HttpOnly, SameSite=Lax, Secure as configured, only for /console."""
    response.set_cookie(name, value, max_age=max_age, path=PREFIX, httponly=http_only, samesite="lax",
                        secure=secure_cookies(request))


def _signed_in(request: Request) -> ConsoleSession:
    """The request's session, its key checked now (a short unit of work of its own: it may create the signing
    secret the first time)."""
    with unit_of_work(request.app.state.engine) as session:
        signed = resolve(session=session, cookie=request.cookies.get(COOKIE))
        signing = secret(session=session)
    state = request.scope.setdefault("state", {})
    state[STATE_KEY], state["key_prefix"], state["role"] = signed.key, signed.key.prefix, signed.key.role
    request.state.console = signed
    request.state.csrf_token = csrf.token(secret=signing, session_id=signed.session_id)
    request.state.csrf_secret = signing
    return signed


async def signed_in(request: Request) -> ConsoleSession:
    """Dependency: the signed-in staff session (redirect to sign in otherwise)."""
    return await run_in_threadpool(_signed_in, request)


SignedIn = Annotated[ConsoleSession, Depends(signed_in)]


def database(request: Request, signed: SignedIn) -> Iterator[Session]:
    """Dependency: the page's unit of work, acting as the signed-in key (what it reads is audited as the API
    audits it), committed once when the page is rendered."""
    with unit_of_work(request.app.state.engine, timezone=request.app.state.reference.site.timezone,
                      actor=signed.key) as session:
        yield session


async def csrf_checked(request: Request, signed: SignedIn) -> None:
    """Dependency of every POST page: the form's CSRF token (or htmx's header) must be this session's."""
    sent = request.headers.get(csrf.HEADER)
    if sent is None:
        sent = str((await request.form()).get(csrf.FIELD) or "") or None
    csrf.check(secret=request.state.csrf_secret, session_id=signed.session_id, sent=sent)


CsrfChecked = Depends(csrf_checked)


@dataclass
class Page:
    """What a page handler works with: the request, the signed-in key, the unit of work, the catalogue."""

    request: Request
    key: ApiKey
    session: Session
    t: i18n.Translator

    @cached_property
    def site(self) -> str:
        """The site the page is about: `?site=` when the key works in it, else the key's own (else the default)."""
        return site_for(session=self.session, key=self.key, reference=self.request.app.state.reference,
                        asked=self.request.query_params.get("site") or None)

    @property
    def reference(self) -> Reference:
        """The reference data of the page's site (which knows every served site)."""
        return self.request.app.state.reference.of(self.site)

    @property
    def indexes(self) -> SiteIndexes:
        """The live match indexes, one per site (the match services bring the ones they use up to date)."""
        return self.request.app.state.index

    @cached_property
    def index(self) -> MatchIndex:
        """The page's site's live match index, brought up to the database's newest change first."""
        return self.request.app.state.index.current(self.site, self.session)

    @property
    def wants_fragment(self) -> bool:
        """An htmx request for part of a page (not a boosted whole page)."""
        return self.request.headers.get("hx-request") == "true" and self.request.headers.get("hx-boosted") != "true"

    def render(self, template: str, context: dict[str, Any] | None = None, *, fragment: str | None = None,
               status: int = 200) -> HTMLResponse:
        """The page (or, for htmx, only its fragment template) with the layout's context."""
        name = fragment if fragment and self.wants_fragment else template
        return render(self.request, name, {"site": self.reference.site, "site_choices": self.site_choices(),
                                           **(context or {})}, t=self.t, status=status)

    def site_choices(self) -> list[tuple[str, str]]:
        """The served sites this key works in, (code, name), when there is more than one to choose from."""
        served = self.request.app.state.reference
        mine = key_site_codes(session=self.session, key=self.key)
        codes = [code for code in served.served() if mine is None or code in mine]
        return [(code, served.of(code).site.name) for code in codes] if len(codes) > 1 else []


def page(request: Request, signed: SignedIn, session: Annotated[Session, Depends(database, scope="function")],
         t: Annotated[i18n.Translator, Depends(translator)]) -> Page:
    return Page(request=request, key=signed.key, session=session, t=t)


PageDep = Annotated[Page, Depends(page)]


def static_url(request: Request, name: str) -> str:
    return f"{request.scope.get('root_path', '')}{STATIC}/{name}"


def console_url(request: Request, path: str = "/") -> str:
    return f"{request.scope.get('root_path', '')}{PREFIX}{path}"


def render(request: Request, template: str, context: dict[str, Any], *, t: i18n.Translator | None = None,
           status: int = 200) -> HTMLResponse:
    """A template with the layout's context: the catalogue (`t`), the language, the signed-in key (if any), the
    navigation, the CSRF token and URL helpers."""
    t = t or translator(request)
    token = getattr(request.state, "csrf_token", "")
    signed: ConsoleSession | None = getattr(request.state, "console", None)
    path = request.url.path.removeprefix(request.scope.get("root_path", "")).removeprefix(PREFIX) or "/"
    layout = {
        "t": t, "lang": t.lang, "languages": i18n.languages(), "key": signed.key if signed else None,
        "nav": NAV if signed else [], "current": path, "csrf_token": token,
        "csrf_input": lambda form_token=None: csrf_input(form_token or token), "site": request.app.state.reference.site,
        "static": lambda name: static_url(request, name), "url": lambda p="/": console_url(request, p),
    }
    response = templates.TemplateResponse(request, template, {**layout, **context}, status_code=status)
    response.headers.update(HEADERS)
    if request.query_params.get("lang") == t.lang:  # chosen on this page: remembered for the next
        set_cookie(request, response, i18n.LANG_COOKIE, t.lang, max_age=365 * 24 * 3600)
    return response


def csrf_input(token: str) -> Markup:
    """The hidden field every POST form carries."""
    return Markup(f'<input type="hidden" name="{csrf.FIELD}" value="{escape(token)}">')


def sign_in_redirect(request: Request) -> RedirectResponse:
    """303 to the sign-in page, coming back here afterwards."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    response = RedirectResponse(console_url(request, f"/sign-in?next={quote(here, safe='')}"), status_code=303)
    response.headers.update(HEADERS)
    return response


def error_page(request: Request, status: int, message: str, errors: list[str] | None = None) -> HTMLResponse:
    """The page of an error: its status, the service's sentence and, for invalid input, each problem."""
    return render(request, "error.html", {"status": status, "message": message, "errors": errors or []},
                  status=status)


def _located(errors: list[dict[str, Any]] | None) -> list[str]:
    return [f"{'.'.join(str(part) for part in error.get('loc', ())[1:])}: {error.get('reason', '')}"
            for error in errors or []]


class ConsoleRoute(APIRoute):
    """A console route: an error becomes a page, not problem+json. No valid session redirects to sign-in, a key
    of another role gets the staff-only page, a domain error its status with the service's sentence."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def console_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                return sign_in_redirect(request)
            except StaffOnly:
                return render(request, "staff_only.html", {}, status=403)
            except csrf.CsrfRejected:
                return error_page(request, 403, translator(request)("error.csrf"))
            except DomainError as exc:
                return error_page(request, exc.status, exc.detail, _located(exc.errors))
            except RequestValidationError as exc:
                return error_page(request, 422, translator(request)("error.invalid"),
                                  _located([{"loc": err.get("loc", ()), "reason": err.get("msg", "")}
                                            for err in exc.errors()]))

        return console_handler
