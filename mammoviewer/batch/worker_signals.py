"""Loaded first in every worker process of a local batch cluster (Dask's ``distributed.worker.preload``).

Ctrl+C in a terminal reaches the whole process group: the batch itself stops the cluster and says
so in one line, so a worker ignores SIGINT instead of printing its own KeyboardInterrupt traceback.
"""

from __future__ import annotations

import signal
import threading

if threading.current_thread() is threading.main_thread():
    signal.signal(signal.SIGINT, signal.SIG_IGN)
