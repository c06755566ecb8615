"""What a fresh web process would otherwise do on its first requests: import every view, load the translation
catalogs and URL reverse tables of each language, compile the site's templates and the form widget templates,
finalize the Celery app and import the broker's client library (the first task a process enqueued took ~390 ms
of imports without bytecode, ~65 ms with it).

gunicorn (`gunicorn.conf.py`, `preload_app`) calls `warm_up()` once in the master before it forks its workers, so
every worker — including those recycled after `max_requests` — starts with all of it in (shared) memory. Measured
on this project: a cold worker spent ~0.85 s of CPU more on its first pass over the pages than on the next one;
under load that cost arrived all at once, in every worker, as the first requests of a run.

`preload_indexes()` then builds the matching indexes (one aggregate query tells whether the catalog changed, see
`matchmaking.match_index`) in the same parent — gunicorn's master and the Celery worker's main process
(`config.celery`) — and freezes the heap (`gc.freeze()`): the collector no longer walks (and so writes to) the
objects that exist before the fork, so their pages stay shared between the workers instead of being copied into
each of them. A worker that finds the catalog changed builds its own index, as before.
"""

import gc
import logging
import time
from pathlib import Path

logger = logging.getLogger(__name__)


def warm_up() -> dict[str, int]:
    """Do the per-process lazy work now; touches no database (and leaves no connection open)."""
    from django.conf import settings
    from django.db import connections
    from django.forms.renderers import get_default_renderer
    from django.template import engines
    from django.urls import get_resolver, reverse
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and with it every view module
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            reverse("home")  # this language's catalogs and reverse lookup tables

    compiled = 0
    engine = engines["django"]
    for directory in settings.TEMPLATES[0]["DIRS"]:
        for path in sorted(Path(directory).rglob("*.html")):
            engine.get_template(path.relative_to(directory).as_posix())
            compiled += 1
    import django.forms

    renderer = get_default_renderer()
    forms_dir = Path(django.forms.__file__).parent / "templates"
    for path in sorted((forms_dir / "django" / "forms").rglob("*.html")):
        renderer.get_template(path.relative_to(forms_dir).as_posix())
        compiled += 1
    from celery import current_app
    from kombu import Connection

    current_app.tasks  # noqa: B018 - finalizes the app: task registry, autodiscovered task modules
    Connection(current_app.conf.broker_url).transport  # noqa: B018 - imports the client library; no connection
    connections.close_all()
    return {"templates": compiled}


def preload_indexes(web: bool = True) -> dict[str, object]:
    """Build the matching index (and, for the web, the challenges' proposed-bidder index) before forking, then
    freeze the heap so the workers share it; does nothing with `MATCH_PRELOAD_INDEX` off. A database that
    cannot be read is logged and left to the workers (each builds its index on first use, as without preload)."""
    from django.conf import settings
    from django.db import DatabaseError, connections

    # models load only once the apps are ready, and config.celery imports this module before they are
    from challenges import matching
    from matchmaking import match_index  # (as above)

    if not settings.MATCH_PRELOAD_INDEX:
        return {}
    start, cpu = time.perf_counter(), time.process_time()
    out: dict[str, object] = {}
    try:
        out["matching"] = match_index.preload_index()
        if web:  # only pages (and the API) propose bidders for a challenge
            out["challenges"] = matching.get_index().size_n
    except DatabaseError:
        logger.exception("matching index preload failed; each worker builds its own on first use")
    finally:
        connections.close_all()  # children must open their own connections
    gc.collect()
    gc.freeze()
    out.update(seconds=round(time.perf_counter() - start, 2), cpu_s=round(time.process_time() - cpu, 2))
    out["frozen_objects"] = gc.get_freeze_count()
    return out
