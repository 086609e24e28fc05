"""A report laid out as text: the lines the PDF prints and the SR's narrative carries."""

from __future__ import annotations

from dataclasses import dataclass

from mammoviewer.geometry.breast_position import describe
from mammoviewer.review.report import BIRADS, COMPOSITIONS, ReportFinding, StudyReport, recommendation

SIDE_NAMES = {"R": "Right breast", "L": "Left breast", "overall": "Overall"}


@dataclass(frozen=True)
class Section:
    """A heading and its lines."""

    title: str
    lines: tuple[str, ...]


def finding_line(n: int, f: ReportFinding) -> str:
    """``1. Mass, malignant: right breast, 10 o'clock, ... (CC, MLO), 12 mm; note``."""
    what = (f.finding_type or "finding").capitalize() + (f", {f.label}" if f.label else "")
    where = describe(f.laterality, f.clock, f.quadrant, f.depth, f.nipple_mm)
    size = f", {f.size_mm:.0f} mm" if f.size_mm is not None else ", size unknown (no pixel spacing)"
    views = f" ({', '.join(f.views)})" if f.views else ""
    note = f"; {f.note}" if f.note else ""
    return f"{n}. {what}: {where}{views}{size}{note}"


def assessment_line(report: StudyReport, side: str) -> str:
    category = report.category(side)
    if category is None:
        return f"{SIDE_NAMES[side]}: not assessed"
    return f"{SIDE_NAMES[side]}: BI-RADS {category} ({BIRADS[category][0]}). {recommendation(category)}."


def sections(report: StudyReport) -> list[Section]:
    """The report's sections, in reading order."""
    composition = (f"{report.composition}: {COMPOSITIONS[report.composition]}"
                   + (" (density model)" if report.composition_source == "model" else "")
                   if report.composition else "not given")  # fmt: skip
    findings = tuple(finding_line(i, f) for i, f in enumerate(report.findings, start=1)) or ("No findings.",)
    out = [
        Section("Breast composition", (composition,)),
        Section("Findings", findings),
        Section("Assessment", tuple(assessment_line(report, s) for s in ("R", "L", "overall"))),
    ]
    if report.text.strip():
        out.append(Section("Comments", tuple(report.text.strip().splitlines())))
    return out


def narrative(report: StudyReport) -> str:
    """The whole report as plain text (the SR's narrative)."""
    return "\n".join(f"{s.title}:\n" + "\n".join(s.lines) for s in sections(report))
