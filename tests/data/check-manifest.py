#!/usr/bin/env python3
"""Fails when a Flatpak manifest drifts from what meson needs and from what the app may do.

Usage: check-manifest.py SOURCE_ROOT MANIFEST EXPECTED_APP_ID

- every dependency() of the build (meson.build files outside tests/) that the GNOME runtime
  does not ship has a module, and every module stands for such a dependency;
- each of those modules has an archive source with a sha256 and x-checker-data;
- the app's own module is built with meson and -Dtests=false (the SDK has no test tools);
- the app id, the command and finish-args are exactly the expected ones (no keyring bus name:
  libsecret uses the Secret portal in the sandbox).
"""

import json
import pathlib
import re
import sys

# pkg-config names org.gnome.Platform provides (the freedesktop SDK's platform stack plus
# GNOME's: GTK 4, libadwaita, libsoup 3, json-glib, libsecret, GStreamer with webrtcbin and
# libnice, GnuTLS, SQLite, GLib). Checked against freedesktop-sdk's elements/platform.bst
# and gnome-build-meta's platform; neither lists libqrencode or libdeflate.
RUNTIME = {
    "glib-2.0", "gio-2.0", "gio-unix-2.0", "gmodule-2.0", "sqlite3", "gnutls",
    "libsoup-3.0", "json-glib-1.0", "gtk4", "libadwaita-1", "libsecret-1",
    "gstreamer-1.0", "gstreamer-webrtc-1.0", "gstreamer-sdp-1.0",
}

# Which manifest module builds a dependency the runtime lacks.
MODULES = {
    "libdeflate": "libdeflate",
    "libqrencode": "qrencode",
}

APP_MODULE = "sharesync"
COMMAND = "sharesync"
FINISH_ARGS = {
    "--share=network",
    "--share=ipc",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",
    "--filesystem=xdg-download",
}


def meson_dependencies(root):
    deps = set()
    for path in root.rglob("meson.build"):
        relative = path.relative_to(root).parts
        if relative[0] in ("tests", "subprojects") or relative[0].startswith("_build"):
            continue
        for name in re.findall(r"(?<![\w.])dependency\(\s*'([^']+)'", path.read_text()):
            deps.add(name)
    return deps


def main():
    root = pathlib.Path(sys.argv[1])
    manifest_path = pathlib.Path(sys.argv[2])
    expected_id = sys.argv[3]
    manifest = json.loads(manifest_path.read_text())
    errors = []

    def check(condition, message):
        if not condition:
            errors.append(message)

    check(manifest.get("id") == expected_id,
          f"id is {manifest.get('id')!r}, expected {expected_id!r}")
    check(manifest.get("command") == COMMAND, f"command is {manifest.get('command')!r}")
    check(manifest.get("runtime") == "org.gnome.Platform", "runtime is not org.gnome.Platform")
    check(manifest.get("sdk") == "org.gnome.Sdk", "sdk is not org.gnome.Sdk")
    finish_args = set(manifest.get("finish-args", []))
    for arg in sorted(finish_args - FINISH_ARGS):
        errors.append(f"finish-args has {arg}, which the app does not need")
    for arg in sorted(FINISH_ARGS - finish_args):
        errors.append(f"finish-args lacks {arg}")

    modules = {m["name"]: m for m in manifest.get("modules", []) if isinstance(m, dict)}
    needed = {dep for dep in meson_dependencies(root) if dep not in RUNTIME}
    for dep in sorted(needed):
        module = MODULES.get(dep)
        if module is None:
            errors.append(f"meson needs {dep}, which is not in the GNOME runtime: add a "
                          f"manifest module and list it in {pathlib.Path(__file__).name}")
        elif module not in modules:
            errors.append(f"meson needs {dep}, but the manifest has no {module} module")
    wanted = {MODULES[dep] for dep in needed if dep in MODULES} | {APP_MODULE}
    for name in sorted(set(modules) - wanted):
        errors.append(f"module {name} builds nothing meson needs from outside the runtime")

    for name, module in modules.items():
        if name == APP_MODULE:
            continue
        for source in module.get("sources", []):
            check(source.get("type") == "archive", f"{name}: source is not a release archive")
            check(re.fullmatch(r"[0-9a-f]{64}", source.get("sha256", "")) is not None,
                  f"{name}: source has no sha256")
            check("x-checker-data" in source, f"{name}: source has no x-checker-data")

    app = modules.get(APP_MODULE)
    if app is None:
        errors.append(f"no {APP_MODULE} module")
    else:
        check(app.get("buildsystem") == "meson", f"{APP_MODULE} is not built with meson")
        check("-Dtests=false" in app.get("config-opts", []),
              f"{APP_MODULE} is configured without -Dtests=false")
        check(list(modules)[-1] == APP_MODULE, f"{APP_MODULE} is not the last module")
        devel = expected_id.endswith(".Devel")
        check(("-Dprofile=development" in app.get("config-opts", [])) == devel,
              f"{APP_MODULE}: -Dprofile=development must be set exactly for a .Devel id")

    for error in errors:
        print(f"{manifest_path.name}: {error}", file=sys.stderr)
    if not errors:
        print(f"{manifest_path.name}: matches meson.build ({len(modules) - 1} modules)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
