"""Unicode fonts for the PDFs (the ICS 214, the responder packet): every name prints.

ReportLab's built-in Helvetica covers Latin-1 only: "Nguyễn Thị Ánh", "Łukasz" and "李明" printed as ■.
The PDFs embed Noto Sans (Latin, Vietnamese, Polish, Greek, Cyrillic; the PyPI package fontpkg-noto-sans)
and, for what Noto Sans lacks (Chinese, Japanese, Korean), WenQuanYi Micro Hei (the PyPI package
paperang-p2-fonts-cjk; TrueType outlines, which ReportLab can embed: Noto Sans CJK is CFF, which it cannot).
Both come from installed packages, never from the system's fonts. Noto Sans ships as a variable font whose
default instance is the regular weight; ReportLab embeds that one, so "bold" text is set in the same
weight (headings stand out by size).
"""

from __future__ import annotations

import functools
import html
from typing import Any

SANS = "SchoolSafeSans"
SANS_BOLD = "SchoolSafeSans-Bold"
CJK = "SchoolSafeCJK"


@functools.cache
def register() -> frozenset[int]:
    """Register the fonts with ReportLab once per process; the code points the main font has."""
    import fontpkg_noto_sans
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular = TTFont(SANS, str(fontpkg_noto_sans.ROOT / "files" / "NotoSans[wdth,wght].ttf"))
    pdfmetrics.registerFont(regular)
    pdfmetrics.registerFont(TTFont(SANS_BOLD, str(fontpkg_noto_sans.ROOT / "files" / "NotoSans[wdth,wght].ttf")))
    pdfmetrics.registerFontFamily(SANS, normal=SANS, bold=SANS_BOLD, italic=SANS, boldItalic=SANS_BOLD)
    if _cjk_path() is not None:
        pdfmetrics.registerFont(TTFont(CJK, _cjk_path(), subfontIndex=0))
    return frozenset(regular.face.charToGlyph)


def _cjk_path() -> str | None:
    try:
        import paperang_p2_fonts_cjk
    except ImportError:  # then CJK prints as ■, everything else still prints
        return None
    from pathlib import Path

    path = Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"
    return str(path) if path.exists() else None


def markup(text: Any) -> str:
    """`text` as Paragraph markup: escaped (Paragraph reads "<" as a tag), line breaks kept, and every run
    of characters the main font lacks set in the CJK font."""
    covered = register()
    has_cjk = _cjk_path() is not None
    out: list[str] = []
    run, run_cjk = "", False
    for char in str(text or ""):
        cjk = has_cjk and ord(char) not in covered and not char.isspace()
        if cjk != run_cjk and run:
            out.append(_run(run, run_cjk))
            run = ""
        run, run_cjk = run + char, cjk
    if run:
        out.append(_run(run, run_cjk))
    return "".join(out).replace("\n", "<br/>")


def _run(text: str, cjk: bool) -> str:
    escaped = html.escape(text, quote=False)
    return f'<font name="{CJK}">{escaped}</font>' if cjk else escaped


def styled(style: Any) -> Any:
    """A copy of a ReportLab ParagraphStyle in the Unicode font (bold styles in the bold name)."""
    from reportlab.lib.styles import ParagraphStyle

    register()
    bold = "Bold" in (style.fontName or "")
    return ParagraphStyle(style.name, parent=style, fontName=SANS_BOLD if bold else SANS)
