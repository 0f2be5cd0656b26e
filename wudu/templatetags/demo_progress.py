"""The banner of a demo whose history is still being added (`make run`'s first start): signed-in pages only.

The record is a file (wudu/demo_progress.py): without a fill in progress the tag asks nothing of the database,
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
