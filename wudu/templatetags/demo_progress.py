"""The banner of a demo still being filled in (`make run`'s first start): on signed-in pages how far it has come,
on the sign-in page that the demo accounts are being created, while they are.

The record is a file (wudu/demo_progress.py): without a fill in progress the tags ask nothing of the database,
not even who the user is."""

from django import template

from wudu import demo_progress

register = template.Library()

@register.inclusion_tag("_demo_progress.html", takes_context=True)
def demo_progress_banner(context) -> dict:
    record = demo_progress.current()
    if record is None:
        return {"show": False}
    user = getattr(context.get("request"), "user", None)
    if not getattr(user, "is_authenticated", False):
        return {"show": False}
    return {"show": True, "percent": record["percent"], "stage": record.get("stage", "")}


@register.inclusion_tag("_demo_accounts_pending.html")
def demo_accounts_pending() -> dict:
    record = demo_progress.current()
    if record is None or record.get("stage") != "accounts":
        return {"show": False}
    return {"show": True, "percent": record["percent"]}
