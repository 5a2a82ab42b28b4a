"""The kernel cache folder runs code, so only a folder no other user can write is used.

The tests run as root in CI, and root owns every folder it makes: the owner checks are
tested by pretending to be another user (``kernel._euid``).
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

import numba.core.config
import numpy as np
import pytest

from cybercover.errors import ConfigurationError, CybercoverError
from cybercover.product import Product
from cybercover.settings import Settings
from cybercover.terms import kernel
from cybercover.terms.kernel import (
    KernelShape,
    configure_kernel_dir,
    kernel_dir,
    kernel_for,
    kernel_source,
)
from cybercover.terms.vectorised import VectorTerms, apply_terms
from tests.factories import make_terms

SHAPE = KernelShape(waiting=(False,), shared_index=(-1,), n_shared=0)
TICKS = 1_000


@pytest.fixture(autouse=True)
def _fresh_kernel_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """No kernel loaded, nothing configured, no environment, numba's cache beside the module."""
    monkeypatch.setattr(kernel, "_LOADED", {})
    monkeypatch.setattr(kernel, "_configured", None)
    monkeypatch.setattr(kernel, "_fallback", None)
    monkeypatch.delenv("CYBERCOVER_KERNEL_DIR", raising=False)
    monkeypatch.setattr(numba.core.config, "CACHE_DIR", "")


def _folder(path: Path, mode: int = 0o700) -> Path:
    path.mkdir(parents=True)
    path.chmod(mode)
    return path


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_a_missing_folder_is_made_private_and_the_kernel_in_it_pays_correctly(
    product: Product, tmp_path: Path
) -> None:
    folder = tmp_path / "made" / "kernels"
    configure_kernel_dir(folder)
    terms = make_terms(
        product,
        limits={"liability": 1_000, "response_costs": 1_000, "business_interruption": 1_000},
        deductibles={"liability": 100},
    )
    vt = VectorTerms.from_policies([terms], ticks_per_hour=1)
    losses = np.array([[800, 0, 0, 0], [900, 0, 0, 0], [1_500, 0, 0, 0]], np.int64)
    paid = apply_terms(vt, losses, np.array([0, 2, 3]), np.zeros(3, np.int64))
    assert paid[:, 0].tolist() == [700, 300, 1_000]
    assert _mode(folder) == 0o700
    assert _mode(folder.parent) == 0o700  # a level made on the way is private too
    modules = list(folder.glob("cc_kernel_*.py"))
    assert len(modules) == 1
    assert _mode(modules[0]) == 0o600
    assert _mode(folder / "__pycache__") == 0o700
    assert list((folder / "__pycache__").glob("*.nbi"))  # numba's cache index lives here


def test_the_kernel_file_is_written_in_the_configured_folder(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "kernels")
    configure_kernel_dir(folder)
    kernel_for(SHAPE, TICKS)
    (module,) = folder.glob("cc_kernel_*.py")
    assert _mode(module) == 0o600
    assert module.read_text(encoding="utf-8") == kernel_source(SHAPE, TICKS)


def test_an_existing_folder_that_others_may_read_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "kernels", 0o755)
    configure_kernel_dir(folder)
    with pytest.raises(ConfigurationError, match="mode 0755") as caught:
        kernel_for(SHAPE, TICKS)
    message = str(caught.value)
    assert str(folder) in message
    assert message.index("カーネルキャッシュ") < message.index("kernel cache")  # Japanese first
    assert not list(folder.iterdir())  # nothing written, nothing run


def test_a_group_writable_folder_is_refused(tmp_path: Path) -> None:
    configure_kernel_dir(_folder(tmp_path / "kernels", 0o720))
    with pytest.raises(ConfigurationError, match="group or others"):
        kernel_for(SHAPE, TICKS)


def test_a_symbolic_link_to_a_private_folder_is_refused(tmp_path: Path) -> None:
    real = _folder(tmp_path / "real")
    link = tmp_path / "link"
    link.symlink_to(real)
    configure_kernel_dir(link)
    with pytest.raises(ConfigurationError, match="symbolic link"):
        kernel_dir()


def test_a_folder_under_a_world_writable_ancestor_without_the_sticky_bit_is_refused(
    tmp_path: Path,
) -> None:
    open_to_all = _folder(tmp_path / "shared", 0o777)
    configure_kernel_dir(_folder(open_to_all / "kernels"))
    with pytest.raises(ConfigurationError, match="without the sticky bit") as caught:
        kernel_dir()
    assert str(open_to_all) in str(caught.value)


def test_a_folder_under_a_sticky_world_writable_ancestor_like_tmp_is_accepted(
    tmp_path: Path,
) -> None:
    sticky = _folder(tmp_path / "shared", 0o1777)
    folder = _folder(sticky / "kernels")
    configure_kernel_dir(folder)
    assert kernel_dir() == folder


