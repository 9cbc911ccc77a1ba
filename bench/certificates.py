"""Benchmark: 2,000 award certificates issued by the app's Celery worker, against the usual way.

Run from the repository root: ``.venv/bin/python bench/certificates.py [--profile]``. It creates
(and at the end drops) a database of its own (``jingsai_bench_cert_<random>``, on the server of
DATABASE_URL, by default the local PostgreSQL) with ``flask db upgrade``, and loads one
provincial contest of 20 trades with final results: 100 awarded contestants per trade (2,000
certificates), a design with two issuing bodies and a seal.

Ours: the organiser's "issue" (plan, then the chord of chunk tasks on a worker with
``--concurrency 2`` on a queue of its own, REDIS_URL default Redis database 12), timed from the
plan to the job's succeeded state, so it includes every row, commit, file, the ZIP and the
register. Three runs; the certificates and files are removed between them.

The baseline: the same 2,000 certificates made the straightforward way on two processes (a
``ProcessPoolExecutor``): a ReportLab canvas per certificate, the font registered once per process
and its subset embedded in each file, the seal drawn with ``drawImage``, the QR code drawn with
``reportlab.graphics.barcode.qr.QrCodeWidget``, each PDF written to a file. No database work.

A second baseline does the same the way a careful ReportLab user would ("tuned"): the font
registered once per process, the seal decoded once per process, the QR code's matrix from the
same compiled encoder as ours (zxing-cpp) drawn as one path. A sample of PDFs from every side is
read back with ``pdffonts`` (the font embedded as a subset), ``pdftotext`` (the name and award)
and ``zbarimg`` on a ``pdftoppm`` render (the QR code gives the certificate's verification URL).

With ``--profile`` it then renders 300 certificates of ours in this process under cProfile. The
last line holds the figures.
"""

import cProfile
import io
import logging
import os
import pstats
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

import redis
import sqlalchemy as sa
from _common import (
    ROOT,
    app_keys,
    keys_config,
    migrate_database,
    own_database_url,
    recreate_database,
    start_worker,
    stop_process,
)

sys.path.insert(0, str(ROOT))

from app import create_app
from competitions.certificates import services
from competitions.certificates.models import Certificate, CertificateDesign, CertificateImage
from competitions.certificates.rules import AWARD_ZH, chinese_date, fill
from competitions.certificates.services import issue
from competitions.certificates.tasks import queue_issue
from competitions.core.config import load_config
from competitions.core.db import db
from competitions.core.jobs import Job
from competitions.registry.models import Contest, ContestTrade, Entry, Person, Trade, id_number_hash
from competitions.registry.rules import resident_id_check_char
from competitions.results.models import Result, ResultSet
from competitions.units.models import Unit
from tests.certificates import pdf_tools

