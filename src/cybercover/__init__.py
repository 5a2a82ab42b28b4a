"""cybercover: a Japanese cyber insurance programme, end to end.

The public surface of each feature lives in its own subpackage (``cybercover.product``,
``cybercover.terms``); this top-level module only carries the version.
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
