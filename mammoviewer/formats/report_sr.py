"""A study report as a DICOM Comprehensive SR, following the Breast Imaging Report template (TID 4200).

Built from highdicom content items, as far as TID 4200 applies to what the report holds::

    CONTAINER Breast Imaging Report (DCM 111400), template 4200
      HAS OBS CONTEXT  Observer Type = Person, Person Observer Name (the reader)
      CONTAINS CONTAINER Narrative Summary (111412)          TID 4202: the report as text
      CONTAINS CONTAINER Findings (121070)                    TID 4206
        CONTAINS Breast composition (111006)                  CODE (a-d, CID 6000) or TEXT (F/G/D)
        CONTAINS Finding (121071) = mass, calcification ...   one per report finding
          HAS CONCEPT MOD Laterality; HAS PROPERTIES Clockface or region (111014), Quadrant location
          (111048), Depth (111020), Distance from nipple (121242, mm), Diameter (mm), Pathology (the
          reader's label), Comment (the note), and the finding's outline SELECTED FROM each DICOM film
      CONTAINS CONTAINER Overall Assessment (111413)          TID 4203
        CONTAINS Assessment Category (111005) per breast (with Laterality) and overall (CID 6026),
          each HAS PROPERTIES Recommendation (121075, text)

Patient and study come from the study's DICOM films. A study of PGM/PNG films (mini-MIAS) has no
DICOM study: the SR then gets a study of its own (patient ID the study's patient, a study UID derived
from the study key) and references no images.
"""

from __future__ import annotations

import warnings
from typing import Any, Mapping

from pydicom.sr.codedict import codes
from pydicom.sr.coding import Code

from mammoviewer import __version__
from mammoviewer.formats.cad_sr import rectangle
from mammoviewer.formats.dicom_codes import FINDING_CODES, LABEL_CODES
from mammoviewer.review.records import Box
from mammoviewer.review.report import BIRADS, COMPOSITIONS, ReportFinding, StudyReport, recommendation

COMPREHENSIVE_SR = "1.2.840.10008.5.1.4.1.1.88.33"
MANUFACTURER = "MammoViewer"
DCM, SCT, UCUM = codes.DCM, codes.SCT, codes.UCUM

#: BI-RADS category -> Assessment Category value (CID 6026 Mammography Assessment, SNOMED CT codes;
#: meanings shortened to the 64 characters a Code Meaning may hold)
CATEGORY_CODES: dict[int, Code] = {
    0: Code("397138000", "SCT", "Category 0 - Need additional imaging evaluation"),
    1: Code("397140005", "SCT", "Category 1 - Negative"),
    2: Code("397141009", "SCT", "Category 2 - Benign finding"),
    3: Code("397143007", "SCT", "Category 3 - Probably benign finding"),
    4: Code("397144001", "SCT", "Category 4 - Suspicious abnormality"),
    5: Code("397145000", "SCT", "Category 5 - Highly suggestive of malignancy"),
    6: Code("6111000179101", "SCT", "Category 6 - Known biopsy proven malignancy"),
}
#: BI-RADS composition -> Breast composition value (CID 6000 Overall Breast Composition, as pydicom names them)
COMPOSITION_CODES: dict[str, Code] = {
    "a": SCT.AlmostEntirelyFat,
    "b": SCT.ScatteredFibroglandularDensities,
    "c": SCT.HeterogeneouslyDense,
    "d": SCT.ExtremelyDense,
}
SIDE_CODES = {"R": SCT.Right, "L": SCT.Left}


def _laterality(side: str) -> Any:
    from highdicom.sr import CodeContentItem

    return CodeContentItem(SCT.Laterality, SIDE_CODES[side], relationship_type="HAS CONCEPT MOD")


def _finding_item(f: ReportFinding, headers: Mapping[str, Any], boxes: Mapping[str, Box]) -> Any:
    from highdicom.sr import (
        CodeContentItem, ImageContentItem, NumContentItem, ScoordContentItem, TextContentItem,
    )  # fmt: skip

    item = CodeContentItem(DCM.Finding, FINDING_CODES.get(f.finding_type, FINDING_CODES[None]),
                           relationship_type="CONTAINS")  # fmt: skip
    props: list[Any] = [_laterality(f.laterality)] if f.laterality else []
    texts = ((DCM.ClockfaceOrRegion, f"{f.clock} o'clock" if f.clock else ""), (DCM.QuadrantLocation, f.quadrant),
             (DCM.Depth, f.depth or ""), (DCM.Comment, f.note))  # fmt: skip
    props += [TextContentItem(c, t, relationship_type="HAS PROPERTIES") for c, t in texts if t]
    for concept, value in ((DCM.DistanceFromNipple, f.nipple_mm), (SCT.Diameter, f.size_mm)):
        if value is not None:
            props.append(NumContentItem(concept, float(value), UCUM.Millimeter, relationship_type="HAS PROPERTIES"))
    if f.label in LABEL_CODES:
        props.append(CodeContentItem(DCM.Pathology, LABEL_CODES[f.label], relationship_type="HAS PROPERTIES"))
    for key, fid in zip(f.image_keys, f.finding_ids):
        header, box = headers.get(key), boxes.get(fid)
        if header is None or box is None:
            continue
        outline = ScoordContentItem(DCM.Outline, "POLYLINE", rectangle(box, int(header.Rows), int(header.Columns)),
                                    relationship_type="HAS PROPERTIES")  # fmt: skip
        outline.ContentSequence = [ImageContentItem(DCM.SourceImage, header.SOPClassUID, header.SOPInstanceUID,
                                                    relationship_type="SELECTED FROM")]  # fmt: skip
        props.append(outline)
    if props:
        item.ContentSequence = props
    return item


