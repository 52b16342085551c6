"""Accessibility of the static edition: axe-core on every page, and the size of every
control's pointer target.

axe-core (from ``axe-playwright-python``, its WCAG 2.x A/AA rules) runs on the outputs
of each page (widgets, figures, tables): see ``OWN``; ``WHOLE_PAGE``'s rules on all of
it. The page around the outputs (code-cell prompts, syntax colours) is nbconvert's
JupyterLab theme, not the suite's.
No serious or critical violation may be found there. Every input, select and button of
every widget is at least 24 x 24 CSS px (WCAG 2.2, SC 2.5.8).
"""

from __future__ import annotations

from tests.support.a11y import MIN_TARGET, axe_violations, grave, small_targets

#: The part of a static page audited by every rule: the outputs (widgets, figures,
#: tables). The Markdown prose is audited in JupyterLab (``test_lab_notebooks.py``);
#: auditing it here too made each page's audit about three times slower (04: 14 s
#: against 4.5 s, on a loaded machine) and found only ``link-in-text-block`` (the theme
#: tells links from text by colour alone), which ``WHOLE_PAGE`` checks on every page.
OWN = [".jp-OutputArea-output"]
#: Rules run over the whole page, prose included: the pages' theme (nbconvert's
#: JupyterLab CSS) colours links #0d47a1 in #212121 text (1.9:1) and does not underline
#: them; scripts/build_html.py underlines links in running text (``PAGE_STYLE``).
WHOLE_PAGE = ("link-in-text-block",)


def test_every_page_has_no_grave_axe_violation_and_big_enough_targets(
    static_edition, chromium, axe_available
):
    """Every static page: no serious or critical axe violation, each control at least 24 x 24 px."""
    out, pages = static_edition
    problems, controls = [], 0
    for page in [{"name": "index", "html": "index.html"}, *pages]:
        path = out / page["html"]
        if not path.exists():
            continue
        chromium.open_file(path)
        chromium.settle(scope="body")
        found = axe_violations(chromium.page, OWN)
        found += axe_violations(chromium.page, ["body"], only=WHOLE_PAGE)
        for v in grave(found):
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
