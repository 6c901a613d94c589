"""JSON-LD 1.1 Expansion and Deserialization to RDF in a single walk, producing quads directly.

Follows the Expansion Algorithm (https://www.w3.org/TR/json-ld11-api/#expansion-algorithm, §5.1.2) and
Node Map Generation + Deserialize JSON-LD to RDF (§7.1, §8.1) as pyld 3.3 implements them, so that the
dataset equals pyld's (``rdfDirection`` unset, JSON-LD 1.1 processing mode). Instead of building the
expanded document and a node map, each node object emits its quads as soon as its subject is known;
duplicates are removed with the node map's value-equality rules, so the quad list matches pyld's exactly.

Fail closed, where JSON-LD would silently drop data (and leave it unsigned):

- a key or ``@type`` value that no context defines raises :class:`~credstack.errors.UndefinedTermError`
  with its JSON path (``credentialSubject.achievement.foo``);
- a relative IRI (there is no document base), a blank node property, a free-floating value, a base direction
  (``@direction``: with ``rdfDirection`` unset it has no RDF form), an integer beyond ±2^53 or a float such as
  ``1e-7`` (JavaScript processors read them as other numbers), a malformed value, language tag or IRI raises
  :class:`~credstack.errors.CanonicalizationError`.

Constructs that the pinned contexts do not need (maps keyed by language/index/id/type, ``@reverse``,
``@included``, ``@nest``, ``@index`` on nodes, lists or sets inside ``@graph`` containers) raise
:class:`~credstack.proofs._jsonld_context.Unsupported`; the caller then uses the pyld reference path.
"""

from __future__ import annotations

import math
import re
from typing import Any

import rfc8785

from credstack.errors import CanonicalizationError, UndefinedTermError
from credstack.proofs._jsonld_context import (
    INITIAL,
    KEYWORDS,
    ActiveContext,
    Unsupported,
    expand_iri,
    process_context,
)
from credstack.proofs._rdfc import Quad, literal

__all__ = ["MAX_DEPTH", "to_quads"]

MAX_DEPTH = 100
"""Deepest nesting of JSON objects and arrays accepted."""

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_BOOLEAN, XSD_DOUBLE, XSD_INTEGER, XSD_STRING = XSD + "boolean", XSD + "double", XSD + "integer", XSD + "string"
RDF_LANGSTRING, RDF_JSON = RDF + "langString", RDF + "JSON"
RDF_TYPE, RDF_FIRST, RDF_REST, RDF_NIL = (f"<{RDF}{name}>" for name in ("type", "first", "rest", "nil"))

_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANGUAGE_TAG = re.compile(r"^[a-zA-Z]+(-[a-zA-Z0-9]+)*$")
_DOUBLE_EXPONENT = re.compile(r"(\d)0*E\+?(-)?0*(\d)")
_MAP_CONTAINERS = frozenset(["@language", "@index", "@id", "@type"])
_NODE_ONLY = frozenset(["@included", "@reverse", "@nest", "@index"])
_MISSING: Any = object()
_DIRECTION = (
    "a base direction (@direction) cannot be signed: RDF canonicalisation would drop it (jsonld.js refuses it too); "
    "use @language alone"
)
_MAX_SAFE_INTEGER = 2**53
_BIG_INTEGER = (
    "integer {} is outside the interoperable range of ±2^53 (I-JSON, RFC 7493): JavaScript processors read it "
    "as a different number, so the proof could not be verified there; send it as a string"
)
_TINY_FLOAT = (
    "number {!r} would be canonicalised as 0 by JavaScript processors (jsonld.js looks for a '.' in it), so the "
    "proof could not be verified there; send it as a string"
)
_IRI_OK: dict[str, bool] = {}

Item = tuple[Any, ...]
"""An expanded value: ``("n", term)`` node reference, ``("v", literal, key)`` value, ``("l", [items])`` list."""
Path = tuple[Any, Any] | None


