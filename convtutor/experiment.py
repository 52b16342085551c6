"""Two small experiments a student can run on a laptop CPU.

1. **Over-fitting.** Does a network built from depth-wise separable blocks over-fit less
   than the same network built from standard 3x3 convolutions, as the article claims?
   :func:`make_dataset` draws a small labelled image set (nothing downloads),
   :func:`build_model` builds either network, :func:`train` trains one with a seed,
   :func:`run_experiment` trains both for several seeds, and :func:`compare_gaps`
   reads the generalisation gaps without over-claiming.
2. **Speed.** :func:`time_layers` times standard, depth-wise and separable layers with
   ``torch.utils.benchmark`` next to the multiply-accumulates (MACs) that
   :func:`convtutor.conv_cost` predicts and the arithmetic intensity (MACs per byte
   moved) of each layer; :func:`time_filters` times the two-pass separable filter
   against the direct 2-D filter in numpy.

PyTorch is imported inside the functions that need it, never at module level, so
``import convtutor.experiment`` stays as light as the numpy-only core.

Both networks have the same depth and widths. With ``widths=(16, 32, 32)``::

    standard   [conv3x3 -> ReLU -> maxpool2] [conv3x3 -> ReLU -> maxpool2] [conv3x3 -> ReLU]
    separable  [dw3x3 -> pw1x1 -> ReLU -> maxpool2] [dw3x3 -> pw1x1 -> ReLU -> maxpool2] ...
    then       global average pool -> linear(widths[-1] -> 4 classes)

``dw3x3`` is a depth-wise convolution (``groups=C_in``), ``pw1x1`` a point-wise one;
every convolution has a bias and there is no batch normalisation, so the parameter
count is exactly ``sum(conv_cost(kind, ..., bias=True).params)`` plus the linear head
(see :func:`parameter_table`).
"""

from __future__ import annotations

import contextlib
import numbers
import time
from dataclasses import dataclass, field

import numpy as np

from .cost import conv_cost

__all__ = [
    "MODEL_KINDS",
    "CLASS_NAMES",
    "make_dataset",
    "parameter_table",
    "predicted_params",
    "build_model",
    "History",
    "train",
    "run_experiment",
    "final_gaps",
    "compare_gaps",
    "arithmetic_intensity",
    "time_layers",
    "time_filters",
]

#: The two networks compared.
MODEL_KINDS = ("standard", "separable")

#: Class ``c`` has orientation ``c // 2`` and colour pattern ``c % 2``.
CLASS_NAMES = (
    "diagonal /, red+green together",
    "diagonal /, red against green",
    "diagonal \\, red+green together",
    "diagonal \\, red against green",
)

_BYTES_PER_FLOAT32 = 4


# --------------------------------------------------------------------------- data


