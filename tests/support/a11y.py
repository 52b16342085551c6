"""Accessibility checks in the browser: axe-core and the size of pointer targets.

axe-core comes with the PyPI package ``axe-playwright-python`` (its ``axe.min.js``); it
is injected into the page and run on part of it. Nothing here knows about pytest.
"""

from __future__ import annotations

#: The suite's own DOM in a notebook open in JupyterLab or Notebook 7: the outputs
#: (widgets, figures, tables) and the rendered Markdown of the visible notebook.
JUPYTER_OWN = [
    ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output",
    ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedMarkdown",
]
#: Left out of the audit, as the front end's, not the suite's (axe reports both):
#: - the heading-collapse buttons JupyterLab puts into rendered headings (no name);
#: - the ``<img>`` JupyterLab makes for an ``image/png`` output (a matplotlib figure):
#:   it has no ``alt`` and the notebook has no way to give it one. JupyterLab's
#:   renderer (packages/rendermime/src/renderers.ts, ``renderImage``, lines 167-203 at
#:   jupyterlab@6ef5a17, 4.7.0-alpha.1) sets ``img.src``, ``img.width``, ``img.height``
#:   and two classes, never ``alt``; ``RenderedImage.render`` (widgets.ts, 312-324)
#:   passes it only the output metadata's ``width``, ``height``, ``unconfined`` and
#:   ``needs_background``. The bundles of JupyterLab 4.6.6 and Notebook 7.6.5 installed
#:   here do the same (Notebook 7 renders outputs with JupyterLab's rendermime). Only
#:   an ``<img>`` inside a ``text/html`` output keeps its own ``alt`` (a missing one
#:   becomes "Image", ``handleDefaults``): the figure would have to be shown as HTML,
#:   not as a PNG. The lessons give each figure an alt text in its cell's metadata
#:   (``alt``); the static edition's pages (scripts/build_html.py, ``figure_alt``)
#:   show it, and are audited with it (tests/browser/test_accessibility_static.py).
JUPYTER_CHROME = [".jp-collapseHeadingButton", ".jp-RenderedImage > img"]

#: The rules run: those of WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe-core's tags).
#: axe's best-practice rules add about a third to the time and no serious finding here.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]

#: The impacts a test must not see.
GRAVE = ("serious", "critical")
#: WCAG 2.2, SC 2.5.8 (Target Size, Minimum): 24 x 24 CSS px.
MIN_TARGET = 24

#: Every control of every convtutor widget in ``scope``: [what, width, height] (CSS px).
TARGETS = """(scope) => [...document.querySelectorAll(scope)].flatMap((root) =>
  [...root.querySelectorAll('.ct-widget input, .ct-widget select, .ct-widget button')])
  .filter((e) => e.type !== 'hidden')
  .map((e) => { const r = e.getBoundingClientRect();
                return [`${e.tagName.toLowerCase()}[${e.type}] ${e.dataset.name || ''}`.trim(),
                        r.width, r.height]; })"""


def axe_problem() -> str | None:
    """Why axe-core cannot run here, or None."""
    try:
        import axe_playwright_python  # noqa: F401
    except ImportError as exc:
        return f"axe-playwright-python is missing ({exc}); pip install axe-playwright-python"
    return None


def axe_violations(
    page,
    include: list[str],
    exclude: list[str] = (),
    rules_off: tuple[str, ...] = (),
    only: tuple[str, ...] = (),
) -> list[dict]:
    """axe-core's violations in the elements matching any selector of ``include``, less
    those inside an element matching one of ``exclude``; ``rules_off``: rule ids not run;
    ``only``: when given, the only rule ids run.

    Returns one record per rule: id, impact, nodes (how many), targets (the first five)
    and the first node's failure summary. No match for ``include``: nothing to check, [].
    """
    from axe_playwright_python.base import AXE_SCRIPT

    present = [s for s in include if page.locator(s).count()]
    if not present:
        return []
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SCRIPT)
    context = {"include": [[s] for s in present]}
    absent = [s for s in exclude if page.locator(s).count()]
    if absent:
        context["exclude"] = [[s] for s in absent]
    options = {
        "resultTypes": ["violations"],
        "rules": {rule: {"enabled": False} for rule in rules_off},
    }
    if only:
        options["runOnly"] = {"type": "rule", "values": list(only)}
    result = page.evaluate("([context, options]) => axe.run(context, options)", [context, options])
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "nodes": len(v["nodes"]),
            "targets": [n["target"] for n in v["nodes"][:5]],
            "summary": v["nodes"][0].get("failureSummary", "")[:400],
        }
        for v in result["violations"]
    ]


def grave(violations: list[dict]) -> list[dict]:
    """The serious and critical ones."""
    return [v for v in violations if v["impact"] in GRAVE]


def small_targets(page, scope: str = "body") -> tuple[int, list]:
    """(how many controls, those smaller than MIN_TARGET in either direction)."""
    targets = page.evaluate(TARGETS, scope)
    small = [t for t in targets if t[1] < MIN_TARGET - 0.01 or t[2] < MIN_TARGET - 0.01]
    return len(targets), small
