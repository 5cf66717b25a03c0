"""Only what pyproject.toml cannot say: ship the top-level corpus/ and prompts/ inside the wheel.

They are copied to `assistant/_data/corpus` and `assistant/_data/prompts` when the wheel is built, so a
non-editable `pip install .` can serve the bundled corpus; `assistant/resources.py` finds them there, or
at the top of a source checkout (editable install). Everything else is configured in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = ("corpus", "prompts")  # top-level directories -> assistant/_data/<name>


class build_py_with_bundled_data(build_py):
    def run(self) -> None:
        super().run()
        for name in BUNDLED:
            source = ROOT / name
            if not source.is_dir():  # building from an sdist made without MANIFEST.in would lose them
                raise FileNotFoundError(f"{source} is missing; the wheel must carry the bundled {name}")
            self.copy_tree(str(source), str(Path(self.build_lib) / "assistant" / "_data" / name))


setup(cmdclass={"build_py": build_py_with_bundled_data})
