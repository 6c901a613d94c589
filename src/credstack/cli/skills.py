"""``credstack skills link|extract``: find skills in text and link them to ESCO (O*NET technologies second).

Both read text one sentence per line, from a file or stdin. The linker (NumPy, the shipped taxonomy) is imported
inside the commands so that ``credstack verify`` keeps starting fast; the built indexes are cached on disk
(:mod:`credstack.cli._skills_index`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from credstack.cli import app
from credstack.cli._context import out
from credstack.cli._skills_index import load_linker, load_semantic
from credstack.errors import ConfigurationError, InvalidInputError, NotUtf8Error

if TYPE_CHECKING:
    from credstack.skills import Mention

__all__ = ["read_lines", "skills_app"]

skills_app = typer.Typer(
    name="skills",
    help="Skill extraction and linking: find skills in text and link them to ESCO v1.1.1 (and O*NET 29.2).",
    no_args_is_help=True,
)
app.add_typer(skills_app)

#: Lines embedded together by ``--semantic``.
BATCH = 256
#: ``credstack skills extract --method`` values (as in :meth:`credstack.skills.SkillLinker.extract`; not imported
#: from there so that registering the command loads no NumPy), and the default chosen on SkillSpan dev.
METHODS = ("neural", "tagged", "union", "lexical")


def default_method() -> str:
    """``neural`` when torch and the base model (the ``semantic`` extra) are installed, else the CRF (``tagged``)."""
    from credstack.skills.neural import neural_available

    return "neural" if neural_available() else "tagged"


FileArg = Annotated[
    Path | None,
    typer.Argument(help="Text file, one sentence per line (UTF-8); stdin when omitted.", show_default=False),
]


def read_lines(path: Path | None) -> list[str]:
    """The lines of ``path`` (or stdin), decoded as UTF-8; one readable error when that is impossible."""
    where = str(path) if path is not None else "stdin"
    try:
        data = path.read_bytes() if path is not None else sys.stdin.buffer.read()
    except OSError as exc:
        raise InvalidInputError(f"cannot read {where}: {exc.strerror or exc}") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotUtf8Error(f"{where} is not UTF-8 text (byte {exc.start})") from exc
    return text.splitlines()


@skills_app.command("link")
def link(
    file: FileArg = None,
    top: Annotated[int, typer.Option("--top", "-k", min=1, help="How many ESCO skills per line, best first.")] = 10,
    semantic: Annotated[
        bool,
        typer.Option("--semantic", help="Re-rank with sentence embeddings (all-MiniLM-L6-v2; the 'semantic' extra)."),
    ] = False,
) -> None:
    """Rank ESCO skills for each line; print one JSON line per input line: {"line": n, "skills": [...]}."""
    lines = read_lines(file)
    write = sys.stdout.write
    if semantic:
        reranker = load_semantic()
        for offset in range(0, len(lines), BATCH):
            batch = lines[offset : offset + BATCH]
            for number, found in enumerate(reranker.link_many(batch, top=top), start=offset + 1):
                skills = [{"uri": s.uri, "label": s.label, "score": round(s.score, 4)} for s in found]
                write(json.dumps({"line": number, "skills": skills}, ensure_ascii=False) + "\n")
        return
    linker = load_linker()
    for number, line in enumerate(lines, start=1):
        skills = [{"uri": s.uri, "label": s.label, "score": round(s.score, 4)} for s in linker.link(line, top=top)]
        write(json.dumps({"line": number, "skills": skills}, ensure_ascii=False) + "\n")


@skills_app.command("extract")
def extract(
    file: FileArg = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON line per input line, with spans.")] = False,
    links: Annotated[int, typer.Option("--links", min=1, help="Concepts shown per mention.")] = 3,
    method: Annotated[
        str,
        typer.Option(
            "--method",
            help="neural: skill and knowledge spans from the fine-tuned encoder (the default when the 'semantic'"
            " extra is installed); tagged: spans from the CRF tagger (the default otherwise); union: CRF spans plus"
            " taxonomy labels outside them; lexical: taxonomy labels only.",
            show_default=False,
        ),
    ] = "",
) -> None:
    """Find skill mentions in each line: character span, text, and the ESCO / O*NET concepts they name."""
    if method and method not in METHODS:
        raise InvalidInputError(f"--method must be one of {', '.join(METHODS)}, not {method!r}")
    lines = read_lines(file)
    linker = load_linker()
    chosen = method or default_method()
    for offset in range(0, len(lines), BATCH):
        batch = lines[offset : offset + BATCH]
        try:
            found = linker.extract_many(batch, method=chosen)
        except ConfigurationError as exc:
            if method:  # asked for by name: say why it cannot run
                raise
            print(f"note: the neural tagger is unavailable ({exc}); using the CRF tagger", file=sys.stderr)
            chosen = "tagged"
            found = linker.extract_many(batch, method=chosen)
        for number, mentions in enumerate(found, start=offset + 1):
            _show(number, mentions, as_json, links)


def _show(number: int, mentions: list[Mention], as_json: bool, links: int) -> None:
    if as_json:
        data = [{**m.to_json(), "links": [x.to_json() for x in m.links[:links]]} for m in mentions]
        sys.stdout.write(json.dumps({"line": number, "mentions": data}, ensure_ascii=False) + "\n")
        return
    for m in mentions:
        named = "; ".join(f"{x.label} ({x.scheme} {x.score:.2f})" for x in m.links[:links])
        out.print(f"{number}:{m.start}-{m.end} [bold]{escape(m.text)}[/] -> {escape(named)}")