def _whole(value, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be a whole number >= {minimum}; got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be a whole number >= {minimum}; got {value}")
    return int(value)


def make_dataset(n, *, size=16, seed=0, noise=0.8):
    """A labelled set of small striped colour images; the class needs space AND colour.

    Every image is a pattern of soft stripes. Four classes:

    * the **orientation** of the stripes: about 45 degrees one way or the other
      (``label // 2``) -- a spatial pattern, seen by a 3x3 filter;
    * the **colour pattern** (``label % 2``): the red and green stripes rise and fall
      together (red = green), or red is bright where green is dark (red = -green).
      Each channel on its own looks the same in both cases (stripes with a random
      phase); only *mixing* the channels tells them apart -- the job of a point-wise
      (1x1) step or of a standard convolution.

    Stripe period, phase, angle (+-12 degrees), contrast and the blue channel vary at
    random, and Gaussian noise is added, so a small training set can be memorised.
    Values are centred on 0 (add 0.5 to show them as colours).

    Parameters
    ----------
    n : int
        Number of images (>= 4). Labels are balanced: each class has ``n // 4`` or
        ``n // 4 + 1`` images.
    size : int, default 16
        Side in pixels (>= 8).
    seed : int, default 0
        The same seed always gives the same images and labels.
    noise : float, default 0.8
        Standard deviation of the added Gaussian noise.

    Returns
    -------
    images : ndarray of shape (n, 3, size, size), float32
    labels : ndarray of shape (n,), int64, values 0..3 (see :data:`CLASS_NAMES`)

    Examples
    --------
    >>> x, y = make_dataset(8, size=16, seed=1)
    >>> x.shape, x.dtype, y.tolist().count(0)
    ((8, 3, 16, 16), dtype('float32'), 2)
    """
    n = _whole(n, "n", 4)
    size = _whole(size, "size", 8)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be a whole number; got {seed!r}")
    if not (isinstance(noise, numbers.Real) and not isinstance(noise, bool) and noise >= 0):
        raise ValueError(f"noise must be a number >= 0; got {noise!r}")
    rng = np.random.default_rng(seed)
    labels = rng.permutation(np.arange(n) % 4).astype(np.int64)
    orientation = labels // 2
    against = labels % 2 == 1

    yy, xx = np.mgrid[0:size, 0:size].astype(np.float64)
    angle = np.deg2rad(np.where(orientation == 0, 45.0, 135.0) + rng.uniform(-12, 12, n))
    period = rng.uniform(3.0, 6.0, n)
    phase = rng.uniform(0, 2 * np.pi, n)
    contrast = rng.uniform(0.3, 0.5, n)
    t = (xx[None] * np.cos(angle)[:, None, None] + yy[None] * np.sin(angle)[:, None, None]) * (
        2 * np.pi / period
    )[:, None, None]
    wave = np.sin(t + phase[:, None, None])
    sign = np.where(against, -1.0, 1.0)[:, None, None]
    red = contrast[:, None, None] * wave
    green = sign * contrast[:, None, None] * wave
    blue = rng.uniform(-0.3, 0.3, n)[:, None, None] * np.ones_like(wave)
    images = np.stack([red, green, blue], axis=1)
    images += noise * rng.standard_normal(images.shape)
    return images.astype(np.float32), labels


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
    kind = _check_kind(kind)
    widths = _check_widths(widths)
    c_in = _whole(in_channels, "in_channels", 1)
    classes = _whole(num_classes, "num_classes", 2)
    k = _whole(kernel_size, "kernel_size", 1)
    rows = []
    for i, c_out in enumerate(widths, start=1):
        block = "standard" if standard_first and i == 1 else kind
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

    kind = _check_kind(kind)
    widths = _check_widths(widths)
    c_in = _whole(in_channels, "in_channels", 1)
    classes = _whole(num_classes, "num_classes", 2)
    k = _whole(kernel_size, "kernel_size", 1)
    layers: list = []
    for i, c_out in enumerate(widths):
        if kind == "standard" or (standard_first and i == 0):
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
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be a whole number; got {seed!r}")
    x_train, y_train = (torch.as_tensor(a) for a in train_data)
    x_val, y_val = (torch.as_tensor(a) for a in val_data)
    if x_train.ndim != 4 or len(x_train) != len(y_train):
        raise ValueError(
            "train_data must be (images of shape (N, C, H, W), labels of shape (N,)); got "
            f"shapes {tuple(x_train.shape)} and {tuple(y_train.shape)}"
        )
    n = len(x_train)
    start = time.perf_counter()
    with _reproducible(int(seed), threads):
        model = build_model(
            kind, widths, in_channels=x_train.shape[1], standard_first=standard_first
        )
        history = History(kind, int(seed), n, sum(p.numel() for p in model.parameters()))
        optimiser = torch.optim.Adam(model.parameters(), lr=lr)
        order = torch.Generator().manual_seed(int(seed))
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


def _progress(total: int, desc: str, *, enabled: bool, unit: str = "epoch"):
    """A tqdm bar (a widget in Jupyter, text on stderr elsewhere), or None if not enabled."""
    if not enabled:
        return None
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit=unit)


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


# --------------------------------------------------------------------------- speed


