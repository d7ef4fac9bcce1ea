"""A real ``osrm-routed`` on 127.0.0.1 over the shared Monaco extract, for tests and benchmarks.

The binaries come from the ``osrm-bindings`` wheel on PyPI (statically linked ``osrm-*``
tools, see ``../shared/osm/README.md``). Everything lands in ``<repo>/.osrm`` (git-ignored):
the wheel is downloaded once, and the extracted road network is rebuilt only when the
``.pbf`` changes (its sha256 is stored next to the data).

Map data © OpenStreetMap contributors, ODbL 1.0; the files under ``.osrm/data`` are a
derived database under the same licence.
"""

from __future__ import annotations

import fcntl
import hashlib
import platform
import shutil
import subprocess
import sys
import zipfile
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.servers.ports import free_port
from tests.servers.process import running_server

REPO_ROOT = Path(__file__).resolve().parents[3]
MONACO_PBF = REPO_ROOT / ".." / "shared" / "osm" / "monaco.osm.pbf"
OSRM_HOME = REPO_ROOT / ".osrm"
WHEEL_SPEC = "osrm-bindings==26.10.0"
# Monaco and its edge of France (from the extract's README): lon 7.349..7.491, lat 43.71..43.77.
MONACO_BBOX = (43.72, 7.40, 43.75, 7.44)  # lat_min, lon_min, lat_max, lon_max: the dense centre
READY_PROBE = "/nearest/v1/driving/7.4246,43.7384"


def monaco_points(n: int, seed: int) -> list[tuple[float, float]]:
    """``n`` random (lat, lon) points in central Monaco, reproducible by ``seed``."""
    lat_min, lon_min, lat_max, lon_max = MONACO_BBOX
    rng = np.random.default_rng(seed)
    return [
        (float(lat), float(lon))
        for lat, lon in rng.uniform((lat_min, lon_min), (lat_max, lon_max), (n, 2))
    ]


class OsrmSetupError(RuntimeError):
    """osrm-routed could not be installed, prepared or started."""


@dataclass(frozen=True)
class OsrmInstall:
    bin_dir: Path
    profile: Path
    home: Path
    # ``region.osrm`` relative to ``home``: OSRM strips ".osrm" from paths, even from ".osrm/".
    data: str


def _run(args: list[str], what: str, cwd: Path | None = None) -> None:
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip()[-2000:]
        raise OsrmSetupError(f"{what} failed (exit {done.returncode}): {tail}")


def _install_binaries(home: Path) -> Path:
    bin_dir = home / "osrm" / "bin"
    if (bin_dir / "osrm-routed").exists():
        return bin_dir
    wheel_dir = home / "wheel"
    wheel_dir.mkdir(parents=True, exist_ok=True)
    _run(
        [
            sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--only-binary=:all:",
            "--python-version", "3.12", "--platform", f"manylinux_2_28_{platform.machine()}",
            WHEEL_SPEC, "-d", str(wheel_dir),
        ],
        f"downloading {WHEEL_SPEC} from PyPI (network needed once; the wheel is cached in "
        f"{wheel_dir})",
    )
    wheels = sorted(wheel_dir.glob("osrm_bindings-*.whl"))
    if not wheels:
        raise OsrmSetupError(f"pip reported success but no osrm_bindings wheel is in {wheel_dir}")
    with zipfile.ZipFile(wheels[-1]) as archive:
        archive.extractall(home)
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    return bin_dir


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ensure_osrm(pbf: Path = MONACO_PBF, home: Path = OSRM_HOME) -> OsrmInstall:
    """Install the OSRM tools and build the MLD graph of ``pbf`` unless already cached.

    A file lock serialises concurrent test runs and benchmarks preparing the same ``home``.
    """
    if not pbf.is_file():
        raise OsrmSetupError(f"OSM extract not found: {pbf}")
    home.mkdir(parents=True, exist_ok=True)
    with (home / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _prepare(pbf, home)


def _prepare(pbf: Path, home: Path) -> OsrmInstall:
    bin_dir = _install_binaries(home)
    profile = home / "osrm" / "share" / "profiles" / "car.lua"
    data_dir = home / "data"
    stamp = data_dir / "region.sha256"
    base = "data/region.osrm"
    install = OsrmInstall(bin_dir, profile, home, base)
    digest = _sha256(pbf)
    if stamp.exists() and stamp.read_text().strip() == digest:
        return install
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    shutil.copyfile(pbf, data_dir / "region.osm.pbf")
    _run([str(bin_dir / "osrm-extract"), "-p", str(profile), "data/region.osm.pbf"],
         "osrm-extract", cwd=home)
    _run([str(bin_dir / "osrm-partition"), base], "osrm-partition", cwd=home)
    _run([str(bin_dir / "osrm-customize"), base], "osrm-customize", cwd=home)
    stamp.write_text(digest + "\n")
    return install


def running_osrm(
    install: OsrmInstall, *, max_table_size: int = 1000
) -> AbstractContextManager[str]:
    """Run osrm-routed on 127.0.0.1 (ephemeral port); the context yields its base URL."""
    port = free_port()
    command = [
        str(install.bin_dir / "osrm-routed"), "-i", "127.0.0.1", "-p", str(port),
        "-a", "mld", "--max-table-size", str(max_table_size), install.data,
    ]
    return running_server(
        command, f"http://127.0.0.1:{port}", READY_PROBE, name="osrm-routed",
        ready=lambda response: response.status_code == 200, cwd=install.home,
        log=install.home / "data" / f"osrm-routed-{port}.log", timeout=30,
    )
