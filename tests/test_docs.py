"""Documentation that drifts from the code is a bug: every error code and every setting is documented."""

from __future__ import annotations

import dataclasses
import re

from conftest import ROOT
from credstack.errors import all_error_classes
from credstack.settings import Settings


def _headings(path: str) -> set[str]:
    text = (ROOT / path).read_text(encoding="utf-8")
    return set(re.findall(r"^## (\S+)\s*$", text, flags=re.MULTILINE))


def test_every_error_code_is_documented_and_nothing_else() -> None:
    codes = {cls.code for cls in all_error_classes()}
    assert codes == _headings("docs/errors.md")


def test_error_codes_are_unique() -> None:
    classes = all_error_classes()
    assert len({cls.code for cls in classes}) == len(classes)


def test_every_setting_is_documented_and_nothing_else() -> None:
    names = {f"CREDSTACK_{f.name.upper()}" for f in dataclasses.fields(Settings)}
    assert names == _headings("docs/settings.md")
