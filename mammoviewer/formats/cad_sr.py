"""Mammography CAD SR (TID 4000) of one image's model findings, built from highdicom content items.

The document (SOP class 1.2.840.10008.5.1.4.1.1.88.50) holds, under the root "Mammography
CAD Report": the device observer, an Image Library with the image, the "CAD Processing and
Findings Summary" inferred from one Individual Impression/Recommendation per finding, and
the Summary of Detections (the algorithm that ran) and of Analyses (none). Each finding is a
Single Image Finding whose value is the finding type (mass, calcification cluster, ...),
with its Rendering Intent, the algorithm name and version, the model's score as Certainty
of Finding (percent), its label as Pathology (benign/malignant) and its box as a closed
SCOORD POLYLINE selected from the image.

Operating point: every model finding is written; those scoring below the operating point
carry the Rendering Intent "Not for Presentation" (viewers should not show them), the others
"Presentation Required". The operating point itself is written as Algorithm Parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mammoviewer import __version__
from mammoviewer.formats.dicom_codes import (
    DCM, FINDING_CODES, INDIVIDUAL_IMPRESSION, LABEL_CODES, LATERALITY_CODES, NOT_FOR_PRESENTATION, PERCENT,
    PRESENTATION_REQUIRED,
)  # fmt: skip
from mammoviewer.review.records import Box, Finding

MAMMOGRAPHY_CAD_SR = "1.2.840.10008.5.1.4.1.1.88.50"
MANUFACTURER = "MammoViewer"


@dataclass(frozen=True, slots=True)
class Algorithm:
    """The CAD algorithm whose findings a report carries."""

    name: str
    version: str
    operating_point: float | None = None  # score at and above which findings are for presentation


def rectangle(box: Box, rows: int | None = None, columns: int | None = None) -> np.ndarray:
    """A box as a closed polyline of 5 (column, row) points (first == last) in DICOM image coordinates
    (0, 0 the top-left corner of the top-left pixel), clipped to the image when its size is given."""
    x0, y0, x1, y1 = box.as_tuple()
    pts = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]], dtype=np.float32)
    if columns is not None:
        pts[:, 0] = np.clip(pts[:, 0], 0, columns)
    if rows is not None:
        pts[:, 1] = np.clip(pts[:, 1], 0, rows)
    return pts


def _rendering_intent(score: float | None, algorithm: Algorithm) -> Any:
    op = algorithm.operating_point
    return NOT_FOR_PRESENTATION if (op is not None and score is not None and score < op) else PRESENTATION_REQUIRED


def _algorithm_items(algorithm: Algorithm) -> list[Any]:
    """TID 4019 CAD Algorithm Identification."""
    from highdicom.sr import TextContentItem

    items = [
        TextContentItem(DCM.AlgorithmName, algorithm.name, relationship_type="HAS PROPERTIES"),
        TextContentItem(DCM.AlgorithmVersion, algorithm.version, relationship_type="HAS PROPERTIES"),
    ]
    if algorithm.operating_point is not None:
        items.append(TextContentItem(
            DCM.AlgorithmParameters, f"operating point {algorithm.operating_point:g} (score 0-1); "
            "findings below it are marked Not for Presentation", relationship_type="HAS PROPERTIES"))  # fmt: skip
    return items


def algorithm_key(f: Finding) -> tuple[str, str]:
    """``(name, version)`` of the model that made a finding."""
    return (f.model_name or "unknown", f.model_version or "unknown")


def _finding_item(f: Finding, image: Any, algorithm: Algorithm) -> Any:
    """An Individual Impression/Recommendation holding one Single Image Finding (TID 4003/4006)."""
    from highdicom.sr import (
        CodeContentItem, ContainerContentItem, ImageContentItem, NumContentItem, ScoordContentItem,
    )  # fmt: skip

    intent = _rendering_intent(f.score, algorithm)
    finding = CodeContentItem(DCM.SingleImageFinding, FINDING_CODES[f.finding_type],
                              relationship_type="CONTAINS")  # fmt: skip
    props: list[Any] = [CodeContentItem(DCM.RenderingIntent, intent, relationship_type="HAS CONCEPT MOD")]
    props += _algorithm_items(algorithm)
    if f.score is not None:
        props.append(NumContentItem(DCM.CertaintyOfFinding, round(100.0 * f.score, 4), PERCENT,
                                    relationship_type="HAS PROPERTIES"))  # fmt: skip
    props.append(CodeContentItem(DCM.Pathology, LABEL_CODES[f.label], relationship_type="HAS PROPERTIES"))
    outline = ScoordContentItem(DCM.Outline, "POLYLINE", rectangle(f.box, int(image.Rows), int(image.Columns)),
                                relationship_type="HAS PROPERTIES")  # fmt: skip
    outline.ContentSequence = [ImageContentItem(DCM.SourceImage,
                                                image.SOPClassUID, image.SOPInstanceUID,
                                                relationship_type="SELECTED FROM")]  # fmt: skip
    props.append(outline)
    finding.ContentSequence = props
    impression = ContainerContentItem(INDIVIDUAL_IMPRESSION, relationship_type="INFERRED FROM")
    impression.ContentSequence = [
        CodeContentItem(DCM.RenderingIntent, intent, relationship_type="HAS CONCEPT MOD"), finding,
    ]  # fmt: skip
    return impression


def _image_library(image: Any) -> Any:
    """TID 4020 CAD Image Library with the one image and its laterality and view where known."""
    from highdicom.sr import CodeContentItem, CodedConcept, ContainerContentItem, ImageContentItem

    entry = ImageContentItem(DCM.SourceImage,
                             image.SOPClassUID, image.SOPInstanceUID, relationship_type="CONTAINS")  # fmt: skip
    context = []
    laterality = str(image.get("ImageLaterality") or image.get("Laterality") or "")
    if laterality in LATERALITY_CODES:
        context.append(CodeContentItem(DCM.ImageLaterality, LATERALITY_CODES[laterality],
                                       relationship_type="HAS ACQ CONTEXT"))  # fmt: skip
    views = image.get("ViewCodeSequence")
    if views:
        context.append(CodeContentItem(DCM.ImageView, CodedConcept.from_dataset(views[0]),
                                       relationship_type="HAS ACQ CONTEXT"))  # fmt: skip
    if context:
        entry.ContentSequence = context
    library = ContainerContentItem(DCM.ImageLibrary, relationship_type="CONTAINS")
    library.ContentSequence = [entry]
    return library


def _detections(algorithms: Sequence[Algorithm]) -> Any:
    """Summary of Detections: succeeded, with the detection each algorithm performed (TID 4015)."""
    from highdicom.sr import CodeContentItem, ContainerContentItem

    done = ContainerContentItem(DCM.SuccessfulDetections, relationship_type="INFERRED FROM")
    done.ContentSequence = []
    for algorithm in algorithms:
        performed = CodeContentItem(DCM.DetectionPerformed, FINDING_CODES[None], relationship_type="CONTAINS")
        performed.ContentSequence = _algorithm_items(algorithm)
        done.ContentSequence.append(performed)
    summary = CodeContentItem(DCM.SummaryOfDetections, DCM.Succeeded, relationship_type="CONTAINS")
    summary.ContentSequence = [done]
    return summary


def content_tree(image: Any, findings: Sequence[Finding], algorithms: Sequence[Algorithm]) -> Any:
    """The root container of the report (TID 4000) for ``image``'s ``findings``.

    ``algorithms`` are the models that ran on the image; each finding names its own
    (``model_name``/``model_version``), which must be one of them.
    """
    by_key = {(a.name, a.version): a for a in algorithms}
    from highdicom.sr import CodeContentItem, ContainerContentItem, TextContentItem, UIDRefContentItem
    from pydicom.uid import generate_uid

    root = ContainerContentItem(DCM.MammographyCADReport, is_content_continuous=False, template_id="4000")
    findings_summary = CodeContentItem(
        DCM.CADProcessingAndFindingsSummary,
        DCM.AllAlgorithmsSucceededWithFindings if findings else DCM.AllAlgorithmsSucceededWithoutFindings,
        relationship_type="CONTAINS",
    )
    if findings:
        findings_summary.ContentSequence = [_finding_item(f, image, by_key[algorithm_key(f)]) for f in findings]
    device_uid = generate_uid(entropy_srcs=[MANUFACTURER, *(f"{a.name} {a.version}" for a in algorithms)])
    root.ContentSequence = [
        CodeContentItem(DCM.ObserverType, DCM.Device, relationship_type="HAS OBS CONTEXT"),
        UIDRefContentItem(DCM.DeviceObserverUID, device_uid, relationship_type="HAS OBS CONTEXT"),
        TextContentItem(DCM.DeviceObserverName, ", ".join(f"{a.name} {a.version}" for a in algorithms),
                        relationship_type="HAS OBS CONTEXT"),  # fmt: skip
        TextContentItem(DCM.DeviceObserverManufacturer, MANUFACTURER, relationship_type="HAS OBS CONTEXT"),
        _image_library(image),
        findings_summary,
        _detections(algorithms),
        CodeContentItem(DCM.SummaryOfAnalyses, DCM.NotAttempted, relationship_type="CONTAINS"),
    ]
    return root


def build_cad_sr(image: Any, findings: Sequence[Finding], algorithms: Sequence[Algorithm], series_uid: str,
                 series_number: int = 9001, instance_number: int = 1) -> Any:  # fmt: skip
    """A Mammography CAD SR dataset for ``image`` (its header) with the models' ``findings``.

    Patient and study come from ``image``; the report is in the new series ``series_uid``.
    """
    import warnings

    from pydicom.uid import generate_uid

    if not algorithms:
        raise ValueError("a CAD report needs at least one algorithm")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # highdicom warns on non-standard patient names of real files
        sr = _sr_class()(
            evidence=[image], content=content_tree(image, findings, algorithms), series_instance_uid=series_uid,
            series_number=series_number, sop_instance_uid=generate_uid(), sop_class_uid=MAMMOGRAPHY_CAD_SR,
            instance_number=instance_number, manufacturer=MANUFACTURER, is_complete=True,
            series_description=long_string("CAD " + ", ".join(f"{a.name} {a.version}" for a in algorithms)),
        )  # fmt: skip
    sr.SoftwareVersions = __version__
    return sr


def long_string(text: str) -> str:
    """``text`` as a DICOM Long String may hold it (64 characters), shortened with an ellipsis if needed."""
    return text if len(text) <= 64 else text[:61].rstrip() + "..."


def _sr_class() -> type:
    """highdicom's shared SR document base, bound to no SOP class (it has no Mammography CAD SR class)."""
    from highdicom.sr.sop import _SR

    return _SR