def _assessments(report: StudyReport) -> Any:
    from highdicom.sr import CodeContentItem, ContainerContentItem, TextContentItem

    box = ContainerContentItem(DCM.OverallAssessment, relationship_type="CONTAINS")
    box.ContentSequence = []
    for side in ("R", "L", "overall"):
        category = report.category(side)
        if category is None:
            continue
        item = CodeContentItem(DCM.AssessmentCategory, CATEGORY_CODES[category], relationship_type="CONTAINS")
        item.ContentSequence = ([_laterality(side)] if side in SIDE_CODES else []) + [
            TextContentItem(DCM.Recommendation, recommendation(category), relationship_type="HAS PROPERTIES")]
        box.ContentSequence.append(item)
    return box


def _composition(report: StudyReport) -> list[Any]:
    from highdicom.sr import CodeContentItem, TextContentItem

    c = report.composition
    if c is None:
        return []
    if c in COMPOSITION_CODES:
        return [CodeContentItem(DCM.BreastComposition, COMPOSITION_CODES[c], relationship_type="CONTAINS")]
    return [TextContentItem(DCM.BreastComposition, COMPOSITIONS[c], relationship_type="CONTAINS")]


def content_tree(report: StudyReport, narrative: str, reader: str, headers: Mapping[str, Any],
                 boxes: Mapping[str, Box]) -> Any:
    """The root container (TID 4200) of ``report``; ``headers`` by film key, ``boxes`` by finding id."""
    from highdicom.sr import CodeContentItem, ContainerContentItem, PnameContentItem, TextContentItem

    root = ContainerContentItem(DCM.BreastImagingReport, is_content_continuous=False, template_id="4200")
    narrative_box = ContainerContentItem(DCM.NarrativeSummary, relationship_type="CONTAINS")
    narrative_box.ContentSequence = [TextContentItem(DCM.Findings, narrative, relationship_type="CONTAINS")]
    findings = ContainerContentItem(DCM.Findings, relationship_type="CONTAINS")
    findings.ContentSequence = _composition(report) + [_finding_item(f, headers, boxes) for f in report.findings]
    root.ContentSequence = [
        CodeContentItem(DCM.ObserverType, DCM.Person, relationship_type="HAS OBS CONTEXT"),
        PnameContentItem(DCM.PersonObserverName, reader or "unknown", relationship_type="HAS OBS CONTEXT"),
        narrative_box,
    ]
    if findings.ContentSequence:
        root.ContentSequence.append(findings)
    if report.category("overall") is not None:
        root.ContentSequence.append(_assessments(report))
    return root


def own_study(report: StudyReport) -> Any:
    """A header that stands for a study without DICOM films (patient and a study UID from its key)."""
    from pydicom.dataset import Dataset
    from pydicom.uid import generate_uid

    ds = Dataset()
    ds.PatientID, ds.PatientName = report.patient or report.study, report.patient or report.study
    ds.StudyInstanceUID = generate_uid(entropy_srcs=[MANUFACTURER, "study", report.study])
    for keyword in ("PatientBirthDate", "PatientSex", "AccessionNumber", "StudyDate", "StudyTime",
                    "ReferringPhysicianName"):  # fmt: skip
        setattr(ds, keyword, None)
    ds.StudyID = report.study[:16]
    # highdicom reads these of every evidence item; with record_evidence off they are written nowhere
    ds.SeriesInstanceUID = generate_uid(entropy_srcs=[MANUFACTURER, "series", report.study])
    ds.SOPClassUID, ds.SOPInstanceUID = COMPREHENSIVE_SR, generate_uid(entropy_srcs=[MANUFACTURER, report.study])
    return ds


def build_report_sr(report: StudyReport, narrative: str, reader: str, headers: Mapping[str, Any],
                    boxes: Mapping[str, Box], series_uid: str, instance_number: int = 1) -> Any:
    """The Comprehensive SR of ``report``; ``headers``: the study's DICOM film headers by key (may be empty).

    The SR joins the study (and patient) of the first DICOM film; films of other studies are listed
    as other evidence (CBIS-DDSM stores each view of an exam as its own DICOM patient and study, which
    ``studies`` groups back into one exam).
    """
    from highdicom.sr import ComprehensiveSR
    from pydicom.uid import generate_uid

    evidence = list(headers.values())
    kept = dict(headers)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # highdicom warns on non-standard names of real files
        sr = ComprehensiveSR(
            evidence=evidence or [own_study(report)], content=content_tree(report, narrative, reader, kept, boxes),
            series_instance_uid=series_uid, series_number=9101, sop_instance_uid=generate_uid(),
            instance_number=instance_number, manufacturer=MANUFACTURER, is_complete=True,
            record_evidence=bool(evidence), series_description="Breast imaging report",
        )  # fmt: skip
    if not evidence and "CurrentRequestedProcedureEvidenceSequence" in sr:
        del sr.CurrentRequestedProcedureEvidenceSequence  # the stand-in study has no instances to list
    sr.SoftwareVersions = __version__
    return sr


def category_meaning(category: int) -> str:
    """``"4 - Suspicious"``."""
    return f"{category} - {BIRADS[category][0]}"
