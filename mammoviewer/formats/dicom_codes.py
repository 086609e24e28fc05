"""The coded concepts MammoViewer writes into (and reads from) DICOM SR and presentation states."""

from __future__ import annotations

from pydicom.sr.codedict import codes
from pydicom.sr.coding import Code

DCM, SCT = codes.DCM, codes.SCT

#: finding type -> Single Image Finding value (CID 6014 Mammography Single Image Finding)
FINDING_CODES: dict[str | None, Code] = {
    "mass": SCT.Mass,
    "calcification": SCT.CalcificationCluster,
    "architectural distortion": SCT.ArchitecturalDistortionOfBreast,
    "asymmetry": SCT.AsymmetricBreastTissue,
    None: SCT.Lesion,
}
#: label -> value of the finding's Pathology property
LABEL_CODES: dict[str, Code] = {"benign": SCT.Benign, "malignant": SCT.Malignant}
#: DICOM laterality -> Image Laterality value
LATERALITY_CODES: dict[str, Code] = {"R": SCT.Right, "L": SCT.Left}

PRESENTATION_REQUIRED = DCM.PresentationRequiredRenderingDeviceIsExpectedToPresent
NOT_FOR_PRESENTATION = DCM.NotForPresentationRenderingDeviceExpectedNotToPresent
PERCENT = codes.UCUM.Percent
#: pydicom's meaning holds a zero-width space that no SR character set can encode
INDIVIDUAL_IMPRESSION = Code("111034", "DCM", "Individual Impression/Recommendation")


def same(a: object, b: Code) -> bool:
    """True if a coded concept (highdicom or pydicom) names the same code as ``b``."""
    return (getattr(a, "value", None), getattr(a, "scheme_designator", None)) == (b.value, b.scheme_designator)


def finding_type_of(code: object) -> str | None:
    """The project's finding type for a Single Image Finding value (None if another concept)."""
    for ftype, c in FINDING_CODES.items():
        if ftype is not None and same(code, c):
            return ftype
    for alias, ftype in ((DCM.CalcificationCluster, "calcification"), (DCM.IndividualCalcification, "calcification"),
                         (SCT.IndividualCalcification, "calcification"),
                         (SCT.FocalAsymmetricBreastTissue, "asymmetry")):  # fmt: skip
        if same(code, alias):
            return ftype
    return None


def label_of(code: object) -> str | None:
    """``"benign"``/``"malignant"`` for a Pathology value, else None."""
    return next((label for label, c in LABEL_CODES.items() if same(code, c)), None)