def arithmetic_intensity(kind, channels, kernel_size, size, *, bytes_per_value=4):
    """MACs per byte moved for one ``same``-padded layer on a ``(channels, size, size)`` input.

    The bytes are the least any implementation must move: read the input and the
    weights once, write the output once (``bytes_per_value`` each; 4 for float32). A
    separable layer also writes and reads its ``C x H x W`` middle tensor.

    A depth-wise layer does ``k^2`` MACs per output value but must still read and
    write each value, so its intensity is about ``k^2 / 8`` for float32: it is
    *memory-bound*. A standard layer does ``C k^2`` MACs per value.

    Returns
    -------
    (macs, bytes_moved, intensity) : (int, int, float)

    Examples
    --------
    >>> macs, moved, ai = arithmetic_intensity("depthwise", 64, 3, 32)
    >>> macs, moved, round(ai, 3)
    (589824, 526592, 1.12)
    """
    c = _whole(channels, "channels", 1)
    k = _whole(kernel_size, "kernel_size", 1)
    s = _whole(size, "size", 1)
    if kind not in ("standard", "depthwise", "pointwise", "separable"):
        raise ValueError(
            f"kind must be 'standard', 'depthwise', 'pointwise' or 'separable'; got {kind!r}"
        )
    cost = conv_cost(kind, c, c, k, s, padding=k // 2 if kind != "pointwise" else 0)
    values = c * s * s
    weights = cost.params
    moved = values + values + weights  # read input, write output, read weights
    if kind == "separable":
        moved += 2 * values  # the depth-wise result is written, then read by the 1x1 step
    moved *= bytes_per_value
    return cost.macs, moved, cost.macs / moved


def time_layers(
    channels=(16, 64, 128),
    kernel_sizes=(3, 5, 7),
    *,
    size=32,
    batch=1,
    min_run_time=0.2,
    threads=1,
    progress=True,
):
    """Time standard, depth-wise and separable layers with ``torch.utils.benchmark``.

    Each layer maps ``C`` to ``C`` channels with a ``k x k`` kernel (``same``
    padding, no bias) on a ``(batch, C, size, size)`` float32 input, forward only,
    under ``torch.no_grad()``, with ``torch.utils.benchmark.Timer``: after a warm-up,
    about ``min_run_time`` seconds of short ``Timer.timeit`` runs (about 5 ms each);
    each time reported is the per-call time of the fastest run, the one least disturbed
    by other programs (as :mod:`timeit` advises). On a busy machine this is far steadier
    than a median over long blocks.

    Returns
    -------
    list of dict
        One row per ``(C, k)``: ``channels``, ``kernel_size``, the per-call seconds (fastest run)
        ``t_standard``, ``t_depthwise``, ``t_separable``, the MACs of each from
        :func:`convtutor.conv_cost` (``macs_standard`` ...), the predicted MAC ratio
        ``mac_ratio = macs_standard / macs_separable``, the measured
        ``speedup = t_standard / t_separable`` and the arithmetic intensities
        ``ai_standard``, ``ai_depthwise``, ``ai_separable`` (MACs per byte).
    """
    import torch
    import torch.nn as nn
    from torch.utils import benchmark

    threads = _whole(threads, "threads", 1)
    configs = [
        (_whole(c, "channels", 1), _whole(k, "kernel_size", 1))
        for c in channels
        for k in kernel_sizes
    ]
    bar = _progress(len(configs), "timing layers", enabled=progress, unit="setting")
    rows = []
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        for c, k in configs:
            x = torch.randn(batch, c, size, size)
            layers = {
                "standard": nn.Conv2d(c, c, k, padding=k // 2, bias=False),
                "depthwise": nn.Conv2d(c, c, k, padding=k // 2, groups=c, bias=False),
                "separable": nn.Sequential(
                    nn.Conv2d(c, c, k, padding=k // 2, groups=c, bias=False),
                    nn.Conv2d(c, c, 1, bias=False),
                ),
            }
            row = {"channels": c, "kernel_size": k}
            for name, layer in layers.items():
                layer.eval()
                timer = benchmark.Timer(
                    stmt="with torch.no_grad(): layer(x)",
                    globals={"layer": layer, "x": x, "torch": torch},
                    num_threads=threads,
                )
                row[f"t_{name}"] = _fastest(timer, min_run_time)
                macs, _, ai = arithmetic_intensity(name, c, k, size)
                row[f"macs_{name}"] = macs * batch
                row[f"ai_{name}"] = ai
            row["mac_ratio"] = row["macs_standard"] / row["macs_separable"]
            row["speedup"] = row["t_standard"] / row["t_separable"]
            rows.append(row)
            if bar is not None:
                bar.update(1)
    if bar is not None:
        bar.close()
    return rows


def _fastest(timer, budget: float) -> float:
    """Per-call seconds of the fastest of several short ``timer.timeit`` runs."""
    timer.timeit(3)  # warm-up: first calls allocate and pick kernels
    per_call = max(timer.timeit(5).mean, 1e-7)
    number = max(1, int(0.005 / per_call))
    repeats = min(200, max(5, int(budget / (number * per_call))))
    return min(timer.timeit(number).mean for _ in range(repeats))


def time_filters(
    kernel_sizes=(3, 5, 7, 9, 11, 13, 15), *, size=256, repeats=5, min_run_time=0.1, seed=0
):
    """Time two 1-D passes (:func:`~convtutor.separable_filter2d`) against one 2-D filter.

    Each filter runs on a ``(size, size)`` float64 image with a ``k x k`` Gaussian
    (``same`` padding) at least ``repeats`` times and until ``min_run_time`` seconds
    have passed (at most 200 runs); the best time of each is kept.

    Returns
    -------
    list of dict
        One row per ``k``: ``kernel_size``, ``t_2d``, ``t_two_pass`` (seconds),
        ``speedup = t_2d / t_two_pass`` and the predicted ``k^2 / (2k) = k / 2``
        multiplies-per-pixel ratio, ``predicted``.
    """
    from . import kernels
    from .separable import filter2d, separable_filter2d

    repeats = _whole(repeats, "repeats", 1)
    size = _whole(size, "size", 8)
    image = np.random.default_rng(seed).random((size, size))
    rows = []
    for k in kernel_sizes:
        k = _whole(k, "kernel_size", 1)
        g1 = kernels.gaussian_1d(k, k / 5)
        g2 = np.outer(g1, g1)
        t2 = _best(filter2d, (image, g2), repeats, min_run_time)
        t1 = _best(separable_filter2d, (image, g1, g1), repeats, min_run_time)
        rows.append(
            {
                "kernel_size": k,
                "t_2d": t2,
                "t_two_pass": t1,
                "speedup": t2 / t1,
                "predicted": k * k / (2 * k),
            }
        )
    return rows


def _best(fn, args, repeats: int, budget: float) -> float:
    """Fastest single call of ``fn(*args, padding="same")``."""
    times: list[float] = []
    spent = 0.0
    while len(times) < 200 and (len(times) < repeats or spent < budget):
        start = time.perf_counter()
        fn(*args, padding="same")
        times.append(time.perf_counter() - start)
        spent += times[-1]
    return min(times)
