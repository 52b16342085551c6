"""The notebooks a student walks through, in order (the COMMON contract).

One list for the tests that need it: tests/test_notebooks.py (notebooks/ holds exactly
these; the numbers give prev/next) and tests/browser/test_lab_notebooks.py (each opened
in JupyterLab). A plain module, not a conftest, so both folders import it alike.
"""

SEQUENCE = [
    "00_start_here",
    "01_standard_convolution",
    "02_depthwise",
    "03_pointwise",
    "04_depthwise_separable",
    "05_sobel_separability",
    "06_overfitting_experiment",
    "07_speed_in_practice",
    "08_after_mobilenet",
]
