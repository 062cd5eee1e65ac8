"""Hyperwall installed into a prefix of its own, for the install and i18n tests.

Hyperwall finds its translations through LOCALEDIR, compiled in from the
prefix (bindtextdomain has no run-time override), so `meson install
--destdir` would leave a binary that looks for them outside the staged tree.
Instead a second build, configured with --prefix inside the build directory
(BUILD/install-test/prefix), builds only what is installed and installs it
there; nothing outside the build directory is written. The second build is
kept between runs, so later runs are incremental.

German needs a de_DE.UTF-8 locale; a C-only machine gets one generated with
localedef into a temporary directory (LOCPATH), never into the system.

Python 3 standard library only.

SPDX-License-Identifier: GPL-3.0-or-later
"""

import fcntl
import json
import os
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))


def build_root():
    binary = os.environ.get("HYPERWALL_BIN")
    if binary:
        return os.path.abspath(os.path.join(os.path.dirname(binary), ".."))
    return os.path.join(SOURCE_ROOT, "build")


def _run(argv, **kwargs):
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, **kwargs)
    if result.returncode != 0:
        raise RuntimeError("%s failed (%d):\n%s" % (" ".join(argv), result.returncode,
                                                    result.stdout[-4000:]))
    return result.stdout


def install_prefix():
    """Builds what is installed in BUILD/install-test/build and installs it
    into BUILD/install-test/prefix (replaced each time). Returns the prefix."""
    top = os.path.join(build_root(), "install-test")
    build = os.path.join(top, "build")
    prefix = os.path.join(top, "prefix")
    os.makedirs(top, exist_ok=True)
    with open(os.path.join(top, "lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the install and i18n tests share it
        if not os.path.exists(os.path.join(build, "build.ninja")):
            shutil.rmtree(build, ignore_errors=True)
            _run(["meson", "setup", "--prefix", prefix, build, SOURCE_ROOT])
        # Regenerated first when a meson.build changed: else the list of
        # targets below is the previous configuration's.
        _run(["ninja", "-C", build, "build.ninja"])
        # Only the installed targets, not the tests: ninja by output path.
        targets = json.loads(_run(["meson", "introspect", "--targets", build]))
        outputs = [os.path.relpath(name, build)
                   for t in targets if t.get("installed") for name in t["filename"]]
        _run(["ninja", "-C", build] + outputs)
        shutil.rmtree(prefix, ignore_errors=True)
        _run(["meson", "install", "-C", build, "--no-rebuild", "--quiet"])
        # The binary falls back to its build tree's compiled schema: make
        # sure a test of the installed schema cannot pass through that.
        compiled = os.path.join(build, "data", "gschemas.compiled")
        if os.path.exists(compiled):
            os.unlink(compiled)
    return prefix


def german_locale_environment(directory):
    """Environment entries that give a process German messages in UTF-8:
    the system's de_DE.UTF-8 if it has one, else one generated into
    @directory and found through LOCPATH. None if neither is possible."""
    env = {"LANGUAGE": "de", "LANG": "de_DE.UTF-8", "LC_ALL": "de_DE.UTF-8"}
    listed = subprocess.run(["locale", "-a"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True).stdout.split()
    if any(name.lower().replace("-", "") == "de_de.utf8" for name in listed):
        return env
    if shutil.which("localedef") is None:
        return None
    os.makedirs(directory, exist_ok=True)
    target = os.path.join(directory, "de_DE.UTF-8")
    result = subprocess.run(["localedef", "-i", "de_DE", "-f", "UTF-8", target],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # localedef exits 1 for mere warnings; the compiled locale is what counts.
    if not os.path.exists(os.path.join(target, "LC_MESSAGES")):
        return None
    env["LOCPATH"] = directory
    return env


def installed_environment(prefix, home):
    """A clean environment for the installed binary: its schema only from
    the prefix, settings in memory, nothing from the developer's session."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HYPERWALL_", "LC_", "LANG")) and k not in (
               "GSETTINGS_SCHEMA_DIR", "XDG_DATA_DIRS", "DISPLAY", "WAYLAND_DISPLAY",
               "DBUS_SESSION_BUS_ADDRESS", "NOTIFY_SOCKET", "WATCHDOG_USEC")}
    env.update({
        "GSETTINGS_BACKEND": "memory",
        "GSETTINGS_SCHEMA_DIR": os.path.join(prefix, "share", "glib-2.0", "schemas"),
        "XDG_DATA_DIRS": os.path.join(prefix, "share"),
        "HOME": home,
        "XDG_CONFIG_HOME": os.path.join(home, "config"),
        "XDG_DATA_HOME": os.path.join(home, "data"),
        "XDG_CACHE_HOME": os.path.join(home, "cache"),
    })
    return env


def temporary_directory():
    return tempfile.TemporaryDirectory(prefix="hyperwall-installed-")