def test_nothing_is_created_below_an_unsafe_ancestor(tmp_path: Path) -> None:
    open_to_all = _folder(tmp_path / "shared", 0o777)
    configure_kernel_dir(open_to_all / "kernels")
    with pytest.raises(ConfigurationError, match="without the sticky bit"):
        kernel_dir()
    assert not (open_to_all / "kernels").exists()


def test_a_folder_owned_by_another_user_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path / "kernels")
    configure_kernel_dir(folder)
    monkeypatch.setattr(kernel, "_euid", lambda: os.geteuid() + 4242)
    with pytest.raises(ConfigurationError, match="service user") as caught:
        kernel_for(SHAPE, TICKS)
    assert f"uid {os.geteuid() + 4242}" in str(caught.value)


@pytest.mark.skipif(os.geteuid() != 0, reason="handing a folder to another user needs root")
def test_a_folder_under_an_ancestor_owned_by_another_user_is_refused(tmp_path: Path) -> None:
    theirs = _folder(tmp_path / "theirs", 0o755)
    folder = _folder(theirs / "kernels")
    os.chown(theirs, 4242, 4242)
    configure_kernel_dir(folder)
    with pytest.raises(ConfigurationError, match="neither root nor the service user"):
        kernel_dir()


def test_an_unsafe_numba_cache_dir_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # numba reads NUMBA_CACHE_DIR into numba.config.CACHE_DIR when it is imported
    numba_dir = _folder(tmp_path / "numba", 0o775)
    monkeypatch.setattr(numba.core.config, "CACHE_DIR", str(numba_dir))
    configure_kernel_dir(_folder(tmp_path / "kernels"))
    with pytest.raises(ConfigurationError, match="mode 0775") as caught:
        kernel_for(SHAPE, TICKS)
    assert str(numba_dir) in str(caught.value)


def test_a_private_numba_cache_dir_is_accepted_and_made_if_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    numba_dir = tmp_path / "numba"
    monkeypatch.setattr(numba.core.config, "CACHE_DIR", str(numba_dir))
    configure_kernel_dir(_folder(tmp_path / "kernels"))
    kernel_for(SHAPE, TICKS)
    assert _mode(numba_dir) == 0o700


def test_a_planted_kernel_file_that_others_may_write_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "kernels")
    digest = hashlib.sha256(kernel_source(SHAPE, TICKS).encode()).hexdigest()[:16]
    planted = folder / f"cc_kernel_{digest}.py"
    planted.write_text("raise SystemExit('planted code ran')\n", encoding="utf-8")
    planted.chmod(0o666)
    configure_kernel_dir(folder)
    with pytest.raises(ConfigurationError, match="writable by group or others"):
        kernel_for(SHAPE, TICKS)


def test_a_kernel_file_that_is_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "kernels")
    digest = hashlib.sha256(kernel_source(SHAPE, TICKS).encode()).hexdigest()[:16]
    elsewhere = tmp_path / "elsewhere.py"
    elsewhere.write_text(kernel_source(SHAPE, TICKS), encoding="utf-8")
    (folder / f"cc_kernel_{digest}.py").symlink_to(elsewhere)
    configure_kernel_dir(folder)
    with pytest.raises(ConfigurationError, match="not a regular file"):
        kernel_for(SHAPE, TICKS)


def test_a_stale_kernel_file_of_ours_is_rewritten_not_run(tmp_path: Path) -> None:
    folder = _folder(tmp_path / "kernels")
    digest = hashlib.sha256(kernel_source(SHAPE, TICKS).encode()).hexdigest()[:16]
    stale = folder / f"cc_kernel_{digest}.py"
    stale.write_text("raise SystemExit('stale code ran')\n", encoding="utf-8")
    configure_kernel_dir(folder)
    kernel_for(SHAPE, TICKS)
    assert stale.read_text(encoding="utf-8") == kernel_source(SHAPE, TICKS)
    assert _mode(stale) == 0o600


def test_the_environment_variable_is_used_when_nothing_is_configured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "from-env"
    monkeypatch.setenv("CYBERCOVER_KERNEL_DIR", str(folder))
    assert Settings().kernel_dir == folder
    assert kernel_dir() == folder
    assert _mode(folder) == 0o700


def test_the_default_is_the_users_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert kernel_dir() == tmp_path / "xdg" / "cybercover" / "kernels"
    assert _mode(tmp_path / "xdg" / "cybercover" / "kernels") == 0o700


def test_without_a_home_a_fresh_private_temp_folder_is_used_for_the_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    first = kernel_dir()
    assert first.parent == tmp_path
    assert first.name.startswith("cybercover-kernels-")
    assert _mode(first) == 0o700
    assert kernel_dir() == first  # one per process, not one per kernel


def test_the_refusal_is_a_cybercover_error_and_not_an_input_error(tmp_path: Path) -> None:
    configure_kernel_dir(_folder(tmp_path / "kernels", 0o750))
    with pytest.raises(CybercoverError) as caught:
        kernel_dir()
    assert type(caught.value) is ConfigurationError
    assert caught.value.ja.startswith("カーネルキャッシュ")
    assert caught.value.en.startswith("kernel cache")
