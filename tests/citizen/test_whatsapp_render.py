"""The WhatsApp face's layout of the core's replies, by plain function calls: every message
within Meta's limits (the fake Cloud API's own check), choices kept, nothing of the text lost."""

from __future__ import annotations

import pytest

from conversations.messages import Safe
from conversations.replies import Button, Reply
from sandbox.fake_whatsapp import RefusalError, check_message, choices
from whatsapp.render import messages, plain


def sent(reply: Reply, page: int = 0) -> list[dict[str, object]]:
    shown = messages(reply, "id", page)
    for message in shown:
        check_message({"messaging_product": "whatsapp", "to": "62811", **message})
    return shown


def labels(reply: Reply, page: int = 0) -> list[str]:
    return [c.label for m in sent(reply, page) for c in choices(m)]


def test_html_becomes_whatsapp_marks() -> None:
    assert (
        plain("<b>Tebal</b> <i>miring</i> &amp; <code>LN-1</code>")
        == "*Tebal* _miring_ & ```LN-1```"
    )
    assert plain('<a href="https://lapor.go.id">lapor.go.id</a>') == "https://lapor.go.id"


def test_three_short_choices_are_reply_buttons() -> None:
    reply = Reply(
        html=Safe("Lanjut?"), buttons=((Button("c:yes", text="Ya"), Button("c:no", text="Tidak")),)
    )
    [message] = sent(reply)
    assert message["interactive"]["type"] == "button"  # type: ignore[index]
    assert labels(reply) == ["Ya", "Tidak"]


def test_long_labels_or_many_choices_become_a_list_with_the_whole_label() -> None:
    long = "Layanan atau bantuan ditahan karena pilihan politik"
    reply = Reply(
        html=Safe("Apa?"), buttons=((Button("k:a", text=long), Button("k:b", text="Lain")),)
    )
    [message] = sent(reply)
    assert message["interactive"]["type"] == "list"  # type: ignore[index]
    assert labels(reply) == [long[:71] + "…" if len(long) > 72 else long, "Lain"]


def test_past_ten_choices_nine_a_page_and_more() -> None:
    buttons = tuple((Button(f"k:{n}", text=f"Pilihan {n}"),) for n in range(1, 15))
    reply = Reply(html=Safe("Pilih"), buttons=buttons)
    first = labels(reply)
    assert first[:9] == [f"Pilihan {n}" for n in range(1, 10)] and first[9] == "➡️ Lainnya"
    second = labels(reply, page=1)
    assert second == [f"Pilihan {n}" for n in range(10, 15)]  # the last page has no "more"


def test_a_body_just_past_the_limit_gives_its_first_line_to_the_header() -> None:
    text = "<i>Langkah 2 dari 9</i>\n" + "x" * 1010
    reply = Reply(html=Safe(text), buttons=((Button("k:a", text="A"),),))
    [message] = sent(reply)
    assert message["interactive"]["header"] == {"type": "text", "text": "Langkah 2 dari 9"}  # type: ignore[index]


def test_a_long_text_goes_in_parts_and_keeps_every_line() -> None:
    text = "\n".join(f"baris {n} " + "y" * 90 for n in range(40))
    reply = Reply(html=Safe(text), buttons=((Button("k:a", text="A"),),))
    shown = sent(reply)
    assert len(shown) > 1 and shown[-1]["type"] == "interactive"
    joined = "\n".join(
        m["text"]["body"] if m["type"] == "text" else m["interactive"]["body"]["text"]  # type: ignore[index]
        for m in shown
    )
    assert all(f"baris {n} " in joined for n in range(40))


def test_the_answer_pressed_is_not_repeated_where_the_press_shows() -> None:
    reply = Reply(html=Safe("Langkah 3"), answered=Safe("✅ ASN"), in_place=True)
    [message] = sent(reply)
    assert message == {"type": "text", "text": {"body": "Langkah 3"}}
    assert reply.text("id").startswith("✅ ASN")  # Telegram edits it in place with the answer


def test_the_fake_refuses_what_meta_refuses() -> None:
    too_many = {"type": "interactive", "interactive": {"type": "button", "body": {"text": "x"},
                "action": {"buttons": [{"type": "reply", "reply": {"id": str(n), "title": "t"}}
                                       for n in range(4)]}}}  # fmt: skip
    with pytest.raises(RefusalError):
        check_message({"messaging_product": "whatsapp", "to": "62811", **too_many})
