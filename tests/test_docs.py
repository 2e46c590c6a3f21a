"""docs/data-format.md is generated from the input and outputs registries: never stale."""

from __future__ import annotations

from siteplan import datadoc, outputs
from siteplan.inputs.registry import TABLES


def test_data_format_doc_is_up_to_date():
    text = datadoc.DOC.read_text(encoding="utf-8")
    assert text == datadoc.render(), "docs/data-format.md is stale: python -m siteplan.datadoc"


def test_every_input_and_output_column_is_in_the_doc():
    text = datadoc.render()
    for table in TABLES.values():
        assert f"## {table.file} — " in text
        for col in table.columns:
            assert f"| {col.name} | " in text.split(f"## {table.file} — ")[1]
    for out in outputs.OUTPUTS:
        assert f"| {out.name} | " in text


def test_a_registry_change_makes_the_doc_stale(monkeypatch):
    before = datadoc.render()
    monkeypatch.setitem(datadoc.AFTER, "network", "changed prose\n")
    assert datadoc.render() != before
    assert datadoc.main(["--check"]) == 1
