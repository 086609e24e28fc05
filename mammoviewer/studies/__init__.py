"""Studies: films grouped into patients and exams, priors, and the hanging protocols (Qt-free).

Only file headers are read here (DICOM without its pixels, file names for mini-MIAS and the
CBIS-DDSM naming); the viewer loads the pixels of the films it hangs.
"""

from mammoviewer.studies.films import Film, read_film
from mammoviewer.studies.grouping import Study, find_studies, group_studies, prior_of
from mammoviewer.studies.hanging import Hanging, Layout, Pane, auto_layout, hang

__all__ = [
    "Film", "Hanging", "Layout", "Pane", "Study", "auto_layout", "find_studies", "group_studies",
    "hang", "prior_of", "read_film",
]
