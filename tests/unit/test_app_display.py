"""What a person typed or a record holds is shown as written (customer360/app/display.py)."""

from customer360.app.display import SHOWN_CHARS, literal, match_caption


def test_markdown_in_typed_text_is_escaped_so_it_shows_literally():
    assert literal("**bold** [link](http://x.io) `code` $x$ :smile:") == (
        "\\*\\*bold\\*\\* \\[link\\]\\(http\\://x\\.io\\) \\`code\\` \\$x\\$ \\:smile\\:")


def test_long_text_is_shortened_with_an_ellipsis_and_whitespace_folded():
    shown = literal("a" * 5_000)
    assert len(shown) == SHOWN_CHARS and shown.endswith("…")
    assert literal("two\n\nlines\tand  tabs") == "two lines and tabs"


def test_the_match_count_says_how_many_are_shown_of_how_many():
    assert match_caption(20, 500) == "first 20 of 500 matches"
    assert match_caption(3, 3) == "3 matches"
    assert match_caption(1, 1) == "1 match"
