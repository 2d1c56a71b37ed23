"""The build stamp: which commit a site was built from, and when (the commit's time, so the same
commit builds the same bytes). ``SOURCE_DATE_EPOCH`` overrides the time, as reproducible builds expect."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path


def build_stamp(folder: Path) -> dict:
    """``{"commit": sha | None, "time": ISO-8601}`` for the git work tree holding ``folder``."""
    commit, time = None, None
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%H %cI"], cwd=folder, capture_output=True,
                             text=True, check=True, timeout=30).stdout.split()
        if len(out) == 2:
            commit, time = out
    except (OSError, subprocess.SubprocessError):
        pass
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        time = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).isoformat()
    if time is None:
        time = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    return {"commit": commit, "time": time}
