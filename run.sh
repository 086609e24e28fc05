#!/usr/bin/env bash
# MammoViewer set-up and launcher. Creates (or reuses) ./.venv, installs what is
# missing (pip packages; on Debian the few system libraries Qt needs, and Xvfb),
# then runs what was asked:
#   ./run.sh [view] [PATH] [options]   open the viewer (default: bundled sample + bundled model)
#   ./run.sh test [pytest args]        run the whole test suite
#   ./run.sh cli ARGS...               run any mammoviewer command, e.g. ./run.sh cli info FILE --json
#   ./run.sh bench                     run the benchmarks
set -euo pipefail
cd "$(dirname "$0")"
VENV="${MAMMOVIEWER_VENV:-.venv}"
SAMPLE="resources/samples/mdb023.pgm"

say() { printf 'run.sh: %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        say "need root to run: $*"; return 1; fi
}

apt_install() {
    command -v apt-get >/dev/null || { say "please install: $*"; return 1; }
    say "installing Debian packages: $*"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

find_python() {
    for py in python3.11 python3.12 python3; do
        if command -v "$py" >/dev/null && "$py" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] < (3, 13))'; then
            echo "$py"; return 0
        fi
    done
    say "Python 3.11 or 3.12 is required"; return 1
}

ensure_venv() {
    if [ ! -x "$VENV/bin/python" ]; then
        local py; py="$(find_python)"
        if ! "$py" -m venv "$VENV" 2>/dev/null; then
            rm -rf "$VENV"
            apt_install "python3-venv" "$(basename "$py")-venv" || apt_install python3-venv
            "$py" -m venv "$VENV"
        fi
    fi
    local stamp="$VENV/.mammoviewer-installed"
    if [ ! -f "$stamp" ] || [ setup.cfg -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
        say "installing MammoViewer and its dependencies into $VENV (first run takes a few minutes)"
        "$VENV/bin/python" -m pip install -q --upgrade pip
        "$VENV/bin/python" -m pip install -q -e ".[test,train]"
        touch "$stamp"
    fi
}

ensure_qt_libs() {
    if ! QT_QPA_PLATFORM=offscreen "$VENV/bin/python" -c 'from PySide6 import QtGui, QtWidgets' 2>/dev/null; then
        apt_install libgl1 libegl1 libglib2.0-0 libfontconfig1 libxkbcommon0 libdbus-1-3 \
            libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
            libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxrender1
    fi
}

ensure_xcb_libs() {  # the libraries Qt's X11 (xcb) platform plugin needs, for a real or virtual screen
    local plugin
    plugin="$("$VENV/bin/python" -c 'import PySide6, pathlib; print(next(pathlib.Path(PySide6.__file__).parent.glob("Qt/plugins/platforms/libqxcb.so"), ""))')"
    if [ -n "$plugin" ] && command -v ldd >/dev/null && ldd "$plugin" | grep -q "not found"; then
        apt_install libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
            libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxcb-xfixes0 \
            libxcb-shm0 libxcb-sync1 libxcb-render0 libx11-xcb1 libxrender1
    fi
}

ensure_xvfb() {
    command -v Xvfb >/dev/null || apt_install xvfb xauth
}

ensure_test_services() {  # a real PACS (Orthanc) and DCMTK's SR checker for the DICOM-output and PACS tests
    local missing=()
    command -v Orthanc >/dev/null || [ -x /usr/sbin/Orthanc ] || missing+=(orthanc)
    command -v dsrdump >/dev/null || missing+=(dcmtk)
    [ ${#missing[@]} = 0 ] || apt_install "${missing[@]}"
}

cmd="${1:-view}"
case "$cmd" in
    test)
        shift
        ensure_venv; ensure_qt_libs
        ensure_xvfb || say "Xvfb could not be installed; the tests run on Qt's offscreen platform anyway"
        ensure_test_services
        export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
        export PYTHONFAULTHANDLER=1  # a native crash in a test's child process prints its Python stack
        exec "$VENV/bin/python" -m pytest "$@"
        ;;
    bench)
        shift
        ensure_venv; ensure_qt_libs
        export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
        exec "$VENV/bin/python" benchmarks/run_all.py "$@"
        ;;
    cli)
        shift
        ensure_venv
        exec "$VENV/bin/mammoviewer" "$@"
        ;;
    view|*)
        [ "$cmd" = view ] && shift || true
        ensure_venv; ensure_qt_libs; ensure_xcb_libs
        has_path=0; skip=0
        for a in "$@"; do
            if [ $skip = 1 ]; then skip=0; continue; fi
            case "$a" in --screenshot|--store|--model|--size) skip=1 ;; -*) ;; *) has_path=1 ;; esac
        done
        [ $has_path = 1 ] || set -- "$SAMPLE" "$@"
        case " $* " in *" --screenshot "*) exec "$VENV/bin/mammoviewer" view "$@" ;; esac
        if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${QT_QPA_PLATFORM:-}" != offscreen ]; then
            ensure_xvfb
            say "no display found: running the viewer on a virtual X screen (Xvfb); stop it with Ctrl+C."
            say "to see it, run on a desktop, or save a picture: ./run.sh view --screenshot out.png"
            exec xvfb-run -a -s "-screen 0 1600x1000x24" "$VENV/bin/mammoviewer" view "$@"
        fi
        exec "$VENV/bin/mammoviewer" view "$@"
        ;;
esac
