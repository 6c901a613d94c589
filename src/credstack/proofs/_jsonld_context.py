"""JSON-LD 1.1 context processing for the fast canonicalisation path, with cached active contexts.

Implements Context Processing (https://www.w3.org/TR/json-ld11-api/#context-processing-algorithm, §4.1),
Create Term Definition (§4.2) and IRI Expansion (§5.2), following pyld 3.3's reading of them so that the
fast path and the pyld reference produce the same dataset. Pinned contexts are immutable, so every active
context derived from an (active context, local context) pair is cached on the parent: a credential that uses
``credentials/v2`` + an OB context pays for context processing once per process, not once per document.

Features the pinned contexts do not use (``@import``, ``@base``, ``@reverse``, ``@nest``, ``@index``
term definitions, ``@type`` redefinition, remote contexts that are not a single object) raise
:class:`Unsupported`, and the caller falls back to pyld.
"""

from __future__ import annotations

import copy
import json
import re
from typing import Any

from credstack.contexts import load_context
from credstack.errors import CanonicalizationError

__all__ = [
    "INITIAL",
    "KEYWORDS",
    "ActiveContext",
    "TermDefinition",
    "Unsupported",
    "context_key",
    "expand_iri",
    "is_absolute_iri",
    "process_context",
]

KEYWORDS = frozenset(
    [
        "@base",
        "@container",
        "@context",
        "@default",
        "@direction",
        "@embed",
        "@explicit",
        "@first",
        "@graph",
        "@id",
        "@import",
        "@included",
        "@index",
        "@json",
        "@language",
        "@list",
        "@nest",
        "@none",
        "@omitDefault",
        "@propagate",
        "@protected",
        "@preserve",
        "@requireAll",
        "@reverse",
        "@set",
        "@type",
        "@value",
        "@version",
        "@vocab",
    ]
)
_KEYWORD_FORM = re.compile(r"^@[a-zA-Z]+$")
# pyld's _is_absolute_iri (note: "+-." is a character range, kept as is for identical behaviour).
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$")
_IRI_LIKE_TERM = re.compile(r".*((:[^:])|/)")
_GEN_DELIM_END = re.compile(r".*[:/\?#\[\]@]$")
_TERM_KEYS = frozenset(
    [
        "@container",
        "@id",
        "@language",
        "@reverse",
        "@type",
        "@context",
        "@direction",
        "@index",
        "@nest",
        "@prefix",
        "@protected",
    ]
)
_CONTEXT_KEYWORDS = frozenset(["@base", "@direction", "@import", "@language", "@propagate", "@protected"])
_CONTEXT_KEYWORDS |= {"@version", "@vocab"}
_CACHE_LIMIT = 1024
"""Entries per cache per active context. Together with _CACHEABLE_SIZE this bounds what documents (attacker
controlled: keys, type names, inline contexts) can make a long-running process retain."""
_CACHEABLE_SIZE = 256
"""Longest key string, and most members of a key tuple, that a cache stores."""
_CACHEABLE_CONTEXT = 16_384
"""Longest serialised inline context whose processed result is cached."""
_MAX_CONTEXT_DEPTH = 32
_MISSING: Any = object()


class Unsupported(Exception):
    """The fast path does not implement a JSON-LD feature this document uses; the caller falls back to pyld."""


def is_absolute_iri(value: str) -> bool:
    """pyld's absolute-IRI test (a scheme, a colon, no whitespace); blank node identifiers pass too."""
    return _ABSOLUTE_IRI.match(value) is not None


def _syntax(message: str) -> CanonicalizationError:
    return CanonicalizationError(f"invalid JSON-LD context: {message}", where="@context")


