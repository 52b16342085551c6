"""Notebook 06: does a depth-wise separable network over-fit less than a standard one?

:func:`build_model` builds either network, :func:`parameter_table` counts what it must
hold with :func:`convtutor.conv_cost`, :func:`train` trains one with a seed,
:func:`run_experiment` trains both for several seeds on the data of
:func:`convtutor.experiment.make_dataset`, and :func:`final_gaps` and
:func:`compare_gaps` read the generalisation gaps without over-claiming.

Both networks have the same depth and widths. With ``widths=(16, 32, 32)``::

    standard   [conv3x3 -> ReLU -> maxpool2] [conv3x3 -> ReLU -> maxpool2] [conv3x3 -> ReLU]
    separable  [dw3x3 -> pw1x1 -> ReLU -> maxpool2] [dw3x3 -> pw1x1 -> ReLU -> maxpool2] ...
    then       global average pool -> linear(widths[-1] -> 4 classes)

``dw3x3`` is a depth-wise convolution (``groups=C_in``), ``pw1x1`` a point-wise one.
Nothing sits between the two steps of a separable block (no batch normalisation, no
ReLU), as in Xception: so each block computes exactly a standard convolution whose
weight is ``W[o, c] = P[o, c] * D[c]`` (bias ``P @ b_D + b_P``), and the two networks
differ only in that constraint on the weights. MobileNet puts batch normalisation and
ReLU after *both* steps; then the identity no longer holds. Every convolution has a
bias and there is no batch normalisation, so the parameter count is exactly
``sum(conv_cost(kind, ..., bias=True).params)`` plus the linear head (see
:func:`parameter_table`).

PyTorch is imported inside the functions that need it, never at module level.
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field

import numpy as np

from ..cost import conv_cost
from ._common import progress as _progress
from ._common import seed_number
from ._common import whole as _whole
from .data import make_dataset

__all__ = [
    "MODEL_KINDS",
    "parameter_table",
    "predicted_params",
    "build_model",
    "History",
    "train",
    "run_experiment",
    "final_gaps",
    "compare_gaps",
]

#: The two networks compared.
MODEL_KINDS = ("standard", "separable")


# --------------------------------------------------------------------------- models


def _check_kind(kind) -> str:
    if kind not in MODEL_KINDS:
        raise ValueError(f"kind must be one of {MODEL_KINDS}; got {kind!r}")
    return kind


def _check_widths(widths) -> tuple[int, ...]:
    try:
        widths = tuple(widths)
    except TypeError:
        raise TypeError(f"widths must be a sequence of channel counts; got {widths!r}") from None
    if not widths:
        raise ValueError("widths must list at least one channel count; got an empty sequence")
    return tuple(_whole(w, "each width", 1) for w in widths)


def _network(kind, widths, in_channels, num_classes, kernel_size, standard_first):
    """The checked description of one network: each block's kind (block 1 standard when
    ``standard_first``), its widths, input channels, classes and kernel size."""
    kind = _check_kind(kind)
    widths = _check_widths(widths)
    c_in = _whole(in_channels, "in_channels", 1)
    classes = _whole(num_classes, "num_classes", 2)
    k = _whole(kernel_size, "kernel_size", 1)
    blocks = ["standard" if standard_first and i == 0 else kind for i in range(len(widths))]
    return blocks, widths, c_in, classes, k


def parameter_table(
    kind,
    widths=(16, 32, 32),
    *,
    in_channels=3,
    num_classes=4,
    kernel_size=3,
    standard_first=False,
):
    """What each layer of :func:`build_model`'s network should hold, from :func:`conv_cost`.

    ``standard_first=True`` makes block 1 a standard convolution whatever ``kind`` is
    (MobileNet's choice: its first layer is standard).

    Returns
    -------
    list of (str, int)
        ``(layer name, parameters)``: one row per convolution block, counted with
        ``conv_cost(kind, C_in, C_out, k, bias=True)`` (for ``"separable"`` that is
        the depth-wise step *and* the point-wise step, each with its bias), then the
        linear classifier ``C_last * classes + classes``.

    Examples
    --------
    >>> parameter_table("separable", (4,), in_channels=3, num_classes=2)
    [('block 1: separable 3x3, 3 -> 4', 46), ('linear 4 -> 2', 10)]
    """
    blocks, widths, c_in, classes, k = _network(
        kind, widths, in_channels, num_classes, kernel_size, standard_first
    )
    rows = []
    for i, (block, c_out) in enumerate(zip(blocks, widths, strict=True), start=1):
        cost = conv_cost(block, c_in, c_out, k, bias=True)
        rows.append((f"block {i}: {block} {k}x{k}, {c_in} -> {c_out}", cost.params))
        c_in = c_out
    rows.append((f"linear {c_in} -> {classes}", c_in * classes + classes))
    return rows


def predicted_params(
    kind,
    widths=(16, 32, 32),
    *,
    in_channels=3,
    num_classes=4,
    kernel_size=3,
    standard_first=False,
):
    """Total of :func:`parameter_table`: the parameters :func:`build_model` must have.

    >>> predicted_params("standard"), predicted_params("separable")
    (14468, 2306)
    """
    table = parameter_table(
        kind,
        widths,
        in_channels=in_channels,
        num_classes=num_classes,
        kernel_size=kernel_size,
        standard_first=standard_first,
    )
    return sum(p for _, p in table)


def build_model(
    kind,
    widths=(16, 32, 32),
    *,
    in_channels=3,
    num_classes=4,
    kernel_size=3,
    standard_first=False,
):
    """A small CNN of standard or depth-wise separable blocks (a ``torch.nn.Sequential``).

    Block ``i`` maps ``widths[i-1]`` to ``widths[i]`` channels with a ``k x k`` kernel,
    padding ``k // 2``, then ReLU; every block but the last is followed by a 2x2 max
    pool. A separable block is a depth-wise ``k x k`` convolution (``groups=C_in``)
    followed by a point-wise 1x1 convolution, with no non-linearity in between (as in
    Xception). Then a global average pool and a linear layer to ``num_classes``.
    ``standard_first=True`` makes block 1 standard in either kind (as MobileNet does: a
    depth-wise step on 3 colour channels has only 3 spatial filters).

    Weights are drawn from torch's global random generator: seed it first (``train``
    does) for repeatable weights.
    """
    import torch.nn as nn

    blocks, widths, c_in, classes, k = _network(
        kind, widths, in_channels, num_classes, kernel_size, standard_first
    )
    layers: list = []
    for i, (block, c_out) in enumerate(zip(blocks, widths, strict=True)):
        if block == "standard":
            layers.append(nn.Conv2d(c_in, c_out, k, padding=k // 2))
        else:
            layers.append(nn.Conv2d(c_in, c_in, k, padding=k // 2, groups=c_in))
            layers.append(nn.Conv2d(c_in, c_out, 1))
        layers.append(nn.ReLU())
        if i < len(widths) - 1:
            layers.append(nn.MaxPool2d(2))
        c_in = c_out
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c_in, classes)]
    model = nn.Sequential(*layers)
    _he_init(model)
    return model


def _he_init(model) -> None:
    """He initialisation, so the signal keeps its size through every convolution.

    PyTorch's default draws weights a little small for ReLU networks; the separable
    network has twice as many convolutions in a row, so it would start with a far weaker
    signal and sit at chance for many epochs. A convolution followed by ReLU gets the
    ReLU gain sqrt(2); a depth-wise step followed directly by its point-wise step gets
    gain 1. Biases start at 0.
    """
    import torch.nn as nn

    modules = list(model)
    for i, m in enumerate(modules):
        if isinstance(m, nn.Conv2d):
            followed_by_relu = i + 1 < len(modules) and isinstance(modules[i + 1], nn.ReLU)
            nn.init.kaiming_normal_(m.weight, nonlinearity="relu" if followed_by_relu else "linear")
            nn.init.zeros_(m.bias)


# --------------------------------------------------------------------------- training


@dataclass
class History:
    """Per-epoch curves of one training run.

    ``train_loss[e]``, ``train_acc[e]``, ``val_loss[e]``, ``val_acc[e]`` are measured
    on the whole training and validation sets after epoch ``e + 1`` (accuracies are
    fractions in [0, 1]). ``model`` is the trained network (in eval mode).
    """

    kind: str
    seed: int
    n_train: int
    params: int
    train_loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_acc: list = field(default_factory=list)
    seconds: float = 0.0
    model: object = field(default=None, repr=False, compare=False)

    @property
    def acc_gap(self) -> np.ndarray:
        """Generalisation gap per epoch: training accuracy minus validation accuracy."""
        return np.asarray(self.train_acc) - np.asarray(self.val_acc)

    @property
    def loss_gap(self) -> np.ndarray:
        """Generalisation gap per epoch: validation loss minus training loss."""
        return np.asarray(self.val_loss) - np.asarray(self.train_loss)

    def curves(self) -> tuple:
        """The four curves as one tuple, for exact comparisons."""
        return (
            tuple(self.train_loss),
            tuple(self.train_acc),
            tuple(self.val_loss),
            tuple(self.val_acc),
        )


@contextlib.contextmanager
def _reproducible(seed: int, threads: int):
    """Seed torch, fix the thread count and ask for deterministic kernels; undo on exit."""
    import torch

    deterministic = torch.are_deterministic_algorithms_enabled()
    old_threads = torch.get_num_threads()
    with torch.random.fork_rng(devices=[]):  # the caller's random state is restored
        torch.manual_seed(seed)
        torch.use_deterministic_algorithms(True)
        torch.set_num_threads(threads)
        try:
            yield
        finally:
            torch.use_deterministic_algorithms(deterministic)
            torch.set_num_threads(old_threads)


def _evaluate(model, x, y, batch: int = 512):
    import torch
    import torch.nn.functional as F

    model.eval()
    total_loss, correct = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(x), batch):
            logits = model(x[start : start + batch])
            target = y[start : start + batch]
            total_loss += F.cross_entropy(logits, target, reduction="sum").item()
            correct += int((logits.argmax(1) == target).sum())
    model.train()
    return total_loss / len(x), correct / len(x)


def train(
    kind,
    train_data,
    val_data,
    *,
    seed=0,
    epochs=30,
    batch_size=32,
    lr=3e-3,
    widths=(16, 32, 32),
    standard_first=False,
    threads=1,
    progress=True,
    desc=None,
):
    """Train one network with a seed; return its per-epoch :class:`History`.

    The seed fixes the initial weights (``torch.manual_seed``) and the order of the
    mini-batches (a ``torch.Generator``). Deterministic kernels are requested
    (``torch.use_deterministic_algorithms(True)``) and the thread count is fixed, so
    on one machine the same seed gives exactly the same curves. The caller's random
    state, thread count and determinism setting are restored afterwards.

    Parameters
    ----------
    kind : {"standard", "separable"}
    train_data, val_data : (images, labels)
        As returned by :func:`make_dataset`.
    seed : int
    epochs : int
    batch_size : int
    lr : float
        Adam's learning rate.
    widths : sequence of int
        Channels of each block (see :func:`build_model`).
    standard_first : bool
        Make block 1 a standard convolution (see :func:`build_model`).
    threads : int
        ``torch.set_num_threads`` during training.
    progress : bool
        Show a tqdm bar (``tqdm.auto``: a widget in Jupyter, text elsewhere).
    desc : str, optional
        The bar's label; default ``"<kind> seed <seed>"``.
    """
    import torch
    import torch.nn.functional as F

    kind = _check_kind(kind)
    epochs = _whole(epochs, "epochs", 1)
    batch_size = _whole(batch_size, "batch_size", 1)
    threads = _whole(threads, "threads", 1)
    seed = seed_number(seed)
    x_train, y_train = (torch.as_tensor(a) for a in train_data)
    x_val, y_val = (torch.as_tensor(a) for a in val_data)
    if x_train.ndim != 4 or len(x_train) != len(y_train):
        raise ValueError(
            "train_data must be (images of shape (N, C, H, W), labels of shape (N,)); got "
            f"shapes {tuple(x_train.shape)} and {tuple(y_train.shape)}"
        )
    n = len(x_train)
    start = time.perf_counter()
    with _reproducible(seed, threads):
        model = build_model(
            kind, widths, in_channels=x_train.shape[1], standard_first=standard_first
        )
        history = History(kind, seed, n, sum(p.numel() for p in model.parameters()))
        optimiser = torch.optim.Adam(model.parameters(), lr=lr)
        order = torch.Generator().manual_seed(seed)
        bar = _progress(epochs, desc or f"{kind} seed {seed}", enabled=progress)
        for _ in range(epochs):
            for batch in torch.randperm(n, generator=order).split(batch_size):
                optimiser.zero_grad()
                loss = F.cross_entropy(model(x_train[batch]), y_train[batch])
                loss.backward()
                optimiser.step()
            tl, ta = _evaluate(model, x_train, y_train)
            vl, va = _evaluate(model, x_val, y_val)
            history.train_loss.append(tl)
            history.train_acc.append(ta)
            history.val_loss.append(vl)
            history.val_acc.append(va)
            if bar is not None:
                bar.set_postfix(train_acc=f"{ta:.2f}", val_acc=f"{va:.2f}", refresh=False)
                bar.update(1)
        if bar is not None:
            bar.close()
    model.eval()
    history.model = model
    history.seconds = time.perf_counter() - start
    return history


def run_experiment(
    *,
    n_train=128,
    n_val=256,
    seeds=(0, 1, 2),
    kinds=MODEL_KINDS,
    data_seed=0,
    size=16,
    noise=0.8,
    **train_options,
):
    """Train every kind of network once per seed on the same data; return the histories.

    The training set (``n_train`` images) and validation set (``n_val`` images) are
    drawn once from :func:`make_dataset` with ``data_seed`` (the validation set with
    ``data_seed + 1``), so the seeds change only the initial weights and batch order.
    ``train_options`` go to :func:`train`.

    Returns
    -------
    dict[str, list[History]]
        ``kind -> one History per seed``, in the order of ``seeds``.
    """
    seeds = tuple(seeds)
    if not seeds:
        raise ValueError("seeds must list at least one seed; got an empty sequence")
    train_data = make_dataset(n_train, size=size, seed=data_seed, noise=noise)
    val_data = make_dataset(n_val, size=size, seed=data_seed + 1, noise=noise)
    return {
        _check_kind(kind): [
            train(kind, train_data, val_data, seed=s, **train_options) for s in seeds
        ]
        for kind in kinds
    }


def final_gaps(histories, *, last=1, measure="acc"):
    """The generalisation gap of each run, averaged over its ``last`` epochs.

    ``measure="acc"``: training accuracy minus validation accuracy; ``measure="loss"``:
    validation loss minus training loss. Positive means the network does better on the
    images it trained on than on new ones: it over-fits.

    Returns
    -------
    ndarray of shape (len(histories),)
    """
    last = _whole(last, "last", 1)
    if measure not in ("acc", "loss"):
        raise ValueError(f"measure must be 'acc' or 'loss'; got {measure!r}")
    return np.array(
        [float(np.mean((h.acc_gap if measure == "acc" else h.loss_gap)[-last:])) for h in histories]
    )


def compare_gaps(gaps_standard, gaps_separable):
    """Read two sets of gaps (one per seed) the careful way; return a verdict.

    The claim under test is "the separable network over-fits less" (a smaller gap).

    * ``"held"`` -- every separable seed has a smaller gap than every standard seed
      (the min-max ranges do not overlap);
    * ``"reversed"`` -- every separable seed has a *larger* gap than every standard one;
    * ``"inconclusive"`` -- the ranges overlap: with this spread across seeds the run
      cannot tell the two apart.

    Returns
    -------
    dict
        ``verdict`` and the numbers behind it: ``mean_standard``, ``mean_separable``,
        ``std_standard``, ``std_separable`` (sample std, 0 for one seed),
        ``range_standard``, ``range_separable`` (min, max) and ``difference``
        (mean standard minus mean separable).

    Examples
    --------
    >>> compare_gaps([0.30, 0.25, 0.28], [0.10, 0.12, 0.08])["verdict"]
    'held'
    >>> compare_gaps([0.30, 0.10, 0.20], [0.15, 0.12, 0.18])["verdict"]
    'inconclusive'
    """
    a = np.asarray(gaps_standard, dtype=np.float64).ravel()
    b = np.asarray(gaps_separable, dtype=np.float64).ravel()
    for name, arr in (("gaps_standard", a), ("gaps_separable", b)):
        if arr.size == 0 or not np.all(np.isfinite(arr)):
            raise ValueError(f"{name} must hold one finite gap per seed; got {arr.tolist()}")
    if b.max() < a.min():
        verdict = "held"
    elif b.min() > a.max():
        verdict = "reversed"
    else:
        verdict = "inconclusive"
    return {
        "verdict": verdict,
        "mean_standard": float(a.mean()),
        "mean_separable": float(b.mean()),
        "std_standard": float(a.std(ddof=1)) if a.size > 1 else 0.0,
        "std_separable": float(b.std(ddof=1)) if b.size > 1 else 0.0,
        "range_standard": (float(a.min()), float(a.max())),
        "range_separable": (float(b.min()), float(b.max())),
        "difference": float(a.mean() - b.mean()),
    }