#: A database of the bench's own on the server of DATABASE_URL (never the one named there).
DATABASE_URL = own_database_url("jingsai_bench_cert")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/12")
TRADES, PER_TRADE, RUNS = 20, 100, 3
CERTIFICATES = TRADES * PER_TRADE
JOB_TIMEOUT_S = 240
FONT = load_config()["CERT_FONT_PATH"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉萍红娥玲兰凤洁梅琳素云莲真环雪荣爱妹"
UNITS = (
    "济南第二机床厂",
    "青岛港集团",
    "潍柴动力股份有限公司",
    "山东钢铁集团",
    "国网山东省电力公司",
)


# --- building ------------------------------------------------------------------------------


def seal_png() -> bytes:
    """A red round seal with a star, transparent around it (400 px)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 390, 390), outline=(200, 20, 20, 235), width=14)
    draw.regular_polygon((200, 200, 64), 5, fill=(200, 20, 20, 235))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _insert(model, rows: list[dict]) -> None:
    db.session.execute(sa.insert(model), rows)


def build() -> tuple[int, list[int]]:
    """The contest, its trades, contestants and final results, and the design; returns the
    contest id and its contest-trade ids."""
    _insert(Unit, [{"id": n + 1, "name": name} for n, name in enumerate(UNITS)])
    _insert(
        Trade,
        [
            {
                "id": t,
                "code": f"6-20-{t:02d}",
                "name_zh": f"工种{t}",
                "name_en": f"T{t}",
                "industry": "制造",
            }
            for t in range(1, TRADES + 1)
        ],
    )
    contest = Contest(
        id=1,
        code="SD-2019",
        name="2019年山东省职工职业技能大赛",
        year=2019,
        tier="province",
        starts_on=date(2019, 5, 10),
        ends_on=date(2019, 5, 12),
    )
    db.session.add(contest)
    db.session.flush()
    _insert(ContestTrade, [{"id": t, "contest_id": 1, "trade_id": t} for t in range(1, TRADES + 1)])
    names = [s + g + h for s in SURNAMES for g in GIVEN for h in ("", *GIVEN[:6])]
    people, entries, results = [], [], []
    for n in range(CERTIFICATES):
        first17 = f"370102{1970 + n % 30}{1 + n % 12:02d}{1 + n % 28:02d}{n % 1000:03d}"
        people.append(
            {
                "id": n + 1,
                "name": names[(n * 7919) % len(names)],
                "gender": "M",
                "birth_date": date(1970 + n % 30, 1 + n % 12, 1 + n % 28),
                "id_type": "resident",
                "id_number": first17 + resident_id_check_char(first17),
                "id_number_hash": id_number_hash(first17 + resident_id_check_char(first17)),
                "unit_id": 1 + n % len(UNITS),
            }
        )
        ct_id, place = 1 + n // PER_TRADE, 1 + n % PER_TRADE
        award = (
            "first"
            if place <= 10
            else "second"
            if place <= 30
            else "third"
            if place <= 60
            else "mention"
        )
        entries.append(
            {"id": n + 1, "person_id": n + 1, "contest_trade_id": ct_id, "status": "approved"}
        )
        results.append(
            {
                "subject_id": n + 1,
                "assessment_id": ct_id,
                "total": 99 - place * 0.3,
                "rank": place,
                "award": award,
            }
        )
    _insert(Person, people)
    _insert(Entry, entries)
    _insert(Result, results)
    _insert(
        ResultSet,
        [{"assessment_id": t, "state": "final", "ranked": PER_TRADE} for t in range(1, TRADES + 1)],
    )
    design = CertificateDesign(
        contest_id=1,
        issuers="山东省总工会\n山东省人力资源和社会保障厅",
        issued_on=date(2019, 5, 20),
    )
    design.images.append(
        CertificateImage(role="seal_1", format="png", width=400, height=400, data=seal_png())
    )
    db.session.add(design)
    db.session.commit()
    return 1, list(range(1, TRADES + 1))


# --- ours ----------------------------------------------------------------------------------


def issue_through_worker(contest_id: int, ct_ids: list[int]) -> tuple[float, Job]:
    """Plan, queue and wait as the organiser's button does; seconds from plan to succeeded."""
    start = time.perf_counter()
    job, chunks = services.start_issue(contest_id, ct_ids, None)
    db.session.commit()
    queue_issue(job.id, chunks, ct_ids)
    deadline = start + JOB_TIMEOUT_S
    while time.perf_counter() < deadline:
        db.session.expire_all()
        job = db.session.get(Job, job.id)
        if job.state in ("succeeded", "failed"):
            return time.perf_counter() - start, job
        time.sleep(0.05)
    sys.exit(f"the certificate job did not finish within {JOB_TIMEOUT_S} s")


def clear_certificates() -> None:
    """Forget the issued certificates and their files, so the next run issues them all again."""
    db.session.execute(sa.delete(Certificate))
    db.session.commit()
    shutil.rmtree(issue.storage_dir(), ignore_errors=True)


# --- the baseline --------------------------------------------------------------------------

_rl: dict = {}


def _baseline_init(font_path: str) -> None:
    """Each pool process registers the font once, as such code usually does at import."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont("CJK", font_path, subfontIndex=0))


def _page(job: tuple, seal) -> tuple:
    """A ReportLab canvas with everything of one certificate but its QR code (as both baselines
    draw it); returns the canvas and the URL the QR code must carry."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    path, facts, number, issuers, _, body, base_url = job
    width, height = landscape(A4)
    pdf = canvas.Canvas(path, pagesize=(width, height))
    pdf.setStrokeColorRGB(0.7, 0.09, 0.09)
    pdf.setLineWidth(7)
    pdf.rect(24, 24, width - 48, height - 48)
    pdf.setFillColorRGB(0.7, 0.09, 0.09)
    pdf.setFont("CJK", 46)
    pdf.drawCentredString(width / 2, 468, "获 奖 证 书")
    pdf.setFillColorRGB(0.1, 0.1, 0.1)
    paragraphs = fill(body, facts).splitlines()
    pdf.setFont("CJK", 26)
    pdf.drawString(120, 380, paragraphs[0])
    y = 340
    pdf.setFont("CJK", 21)
    for paragraph in paragraphs[1:]:
        for line in simpleSplit("\u3000\u3000" + paragraph, "CJK", 21, 602):
            pdf.drawString(120, y, line)
            y -= 36
    pdf.setFont("CJK", 18)
    for n, issuer in enumerate(reversed(issuers)):
        pdf.drawCentredString(612, 140 + 28 * n, issuer)
    pdf.drawCentredString(612, 112, chinese_date(date(2019, 5, 20)))
    pdf.drawImage(seal, 548, 68, 128, 128, mask="auto")
    pdf.setFont("CJK", 10)
    pdf.drawString(148, 74, f"证书编号：{number}")
    pdf.setFont("CJK", 9)
    pdf.drawString(148, 56, f"扫码或登录 {base_url}/verify 查验真伪")
    return pdf, f"{base_url}/verify/{number}"


def baseline_certificate(job: tuple) -> int:
    """One certificate the straightforward way: a ReportLab canvas, the seal drawn from its
    PNG, the QR code drawn with ReportLab's widget; written to a file. Returns its size."""
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib.utils import ImageReader

    pdf, url = _page(job, ImageReader(io.BytesIO(job[4])))
    widget = QrCodeWidget(url, barLevel="M")  # the error correction ours uses
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(76, 76, transform=[76 / (x1 - x0), 0, 0, 76 / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, 58, 50)
    pdf.showPage()
    pdf.save()
    return os.path.getsize(job[0])


def baseline_jobs(folder: Path) -> list[tuple]:
    """The 2,000 certificates' inputs, from the database (the same facts ours prints)."""
    design = db.session.scalar(sa.select(CertificateDesign))
    seal = design.image("seal_1").data
    issuers = tuple(design.issuers.splitlines())
    base_url = load_config()["BASE_URL"]
    jobs = []
    for ct_id in range(1, TRADES + 1):
        for n, facts in enumerate(services.wanted(ct_id)):
            values = {**facts.values(), "award": AWARD_ZH[facts.award]}
            number = f"SD19-{ct_id:04d}-{n + 1:04d}-BASE0"  # the shape of ours
            jobs.append(
                (
                    str(folder / f"{number}.pdf"),
                    values,
                    number,
                    issuers,
                    seal,
                    design.body,
                    base_url,
                )
            )
    return jobs


def _tuned_init(font_path: str, seal: bytes) -> None:
    """Each pool process registers the font and decodes the seal once."""
    from reportlab.lib.utils import ImageReader

    _baseline_init(font_path)
    _rl["seal"] = ImageReader(io.BytesIO(seal))


def tuned_certificate(job: tuple) -> int:
    """One certificate with ReportLab done well: the seal decoded once per process, the QR
    code's matrix from zxing-cpp (ours' encoder) drawn as one path. Returns its size."""
    import zxingcpp

    pdf, url = _page(job, _rl["seal"])
    matrix = zxingcpp.create_barcode(url, zxingcpp.BarcodeFormat.QRCode, ec_level="M").to_image(
        scale=1, add_quiet_zones=False
    )
    modules, pixels = matrix.shape[0], bytes(matrix)
    unit = 76 / modules
    pdf.setFillColorRGB(1, 1, 1)
    pdf.rect(58 - 4 * unit, 50 - 4 * unit, 76 + 8 * unit, 76 + 8 * unit, stroke=0, fill=1)
    pdf.setFillColorRGB(0, 0, 0)
    qr = pdf.beginPath()
    for row in range(modules):
        for col in range(modules):
            if pixels[row * modules + col] < 128:
                qr.rect(58 + col * unit, 50 + (modules - 1 - row) * unit, unit, unit)
    pdf.drawPath(qr, stroke=0, fill=1)
    pdf.showPage()
    pdf.save()
    return os.path.getsize(job[0])


def run_baseline(jobs: list[tuple], tuned: bool = False) -> tuple[float, int]:
    """Seconds for the whole batch on two processes (after each has registered its font and
    made one certificate), and the mean file size; the naive way, or ``tuned``."""
    make, init, args = (
        (tuned_certificate, _tuned_init, (FONT, jobs[0][4]))
        if tuned
        else (baseline_certificate, _baseline_init, (FONT,))
    )
    with ProcessPoolExecutor(2, initializer=init, initargs=args) as pool:
        list(pool.map(make, jobs[:2]))
        start = time.perf_counter()
        sizes = list(pool.map(make, jobs, chunksize=20))
        return time.perf_counter() - start, sum(sizes) // len(sizes)


#: The fonts a PDF reader always has, which need no embedding.
STANDARD_14 = {
    f"{family}{style}"
    for family, styles in (
        ("Helvetica", ("", "-Bold", "-Oblique", "-BoldOblique")),
        ("Courier", ("", "-Bold", "-Oblique", "-BoldOblique")),
        ("Times", ("-Roman", "-Bold", "-Italic", "-BoldItalic")),
    )
    for style in styles
} | {"Symbol", "ZapfDingbats"}


def read_back(pdf: Path, name: str, award: str, url: str) -> list[str]:
    """What a person's tools find wrong with one certificate PDF: the font not embedded as a
    subset, the name or award not in its text, the QR code not giving its URL."""
    problems = []
    # ReportLab's canvas names Helvetica (one of the 14 fonts every reader has) even when no
    # text uses it; every other font must be embedded, as a subset.
    fonts = [row for row in pdf_tools.fonts_of(pdf) if row[0] not in STANDARD_14]
    if not fonts or any(row[-5:-3] != ["yes", "yes"] for row in fonts):
        problems.append(f"{pdf.name}: fonts not embedded as subsets: {fonts}")
    text = pdf_tools.text_of(pdf)
    if name not in text or award not in text:
        problems.append(f"{pdf.name}: {name} or {award} missing from the text")
    decoded = pdf_tools.qr_of(pdf_tools.png_of(pdf, dpi=100))
    if decoded != url:
        problems.append(f"{pdf.name}: the QR code reads {decoded!r}, not {url!r}")
    return problems


def read_back_jobs(jobs: list[tuple], step: int = 400) -> list[str]:
    """Read back every ``step``-th certificate a baseline made."""
    problems = []
    for path, facts, number, _, _, _, base_url in jobs[::step]:
        url = f"{base_url}/verify/{number}"
        problems += read_back(Path(path), facts["name"], facts["award"], url)
    return problems


# --- checks, profile, main -----------------------------------------------------------------


def check(job: Job) -> list[str]:
    """What is wrong with the issued batch, in words; empty when all is there."""
    problems = []
    valid = db.session.scalar(sa.select(sa.func.count()).where(Certificate.state == "valid"))
    if valid != CERTIFICATES or job.result.get("issued") != CERTIFICATES:
        problems.append(f"{valid} valid certificates, {job.result.get('issued')} issued")
    if not job.file("zip") or not job.file("register"):
        problems.append("the ZIP or the register is missing")
    base_url = load_config()["BASE_URL"]
    for sample in db.session.scalars(sa.select(Certificate).order_by(Certificate.id)).all()[::400]:
        problems += read_back(
            issue.storage_dir() / sample.file_path,
            sample.name,
            AWARD_ZH.get(sample.award, ""),  # an honour prints its own title
            f"{base_url}/verify/{sample.number}",
        )
    return problems


def profile(contest_id: int) -> None:
    """Render 300 certificates of ours in this process, under cProfile."""
    renderer = issue.renderer_for(contest_id)
    facts = [f for ct_id in (1, 2, 3) for f in services.wanted(ct_id)]
    profiler = cProfile.Profile()
    start = time.perf_counter()
    profiler.enable()
    for n, one in enumerate(facts):
        renderer.render(one, f"SD19-0001-{n:04d}-PROF0", date(2019, 5, 20))
    profiler.disable()
    seconds = time.perf_counter() - start
    print(f"\nprofile: {len(facts)} certificates in one process, {len(facts) / seconds:.0f}/s")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(15)
    print("\n".join(out.getvalue().splitlines()[:40]))


def main() -> None:
    """Build, measure, check, clean up; the last line holds the figures."""
    logging.basicConfig(level=logging.WARNING)
    began = time.perf_counter()
    instance = Path(tempfile.mkdtemp(prefix="jingsai-bench-cert-"))
    env = {
        **os.environ,
        **app_keys(),
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "JINGSAI_QUEUE": f"jingsai-bench-cert-{uuid.uuid4().hex[:8]}",
        "JINGSAI_INSTANCE": str(instance),
        "CERT_STORAGE_DIR": str(instance / "certificates"),
    }
    worker, problems = None, []
    recreate_database(DATABASE_URL)
    try:
        migrate_database(env)
        config = load_config(env)
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
                **keys_config(env),
                "INSTANCE_DIR": str(instance),
                "CELERY": config["CELERY"],
                "CERT_STORAGE_DIR": config["CERT_STORAGE_DIR"],
            }
        )
        logging.getLogger().setLevel(logging.WARNING)
        with app.app_context():
            contest_id, ct_ids = build()
            folder = instance / "baseline"
            folder.mkdir()
            jobs = baseline_jobs(folder)
            baseline_s, baseline_size = run_baseline(jobs)
            baseline_rate = CERTIFICATES / baseline_s
            print(
                f"baseline (ReportLab, QR widget, 2 processes): {baseline_s:.1f} s, "
                f"{baseline_rate:.1f}/s, {baseline_size // 1024} KB per file"
            )
            problems += [f"baseline: {p}" for p in read_back_jobs(jobs)]
            tuned_s, tuned_size = run_baseline(jobs, tuned=True)
            tuned_rate = CERTIFICATES / tuned_s
            print(
                f"tuned baseline (ReportLab, seal decoded once, zxing-cpp QR as a path, "
                f"2 processes): {tuned_s:.1f} s, {tuned_rate:.1f}/s, "
                f"{tuned_size // 1024} KB per file"
            )
            problems += [f"tuned: {p}" for p in read_back_jobs(jobs)]

            worker = start_worker(env, instance / "worker.log")
            warm_s, _ = issue_through_worker(contest_id, ct_ids[:1])  # both processes start up
            clear_certificates()
            times = []
            for _ in range(RUNS):
                seconds, job = issue_through_worker(contest_id, ct_ids)
                if job.state != "succeeded":
                    sys.exit(f"the job failed: {job.message}; see {instance / 'worker.log'}")
                problems += check(job)
                times.append(seconds)
                size = sum(f.stat().st_size for f in issue.storage_dir().rglob("*.pdf"))
                clear_certificates()
            ours_s = statistics.median(times)
            ours_rate = CERTIFICATES / ours_s
            print(
                f"ours (Celery worker -c 2, rows, files, ZIP, register): warm-up {warm_s:.2f} s "
                f"(100 certificates); runs {', '.join(f'{t:.2f}' for t in times)} s; median "
                f"{ours_s:.2f} s, {ours_rate:.1f}/s, {size // CERTIFICATES // 1024} KB per file"
            )
            _forget(app.extensions["celery"])
            stop_process(worker)
            worker = None
            if "--profile" in sys.argv[1:]:
                profile(contest_id)
            db.session.remove()
            db.engine.dispose()
    finally:
        if worker is not None:
            stop_process(worker)
        recreate_database(DATABASE_URL, drop_only=True)
        client = redis.Redis.from_url(REDIS_URL)
        queue = env["JINGSAI_QUEUE"]
        client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        client.close()
        shutil.rmtree(instance / "baseline", ignore_errors=True)
    print(f"worker log: {instance / 'worker.log'}; whole bench {time.perf_counter() - began:.0f} s")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    ratio, ratio_tuned = ours_rate / baseline_rate, ours_rate / tuned_rate
    print(f"target ratio_tuned ≥ 2: {'meets' if ratio_tuned >= 2 else 'misses'}")
    print(
        f"ours_per_s={ours_rate:.1f} baseline_per_s={baseline_rate:.1f} ratio={ratio:.1f} "
        f"tuned_per_s={tuned_rate:.1f} ratio_tuned={ratio_tuned:.1f}"
    )
    if problems:
        sys.exit(1)


def _forget(celery_app) -> None:
    """Stop waiting on the chords' results while Redis can still be told (else tracebacks at
    exit, after the last line)."""
    backend = celery_app.backend
    for mapping in getattr(backend, "_pending_results", ()):
        for waiters in list(mapping.values()):
            for result in list(waiters.values()):
                backend.remove_pending_result(result)


if __name__ == "__main__":
    main()
