"""A Papermill engine that keeps one warm kernel per worker process.

Plain Papermill starts a kernel for every notebook (about a second, more with heavy imports).
This engine starts one, keeps it between notebooks and resets it in between: the user namespace
is cleared, the working directory, matplotlib's and pandas' settings and the execution count are
put back. Imported modules stay loaded, which is the point. The kernel is replaced after a
failure, a timeout, a crash, or `max_uses` notebooks, so one notebook's trouble never reaches the
next. Registered as Papermill's ``pmworkbook`` engine (see pyproject.toml).
"""

from __future__ import annotations

import contextlib
import multiprocessing.util
import os
import shutil
import tempfile
import threading
import time


def __getattr__(name: str) -> None:
    # Papermill loads its entry-point engines, this one among them, when it is first imported. When
    # this module is imported before papermill, that is at the imports just below, before the class
    # exists: papermill gets None for it then, and the class registers itself at the end of the module.
    if name == "WarmKernelEngine":
        return None
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


from papermill.clientwrap import PapermillNotebookClient  # noqa: E402 - after __getattr__, see there
from papermill.engines import Engine, papermill_engines  # noqa: E402
from papermill.utils import merge_kwargs, remove_args  # noqa: E402

# Runs in the kernel, silently, between two notebooks. %reset comes last: it clears the names above.
# %reset ends with a full garbage collection, which walks every object of the loaded libraries
# (0.14 s a notebook with pandas and matplotlib loaded). gc.freeze() after it moves what survived
# into the permanent generation, so the next collection walks only the next notebook's objects.
RESET_CODE = """\
import os as _os, sys as _sys, warnings as _warnings
_os.chdir({cwd!r})
if "matplotlib" in _sys.modules:
    import matplotlib as _mpl, matplotlib.pyplot as _plt
    _plt.close("all"); _mpl.rcdefaults()
if "pandas" in _sys.modules:
    with _warnings.catch_warnings():  # resetting deprecated options warns
        _warnings.simplefilter("ignore")
        _sys.modules["pandas"].reset_option("all")
get_ipython().run_line_magic("reset", "-f")
__import__("gc").freeze()
get_ipython().execution_count = 1
"""
# Quiets the kernel's start-up notices; errors still reach stderr.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=ERROR"]


def new_kernel_manager(kernel_name: str):
    """A kernel manager whose kernel talks over Unix sockets in a folder of its own.

    Over TCP, jupyter_client picks each port by binding it and letting it go, then the kernel binds
    it again; a kernel starting in another worker at that moment can be handed the same port and
    fail ("Address already in use"; jupyter_client's port cache only guards one process). Socket
    files in a private folder cannot collide, and nothing listens on the network."""
    from jupyter_client import AsyncKernelManager

    if os.name != "posix":  # no Unix sockets: TCP as nbclient would
        return AsyncKernelManager(kernel_name=kernel_name)
    folder = tempfile.mkdtemp(prefix="pmworkbook-kernel-")
    return AsyncKernelManager(kernel_name=kernel_name, transport="ipc", ip=os.path.join(folder, "kernel"))


def _remove_socket_folder(km) -> None:
    if getattr(km, "transport", "tcp") == "ipc":
        shutil.rmtree(os.path.dirname(km.ip), ignore_errors=True)


class WarmKernel:
    """A worker thread's kernel: its manager, client and how many notebooks it has run."""

    max_uses = int(os.environ.get("PMWORKBOOK_KERNEL_MAX_USES", "50"))
    _local = threading.local()  # one kernel per worker thread (Dask runs tasks in threads)

    def __init__(self):
        self.km = None
        self.kc = None
        self.uses = 0
        # Shut the kernel down when the worker process exits.
        multiprocessing.util.Finalize(self, WarmKernel.discard, args=(self,), exitpriority=10)

    @classmethod
    def current(cls) -> WarmKernel:
        if not hasattr(cls._local, "kernel"):
            cls._local.kernel = cls()
        return cls._local.kernel

    def discard(self) -> None:
        """Shut the kernel down; the next notebook starts a fresh one."""
        km, kc = self.km, self.kc
        self.km = self.kc = None
        self.uses = 0
        if kc is not None:
            with contextlib.suppress(Exception):  # the kernel may already be gone
                kc.stop_channels()
        if km is not None:
            from jupyter_core.utils import run_sync

            with contextlib.suppress(Exception):  # likewise
                run_sync(km.shutdown_kernel)(now=True)
            _remove_socket_folder(km)

    def reset(self, cwd: str, timeout: float = 30) -> bool:
        """Clear the kernel for the next notebook; False if it cannot be (then it is discarded)."""
        from jupyter_core.utils import run_sync

        if self.km is None or self.kc is None:
            return False
        try:
            if not run_sync(self.km.is_alive)():
                return False
            reply = run_sync(self.kc.execute_interactive)(RESET_CODE.format(cwd=cwd), store_history=False,
                                                          silent=True, timeout=timeout, output_hook=lambda msg: None)
            return reply["content"]["status"] == "ok"
        except Exception:  # noqa: BLE001 - a kernel that cannot reset is replaced
            return False


class WarmKernelEngine(Engine):
    """Papermill engine ``pmworkbook``: nbclient on a kernel kept warm between notebooks."""

    @classmethod
    def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                 start_timeout=60, execution_timeout=None, **kwargs):
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        options = merge_kwargs(safe_kwargs, startup_timeout=start_timeout, kernel_name=kernel_name,
                               log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
                               extra_arguments=KERNEL_ARGUMENTS)
        if execution_timeout:
            # The timeout is for the whole notebook: each cell gets what is left of it.
            deadline = time.monotonic() + execution_timeout
            options["timeout_func"] = lambda cell: max(1, int(deadline - time.monotonic()))

        warm = WarmKernel.current()
        if warm.km is not None and (warm.uses >= warm.max_uses or not warm.reset(os.getcwd())):
            warm.discard()
        km = warm.km if warm.km is not None else new_kernel_manager(kernel_name)
        client = PapermillNotebookClient(nb_man, km=km, **options)
        if warm.km is not None:
            client.kc = warm.kc
        try:
            # cleanup_kc=False: nbclient would shut down a kernel it started itself.
            client.execute(cleanup_kc=False)
        except BaseException:
            # After a timeout, crash or interrupt the kernel's state is unknown: never reuse it.
            # (`km`, not client.km: nbclient forgets a kernel it shut down on a signal.)
            warm.km, warm.kc = km, client.kc
            warm.discard()
            raise
        warm.km, warm.kc = km, client.kc
        warm.uses += 1
        if nb_man.nb.metadata.get("papermill", {}).get("exception"):
            warm.discard()  # a cell raised: start the next notebook on a clean kernel
        return nb_man.nb


papermill_engines.register("pmworkbook", WarmKernelEngine)  # the entry point's engine, also when imported first
