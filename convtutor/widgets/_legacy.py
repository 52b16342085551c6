"""The base every slider widget stands on.

A widget owns one matplotlib figure, built once. Its controls are ipywidgets; when a
control changes, :meth:`Widget._update` changes the existing artists in place
(``set_data``, ``set_text``, ``set_height`` ...) and the canvas is redrawn (under
ipympl the new frame is pushed to the page at once, see :mod:`._ipympl`). No figure,
axes or image is ever created after ``__init__``.

Where the figure lives:

* under ``%matplotlib widget`` (ipympl) the figure's canvas *is* a widget and sits
  under the controls;
* under any other backend (inline, Agg in tests, nbconvert) the figure is drawn to
  PNG into an ``ipywidgets.Image`` after each change, so the sliders still work.

Either way, :attr:`Widget.widget` also carries a PNG of the figure and a one-line
note, which is what a page without a widget front end (GitHub, a static HTML
export) shows.
"""

from __future__ import annotations

import io
import traceback

import ipywidgets as widgets
import matplotlib
from matplotlib.figure import Figure

STATIC_NOTE = (
    "(This figure is interactive when the notebook runs in Jupyter: the sliders above "
    "change it live.)"
)


def using_ipympl() -> bool:
    """True when the active matplotlib backend is ipympl (``%matplotlib widget``)."""
    backend = matplotlib.get_backend().lower()
    return "ipympl" in backend or backend.endswith("widget")


class _Panel(widgets.VBox):
    """The displayed box: a live widget, plus a PNG and a note for static pages."""

    def __init__(self, owner: Widget, children):
        super().__init__(children)
        self._owner = owner

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data = dict(data)
        data["image/png"] = self._owner.png()
        data["text/plain"] = f"{type(self._owner).__name__} widget. {STATIC_NOTE}"
        return data


class Widget:
    """A slider widget over one figure that is updated in place.

    Subclasses set up their controls and artists in ``__init__`` and then call
    :meth:`_finish`; they implement :meth:`_update`, which reads :attr:`state` and
    changes artists in place.

    Attributes
    ----------
    widget : ipywidgets.VBox
        What a notebook displays: controls, the figure, a caption.
    figure : matplotlib.figure.Figure
        Built once; never replaced.
    controls : dict[str, ipywidgets.Widget]
        Name -> control. Move them with :meth:`set`.
    errors : list[BaseException]
        Exceptions raised by callbacks moved from the front end. Also shown under
        the figure, so a student sees them instead of a silently stale figure.
    """

    #: One line under the figure: what to try.
    caption: str = ""

    def __init__(self):
        self.controls: dict[str, widgets.Widget] = {}
        self.errors: list[BaseException] = []
        self._raise_errors = False
        self._image: widgets.Image | None = None
        self._output = widgets.Output()

    # ---- building -----------------------------------------------------------------
    def _make_figure(self, figsize=(9.0, 4.0), **kwargs) -> Figure:
        """Create the one figure this widget will ever have."""
        if using_ipympl():
            from ._ipympl import live_figure

            fig = live_figure(figsize, **kwargs)
            canvas = fig.canvas
            canvas.header_visible = False
            canvas.footer_visible = False
            canvas.toolbar_visible = False
            canvas.resizable = False
            canvas.capture_scroll = False
        else:
            fig = Figure(figsize=figsize, **kwargs)
            from matplotlib.backends.backend_agg import FigureCanvasAgg

            FigureCanvasAgg(fig)
        self.figure = fig
        return fig

    def _controls_box(self) -> widgets.Widget:
        """How the controls are laid out (with a ``readout``, if any, under them)."""
        box = widgets.HBox(
            list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap")
        )
        readout = getattr(self, "readout", None)
        return box if readout is None else widgets.VBox([box, readout])

    def _finish(self) -> None:
        """Connect the controls, draw once, and assemble :attr:`widget`."""
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self._run_update()
        if using_ipympl():
            view = self.figure.canvas
        else:
            self._image = widgets.Image(format="png", value=self.png())
            view = self._image
        children = [self._controls_box(), view]
        if self.caption:
            children.append(widgets.HTML(f"<i>{self.caption}</i>"))
        children.append(self._output)
        self.widget = _Panel(self, children)

    # ---- state ----------------------------------------------------------------------
    @property
    def state(self) -> dict:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def set(self, **values) -> None:
        """Move controls from code, e.g. ``w.set(channel=2)``; the figure follows.

        An error in the update is raised here (not only logged), so tests see it.
        """
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(
                f"{type(self).__name__} has no control named {', '.join(map(repr, unknown))}; "
                f"its controls are {', '.join(map(repr, self.controls))}"
            )
        self._raise_errors = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._raise_errors = False

    # ---- updating -------------------------------------------------------------------
    def _update(self) -> None:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def _on_change(self, change=None) -> None:
        self._run_update()

    def _run_update(self) -> None:
        try:
            self._update()
        except Exception as exc:
            if self._raise_errors:
                raise
            self.errors.append(exc)
            with self._output:
                traceback.print_exc()
            return
        self._redraw()

    def _redraw(self) -> None:
        if self._image is not None:
            self._image.value = self.png()
        elif hasattr(self.figure.canvas, "push"):
            self.figure.canvas.push()  # ipympl: the frame goes to the page at once
        # else: the first update, before the PNG view exists; _finish makes its PNG.

    def png(self, dpi: int | None = None) -> bytes:
        """The figure as PNG bytes, as it stands now."""
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=dpi or self.figure.dpi)
        return buf.getvalue()

    def _ipython_display_(self):  # displaying the object displays its panel
        from IPython.display import display

        display(self.widget)
