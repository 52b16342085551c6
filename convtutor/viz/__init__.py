"""Figure builders: each takes an ``ax`` (or a few), draws, and returns its artists.

They never create a figure and never call ``plt.show()``; widgets and notebooks own
the figures. Image panels have their axes ticks off (faster to draw, easier to read).
"""

from ._text import *  # noqa: F403
from ._text import __all__ as _text_all
from .diagrams import *  # noqa: F403
from .diagrams import __all__ as _diagrams_all
from .images import *  # noqa: F403
from .images import __all__ as _images_all
from .manifold import *  # noqa: F403
from .manifold import __all__ as _manifold_all

# a few names are in two of the modules
__all__ = list(dict.fromkeys([*_images_all, *_diagrams_all, *_text_all, *_manifold_all]))