def context_key(local: Any) -> Any:
    """A hashable key identifying a local context value (URL, inline object, null or an array of them)."""
    if isinstance(local, str) or local is None:
        return local
    if isinstance(local, list):
        if all(type(item) is str for item in local):
            return tuple(local)
        return tuple(context_key(item) for item in local)
    try:
        return "json:" + json.dumps(local, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise _syntax("a @context must be JSON") from exc


class TermDefinition:
    """A term definition (JSON-LD 1.1 API §4.2); ``same_as`` mirrors pyld's protected-term comparison."""

    __slots__ = (
        "container",
        "container_list",
        "context",
        "context_key",
        "direction",
        "has_colon",
        "has_context",
        "has_direction",
        "has_language",
        "iri",
        "language",
        "prefix",
        "protected",
        "type",
    )

    def __init__(self) -> None:
        self.iri: str | None = None
        self.prefix = False
        self.protected = False
        self.has_colon = False
        self.type: str | None = None
        self.container: frozenset[str] = frozenset()
        self.container_list: tuple[str, ...] | None = None
        self.has_context = False
        self.context: Any = None
        self.context_key: Any = None
        self.has_language = False
        self.language: str | None = None
        self.has_direction = False
        self.direction: str | None = None

    def same_as(self, other: TermDefinition) -> bool:
        return (
            self.iri == other.iri
            and self.prefix == other.prefix
            and self.has_colon == other.has_colon
            and self.type == other.type
            and self.container_list == other.container_list
            and self.has_context == other.has_context
            and self.context == other.context
            and self.has_language == other.has_language
            and self.language == other.language
            and self.has_direction == other.has_direction
            and self.direction == other.direction
        )


class ActiveContext:
    """An immutable active context plus the caches derived from it (JSON-LD 1.1 API §4.1)."""

    __slots__ = (
        "_derived",
        "_key_cache",
        "_vocab_cache",
        "has_language",
        "language",
        "plans",
        "previous",
        "protected",
        "terms",
        "vocab",
    )

    def __init__(self) -> None:
        self.terms: dict[str, TermDefinition] = {}
        self.vocab: str | None = None
        self.has_language = False
        self.language: str | None = None
        self.previous: ActiveContext | None = None
        self.protected = False
        self._derived: dict[Any, ActiveContext] = {}
        self._vocab_cache: dict[str, str | None] = {}
        self._key_cache: dict[str, str | None] = {}
        self.plans: dict[Any, Any] = {}
        """Results the expansion walker derives from this context alone (bounded by ``remember``)."""

    def clone(self) -> ActiveContext:
        child = ActiveContext()
        child.terms = dict(self.terms)
        child.vocab = self.vocab
        child.has_language = self.has_language
        child.language = self.language
        child.previous = self.previous
        child.protected = self.protected
        return child

    def expand_vocab(self, value: str) -> str | None:
        """IRI Expansion with ``vocab = true`` (keys, ``@type`` values, ``@vocab``-typed values), cached."""
        cached = self._vocab_cache.get(value, _MISSING)
        if cached is _MISSING:
            cached = expand_iri(self, value, vocab=True)
            if len(self._vocab_cache) < _CACHE_LIMIT and len(value) <= _CACHEABLE_SIZE:
                self._vocab_cache[value] = cached
        return cached

    def remember(self, key: tuple[Any, ...], plan: Any) -> Any:
        """Cache ``plan`` (a pure function of this context and ``key``) unless the cache is full or ``key`` big."""
        if len(self.plans) < _CACHE_LIMIT and _bounded(key):
            self.plans[key] = plan
        return plan

    def expand_key(self, key: str) -> str | None:
        """A node key expanded (vocab-relative) to a keyword or an absolute IRI; None when JSON-LD would drop it."""
        cached = self._key_cache.get(key, _MISSING)
        if cached is _MISSING:
            expanded = self.expand_vocab(key)
            if isinstance(expanded, str) and (expanded in KEYWORDS or _ABSOLUTE_IRI.match(expanded)):
                cached = expanded
            else:
                cached = None
            if len(self._key_cache) < _CACHE_LIMIT and len(key) <= _CACHEABLE_SIZE:
                self._key_cache[key] = cached
        return cached


INITIAL = ActiveContext()
"""The initial (empty) active context; JSON-LD 1.1 processing mode."""


def expand_iri(
    active: ActiveContext,
    value: Any,
    *,
    vocab: bool = False,
    local: dict[str, Any] | None = None,
    defined: dict[str, Any] | None = None,
) -> Any:
    """IRI Expansion (JSON-LD 1.1 API §5.2) with no document base: relative references stay relative."""
    if value is None or not isinstance(value, str) or value in KEYWORDS:
        return value
    if _KEYWORD_FORM.match(value):
        return None
    if local and defined is not None and value in local and defined.get(value) is not True:
        _create_term_definition(active, local, value, defined, override_protected=False, depth=0)
    if vocab and value in active.terms:
        return active.terms[value].iri
    colon = value.find(":")
    if colon > 0:
        prefix, suffix = value[:colon], value[colon + 1 :]
        if prefix == "_" or suffix.startswith("//"):
            return value
        if local and defined is not None and prefix in local and not defined.get(prefix):
            _create_term_definition(active, local, prefix, defined, override_protected=False, depth=0)
        mapping = active.terms.get(prefix)
        if mapping is not None and mapping.prefix and mapping.iri is not None:
            return mapping.iri + suffix
        if _ABSOLUTE_IRI.match(value):
            return value
    if vocab and active.vocab is not None:
        return active.vocab + value
    return value


def process_context(
    active: ActiveContext,
    local: Any,
    key: Any = _MISSING,
    *,
    override_protected: bool = False,
    propagate: bool = True,
    depth: int = 0,
    cache: bool = True,
) -> ActiveContext:
    """Context Processing (JSON-LD 1.1 API §4.1.2); results are cached on ``active`` by the local context."""
    if key is _MISSING:
        key = context_key(local)
    cache_key = (key, override_protected, propagate)
    if cache:
        hit = active._derived.get(cache_key)
        if hit is not None:
            return hit
    if depth > _MAX_CONTEXT_DEPTH:
        raise _syntax("contexts are nested too deeply (cyclic scoped contexts?)")
    if not isinstance(local, str) and local is not None:
        local = copy.deepcopy(local)  # cached contexts must not alias the caller's (mutable) document
    result = _process(active, local, override_protected, propagate, depth)
    if cache and len(active._derived) < _CACHE_LIMIT and _small(key):
        active._derived[cache_key] = result
    return result


def _bounded(key: Any) -> bool:
    """A cache key (string or nested tuple of strings) no bigger than _CACHEABLE_SIZE at any level."""
    if isinstance(key, (str, tuple)) and len(key) > _CACHEABLE_SIZE:
        return False
    return not isinstance(key, tuple) or all(_bounded(part) for part in key)


def _small(key: Any) -> bool:
    if isinstance(key, tuple):
        return all(_small(part) for part in key)
    return not isinstance(key, str) or len(key) <= _CACHEABLE_CONTEXT


def _process(active: ActiveContext, local: Any, override_protected: bool, propagate: bool, depth: int) -> ActiveContext:
    contexts = local if isinstance(local, list) else [local]
    if not contexts:
        return active
    first = contexts[0]
    if isinstance(first, dict) and isinstance(first.get("@propagate"), bool):
        propagate = first["@propagate"]
    result = active
    if not propagate and result.previous is None:
        result = result.clone()
        result.previous = active
    for context in contexts:
        if context is None:
            if not override_protected and result.protected:
                raise _syntax("invalid context nullification: the active context has protected terms")
            result = INITIAL
            continue
        if isinstance(context, str):
            document = load_context(context)  # UnknownContextError for anything not pinned: never fetched
            body = document.get("@context") if isinstance(document, dict) else None
            if not isinstance(body, dict):
                raise Unsupported(f"remote context {context!r} is not a single object")
            result = _apply(result, body, override_protected, depth)
            continue
        if not isinstance(context, dict):
            raise _syntax("a local context must be an object, a string or null")
        if "@context" in context:
            raise Unsupported("a local context wrapping another @context")
        result = _apply(result, context, override_protected, depth)
    return result


def _apply(active: ActiveContext, context: dict[str, Any], override_protected: bool, depth: int) -> ActiveContext:
    """Steps 5.5-5.13 of Context Processing for one context object."""
    result = active.clone()
    defined: dict[str, Any] = {}
    if "@version" in context and (context["@version"] != 1.1 or isinstance(context["@version"], bool)):
        raise _syntax(f"unsupported @version {context['@version']!r}")
    if "@import" in context:
        raise Unsupported("@import in a context")
    if "@base" in context:
        raise Unsupported("@base in a context")
    if "@vocab" in context:
        value = context["@vocab"]
        if value is None:
            result.vocab = None
        elif not isinstance(value, str):
            raise _syntax("@vocab must be a string or null")
        else:
            expanded = expand_iri(result, value, vocab=True)
            if not isinstance(expanded, str) or not _ABSOLUTE_IRI.match(expanded) or expanded.startswith("_:"):
                raise Unsupported(f"@vocab {value!r} is not an absolute IRI")
            result.vocab = expanded
    if "@language" in context:
        value = context["@language"]
        if value is None:
            result.has_language, result.language = False, None
        elif not isinstance(value, str):
            raise _syntax("@language must be a string or null")
        else:
            result.has_language, result.language = True, value.lower()
    if "@direction" in context and context["@direction"] not in (None, "ltr", "rtl"):
        raise _syntax('@direction must be null, "ltr" or "rtl"')
    if context.get("@direction") is not None:
        raise CanonicalizationError(
            "a default base direction (@direction) cannot be signed: RDF canonicalisation would drop it",
            where="@context",
        )
    if "@propagate" in context and not isinstance(context["@propagate"], bool):
        raise _syntax("@propagate must be a boolean")
    defined["@protected"] = context.get("@protected", False)
    for term, value in context.items():
        if term in _CONTEXT_KEYWORDS:
            continue
        _create_term_definition(result, context, term, defined, override_protected=override_protected, depth=depth)
        if isinstance(value, dict) and "@context" in value:
            try:
                process_context(result, value["@context"], override_protected=True, depth=depth + 1, cache=False)
            except CanonicalizationError as exc:
                raise _syntax(f"invalid scoped context for term {term!r}: {exc.message}") from exc
    result.protected = any(definition.protected for definition in result.terms.values())
    return result


def _create_term_definition(
    active: ActiveContext,
    local: dict[str, Any],
    term: str,
    defined: dict[str, Any],
    *,
    override_protected: bool,
    depth: int,
) -> None:
    """Create Term Definition (JSON-LD 1.1 API §4.2.2), as pyld 3.3 implements it."""
    if term in defined:
        if defined[term]:
            return
        raise _syntax(f"cyclic IRI mapping for term {term!r}")
    defined[term] = False
    value = local.get(term)
    if term == "@type":
        raise Unsupported("redefinition of @type")
    if term in KEYWORDS:
        raise _syntax(f"keyword redefinition ({term})")
    if _KEYWORD_FORM.match(term):
        return  # reserved for future use: ignored (pyld warns)
    if term == "":
        raise _syntax("a term cannot be an empty string")
    previous = active.terms.pop(term, None)
    simple = False
    if value is None or isinstance(value, str):
        simple = True
        value = {"@id": value}
    if not isinstance(value, dict):
        raise _syntax(f"the definition of {term!r} must be a string, an object or null")
    for keyword in value:
        if keyword not in _TERM_KEYS:
            raise _syntax(f"the definition of {term!r} must not contain {keyword}")
    definition = TermDefinition()
    colon = term.find(":")
    definition.has_colon = colon > 0
    for unsupported in ("@reverse", "@nest", "@index"):
        if unsupported in value:
            raise Unsupported(f"{unsupported} in the definition of {term!r}")
    has_id = False
    if "@id" in value:
        iri = value["@id"]
        if iri and not isinstance(iri, str):
            raise _syntax(f"the @id of {term!r} must be a string")
        if iri is None:
            has_id = True
        elif iri not in KEYWORDS and _KEYWORD_FORM.match(iri):
            if previous is not None:
                active.terms[term] = previous
            return
        elif iri != term:
            iri = expand_iri(active, iri, vocab=True, local=local, defined=defined)
            if not isinstance(iri, str) or not (iri in KEYWORDS or _ABSOLUTE_IRI.match(iri)):
                raise _syntax(f"the @id of {term!r} must be an absolute IRI, a blank node or a keyword")
            if _IRI_LIKE_TERM.match(term):
                check = dict(defined)
                check[term] = True
                if expand_iri(active, term, vocab=True, local=local, defined=check) != iri:
                    raise _syntax(f"term {term!r} looks like an IRI but maps to another one")
            has_id = True
            definition.iri = iri
            definition.prefix = bool(
                simple and not definition.has_colon and (iri.startswith("_:") or _GEN_DELIM_END.match(iri))
            )
    if not has_id:
        if definition.has_colon:
            prefix = term[:colon]
            if prefix in local:
                _create_term_definition(active, local, prefix, defined, override_protected=False, depth=depth)
            parent = active.terms.get(prefix)
            if parent is not None:
                if parent.iri is None:
                    raise _syntax(f"prefix {prefix!r} of {term!r} has no IRI")
                definition.iri = parent.iri + term[colon + 1 :]
            else:
                definition.iri = term
        else:
            if active.vocab is None:
                raise _syntax(f"term {term!r} must define an @id (there is no @vocab)")
            definition.iri = active.vocab + term
    if value.get("@protected") or (defined.get("@protected") and value.get("@protected", True)):
        definition.protected = True
    if "@type" in value:
        type_ = value["@type"]
        if not isinstance(type_, str):
            raise _syntax(f"the @type of {term!r} must be a string")
        if type_ not in ("@json", "@none", "@id", "@vocab"):
            type_ = expand_iri(active, type_, vocab=True, local=local, defined=defined)
            if not isinstance(type_, str) or not _ABSOLUTE_IRI.match(type_) or type_.startswith("_:"):
                raise _syntax(f"the @type of {term!r} must be an absolute IRI")
        definition.type = type_
    if "@container" in value:
        _set_container(definition, term, value["@container"])
    if "@context" in value:
        definition.has_context = True
        definition.context = value["@context"]
        definition.context_key = context_key(value["@context"])
    if "@language" in value and "@type" not in value:
        language = value["@language"]
        if language is not None and not isinstance(language, str):
            raise _syntax(f"the @language of {term!r} must be a string or null")
        definition.has_language = True
        definition.language = language.lower() if language is not None else None
    if "@prefix" in value:
        if ":" in term or "/" in term:
            raise _syntax(f"@prefix used on the compact IRI term {term!r}")
        if definition.iri in KEYWORDS:
            raise _syntax("a keyword cannot be used as a prefix")
        if not isinstance(value["@prefix"], bool):
            raise _syntax("@prefix must be a boolean")
        definition.prefix = value["@prefix"]
    if "@direction" in value:
        direction = value["@direction"]
        if direction and direction not in ("ltr", "rtl"):
            raise _syntax('@direction must be null, "ltr" or "rtl"')
        definition.has_direction = True
        definition.direction = direction
    if definition.iri in ("@context", "@preserve"):
        raise _syntax("@context and @preserve cannot be aliased")
    if previous is not None and previous.protected and not override_protected:
        definition.protected = True
        if not definition.same_as(previous):
            raise _syntax(f"protected term redefinition ({term!r})")
    active.terms[term] = definition
    defined[term] = True


def _set_container(definition: TermDefinition, term: str, raw: Any) -> None:
    """The @container part of Create Term Definition (§4.2.2 step 19), JSON-LD 1.1 processing mode."""
    container = raw if isinstance(raw, list) else [raw]
    valid = {"@list", "@set", "@index", "@language", "@graph", "@id", "@type"}
    ok = all(isinstance(item, str) and item in valid for item in container)
    has_set = "@set" in container
    if "@list" in container:
        if len(container) != 1:
            raise _syntax(f"@container of {term!r}: @list must be alone")
    elif "@graph" in container:
        if any(item not in ("@graph", "@id", "@index", "@set") for item in container):
            raise _syntax(f"@container of {term!r}: @graph only combines with @id, @index and @set")
    else:
        ok = ok and len(container) <= (2 if has_set else 1)
    if "@type" in container:
        if not definition.type:
            definition.type = "@id"
        if definition.type not in ("@id", "@vocab"):
            raise _syntax(f"@container @type of {term!r} requires @type @id or @vocab")
    if not ok or (has_set and "@list" in container):
        raise _syntax(f"invalid @container for {term!r}")
    definition.container_list = tuple(container)
    definition.container = frozenset(container)
