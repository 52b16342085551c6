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

from .data import CLASS_NAMES, make_dataset
from .overfitting import (
    MODEL_KINDS,
    History,
    build_model,
    compare_gaps,
    final_gaps,
    parameter_table,
    predicted_params,
    run_experiment,
    train,
)
from .speed import (
    LAYER_KINDS,
    arithmetic_intensity,
    copy_bandwidth,
    peak_flops,
    roofline,
    time_filters,
    time_layers,
)

__all__ = [
    # data
    "CLASS_NAMES",
    "make_dataset",
    # overfitting (notebook 06)
    "MODEL_KINDS",
    "parameter_table",
    "predicted_params",
    "build_model",
    "History",
    "train",
    "run_experiment",
    "final_gaps",
    "compare_gaps",
    # speed (notebook 07)
    "LAYER_KINDS",
    "arithmetic_intensity",
    "time_layers",
    "copy_bandwidth",
    "peak_flops",
    "roofline",
    "time_filters",
]
