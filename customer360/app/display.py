"""What a person typed or a record holds, shown as written: Streamlit renders Markdown in st.markdown, st.caption,
st.warning, st.subheader and friends, so text from a user or a row is escaped (a `[link](...)` stays text, never a
live link) and shortened before it reaches them."""

from __future__ import annotations

import re

SHOWN_CHARS = 120  # a longer value is cut here, with an ellipsis: the page echoes what it was asked, not an essay
# Every character Markdown (CommonMark and Streamlit's extensions: $ for LaTeX, : for emoji shortcodes, ~ for
# strike-through) can give a meaning to.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:=])")


def literal(value: object, limit: int = SHOWN_CHARS) -> str:
    """`value` as text that Markdown shows literally, cut to `limit` characters (whitespace runs folded to one)."""
    text = " ".join(str(value).split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return _MARKDOWN.sub(r"\\\1", text)


def match_caption(shown: int, total: int) -> str:
    """How many matched and how many are shown: "3 matches", or "first 20 of 500 matches"."""
    noun = "match" if total == 1 else "matches"
    if shown < total:
        return f"first {shown:,} of {total:,} {noun}"
    return f"{total:,} {noun}"
