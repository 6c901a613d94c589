"""Micro-benchmark: RDFC-1.0 canonicalisation of guide-shaped OB 3.0 credentials, credstack vs pyld.

Not a test (figures depend on the machine). Each "credential" is one eddsa-rdfc-2022 verification's worth of
canonicalisation: the unsigned document and its proof configuration (with the document's ``@context``).
The n credentials are distinct (ids, subjects, names, achievements, proof times), so nothing but the pinned
contexts can be cached. Both paths run in this one process, on one core.

Usage: .venv/bin/python bench/bench_canonical.py [--n 2000]
``run(n)`` returns the figures as a dict (bench/run.py may import it).
"""

from __future__ import annotations

import argparse
import copy
import gc
import time
from typing import Any

from pyld import jsonld

from credstack.contexts import pyld_document_loader
from credstack.proofs.canonical import FastPathUnsupported, fast_canonical_nquads, to_canonical_nquads

CONTEXT = ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
GIVEN = ["Ada", "Grace", "Alan", "Katherine", "Edsger", "Barbara", "Dorothy", "Tim", "Zoë", "Łukasz"]
SKILLS = ["Teamwork", "Data analysis", "Welding", "Python programming", "Customer service", "Bookkeeping"]


def guide_credential(i: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The i-th distinct credential shaped like the 1EdTech guide credential, and its proof configuration."""
    skill = SKILLS[i % len(SKILLS)]
    document = {
        "@context": list(CONTEXT),
        "id": f"http://example.com/credentials/{100000 + i}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "id": "https://example.edu/issuers/565049",
            "type": ["Profile"],
            "url": "https://www.imsglobal.org",
            "name": "Example Corp",
        },
        "validFrom": "2010-01-01T00:00:00Z",
        "name": f"{skill} Badge #{i}",
        "credentialSubject": {
            "id": f"did:example:learner{i:08d}",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": f"https://example.com/achievements/{skill.lower().replace(' ', '-')}-{i}",
                "type": ["Achievement"],
                "criteria": {
                    "narrative": f"{GIVEN[i % len(GIVEN)]} was nominated for this badge by peers "
                    "and recognized upon review by Example Corp management."
                },
                "description": f"This badge recognizes the capacity to apply {skill.lower()}.",
                "name": skill,
            },
        },
    }
    proof_config = {
        "@context": list(CONTEXT),
        "type": "DataIntegrityProof",
        "created": f"2010-01-01T19:{i // 60 % 60:02d}:{i % 60:02d}Z",
        "verificationMethod": "https://example.edu/issuers/565049#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
    }
    return document, proof_config


def pyld_urdna2015(document: dict[str, Any]) -> str:
    result: str = jsonld.normalize(
        copy.deepcopy(document),
        {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": pyld_document_loader},
    )
    return result


def _time(function: Any, pairs: list[tuple[dict[str, Any], dict[str, Any]]]) -> tuple[float, list[str]]:
    gc.collect()
    out: list[str] = []
    started = time.perf_counter()
    for document, proof_config in pairs:
        out.append(function(document))
        out.append(function(proof_config))
    return time.perf_counter() - started, out


def run(n: int = 2000) -> dict[str, Any]:
    """Canonicalise n distinct credentials (document + proof configuration) with credstack and with pyld."""
    warm_up = [guide_credential(n + i) for i in range(3)]
    for document, proof_config in warm_up:  # first use processes the pinned contexts (cached afterwards)
        to_canonical_nquads(document), to_canonical_nquads(proof_config)
        pyld_urdna2015(document), pyld_urdna2015(proof_config)
    pairs = [guide_credential(i) for i in range(n)]
    fallbacks = 0
    for document, _proof_config in pairs[:50]:
        try:
            fast_canonical_nquads(document)
        except FastPathUnsupported:
            fallbacks += 1
    fast_seconds, fast_out = _time(to_canonical_nquads, pairs)
    pyld_seconds, pyld_out = _time(pyld_urdna2015, pairs)
    return {
        "n": n,
        "credstack_credentials_per_s": round(n / fast_seconds, 1),
        "credstack_us_per_credential": round(fast_seconds / n * 1e6, 1),
        "pyld_credentials_per_s": round(n / pyld_seconds, 1),
        "pyld_us_per_credential": round(pyld_seconds / n * 1e6, 1),
        "speedup": round(pyld_seconds / fast_seconds, 1),
        "identical_to_pyld": fast_out == pyld_out,
        "fallbacks_in_first_50": fallbacks,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    figures = run(parser.parse_args().n)
    print(f"RDFC-1.0 of {figures['n']} distinct guide-shaped credentials (document + proof config), one core:")
    print(
        f"  credstack  {figures['credstack_credentials_per_s']:>10,.1f} credentials/s"
        f"  ({figures['credstack_us_per_credential']:,.1f} us each)"
    )
    print(
        f"  pyld       {figures['pyld_credentials_per_s']:>10,.1f} credentials/s"
        f"  ({figures['pyld_us_per_credential']:,.1f} us each)"
    )
    print(f"  speed-up   {figures['speedup']}x; byte-identical to pyld: {figures['identical_to_pyld']}")
    return 0 if figures["identical_to_pyld"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
