"""Reading a certificate PDF the way a person's tools would: text, fonts, the QR code."""

import subprocess
from pathlib import Path


def text_of(pdf: Path) -> str:
    """The text pdftotext extracts (what copy and search see), its lines joined."""
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return done.stdout.replace("\n", "").replace("\f", "")


def fonts_of(pdf: Path) -> list[list[str]]:
    """pdffonts' rows: name, type…, emb, sub, uni, object, generation."""
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    return [line.split() for line in out.splitlines()[2:]]


def png_of(pdf: Path, dpi: int = 150) -> Path:
    """The first page rendered to PNG by pdftoppm."""
    stem = pdf.with_suffix("")
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(pdf), str(stem)], check=True
    )
    return stem.with_suffix(".png")


def qr_of(png: Path) -> str:
    """What zbarimg decodes from the picture."""
    done = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True)
    return done.stdout.strip()
