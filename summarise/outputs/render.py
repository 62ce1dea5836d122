"""Output formats for one result: JSON, Markdown, and a Rich view for terminals."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from summarise.contract.models import SECTIONS
from summarise.storage.jsonl import escape_line_breaks

if TYPE_CHECKING:
    from rich.console import RenderableType

    from summarise.contract.record import SummaryResult


def to_json(result: SummaryResult) -> str:
    # pydantic writes U+0085, U+2028 and U+2029 from the article raw; escaped, a line splitter cannot cut a string
    return escape_line_breaks(result.model_dump_json(indent=2)) + "\n"


def _claim_line(c: dict[str, Any]) -> str:
    via = f" via {c['reported_via']}" if c.get("reported_via") else ""
    side = f" {c['side']}" if c.get("side") else ""
    return (f"**{c['count_text']}**{side} {c['population']} {c['outcome']} ({c['scope']}: {c['event']}) "
            f"— claimed by {c['claimed_by']}{via}")


def _lines(section: str, item: dict[str, Any]) -> str:
    if section == "casualty_claims":
        return _claim_line(item)
    if section == "strikes":
        parts = [item.get("attacker") or "unknown attacker", "hit", item.get("target") or "an unstated target"]
        for key, word in (("location", "in"), ("when", "on"), ("means", "by")):
            if item.get(key):
                parts += [word, item[key]]
        return " ".join(parts)
    if section == "key_demands":
        to = f" (to {item['addressed_to']})" if item.get("addressed_to") else ""
        return f"{item['made_by']}: {item['demand']}{to}"
    parties = ", ".join(item["parties"]) or "unnamed parties"
    extra = "".join(f"; {k} {item[k]}" for k in ("venue", "mediator") if item.get(k))
    return f"{parties} — {item['status']}: {item['description']}{extra}"


TITLES = {"key_demands": "Key demands", "strikes": "Strikes", "casualty_claims": "Casualty claims",
          "negotiations": "Negotiations"}


def to_markdown(result: SummaryResult) -> str:
    data = result.model_dump(mode="json")
    out = [f"# {data['headline']}", "", data["summary"], ""]
    for section in SECTIONS:
        out.append(f"## {TITLES[section]}")
        items = data[section]
        if not items:
            out.append("_None in the article._")
        for item in items:
            out.append(f"- {_lines(section, item)}  \n  > {item['quote']}")
        out.append("")
    for d in data.get("dropped", []):
        out.append(f"> **Dropped** from {d['section']} (failed its checks): {'; '.join(d['errors'])}")
    usage = data["usage"]
    out.append(f"<sub>model {data['model']} · prompt {data['prompt_version']} · schema v{data['schema_version']} · "
               f"{usage['total_tokens']} tokens · {data['attempts']} attempt(s) · article {data['article_id']}</sub>")
    return "\n".join(out) + "\n"


def to_rich(result: SummaryResult) -> RenderableType:
    from rich.console import Group
    from rich.markup import escape
    from rich.panel import Panel
    from rich.text import Text

    data = result.model_dump(mode="json")
    parts: list[RenderableType] = [Text(data["summary"]), Text("")]
    for section in SECTIONS:
        items = data[section]
        parts.append(Text(f"{TITLES[section]} ({len(items)})", style="bold"))
        for item in items:
            line = _lines(section, item).replace("**", "")
            parts.append(Text.from_markup(f"  • {escape(line)}\n    [dim]“{escape(item['quote'])}”[/dim]"))
        parts.append(Text(""))
    for d in data.get("dropped", []):
        parts.append(Text(f"dropped from {d['section']} (failed its checks): {'; '.join(d['errors'])}",
                          style="yellow"))
    usage = data["usage"]
    parts.append(Text(f"{data['model']} · {usage['total_tokens']} tokens · {data['attempts']} attempt(s) · "
                      f"{data['seconds']} s · every quote located in the article", style="dim"))
    return Panel(Group(*parts), title=Text(data["headline"], style="bold"), title_align="left")
