"""The API base guards single objects as it guards lists: a viewset cannot replace the gated lookups."""

import pytest

from grids.models import Place
from wudu.api import ApiViewSet, DangerouslyUnscopedListViewSet


@pytest.mark.parametrize("name", ["get_object", "get_queryset", "queryset"])
def test_a_viewset_cannot_replace_the_gated_lookups(name):
    with pytest.raises(TypeError, match=name):
        type("Leaky", (ApiViewSet,), {"scope_model": Place, name: lambda self: Place.objects.all()})


def test_the_one_bypass_says_so_and_only_lists():
    assert DangerouslyUnscopedListViewSet.http_method_names == ["get", "head", "options"]
    assert not hasattr(DangerouslyUnscopedListViewSet, "retrieve")
