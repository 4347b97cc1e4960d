"""PyInstaller hook for ``glass_updater`` (the core): data files and lazy imports."""

from PyInstaller.utils.hooks import collect_data_files, collect_submodules, copy_metadata


def _core(name: str) -> bool:
    # The Qt front end has its own hook (bundled only when the app imports it); the
    # publisher tools and this folder are never needed inside an app.
    return not name.startswith(
        ("glass_updater.qt", "glass_updater.publish", "glass_updater._pyinstaller")
    )


hiddenimports = collect_submodules("glass_updater", filter=_core)
datas = collect_data_files("glass_updater", excludes=["**/__pycache__", "_pyinstaller/**"])
datas += copy_metadata("glass-updater")