def _where(path: Path, key: Any = _MISSING) -> str:
    """Render a JSON path: ``credentialSubject.achievement.alignment[0].targetName``."""
    parts = [] if key is _MISSING else [key]
    while path is not None:
        path, part = path
        parts.append(part)
    out = ""
    for part in reversed(parts):
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out or "$"


def _clean_iri(iri: str) -> bool:
    """An absolute IRI that canonical N-Quads can carry unescaped (no spaces, controls, ``<>"{}|^`\\``)."""
    ok = _IRI_OK.get(iri)
    if ok is None:
        ok = _ABSOLUTE_IRI.match(iri) is not None and _NOT_IN_IRI.search(iri) is None
        if len(_IRI_OK) < 8192 and len(iri) <= 512:
            _IRI_OK[iri] = ok
    return ok


def _canonical_double(value: float) -> str:
    """The canonical xsd:double lexical form pyld and jsonld.js use (``1.5E0``)."""
    return _DOUBLE_EXPONENT.sub(r"\1E\2\3", f"{value:1.15E}")


def _syntax(message: str, path: Path, key: Any = _MISSING) -> CanonicalizationError:
    return CanonicalizationError(f"invalid JSON-LD: {message}", where=_where(path, key))


class _Walker:
    """One document's walk: the quads so far, the duplicate filter and the blank node labels."""

    __slots__ = ("labels", "next_label", "quads", "seen")

    def __init__(self) -> None:
        self.quads: list[Quad] = []
        self.seen: set[tuple[str, str, str, Any]] = set()
        self.labels: dict[str, str] = {}
        self.next_label = 0

    # -- terms -------------------------------------------------------------------------------------------------
    def bnode(self) -> str:
        self.next_label += 1
        return f"_:b{self.next_label}"

    def iri_term(self, iri: Any, path: Path, key: Any, what: str) -> str:
        """An expanded IRI as an N-Quads term; blank node labels from the document are relabelled."""
        if isinstance(iri, str):
            if iri[:2] == "_:":
                label = self.labels.get(iri)
                if label is None:
                    label = self.labels[iri] = self.bnode()
                return label
            if _clean_iri(iri):
                return "<" + iri + ">"
        raise CanonicalizationError(
            f"{what} {iri!r} is not an absolute IRI (relative references cannot be resolved: there is no base)",
            where=_where(path, key),
        )

    def literal(self, value: Any, datatype: str | None, language: str | None, index: Any, path: Path) -> Item:
        """Object to RDF Conversion (§8.1.2 step 13-14) for a value, plus its node-map equality key."""
        if datatype is not None and datatype != "@json" and not _clean_iri(datatype):
            raise _syntax(f"datatype {datatype!r} is not an absolute IRI", path)
        if datatype == "@json":
            try:
                lexical = rfc8785.dumps(value).decode("utf-8")
            except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
                raise _syntax(f"a JSON literal cannot be canonicalised (RFC 8785): {exc}", path) from exc
            return ("v", literal(lexical, RDF_JSON), ("@json", None, index, "j", lexical))
        if isinstance(value, bool):
            text = literal("true" if value else "false", datatype or XSD_BOOLEAN)
            return ("v", text, (datatype, language, index, "b", value))
        if isinstance(value, float):
            if not math.isfinite(value):
                raise _syntax("numbers must be finite", path)
            if not value.is_integer():
                if abs(value) < 1e-6 and "." not in repr(value):
                    raise _syntax(_TINY_FLOAT.format(value), path)
                return (
                    "v",
                    literal(_canonical_double(value), datatype or XSD_DOUBLE),
                    (datatype, language, index, "n", value),
                )
        if datatype == XSD_DOUBLE:
            try:
                lexical = _canonical_double(float(value))
            except (ValueError, TypeError):
                lexical = value
            except OverflowError as exc:
                raise _syntax("number out of range for xsd:double", path) from exc
            tag = "s" if isinstance(value, str) else "n"
            return ("v", literal(lexical, XSD_DOUBLE), (datatype, language, index, tag, value))
        if isinstance(value, (int, float)):
            if type(value) is not float and abs(value) > _MAX_SAFE_INTEGER:
                raise _syntax(_BIG_INTEGER.format(value), path)
            if abs(value) >= 1e21:
                lexical = _canonical_double(value)
                return ("v", literal(lexical, datatype or XSD_DOUBLE), (datatype, language, index, "n", value))
            return ("v", literal(str(int(value)), datatype or XSD_INTEGER), (datatype, language, index, "n", value))
        if not isinstance(value, str):
            raise _syntax(f"{type(value).__name__} is not a JSON value", path)
        if language is not None:
            if language and not _LANGUAGE_TAG.match(language):
                raise _syntax(f"language tag {language!r} is malformed", path)
            text = literal(value, datatype or RDF_LANGSTRING, language)
        else:
            text = literal(value, datatype or XSD_STRING)
        return ("v", text, (datatype, language, index, "s", value))

    # -- emission ----------------------------------------------------------------------------------------------
    def emit(self, s: str, p: str, item: Item, g: str) -> None:
        """Add one quad, dropping it when the node map would hold the value already (pyld's add_value)."""
        kind = item[0]
        if kind == "n":
            key = (g, s, p, item[1])
            if key not in self.seen:
                self.seen.add(key)
                self.quads.append((s, p, item[1], g))
        elif kind == "v":
            key = (g, s, p, item[2])
            if key not in self.seen:
                self.seen.add(key)
                self.quads.append((s, p, item[1], g))
        else:
            self.quads.append((s, p, self.list_to_rdf(item[1], g), g))

    def list_to_rdf(self, items: list[Item], g: str) -> str:
        """List Conversion (§8.1.3): an rdf:first/rdf:rest chain of fresh blank nodes."""
        if not items:
            return RDF_NIL
        head = node = self.bnode()
        last = len(items) - 1
        for i, item in enumerate(items):
            obj = self.list_to_rdf(item[1], g) if item[0] == "l" else item[1]
            self.quads.append((node, RDF_FIRST, obj, g))
            following = RDF_NIL if i == last else self.bnode()
            self.quads.append((node, RDF_REST, following, g))
            node = following
        return head

    # -- expansion ---------------------------------------------------------------------------------------------
    def element(
        self,
        ctx: ActiveContext,
        prop: str | None,
        value: Any,
        path: Path,
        graph: str,
        in_list: bool,
        top: bool,
        depth: int,
    ) -> Any:
        """Expansion (§5.1.2) of any JSON value: returns an Item, a list of Items (an array) or None."""
        if value is None:
            return None
        if type(value) is str:
            if top and not in_list:
                raise _syntax("a value outside any node object would be dropped", path)
            return self.scalar(ctx, prop, value, path)
        if isinstance(value, dict):
            return self.object(ctx, prop, value, path, graph, in_list, top, False, depth)
        if isinstance(value, list):
            return self.array(ctx, prop, value, path, graph, in_list, top, depth)
        if top and not in_list:
            raise _syntax("a value outside any node object would be dropped", path)
        return self.scalar(ctx, prop, value, path)

    def array(
        self,
        ctx: ActiveContext,
        prop: str | None,
        value: list[Any],
        path: Path,
        graph: str,
        in_list: bool,
        top: bool,
        depth: int,
    ) -> list[Item]:
        if depth > MAX_DEPTH:
            raise _syntax(f"the document is nested more than {MAX_DEPTH} levels deep", path)
        definition = ctx.terms.get(prop) if prop is not None else None
        in_list = in_list or (definition is not None and "@list" in definition.container)
        out: list[Item] = []
        for i, member in enumerate(value):
            result = self.element(ctx, prop, member, (path, i), graph, in_list, top, depth + 1)
            if result is None:
                continue
            if type(result) is list:
                if in_list:
                    out.append(("l", result))
                else:
                    out.extend(result)
            else:
                out.append(result)
        return out

    def scalar(self, ctx: ActiveContext, prop: str | None, value: Any, path: Path) -> Item:
        """Value Expansion (§5.3.2) of a string, number or boolean under ``prop``."""
        if prop is None:
            return self.literal(value, None, None, None, path)
        definition = ctx.terms.get(prop)
        type_ = definition.type if definition is not None else None
        if isinstance(value, str):
            if type_ == "@id":
                return ("n", self.iri_term(expand_iri(ctx, value), path, _MISSING, "IRI"))
            if type_ == "@vocab":
                return ("n", self.iri_term(ctx.expand_vocab(value), path, _MISSING, "value (not a defined term)"))
        if type_ is not None and type_ not in ("@id", "@vocab", "@none"):
            return self.literal(value, type_, None, None, path)
        language = None
        if isinstance(value, str):
            if definition is not None and definition.has_direction and definition.direction is not None:
                raise CanonicalizationError(_DIRECTION, where=_where(path))
            if definition is not None and definition.has_language:
                language = definition.language
            elif ctx.has_language:
                language = ctx.language
        return self.literal(value, None, language, None, path)

    def object(
        self,
        ctx: ActiveContext,
        prop: str | None,
        element: dict[str, Any],
        path: Path,
        graph: str,
        in_list: bool,
        top: bool,
        root: bool,
        depth: int,
    ) -> Any:
        """Expansion of a map (§5.1.2 steps 5-20): context handling, then a value, list, set or node object."""
        if depth > MAX_DEPTH:
            raise _syntax(f"the document is nested more than {MAX_DEPTH} levels deep", path)
        prop_definition = ctx.terms.get(prop) if prop is not None else None
        if ctx.previous is not None:
            revert = True
            if len(element) <= 2 and "@context" not in element:
                for key in sorted(element):
                    expanded = ctx.expand_vocab(key)
                    if expanded == "@value" or (expanded == "@id" and len(element) == 1):
                        revert = False
                        break
            if revert:
                ctx = ctx.previous
        if prop_definition is not None and prop_definition.has_context:
            ctx = process_context(ctx, prop_definition.context, prop_definition.context_key, override_protected=True)
        if "@context" in element:
            local = element["@context"]
            if isinstance(local, dict) and len(local) == 1 and "@context" in local:
                raise _syntax("keyword redefinition (@context)", path, "@context")
            ctx = process_context(ctx, local)
        type_ctx = ctx
        keys = tuple(element)
        type_keys = ctx.plans.get(("t", keys))
        if type_keys is None:
            type_keys = ctx.remember(("t", keys), tuple(sorted(k for k in keys if ctx.expand_vocab(k) == "@type")))
        if type_keys:
            types: list[str] = []
            for key in type_keys:
                raw = element[key]
                if isinstance(raw, list):
                    types.extend(sorted(t for t in raw if isinstance(t, str)))
                elif isinstance(raw, str):
                    types.append(raw)
            typed = type_ctx.plans.get(("y", *types))
            if typed is None:
                typed = type_ctx
                for type_ in types:
                    definition = type_ctx.terms.get(type_)
                    if definition is not None and definition.has_context and definition.context is not None:
                        typed = process_context(typed, definition.context, definition.context_key, propagate=False)
                type_ctx.remember(("y", *types), typed)
            ctx = typed
        plan = ctx.plans.get(("e", keys))
        if plan is None:
            plan = ctx.remember(("e", keys), self.entry_plan(ctx, element, path))
        kind, entry_keys = plan
        entries = [(key, expanded, element[key]) for key, expanded in entry_keys]
        if kind == "value":
            return self.value_object(type_ctx, entries, path, in_list, top)
        if kind == "list":
            if top and not in_list:
                raise _syntax("a list outside any node object would be dropped", path)
            inner = self.container_object(entries, "@list", path)
            result = self.element(ctx, None if top else prop, inner[1], (path, inner[0]), graph, True, False, depth + 1)
            items = [] if result is None else (result if type(result) is list else [result])
            return ("l", items)
        if kind == "set":
            inner = self.container_object(entries, "@set", path)
            result = self.element(ctx, prop, inner[1], (path, inner[0]), graph, False, top, depth + 1)
            return [] if result is None else (result if type(result) is list else [result])
        return self.node(ctx, type_ctx, entries, path, graph, root, depth)

    @staticmethod
    def entry_plan(ctx: ActiveContext, element: dict[str, Any], path: Path) -> tuple[str, tuple[tuple[str, str], ...]]:
        """The object's keys expanded, in pyld's (sorted) order, and its kind: node, value, list or set."""
        entries = []
        kind = "node"
        for key in sorted(element) if len(element) > 1 else element:
            if key == "@context":
                continue
            expanded = ctx.expand_key(key)
            if expanded is None:
                if not isinstance(key, str):
                    raise _syntax("JSON object keys must be strings", path)
                raise UndefinedTermError(
                    f"term {key!r} is not defined by any @context, so JSON-LD would drop it and it would not be signed",
                    where=_where(path, key),
                )
            entries.append((key, expanded))
            if expanded == "@value":
                kind = "value"
            elif expanded == "@list" and kind != "value":
                kind = "list"
            elif expanded == "@set" and kind == "node":
                kind = "set"
        return kind, tuple(entries)

    def value_object(
        self, type_ctx: ActiveContext, entries: list[tuple[str, str, Any]], path: Path, in_list: bool, top: bool
    ) -> Item | None:
        """A value object (§5.1.2 steps 13.4.7-13.4.12 and 15)."""
        value: Any = _MISSING
        datatype = language = index = None
        has_type = has_direction = False
        for key, expanded, raw in entries:
            if expanded == "@value":
                if value is not _MISSING:
                    raise _syntax("colliding keywords (@value)", path, key)
                value = raw
            elif expanded == "@type":
                if has_type:
                    raise Unsupported("a value object with two @type entries")
                has_type = True
                if raw is not None:
                    if not isinstance(raw, str):
                        raise _syntax("the @type of a value object must be a string or null", path, key)
                    datatype = type_ctx.expand_vocab(raw)
            elif expanded == "@language":
                if raw is not None:
                    if not isinstance(raw, str):
                        raise _syntax("@language must be a string", path, key)
                    language = raw.lower()
            elif expanded == "@direction":
                if raw not in ("ltr", "rtl"):
                    raise _syntax('@direction must be "ltr" or "rtl"', path, key)
                raise CanonicalizationError(_DIRECTION, where=_where(path, key))
            elif expanded == "@index":
                if not isinstance(raw, str):
                    raise _syntax("@index must be a string", path, key)
                index = raw
            elif expanded in KEYWORDS or raw is not None:
                raise _syntax(f"a value object cannot contain {key!r}", path, key)
        if datatype is not None and (language is not None or has_direction):
            raise _syntax("a value object cannot have both @type and @language/@direction", path)
        if datatype == "@json":
            if top and not in_list:
                raise _syntax("a value outside any node object would be dropped", path)
            return self.literal(value, "@json", None, index, path)
        if value is None:
            return None
        if isinstance(value, (dict, list)):
            raise _syntax("@value must be a string, number or boolean", path)
        if language is not None and not isinstance(value, str):
            raise _syntax("only strings can be language-tagged", path)
        if datatype is not None and (not isinstance(datatype, str) or not _clean_iri(datatype) or datatype[:2] == "_:"):
            raise _syntax(f"the @type of a value must be an absolute IRI, not {datatype!r}", path)
        if top and not in_list:
            raise _syntax("a value outside any node object would be dropped", path)
        return self.literal(value, datatype, language, index, path)

    def container_object(self, entries: list[tuple[str, str, Any]], keyword: str, path: Path) -> tuple[str, Any]:
        """The content of a list or set object; only @index may accompany it."""
        found: tuple[str, Any] | None = None
        for key, expanded, raw in entries:
            if expanded == keyword:
                if found is not None:
                    raise _syntax(f"colliding keywords ({keyword})", path, key)
                found = (key, raw)
            elif expanded == "@index":
                if not isinstance(raw, str):
                    raise _syntax("@index must be a string", path, key)
            elif expanded in KEYWORDS or raw is not None:
                raise Unsupported(f"{key!r} next to {keyword}")
        if found is None:  # pragma: no cover - the caller found the keyword
            raise _syntax(f"missing {keyword}", path)
        return found

    def node(
        self,
        ctx: ActiveContext,
        type_ctx: ActiveContext,
        entries: list[tuple[str, str, Any]],
        path: Path,
        graph: str,
        root: bool,
        depth: int,
    ) -> Item:
        """A node object: its @id, @type, properties and any @graph (§5.1.2 step 13, §7.2 node map)."""
        subject = None
        for key, expanded, raw in entries:
            if expanded == "@id":
                if subject is not None:
                    raise _syntax("colliding keywords (@id)", path, key)
                if not isinstance(raw, str):
                    raise _syntax("@id must be a string", path, key)
                subject = self.iri_term(expand_iri(ctx, raw), path, key, "@id")
        count = 0 if subject is None else 1
        if subject is None:
            subject = self.bnode()
        typed = False
        graph_entry: tuple[str, Any] | None = None
        for key, expanded, raw in entries:
            if expanded == "@id":
                continue
            if expanded == "@type":
                if raw is None or isinstance(raw, dict):
                    raise _syntax("@type must be a string or an array of strings", path, key)
                for type_ in raw if isinstance(raw, list) else [raw]:
                    if not isinstance(type_, str):
                        raise _syntax("@type must be a string or an array of strings", path, key)
                    term = type_ctx.plans.get(("T", type_))
                    if term is None:
                        iri = type_ctx.expand_vocab(type_)
                        if not isinstance(iri, str) or not _ABSOLUTE_IRI.match(iri):
                            raise UndefinedTermError(
                                f"type {type_!r} is not defined by any @context, so it would not be signed",
                                where=_where(path, key),
                            )
                        term = self.iri_term(iri, path, key, "type")
                        if term[0] == "<":  # blank node labels are per document: never cached
                            type_ctx.remember(("T", type_), term)
                    self.emit(subject, RDF_TYPE, ("n", term), graph)
                    typed = True
                continue
            if expanded == "@graph":
                if graph_entry is not None:
                    raise _syntax("colliding keywords (@graph)", path, key)
                if not isinstance(raw, (dict, list)):
                    raise _syntax("@graph must be an object or an array", path, key)
                graph_entry = (key, raw)
                count += 1
                continue
            plan = ctx.plans.get(("p", key))
            if plan is None:
                plan = ctx.remember(("p", key), self.property_plan(ctx, key, expanded, path))
            if self.property(plan, subject, key, raw, path, graph, depth):
                count += 1
        if typed:
            count += 1
        if graph_entry is not None:
            key, raw = graph_entry
            target = "" if root and count == 1 else subject
            definition = ctx.terms.get(key)
            graph_ctx = ctx
            if definition is not None and definition.has_context:
                graph_ctx = process_context(ctx, definition.context, definition.context_key, override_protected=True)
            self.element(graph_ctx, key, raw, (path, key), target, False, True, depth + 1)
        return ("n", subject)

    @staticmethod
    def property_plan(ctx: ActiveContext, key: str, expanded: str, path: Path) -> tuple[Any, ...]:
        """What a property key means in ``ctx``: predicate, value context, container and coercion."""
        if expanded in KEYWORDS:
            if expanded in _NODE_ONLY:
                raise Unsupported(f"{expanded} in a node object")
            raise _syntax(f"{expanded} cannot appear in a node object", path, key)
        if expanded[:2] == "_:":
            raise _syntax(f"property {key!r} is a blank node, which RDF cannot carry", path, key)
        if not _clean_iri(expanded):
            raise _syntax(f"property {key!r} expands to {expanded!r}, not an absolute IRI", path, key)
        definition = ctx.terms.get(key)
        term_ctx = ctx
        container: frozenset[str] = frozenset()
        is_json = False
        if definition is not None:
            if definition.has_context:
                term_ctx = process_context(ctx, definition.context, definition.context_key, override_protected=True)
            container = definition.container
            if definition.type == "@json":
                if container:
                    raise Unsupported("a @json term with a @container")
                is_json = True
        is_graph = "@graph" in container and "@id" not in container and "@index" not in container
        has_map = not container.isdisjoint(_MAP_CONTAINERS)
        return ("<" + expanded + ">", term_ctx, "@list" in container, is_graph, has_map, is_json)

    def property(
        self, plan: tuple[Any, ...], subject: str, key: str, raw: Any, path: Path, graph: str, depth: int
    ) -> bool:
        """One property of a node (§5.1.2 step 13.7-13.13); returns whether the expanded value is not null."""
        predicate, term_ctx, is_list, is_graph, has_map, is_json = plan
        key_path = (path, key)
        if is_json:
            self.emit(subject, predicate, self.literal(raw, "@json", None, None, key_path), graph)
            return True
        if has_map and isinstance(raw, dict):
            raise Unsupported(f"a map container for {key!r}")
        if is_graph:
            return self.graph_container(term_ctx, subject, key, predicate, raw, key_path, graph, depth)
        result = self.element(term_ctx, key, raw, key_path, graph, False, False, depth + 1)
        if result is None:
            return False
        if type(result) is list:
            items = [("l", result)] if is_list else result
        elif is_list and result[0] != "l":
            items = [("l", [result])]
        else:
            items = [result]
        for item in items:
            self.emit(subject, predicate, item, graph)
        return True

    def graph_container(
        self, ctx: ActiveContext, subject: str, key: str, predicate: str, raw: Any, path: Path, graph: str, depth: int
    ) -> bool:
        """A ``@container: @graph`` property (e.g. ``proof``): each value becomes its own named graph."""
        if raw is None:
            return False
        members = [(raw, path)] if not isinstance(raw, list) else self._flatten(raw, path, depth)
        for member, member_path in members:
            if member is None:
                continue
            name = self.bnode()
            result = self.element(ctx, key, member, member_path, name, False, False, depth + 1)
            if result is None:
                continue
            if type(result) is list or result[0] == "l":
                raise Unsupported("a list or set inside a @graph container")
            self.emit(subject, predicate, ("n", name), graph)
        return True

    def _flatten(self, raw: list[Any], path: Path, depth: int) -> list[tuple[Any, Path]]:
        if depth > MAX_DEPTH:
            raise _syntax(f"the document is nested more than {MAX_DEPTH} levels deep", path)
        out: list[tuple[Any, Path]] = []
        for i, member in enumerate(raw):
            if isinstance(member, list):
                out.extend(self._flatten(member, (path, i), depth + 1))
            else:
                out.append((member, (path, i)))
        return out


def to_quads(document: Any) -> list[Quad]:
    """The RDF dataset of a JSON-LD document, as pyld's ``to_rdf`` would produce it (blank labels aside)."""
    walker = _Walker()
    try:
        if isinstance(document, dict):
            walker.object(INITIAL, None, document, None, "", False, True, True, 0)
        elif isinstance(document, list):
            walker.array(INITIAL, None, document, None, "", False, True, 0)
        else:
            raise CanonicalizationError("a JSON-LD document must be a JSON object or array", where="$")
    except TypeError as exc:  # only input that is not JSON (e.g. non-string keys) gets here
        raise CanonicalizationError(f"the document is not JSON: {exc}") from exc
    return walker.quads
