"""What evidence a rectification needs, by the finding's category (settings.INSPECTION_REQUIRED_EVIDENCE may
override it): a document for a rule, a geotagged photo for something one can see on site, the affected resident's
confirmation for harm done to residents. A task is submitted for verification only with every kind its category
asks for."""

from __future__ import annotations

from django.conf import settings

from .models import Category, EvidenceKind

DEFAULT_REQUIRED_EVIDENCE: dict[str, tuple[str, ...]] = {
    Category.POLITICAL: (EvidenceKind.DOCUMENT,),
    Category.ORGANISATION: (EvidenceKind.DOCUMENT,),
    Category.WORK_STYLE: (EvidenceKind.DOCUMENT,),
    Category.INTEGRITY: (EvidenceKind.DOCUMENT,),
    Category.RESIDENTS: (EvidenceKind.PHOTO, EvidenceKind.RESIDENT),
    Category.IDEOLOGY: (EvidenceKind.DOCUMENT,),
    Category.FORMALISM: (EvidenceKind.DOCUMENT,),
    Category.OTHER: (EvidenceKind.DOCUMENT,),
}


def required_evidence(category: str) -> tuple[str, ...]:
    table = {**DEFAULT_REQUIRED_EVIDENCE, **getattr(settings, "INSPECTION_REQUIRED_EVIDENCE", {})}
    return tuple(table.get(category, (EvidenceKind.DOCUMENT,)))
