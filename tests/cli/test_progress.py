"""The progress bar of ``detect`` and ``batch``: on a terminal only, counting films with rate and ETA."""

import io
import sys

from mammoviewer.cli.progress import progress_bar, write_line


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_bar_counts_films_with_their_rate(monkeypatch):
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    with progress_bar(total=4, initial=1, desc="batch") as bar:
        bar.update(2)
        write_line(bar, "mammoviewer: error: x.pgm: no such file")
        bar.update(1)
    out = term.getvalue()
    assert "mammoviewer: error: x.pgm: no such file\n" in out
    assert "4/4" in out and "film/s" in out and "batch" in out


def test_captured_or_piped_stderr_gets_the_error_lines_only(monkeypatch):
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    with progress_bar(total=2) as bar:
        bar.update()
        write_line(bar, "mammoviewer: error: y.pgm: empty file")
        bar.update()
    assert piped.getvalue() == "mammoviewer: error: y.pgm: empty file\n"


def test_a_single_film_shows_no_bar(monkeypatch):
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    with progress_bar(total=1, show=False) as bar:
        bar.update()
    assert term.getvalue() == ""
