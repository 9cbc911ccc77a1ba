"""The access matrix: who each route of the app lets in, and how to ask it as each role.

``MATRIX`` names, for each endpoint, the roles it lets in; everyone else gets the refusal of
their kind: 403 for a logged-in user, the log-in page for one who is not, the look-up page for
the contestant's own pages. Routes are asked with the records of ``world.build_world()``.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import Flask
from werkzeug.routing import Rule

from competitions.core.db import db
from tests.factories import log_in
from tests.security.world import ADMINS, JUDGES, STAFF, World

ANONYMOUS, CONTESTANT = "anonymous", "contestant"
ORG, OTHER_ORG, CHIEF, CLERK, ARBITRATOR = "org", "other_org", "chief", "clerk", "arbitrator"
#: A union officer: reads the figures of the world's unit's tree, no role in any contest.
OFFICER = "officer"
CHECK_IN = "checkin"
#: The encryption officers (加密裁判) of ct1's first layer (检录号) and second layer (密号).
CIPHER1, CIPHER2 = "cipher1", "cipher2"
#: A labour competition's reporter: an account with no role in the contest, only its work team.
REPORTER = "reporter"
#: A 工匠 selection's nominator: an account with no role in the contest, only its body.
NOMINATOR = "nominator"
JUDGE, JUDGE_CT2, RECUSED = JUDGES
#: The contestants' unit's liaison, another unit's liaison, the contestants' team leader.
LIAISON, OTHER_LIAISON, LEADER = "liaison", "liaison2", "leader"
ROLES = (ANONYMOUS, CONTESTANT, *STAFF)

EVERYONE = frozenset(ROLES)
LOGGED_IN = frozenset(STAFF)
SYSADMIN, SECADMIN, AUDITOR = ADMINS
#: The contest's people: not another contest's organiser, nor an administrator (三权分立).
IN_THE_CONTEST = LOGGED_IN - {OTHER_ORG, OFFICER, REPORTER, NOMINATOR, *ADMINS}
ON_CT1_PANEL = frozenset({CHIEF, JUDGE, RECUSED})
ORGANISER = frozenset({ORG})
RESULT_READERS = frozenset({ORG, CHIEF})

#: Answers. OK: 200, a redirect that is not a refusal, or 409 (let in, but the state of
#: things refuses: the marks are locked). LOGIN: a redirect to the log-in page. LOOKUP: a
#: redirect to the contestant's look-up page. FORBIDDEN: 403. NOT_FOUND: 404.
OK, LOGIN, LOOKUP, FORBIDDEN, NOT_FOUND = "ok", "login", "lookup", "403", "404"


@dataclass(frozen=True)
class Access:
    """Who a route lets in, and what the others get (None: 403, or the log-in page)."""

    allowed: frozenset
    refusal: str | None = None


def staff(*roles) -> Access:
    return Access(frozenset(roles))


#: endpoint → who may use it. Contest routes are asked about contest-trade 1 of the world.
MATRIX: dict[str, Access] = {
    # public: results, the API, verification, the look-up, log-in, language, health
    "core.health": Access(EVERYONE),
    "core.set_language": Access(EVERYONE),
    "static": Access(EVERYONE),
    "accounts.login": Access(EVERYONE),
    "api.root": Access(EVERYONE),
    "api.openapi": Access(EVERYONE),
    "api.contests": Access(EVERYONE),
    "api.contest": Access(EVERYONE),
    "api.trade_results": Access(EVERYONE),
    "published.index": Access(EVERYONE),
    "published.contest": Access(EVERYONE),
    "published.trade": Access(EVERYONE),
    "published.board": Access(EVERYONE),
    "published.board_body": Access(EVERYONE),
    "certificates.verify_form": Access(EVERYONE),
    "certificates.verify": Access(EVERYONE),
    "public.my_result": Access(EVERYONE),
    "privacy.notice": Access(EVERYONE),
    # the contestant who looked their result up
    "public.my_results": Access(frozenset({CONTESTANT}), LOOKUP),
    "public.appeal": Access(frozenset({CONTESTANT}), LOOKUP),
    "certificates.my_certificate": Access(frozenset({CONTESTANT}), LOOKUP),
    # anyone logged in
    "overview.index": Access(LOGGED_IN),
    "accounts.password": Access(LOGGED_IN),
    "accounts.logout": Access(LOGGED_IN),
    "accounts.end_my_sessions": Access(LOGGED_IN),
    "accounts.second_factor": Access(LOGGED_IN),
    "accounts.new_recovery_codes": Access(LOGGED_IN),
    # the second step of log-in: only right after a password (else back to the log-in page)
    "accounts.login_code": Access(frozenset(), LOGIN),
    # a registrar (org, in the world) turns off someone's two-step log-in
    "accounts.reset_second_factor": staff(ORG, SECADMIN),  # registrars and the security admin
    "registry.contests": Access(LOGGED_IN),
    "registry.trades": Access(LOGGED_IN),
    "judging.my_marking": Access(LOGGED_IN),
    # the contest's people (any role in it)
    "overview.contest": Access(IN_THE_CONTEST),
    # registrars (org is one) and organisers of any contest
    "registry.units": staff(ORG, OTHER_ORG),
    "registry.unit_form": Access(ORGANISER),
    "registry.trade_form": Access(ORGANISER),
    "registry.contest_new": Access(ORGANISER),
    # the contest's organisers
    "registry.contest_edit": Access(ORGANISER),
    "registry.contest_trade_form": Access(ORGANISER),
    "registry.delegations": Access(ORGANISER),
    "registry.entries": Access(ORGANISER),
    "registry.entry_new": Access(ORGANISER),
    "registry.entry_edit": Access(ORGANISER),
    "registry.person": Access(ORGANISER),
    "privacy.personal_data": Access(ORGANISER),
    "registry.contest_staff": Access(ORGANISER),
    "registry.reveal_id_number": Access(ORGANISER),
    "accounts.end_staff_sessions": Access(ORGANISER),
    "audit.contest_audit": Access(ORGANISER),
    "audit.contest_audit_export": Access(ORGANISER),
    "overview.job_status": Access(ORGANISER),  # the import job, started by org
    "imports.upload": Access(ORGANISER),
    "imports.job": Access(ORGANISER),
    "imports.errors": Access(ORGANISER),
    "imports.template": Access(ORGANISER),
    "imports.template_csv": Access(ORGANISER),
    "imports.marks_upload": Access(ORGANISER),  # theory marks by ID number (part=theory)
    "imports.marks_template": Access(ORGANISER),
    "judging.scheme": Access(ORGANISER),
    "judging.scheme_download": Access(ORGANISER),
    "judging.scheme_copy": Access(ORGANISER),
    "judging.scheme_import": Access(ORGANISER),
    "judging.scheme_import_errors": Access(ORGANISER),
    "judging.scheme_item_new": Access(ORGANISER),
    "judging.scheme_item_edit": Access(ORGANISER),
    "judging.scheme_item_delete": Access(ORGANISER),
    "judging.panel": Access(ORGANISER),
    "judging.panel_assign": Access(ORGANISER),
    "judging.panel_assign_all": Access(ORGANISER),
    "judging.panel_items": Access(ORGANISER),
    "judging.panel_remove": Access(ORGANISER),
    "judging.codes": Access(ORGANISER),
    "judging.codes_export": Access(ORGANISER),
    "judging.codes_draw": Access(ORGANISER),
    "judging.decide_declaration": Access(ORGANISER),
    # the tiers: outside contests, their lists, recommendations (the contest's organisers;
    # recommending directly also as the organiser of a contest feeding it)
    "tiers.outside_contest": Access(ORGANISER),
    "tiers.outside_list": Access(ORGANISER),
    "tiers.outside_errors": Access(ORGANISER),
    "tiers.outside_template": Access(ORGANISER),
    "tiers.differences_export": Access(ORGANISER),
    "tiers.recommendations": Access(ORGANISER),
    "tiers.decide": Access(ORGANISER),
    "tiers.recommend_directly": Access(ORGANISER),
    "tiers.sent_up": Access(ORGANISER),
    # two-layer encryption (二次加密): the setting and decoding (解密) after the lock
    "judging.encryption": Access(ORGANISER),
    "judging.decode_codes": Access(ORGANISER),
    "judging.decode_names": Access(ORGANISER),
    "results.contest_results": Access(ORGANISER),
    "results.recompute_trade": Access(ORGANISER),
    "results.confirm_advancement": Access(ORGANISER),
    "results.decide_honour": Access(ORGANISER),
    "results.promotions": Access(ORGANISER),
    # the union's figures: registrars (org) and the union officers
    "stats.index": staff(ORG, OFFICER),
    "stats.printable": staff(ORG, OFFICER),
    "stats.workbook": staff(ORG, OFFICER),
    "stats.refresh": staff(ORG, OFFICER),
    "stats.readers": staff(ORG),
    "stats.revoke_reader": staff(ORG),
    "publication.change_state": Access(ORGANISER),
    "certificates.overview": Access(ORGANISER),
    "certificates.design": Access(ORGANISER),
    "certificates.preview": Access(ORGANISER),
    "certificates.issue_certificates": Access(ORGANISER),
    "certificates.listing": Access(ORGANISER),
    "certificates.job_file": Access(ORGANISER),
    "certificates.organiser_file": Access(ORGANISER),
    # draft results and their exports: organisers and chief judges
    "results.trade_results": Access(RESULT_READERS),
    "results.export_results": Access(RESULT_READERS),
    "results.export_score_sheets": Access(RESULT_READERS),
    "results.results_report": Access(RESULT_READERS),
    "judging.blank_sheets": Access(RESULT_READERS),
    # the chief judge
    "review.review_page": staff(CHIEF),
    "review.mark_history": staff(CHIEF),
    "review.resolve_flag": staff(CHIEF),
    "review.resolve_flags": staff(CHIEF),
    "review.correct_mark": staff(CHIEF),
    "review.lock_marks": staff(CHIEF),
    "review.unlock_marks": staff(CHIEF),
    "results.decide_tie": staff(CHIEF),
    "results.pick_advancing": staff(CHIEF),
    # the panel of contest-trade 1 (not the judge of another contest-trade)
    "judging.grid": Access(ON_CT1_PANEL),
    "judging.my_history": Access(ON_CT1_PANEL),
    "judging.save_score": Access(ON_CT1_PANEL),
    "judging.relations": Access(ON_CT1_PANEL),
    # each encryption officer, their own layer only (the other officer: 403, with the reason)
    "judging.first_layer": staff(CIPHER1),
    "judging.first_layer_draw": staff(CIPHER1),
    "judging.first_layer_export": staff(CIPHER1),
    "judging.second_layer": staff(CIPHER2),
    "judging.second_layer_draw": staff(CIPHER2),
    "judging.second_layer_export": staff(CIPHER2),
    # the contest's clerks
    "judging.sheets": staff(CLERK),
    "judging.sheet": staff(CLERK),
    "judging.sheet_new": staff(CLERK),
    "judging.sheet_edit": Access(frozenset()),  # only the sheet's first typist (clerk0)
    "judging.sheet_second": staff(CLERK),  # a clerk other than the first typist
    # the timekeeper's desk: the contest's clerks and the chief judge
    "results.times": staff(CLERK, CHIEF),
    "results.save_time": staff(CLERK, CHIEF),
    # enrolment: the liaison's own registration pages (their role's id in the URL); an entry's
    # page and proof for its organisers, its unit's liaison and its delegation's team leader,
    # never another unit's liaison; the organiser's review
    "enrolment.mine": Access(LOGGED_IN),
    "enrolment.entry_new": staff(LIAISON),
    "enrolment.submit": staff(LIAISON),
    "enrolment.entry": staff(ORG, LIAISON, LEADER),
    "enrolment.attachment": staff(ORG, LIAISON, LEADER),
    "enrolment.upload": staff(LIAISON, LEADER),
    "enrolment.entry_delete": staff(LIAISON, LEADER),  # registered: 409, not theirs to remove
    "enrolment.review": Access(ORGANISER),
    "enrolment.approve": Access(ORGANISER),
    "enrolment.return_entry": Access(ORGANISER),
    # the arbitrators decide; organisers follow
    "publication.appeals": staff(ARBITRATOR, ORG),
    "publication.decide": staff(ARBITRATOR),
    # the contest day: the organiser's sessions, draw and tickets
    "contestday.sessions": Access(ORGANISER),
    "contestday.session_edit": Access(ORGANISER),
    "contestday.session_delete": Access(ORGANISER),
    "contestday.draw": Access(ORGANISER),
    "contestday.make_tickets": Access(ORGANISER),
    "contestday.tickets_zip": Access(ORGANISER),
    "contestday.ticket": Access(ORGANISER),
    # the draw as recorded (team leaders too; the world has none) and the check-in desks
    "contestday.draw_record": staff(ORG, CHECK_IN, LEADER),  # team leaders watch the draw
    "contestday.desks": staff(ORG, CHECK_IN),
    "contestday.desk": staff(ORG, CHECK_IN),
    "contestday.absent": staff(ORG, CHECK_IN),
    # the three administrators, each their own pages only
    "admin.users": staff(SYSADMIN),
    "admin.user_new": staff(SYSADMIN),
    "admin.user_edit": staff(SYSADMIN),
    "admin.duties": staff(SECADMIN),
    "audit.whole_log": staff(AUDITOR),
    "audit.whole_log_export": staff(AUDITOR),
    # a labour competition: the organiser sets it up, verifies, scores and publishes
    "labour.public_ranking": Access(EVERYONE),  # a ranking under public notice (公示)
    "labour.home": staff(ORG, REPORTER),  # the reporter is sent on to their own page
    "labour.add_participant": Access(ORGANISER),
    "labour.add_veto": Access(ORGANISER),
    "labour.add_incident": Access(ORGANISER),
    "labour.period_state": Access(ORGANISER),
    "labour.scheme": Access(ORGANISER),
    "labour.score": Access(ORGANISER),
    "labour.period": Access(ORGANISER),
    "labour.publication_step": Access(ORGANISER),
    "labour.commendation_certificates": Access(ORGANISER),
    "labour.check": Access(ORGANISER),
    "labour.accept": Access(ORGANISER),
    "labour.return_report": Access(ORGANISER),
    "labour.correct": Access(ORGANISER),
    # the participant's reporter (and the organiser, for the evidence, scores and imports)
    "labour.evidence": staff(ORG, REPORTER),
    "labour.participant": staff(ORG, REPORTER),
    "labour.import_figures": staff(ORG, REPORTER),
    "labour.reporting": staff(REPORTER),
    "labour.report": staff(REPORTER),
    "labour.upload": staff(REPORTER),
    "labour.submit": staff(REPORTER),
    "labour.objection": staff(REPORTER),
    "labour.import_errors": staff(REPORTER),  # the import's own user
    # a 工匠 selection: the organiser sets it up, reviews, watches the vote, ranks, publishes
    "selection.home": staff(ORG, NOMINATOR),  # the nominator is sent on to their body's page
    "selection.add_body": Access(ORGANISER),
    "selection.edit": Access(ORGANISER),
    "selection.review": Access(ORGANISER),
    "selection.void": Access(ORGANISER),
    "selection.combine": Access(ORGANISER),
    "selection.publication_step": Access(ORGANISER),
    "selection.title_certificates": Access(ORGANISER),
    "selection.vote_settings": Access(ORGANISER),
    "selection.tally": Access(ORGANISER),  # paper ballots and other outside channels
    "selection.experts": Access(ORGANISER),  # experts' bodies, units and ID numbers
    # the tie at the title line: the organiser or the chair of the campaign's own panel (the
    # world's chief judge chairs ct1's panel, not the campaign's)
    "selection.tie": Access(ORGANISER),
    # the body's nominator (and the organiser)
    "selection.nominate": staff(ORG, NOMINATOR),
    # the public: the vote (for phones) and the public notice (公示)
    "selection.vote_page": Access(EVERYONE),
    "selection.vote": Access(EVERYONE),
    "selection.public_notice": Access(EVERYONE),
    "selection.objection": Access(EVERYONE),  # rate-limited; taken only under notice
    # an innovation contest: the organiser sets it up, checks, opens the review and the
    # defence (judging's pages), computes the awards and publishes; a unit's liaison (either
    # unit's) adds achievements; the submitter named on one (the reporter) and its unit's
    # liaison change, attach and send it
    "innovation.home": staff(ORG, REPORTER, LIAISON, OTHER_LIAISON),  # submitters sent on
    "innovation.check": Access(ORGANISER),
    "innovation.settings": Access(ORGANISER),
    # the awards under public notice (公示), for everyone; the world's are not computed: 404
    "innovation.notice": Access(frozenset(), NOT_FOUND),
    "innovation.objection": Access(frozenset(), NOT_FOUND),  # rate-limited; only under notice
    "innovation.open_review": Access(ORGANISER),
    "innovation.open_defence": Access(ORGANISER),
    "innovation.awards": Access(ORGANISER),
    "innovation.results": Access(ORGANISER),
    "innovation.publication_step": Access(ORGANISER),
    "innovation.issue_certificates": Access(ORGANISER),
    "innovation.mine": staff(ORG, REPORTER, LIAISON, OTHER_LIAISON),
    "innovation.new": staff(ORG, LIAISON, OTHER_LIAISON),
    "innovation.submission": staff(ORG, REPORTER, LIAISON),
    "innovation.attachment": staff(ORG, REPORTER, LIAISON),
    "innovation.attach": staff(REPORTER, LIAISON),
    "innovation.send": staff(REPORTER, LIAISON),
    # the experts seated on a round's panel read what they mark, by code
    "innovation.reading": staff(ORG, JUDGE),
    "innovation.reading_file": staff(ORG, JUDGE),
}


def url_values(world: World, endpoint: str) -> dict:
    """The values of every URL argument, taken from the world."""
    job = {
        "certificates.job_file": world.cert_job,
        "judging.scheme_import_errors": world.scheme_job,
        "labour.import_errors": world.labour.import_job,
    }.get(endpoint, world.import_job)
    return {
        "ct_id": world.ct1.id,
        "contest_id": world.contest.id,
        "member_id": world.member.id,
        "item_id": world.items[0].id,
        "sheet_id": world.sheet.id,
        "declaration_id": world.declaration.id,
        "appeal_id": world.appeal.id,
        "honour_id": world.honour.id,
        "reader_id": world.stats_reader.id,
        "entry_id": world.entries[0].id,
        "person_id": world.entries[0].person_id,
        "trade_id": world.ct1.trade_id,
        "unit_id": world.unit.id,
        "user_id": world.member.user_id,
        "job_id": job.id,
        "number": world.certificate.number,
        "action": "publish",
        "role": "register",
        "code": "en",
        "filename": "css/app.css",
        "part": "theory",
        "role_id": world.liaison_role.id,
        "kind": "photo",
        "session_id": world.session.id,
        "period_id": world.labour.period.id,
        "participant_id": world.labour.participant.id,
        "report_id": world.labour.report.id,
        "figure_id": world.labour.figure.id,
        "evidence_id": world.labour.evidence.id,
        "campaign_id": world.selection.campaign.id,
        "body_id": world.selection.body.id,
        "nominee_id": world.selection.nominee.id,
        "submission_id": world.innovation.submission.id,
        "attachment_id": world.innovation.attachment.id,
        "round_id": world.innovation.review.id,
    }


#: Query strings that make a page show something (a cell's history, a sheet to type).
QUERY = {
    "judging.my_history": lambda w: {"code": w.codes[0], "item": w.items[0].id},
    "review.mark_history": lambda w: {"code": w.codes[0], "item": w.items[0].id},
    "judging.sheet_new": lambda w: {"code": w.codes[0], "judge": w.member.user_id},
}


def path_of(rule: Rule, world: World) -> str:
    values = url_values(world, rule.endpoint)
    _domain, path = rule.build({name: values[name] for name in rule.arguments})
    return path


def rules_of(app: Flask) -> list[Rule]:
    return sorted(app.url_map.iter_rules(), key=lambda r: r.rule)


def clients(app: Flask, world: World) -> dict:
    """A test client per role: staff logged in, the contestant after their look-up."""
    app.config["PROPAGATE_EXCEPTIONS"] = False  # a crash is a 500 in the matrix, like in life
    out = {ANONYMOUS: app.test_client()}
    for username in STAFF:
        client = app.test_client()
        response = log_in(client, username, "secret-pass")
        assert response.status_code == 302, username
        out[username] = client
    contestant = app.test_client()
    person = world.contestant
    response = contestant.post(
        "/my-result", data={"id_number": person.id_number, "name": person.name, "agree": "y"}
    )
    assert response.headers["Location"].endswith("/my-result/results"), "the look-up failed"
    out[CONTESTANT] = contestant
    return out


def answer(response) -> str:
    """The class of an answer (see OK, LOGIN… above)."""
    code = response.status_code
    if code in (301, 302, 303, 307, 308):
        target = response.headers["Location"]
        if "/login" in target:
            return LOGIN
        if target.endswith("/my-result"):
            return LOOKUP
        return OK
    return {200: OK, 409: OK, 403: FORBIDDEN, 404: NOT_FOUND}.get(code, str(code))


def expected(access: Access, role: str) -> str:
    if role in access.allowed:
        return OK
    if access.refusal:
        return access.refusal
    return LOGIN if role in (ANONYMOUS, CONTESTANT) else FORBIDDEN


def row_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }
