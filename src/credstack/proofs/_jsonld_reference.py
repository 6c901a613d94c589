"""The pyld reference path: JSON-LD expansion and toRDF by pyld 3.3, guarded so that nothing is dropped silently.

pyld 3.3 has no "safe mode": it drops undefined terms, relative IRIs and free-floating values without a word
(jsonld.js calls these "safe mode" events). The guard, a subclass of pyld's processor, refuses them instead,
with the same errors as the fast path: :class:`~credstack.errors.UndefinedTermError` for an undefined key
or type (with its JSON path), :class:`~credstack.errors.CanonicalizationError` for the rest. The document is
expanded with no base IRI (pyld would otherwise resolve relative references against
``http://example.org/base/``), and only pinned contexts are ever loaded.

This path handles every JSON-LD 1.1 feature pyld does; it runs when the fast path meets one it does not
implement, and in the tests as the reference the fast path must match.
"""

from __future__ import annotations

import math
import re
from typing import Any

import rfc8785
from pyld import jsonld

from credstack.contexts import pyld_document_loader
from credstack.errors import CanonicalizationError, CredstackError, UndefinedTermError
from credstack.proofs._rdfc import Quad, literal

__all__ = ["to_quads"]

_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")
_NOT_IN_IRI = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_LANGUAGE_TAG = re.compile(r"^[a-zA-Z]+(-[a-zA-Z0-9]+)*$")
_ALLOWED_KEYWORDS = frozenset(["@id", "@type", "@graph", "@included", "@reverse", "@index"])
_VALUE_KEYWORDS = frozenset(["@value", "@type", "@language", "@direction", "@index"])
_MAX_DEPTH = 100


class _PathDict(dict[str, Any]):
    """A JSON object that remembers where it sits in the document (survives pyld's deep copy)."""

    __slots__ = ("credstack_path",)
    credstack_path: str


def _with_paths(value: Any, path: str, depth: int = 0) -> Any:
    if depth > _MAX_DEPTH:
        raise CanonicalizationError(f"the document is nested more than {_MAX_DEPTH} levels deep", where=path)
    if isinstance(value, dict):
        out = _PathDict()
        out.credstack_path = path
        for key, member in value.items():
            if not isinstance(key, str):
                raise CanonicalizationError("JSON object keys must be strings", where=path)
            out[key] = member if key == "@context" else _with_paths(member, _join(path, key), depth + 1)
        return out
    if isinstance(value, list):
        return [_with_paths(member, f"{path}[{i}]", depth + 1) for i, member in enumerate(value)]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
        raise CanonicalizationError(
            f"integer {value} is outside the interoperable range of ±2^53 (I-JSON, RFC 7493): JavaScript processors "
            "read it as a different number, so the proof could not be verified there; send it as a string",
            where=path,
        )
    if value is None or isinstance(value, (str, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CanonicalizationError("invalid JSON-LD: numbers must be finite", where=path)
        if not value.is_integer() and abs(value) < 1e-6 and "." not in repr(value):
            raise CanonicalizationError(
                f"number {value!r} would be canonicalised as 0 by JavaScript processors (jsonld.js looks for a '.' "
                "in it), so the proof could not be verified there; send it as a string",
                where=path,
            )
        return value
    raise CanonicalizationError(f"invalid JSON-LD: {type(value).__name__} is not a JSON value", where=path)


def _join(path: str, key: str) -> str:
    return key if path == "$" else f"{path}.{key}"


def _clean_iri(value: Any) -> bool:
    return isinstance(value, str) and bool(_ABSOLUTE_IRI.match(value)) and not _NOT_IN_IRI.search(value)


class _GuardedProcessor(jsonld.JsonLdProcessor):
    """pyld's processor, refusing whatever expansion would drop (the fast path's rules)."""

    def _expand(
        self,
        active_ctx: Any,
        active_property: Any,
        element: Any,
        options: Any,
        inside_list: bool = False,
        inside_index: bool = False,
        type_scoped_ctx: Any = None,
    ) -> Any:
        top = active_property is None or self._expand_iri(active_ctx, active_property, vocab=True) == "@graph"
        if top and not inside_list and element is not None and not isinstance(element, (dict, list)):
            raise CanonicalizationError("invalid JSON-LD: a value outside any node object would be dropped")
        result = super()._expand(
            active_ctx, active_property, element, options, inside_list, inside_index, type_scoped_ctx
        )
        if result is None and top and not inside_list and isinstance(element, dict):
            kinds = {self._expand_iri(active_ctx, key, vocab=True) for key in element}
            if "@list" in kinds or ("@value" in kinds and not _null_value(self, active_ctx, element)):
                raise CanonicalizationError(
                    "invalid JSON-LD: a value or list outside any node object would be dropped",
                    where=getattr(element, "credstack_path", None),
                )
        return result

    def _expand_object(
        self,
        active_ctx: Any,
        active_property: Any,
        expanded_active_property: Any,
        element: Any,
        expanded_parent: Any,
        options: Any,
        inside_list: bool = False,
        type_key: Any = None,
        type_scoped_ctx: Any = None,
    ) -> None:
        path = getattr(element, "credstack_path", "$")
        keyword_paths: dict[str, str] = {}  # expanded key -> JSON path, for error messages
        for key in sorted(element):
            if key == "@context":
                continue
            expanded = self._expand_iri(active_ctx, key, vocab=True)
            if isinstance(expanded, str):
                keyword_paths.setdefault(expanded, _join(path, key))
            if expanded is None or not (jsonld._is_absolute_iri(expanded) or jsonld._is_keyword(expanded)):
                raise UndefinedTermError(
                    f"term {key!r} is not defined by any @context, so JSON-LD would drop it and it would not be signed",
                    where=_join(path, key),
                )
        super()._expand_object(
            active_ctx,
            active_property,
            expanded_active_property,
            element,
            expanded_parent,
            options,
            inside_list,
            type_key,
            type_scoped_ctx,
        )
        _check_expanded(expanded_parent, path, keyword_paths)


def _null_value(processor: Any, active_ctx: Any, element: dict[str, Any]) -> bool:
    for key, value in element.items():
        if processor._expand_iri(active_ctx, key, vocab=True) == "@value":
            return value is None
    return False


def _check_expanded(node: dict[str, Any], path: str, keyword_paths: dict[str, str]) -> None:
    """Refuse, in one freshly expanded object, what toRDF would drop or could not serialise."""
    if "@value" in node:
        _check_value(node, path)
        return
    if "@list" in node:
        for item in node["@list"]:
            _check_item(item, path)
        return
    for prop, values in node.items():
        if prop == "@id":
            for iri in values if isinstance(values, list) else [values]:
                if not (isinstance(iri, str) and (iri.startswith("_:") or _clean_iri(iri))):
                    raise CanonicalizationError(
                        f"@id {iri!r} is not an absolute IRI (relative references cannot be resolved: no base)",
                        where=keyword_paths.get("@id", path),
                    )
        elif prop == "@type":
            for type_ in values if isinstance(values, list) else [values]:
                if not isinstance(type_, str) or not _ABSOLUTE_IRI.match(type_):
                    raise UndefinedTermError(
                        f"type {type_!r} is not defined by any @context, so it would not be signed",
                        where=keyword_paths.get("@type", path),
                    )
                if not type_.startswith("_:") and not _clean_iri(type_):
                    raise CanonicalizationError(
                        f"type {type_!r} is not an absolute IRI", where=keyword_paths.get("@type", path)
                    )
        elif prop in _ALLOWED_KEYWORDS or prop == "@set":
            continue
        elif jsonld._is_keyword(prop):
            raise CanonicalizationError(f"invalid JSON-LD: {prop} cannot appear in a node object", where=path)
        elif prop.startswith("_:") or not _clean_iri(prop):
            raise CanonicalizationError(f"invalid JSON-LD: property {prop!r} is not an absolute IRI", where=path)
        else:
            for item in values if isinstance(values, list) else [values]:
                _check_item(item, keyword_paths.get(prop, path))


def _check_item(item: Any, path: str) -> None:
    if not isinstance(item, dict):
        return
    if "@value" in item:
        _check_value(item, path)
    elif "@list" in item:
        for member in item["@list"]:
            _check_item(member, path)
    elif "@graph" in item:
        for member in item["@graph"]:
            _check_item(member, path)
    elif "@id" in item:
        iri = item["@id"]
        if not (isinstance(iri, str) and (iri.startswith("_:") or _clean_iri(iri))):
            raise CanonicalizationError(
                f"IRI {iri!r} is not an absolute IRI (relative references cannot be resolved: there is no base)",
                where=path,
            )


def _check_value(value: dict[str, Any], path: str) -> None:
    for key in value:
        if key not in _VALUE_KEYWORDS:
            raise CanonicalizationError(f"invalid JSON-LD: a value object cannot contain {key!r}", where=path)
    if value.get("@direction") is not None:
        raise CanonicalizationError(
            "a base direction (@direction) cannot be signed: RDF canonicalisation would drop it (jsonld.js refuses "
            "it too); use @language alone",
            where=path,
        )
    datatype = value.get("@type")
    if datatype == "@json":
        try:
            rfc8785.dumps(value["@value"])
        except (rfc8785.CanonicalizationError, TypeError, ValueError) as exc:
            raise CanonicalizationError(
                f"a JSON literal cannot be canonicalised (RFC 8785): {exc}", where=path
            ) from exc
    elif datatype is not None and not _clean_iri(datatype):
        raise CanonicalizationError(f"datatype {datatype!r} is not an absolute IRI", where=path)
    language = value.get("@language")
    if language and not (isinstance(language, str) and _LANGUAGE_TAG.match(language)):
        raise CanonicalizationError(f"language tag {language!r} is malformed", where=path)


def _term(component: dict[str, Any]) -> str:
    if component["type"] == "blank node":
        return str(component["value"])
    if component["type"] == "IRI":
        return "<" + component["value"] + ">"
    return literal(component["value"], component["datatype"], component.get("language"))


def _raise_from(exc: Exception) -> None:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, CredstackError):
            raise cause from exc
        cause = cause.__cause__ or getattr(cause, "cause", None)
    detail = getattr(exc, "code", None) or getattr(exc, "type", "")
    raise CanonicalizationError(f"JSON-LD processing failed: {detail}: {exc}") from exc


def to_quads(document: Any) -> list[Quad]:
    """pyld's RDF dataset for ``document`` (no base IRI, pinned contexts only), after the guard's checks."""
    if not isinstance(document, (dict, list)):
        raise CanonicalizationError("a JSON-LD document must be a JSON object or array", where="$")
    options = {"documentLoader": pyld_document_loader, "base": None, "processingMode": "json-ld-1.1"}
    try:
        expanded = _GuardedProcessor().expand(_with_paths(document, "$"), dict(options))
        dataset = jsonld.JsonLdProcessor().to_rdf(expanded, dict(options))
    except CredstackError:
        raise
    except RecursionError as exc:
        raise CanonicalizationError("the document is nested too deeply") from exc
    except Exception as exc:  # pyld raises JsonLdError and, on malformed input, plain Python errors
        _raise_from(exc)
        raise  # pragma: no cover - _raise_from always raises
    quads: list[Quad] = []
    for graph_name, triples in dataset.items():
        if graph_name == "@default":
            graph = ""
        elif graph_name.startswith("_:"):
            graph = graph_name
        else:
            graph = "<" + graph_name + ">"
        for triple in triples:
            quads.append((_term(triple["subject"]), _term(triple["predicate"]), _term(triple["object"]), graph))
    return quads
