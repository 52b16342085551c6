"""Figure builders for the lessons' static figures: each takes an ``ax`` (or a few),
draws, and returns its artists.

They never create a figure and never call ``plt.show()``; the notebooks own the
figures. Image panels have their axes hidden (a picture needs no tick numbers).
"""

from .images import *  # noqa: F403
from .images import __all__ as _images_all
from .manifold import *  # noqa: F403
from .manifold import __all__ as _manifold_all

__all__ = [*_images_all, *_manifold_all]
