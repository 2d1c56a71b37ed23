"""Helpers of the floor tests (layout, accessibility, counts): the example site served over http."""

from __future__ import annotations

from conftest import http_server

#: ``with served(site) as base:`` a plain http server of ``folder`` on 127.0.0.1.
served = http_server


#: One page of each kind of the example site (paths from the site root).
PAGE_KINDS = {
    "home": "index.html",
    "sop-zh": "production/htst-pasteurisation.html",
    "sop-en": "warehouse/goods-receiving.html",
    "sop-upcoming": "production/packaging-line-clearance.html",
    "archived": "id/SOP-WH-003/v1.1/index.html",
    "upcoming": "id/SOP-PROD-020/v2.0/index.html",
    "role": "roles/line-operator.html",
    "roles": "roles/index.html",
    "department": "departments/PROD.html",
    "directory": "directory/index.html",
    "register": "registers/control-points.html",
    "matrix": "registers/training-matrix.html",
    "reviews": "reviews/index.html",
    "changes": "changes/index.html",
    "owners": "owners/index.html",
    "training": "training/index.html",
    "quiz": "training/prod-pasteurisation.html",
}
