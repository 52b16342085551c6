"""Two small experiments a student can run on a laptop CPU (notebooks 06 and 07).

* :mod:`convtutor.experiment.data` -- the offline data set of notebook 06
  (:func:`make_dataset`, :data:`CLASS_NAMES`); nothing downloads.
* :mod:`convtutor.experiment.overfitting` -- notebook 06: does a network of depth-wise
  separable blocks over-fit less than the same network of standard convolutions?
  (:func:`build_model`, :func:`train`, :func:`run_experiment`, :func:`compare_gaps` ...)
* :mod:`convtutor.experiment.speed` -- notebook 07: is a separable layer faster in
  practice? (:func:`time_layers`, :func:`copy_bandwidth`, :func:`peak_flops`, :func:`roofline` ...)

Every public name of the three modules is also available here, as
``convtutor.experiment.<name>``. PyTorch is imported inside the functions that need
it, never at module level, so ``import convtutor.experiment`` stays as light as the
numpy-only core.
"""

# Each module's __all__ is the one list of its public names.
from . import data, overfitting, speed
from .data import *  # noqa: F403
from .overfitting import *  # noqa: F403
from .speed import *  # noqa: F403

__all__ = [*data.__all__, *overfitting.__all__, *speed.__all__]
