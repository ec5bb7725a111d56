"""Console pages: thin routes that call the domain services (through `views`) and render a template."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from service.console import csrf, signin, views
from service.console.session import COOKIE
from service.console.web import HEADERS, ConsoleRoute, CsrfChecked, PageDep, console_url, render, set_cookie
from service.core.http import ExternalIdPath

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
Text = Annotated[str, Form(max_length=500)]


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, next: str = "/console/") -> Response:
    form_id = csrf.new_id()
    response = render(request, "sign_in.html", {"next": signin.safe_next(next),
                                                "form_token": signin.form_token(request, form_id)})
    set_cookie(request, response, csrf.PRE_SESSION_COOKIE, form_id, max_age=3600)
    return response


@router.post("/sign-in", response_class=HTMLResponse)
async def sign_in(request: Request, api_key: Annotated[str, Form(max_length=200)], csrf_token: Text = "",
                  next: Text = "/console/") -> Response:
    return await run_in_threadpool(signin.exchange, request, raw_key=api_key, sent_token=csrf_token, next=next)


@router.post("/sign-out", dependencies=[CsrfChecked])
def sign_out(request: Request) -> Response:
    signin.leave(request)
    response = RedirectResponse(console_url(request, "/sign-in"), status_code=303)
    response.headers.update(HEADERS)
    response.delete_cookie(COOKIE, path="/console")
    return response


@router.get("/", response_class=HTMLResponse)
def today(page: PageDep) -> Response:
    return page.render("today.html", views.today(page))


@router.get("/trainees", response_class=HTMLResponse)
def trainees(page: PageDep) -> Response:
    return page.render("trainees.html", views.trainee_list(page), fragment="trainees_results.html")


@router.get("/trainees/{external_id}", response_class=HTMLResponse)
def trainee(external_id: ExternalIdPath, page: PageDep, blocked: bool = False) -> Response:
    if page.wants_fragment:  # "show blocked" swaps only her matches
        return page.render("trainee_matches.html", views.trainee_matches(page, external_id, show_blocked=blocked))
    return page.render("trainee.html", views.trainee_page(page, external_id, show_blocked=blocked))


@router.get("/openings", response_class=HTMLResponse)
def openings(page: PageDep) -> Response:
    return page.render("openings.html", views.opening_list(page), fragment="openings_results.html")


@router.get("/openings/{external_id}", response_class=HTMLResponse)
def opening(external_id: ExternalIdPath, page: PageDep) -> Response:
    return page.render("opening.html", views.opening_page(page, external_id))
