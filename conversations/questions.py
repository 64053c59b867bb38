"""The questions of a report (design §3), each with its prompt, buttons and answer checks.

Callback data is `<question code>:<value>`; `^back`, `^cancel`, `^skip` and `^list` are the
navigation values. A press whose code is not the current question's is stale.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from conversations.bilingual import MONTHS, Bilingual, long_date, weekday_date
from conversations.boundaries import shipped_boundaries
from conversations.callbacks import CALLBACKS
from conversations.context import Context
from conversations.dates import DateReading, read_date
from conversations.draft import Draft, EvidenceItem
from conversations.events import (
    Attachment,
    Contact,
    Event,
    EvidenceFailed,
    EvidenceStored,
    Location,
    Press,
    Text,
)
from conversations.messages import Language, Safe, catalogue, escape
from conversations.phones import normalize_phone
from conversations.places import Region, normalize, province_answer, regency_answer
from conversations.replies import Button, Reply
from conversations.typed import NO_WORDS, YES_WORDS, letters, suggest, yes_or_no

TOTAL_STEPS = 9
BACK, CANCEL, SKIP, LIST, UNKNOWN = "^back", "^cancel", "^skip", "^list", "^unknown"
EARLIEST_DATE = dt.date(2000, 1, 1)
LEARNED_ASKED_AFTER_DAYS = 3
_URL = re.compile(r"https?://\S+", re.IGNORECASE)
_YES, _NO = set(YES_WORDS), set(NO_WORDS)  # conversations.typed: one reading of yes and no
_UNSURE = {
    "tidak yakin",
    "ragu",
    "tidak tahu",
    "tdk tahu",
    "gak tahu",
    "not sure",
    "unsure",
    "dont know",
    "don t know",
    "entah",
}


# Why a file was refused (besides its size), as the hint the reporter reads.
REFUSAL_HINTS = {
    "image_too_large": "evidence_image_too_large",
    "document_too_complex": "evidence_document_too_complex",
}


@dataclass(frozen=True)
class FetchEvidence:
    """Effect: download and store this attachment (never more than `max_bytes` received),
    then send `EvidenceStored`."""

    attachment: Attachment
    max_bytes: int = 20 * 1024 * 1024


@dataclass(frozen=True)
class Answer:
    """The result of an answer: the updated draft, whether to move on, and what to say."""

    draft: Draft
    advance: bool = False
    replies: tuple[Reply, ...] = ()
    reask: bool = True
    fetch: FetchEvidence | None = None
    drop: str | None = None  # a stored evidence file to delete (its file_unique_id, cut to 40)


@dataclass(frozen=True)
class DropEvidence:
    """Effect: delete the stored evidence file of this draft that the reporter dropped."""

    draft_id: str
    file_unique_id: str


def text_of(key: str, language: Language, **args: object) -> str:
    """A catalogue text rendered in `language`."""
    return catalogue().render(key, language, **args)


def hint(key: str, language: Language, **args: object) -> Reply:
    """A one-line hint reply."""
    return Reply(html=Safe(text_of(key, language, **args)))


def is_word(text: str, words: set[str]) -> bool:
    """Whether the typed text is one of `words` (case, punctuation and emoji ignored)."""
    return normalize(text) in words


def human_size(size: int) -> str:
    """1234567 -> `1.2 MB`."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{max(1, size // 1024)} KB"


# ------------------------------------------------------------------ the question type
Prompt = Callable[[Draft, Context], Reply]
Handler = Callable[[Draft, Event, Context], Answer]


@dataclass(frozen=True)
class Question:
    """One question: its place in the flow, when it is asked, how it asks and reads answers."""

    id: str
    code: str
    step: int
    section: str
    prompt: Prompt
    handle: Handler
    applies: Callable[[Draft, Context], bool] = lambda draft, ctx: True
    skippable: bool = False
    back: bool = True


def nav_row(q: str, *, back: bool = True, skip: bool = False) -> tuple[Button, ...]:
    """The navigation buttons under a question."""
    row = []
    if back:
        row.append(Button(f"{q}:{BACK}", "btn_back"))
    if skip:
        row.append(Button(f"{q}:{SKIP}", "btn_skip"))
    row.append(Button(f"{q}:{CANCEL}", "btn_cancel"))
    return tuple(row)


def ask(
    question_id: str, draft: Draft, ctx: Context, body: str, rows: Sequence[tuple[Button, ...]]
) -> Reply:
    """A question message: the step header, the text and the buttons (with navigation)."""
    q = QUESTIONS[question_id]
    header = text_of("step_header", ctx.language, n=q.step, total=TOTAL_STEPS)
    nav = nav_row(q.code, back=q.back, skip=q.skippable)
    return Reply(html=Safe(f"{header}\n{body}"), buttons=(*rows, nav))


def _rows(buttons: list[Button], per_row: int) -> list[tuple[Button, ...]]:
    return [tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row)]


def _press_value(event: Event, code: str) -> str | None:
    if isinstance(event, Press) and event.data.startswith(f"{code}:"):
        return event.data.split(":", 1)[1]
    return None


# ------------------------------------------------------------------ consent
def _on_channel(key: str, ctx: Context) -> str:
    """A text's key for the reporter's channel (`<key>_whatsapp` on WhatsApp)."""
    return f"{key}_whatsapp" if ctx.channel == "whatsapp" else key


def _consent_prompt(draft: Draft, ctx: Context) -> Reply:
    return ask(
        "consent",
        draft,
        ctx,
        text_of(_on_channel("q_consent", ctx), ctx.language),
        [(Button("c:yes", "btn_agree"),)],
    )


def _consent(draft: Draft, event: Event, ctx: Context) -> Answer:
    if _press_value(event, "c") == "yes" or (isinstance(event, Text) and is_word(event.text, _YES)):
        return Answer(draft.model_copy(update={"consent": True}), advance=True)
    return Answer(draft, replies=(hint("hint_use_buttons", ctx.language),))


# ------------------------------------------------------------------ what
NO_SUGGESTION = "^no"
KEEP = "^keep"
TRIM = "^trim"


def _suggestion_rows(
    code: str, draft: Draft, labels: dict[str, str], ctx: Context
) -> tuple[str, list[tuple[Button, ...]]]:
    """ "Maksudnya: Ekspresi politik?" with yes and no buttons, when typed words pointed to one
    option (the option's id is in `draft.choices`); else nothing."""
    if not draft.choices or draft.choices[0] not in labels:
        return "", []
    label = labels[draft.choices[0]]
    yes = Button(f"{code}:{draft.choices[0]}", "btn_suggest_yes", args={"label": label})
    no = Button(f"{code}:{NO_SUGGESTION}", "btn_suggest_no")
    return "\n\n" + text_of("suggest_meaning", ctx.language, label=label), [(yes, no)]


def _category_prompt(draft: Draft, ctx: Context) -> Reply:
    rules = ctx.jurisdiction.rules
    options = "\n".join(
        f"{n}. <b>{escape(c.label.get(ctx.language))}</b> — {escape(c.hint.get(ctx.language))}"
        for n, c in enumerate(rules.categories, 1)
    )
    buttons = [
        Button(f"k:{c.id}", text=f"{n}. {c.label.get(ctx.language)}")
        for n, c in enumerate(rules.categories, 1)
    ]
    labels = {c.id: c.label.get(ctx.language) for c in rules.categories}
    line, suggestion = _suggestion_rows("k", draft, labels, ctx)
    body = text_of("q_category", ctx.language, options=Safe(options)) + line
    return ask("category", draft, ctx, body, [*suggestion, *_rows(buttons, 1)])


def _pick(items: list[tuple[str, str, str]], typed: str) -> str | None:
    """Match typed text to one of (id, label id, label en): a number, an id or a label."""
    text = normalize(typed)
    if text.isdigit() and 1 <= int(text) <= len(items):
        return items[int(text) - 1][0]
    found = [
        item[0]
        for item in items
        if text in {normalize(item[0]), normalize(item[1]), normalize(item[2])}
    ]
    if not found and len(text) >= 4:
        found = [
            item[0] for item in items if text in normalize(item[1]) or text in normalize(item[2])
        ]
    return found[0] if len(found) == 1 else None


def _choice(
    draft: Draft,
    event: Event,
    code: str,
    options: Sequence[tuple[str, Bilingual, Sequence[str]]],
    how_to: str,
    ctx: Context,
) -> tuple[str | None, Answer | None]:
    """A choice step's answer: the option chosen (pressed, typed by number or label, or "ya" to
    the option offered), else the answer that asks again: the option free words point to is
    offered as a question; words that point nowhere get one line on how to choose."""
    chosen = _press_value(event, code)
    if chosen == NO_SUGGESTION:
        cleared = draft.model_copy(update={"choices": []})
        return None, Answer(cleared, replies=(hint(how_to, ctx.language),))
    if not isinstance(event, Text):
        return chosen, None
    chosen = _pick([(i, label.id, label.en) for i, label, _ in options], event.text)
    if chosen is None and draft.choices and yes_or_no(event.text) == "yes":
        chosen = draft.choices[0]
    if chosen is not None:
        return chosen, None
    suggestion = suggest(event.text, [(i, words) for i, _, words in options])
    if suggestion is not None:
        return None, Answer(draft.model_copy(update={"choices": [suggestion]}))
    cleared = draft.model_copy(update={"choices": []})
    return None, Answer(cleared, replies=(hint(how_to, ctx.language),))


def _category(draft: Draft, event: Event, ctx: Context) -> Answer:
    categories = ctx.jurisdiction.rules.categories
    options = [(c.id, c.label, c.words) for c in categories]
    chosen, again = _choice(draft, event, "k", options, "hint_choose_category", ctx)
    if chosen in {c.id for c in categories}:
        return Answer(draft.model_copy(update={"category": chosen}), advance=True)
    if again is None:
        again = Answer(draft, replies=(hint("hint_choose_category", ctx.language),))
    story = isinstance(event, Text) and letters(event.text) >= ctx.limits.min_description
    if story and draft.description is None and draft.long_description is None:
        # a story typed before the category is the story: kept for the description question
        assert isinstance(event, Text)
        kept = _keep_story(again.draft, event.text, ctx)
        replies = (hint("description_kept_early", ctx.language), *again.replies)
        return replace(again, draft=kept, replies=replies)
    return again


def _keep_story(draft: Draft, text: str, ctx: Context) -> Draft:
    if len(text.strip()) > ctx.limits.max_description:
        return draft.model_copy(update={"long_description": text})
    return draft.model_copy(update={"description": text})


def _description_prompt(draft: Draft, ctx: Context) -> Reply:
    limits = ctx.limits
    body = text_of(
        "q_description", ctx.language, min=limits.min_description, max=limits.max_description
    )
    if draft.long_description:
        length = len(draft.long_description)
        body += "\n\n" + text_of(
            "description_too_long", ctx.language, length=length,
            over=length - limits.max_description, max=limits.max_description,
        )  # fmt: skip
        trim = Button(f"d:{TRIM}", "btn_description_trim", args={"max": limits.max_description})
        return ask("description", draft, ctx, body, [(trim,)])
    if draft.description:
        body += "\n\n" + text_of(
            "description_so_far", ctx.language, text=_excerpt(draft.description)
        )
        return ask(
            "description", draft, ctx, body, [(Button(f"d:{KEEP}", "btn_keep_description"),)]
        )
    return ask("description", draft, ctx, body, [])


def _excerpt(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _trimmed(text: str, limit: int) -> tuple[str, str]:
    """The first `limit` characters, cut after a whole word where one ends near the limit, and
    the rest."""
    head = text[:limit]
    cut = head.rfind(" ")
    if len(text) > limit and cut > limit * 0.9:
        head = head[:cut]
    return head.rstrip(), text[len(head) :].strip()


def _description(draft: Draft, event: Event, ctx: Context) -> Answer:
    value = _press_value(event, "d")
    if value == TRIM and draft.long_description:
        head, rest = _trimmed(draft.long_description, ctx.limits.max_description)
        update = {"description": head, "long_description": None}
        left = hint("description_rest", ctx.language, length=len(rest), rest=rest)
        return Answer(draft.model_copy(update=update), replies=(left,), advance=True)
    keep = value == KEEP or (isinstance(event, Text) and yes_or_no(event.text) == "yes")
    if keep and draft.description and not draft.long_description:
        return Answer(draft, advance=True)
    if not isinstance(event, Text):
        key = "hint_not_now" if isinstance(event, Attachment) else "hint_text_expected"
        return Answer(draft, replies=(hint(key, ctx.language),))
    text = event.text.strip()
    counted = letters(text)
    if counted < ctx.limits.min_description:
        return Answer(
            draft,
            replies=(
                hint(
                    "hint_description_short",
                    ctx.language,
                    length=counted,
                    min=ctx.limits.min_description,
                ),
            ),
        )
    if len(text) > ctx.limits.max_description:  # kept whole until the reporter chooses
        return Answer(draft.model_copy(update={"long_description": event.text}))
    update = {"description": event.text, "long_description": None}  # exactly as given
    return Answer(draft.model_copy(update=update), advance=True)


# ------------------------------------------------------------------ who
def _person_prompt(draft: Draft, ctx: Context) -> Reply:
    kinds = ctx.jurisdiction.rules.person_kinds
    buttons = [Button(f"p:{k.id}", text=k.label.get(ctx.language)) for k in kinds]
    labels = {k.id: k.label.get(ctx.language) for k in kinds}
    line, suggestion = _suggestion_rows("p", draft, labels, ctx)
    body = text_of("q_person", ctx.language) + line
    return ask("person", draft, ctx, body, [*suggestion, *_rows(buttons, 2)])


def _person(draft: Draft, event: Event, ctx: Context) -> Answer:
    kinds = ctx.jurisdiction.rules.person_kinds
    if (
        isinstance(event, Text)
        and is_word(event.text, _UNSURE)
        and "unknown" in {k.id for k in kinds}
    ):
        return Answer(draft.model_copy(update={"person": "unknown"}), advance=True)
    options = [(k.id, k.label, k.words) for k in kinds]
    chosen, again = _choice(draft, event, "p", options, "hint_choose_person", ctx)
    if chosen in {k.id for k in kinds}:
        return Answer(draft.model_copy(update={"person": chosen}), advance=True)
    return again or Answer(draft, replies=(hint("hint_use_buttons", ctx.language),))


def _short_text(field_name: str) -> Handler:
    def handle(draft: Draft, event: Event, ctx: Context) -> Answer:
        if not isinstance(event, Text):
            key = "hint_not_now" if isinstance(event, Attachment) else "hint_text_expected"
            return Answer(draft, replies=(hint(key, ctx.language),))
        text = event.text.strip()
        if len(text) > ctx.limits.max_short_text:
            return Answer(
                draft,
                replies=(
                    hint(
                        "hint_too_long",
                        ctx.language,
                        length=len(text),
                        max=ctx.limits.max_short_text,
                    ),
                ),
            )
        if not text:
            return Answer(draft, replies=(hint("hint_text_expected", ctx.language),))
        return Answer(draft.model_copy(update={field_name: event.text}), advance=True)

    return handle


def _person_details_prompt(draft: Draft, ctx: Context) -> Reply:
    return ask("person_details", draft, ctx, text_of("q_person_details", ctx.language), [])


# ------------------------------------------------------------------ where
NO = "^no"


def place_label(region: Region, with_province: bool) -> str:
    """`Kota Serang`, or `Kota Serang, Banten` where the province is not known yet."""
    if with_province and not region.is_province:
        return f"{region.name}, {region.province_name}"
    return region.name


def _place_choices(code: str, draft: Draft, ctx: Context) -> tuple[str, list[tuple[Button, ...]]]:
    """The places offered as buttons: one to confirm, a short list of matches, or a whole list.
    A guess from a typo is asked as "Did you mean ...?", never taken silently."""
    regions = [ctx.jurisdiction.places.get(c) for c in draft.choices]
    with_province = draft.located or any(r.province_code != draft.province_code for r in regions)
    if len(regions) == 1:
        key = "place_located" if draft.located else "place_confirm"
        key = "place_did_you_mean" if draft.guessed else key
        text = text_of(key, ctx.language, place=place_label(regions[0], with_province))
        yes = Button(f"{code}:{regions[0].code}", "btn_place_yes")
        return text, [(yes, Button(f"{code}:{NO}", "btn_place_no"))]
    long_list = len(regions) > 8
    key = "place_choose_list" if long_list else "place_choose"
    key = "place_located_which" if draft.located else key
    buttons = [Button(f"{code}:{r.code}", text=place_label(r, with_province)) for r in regions]
    return text_of(key, ctx.language), _rows(buttons, 2 if long_list else 1)


def _offer(
    draft: Draft, regions: Iterable[Region], guessed: bool, *, located: bool = False
) -> Answer:
    codes = [region.code for region in regions]
    update = {"choices": codes, "guessed": guessed, "located": located}
    return Answer(draft.model_copy(update=update))


def _province_prompt(draft: Draft, ctx: Context) -> Reply:
    body = text_of("q_province", ctx.language)
    if draft.choices:
        hint_text, rows = _place_choices("pv", draft, ctx)
        return ask("province", draft, ctx, f"{body}\n\n{hint_text}", rows)
    return ask("province", draft, ctx, body, [(Button(f"pv:{LIST}", "btn_list_provinces"),)])


def _province(draft: Draft, event: Event, ctx: Context) -> Answer:
    places = ctx.jurisdiction.places
    value = _press_value(event, "pv")
    if value == LIST:
        return _offer(draft, places.provinces(), guessed=False)
    if value == NO:
        retyped = draft.model_copy(update={"choices": [], "guessed": False, "located": False})
        return Answer(retyped, replies=(hint("place_retype", ctx.language),))
    if value is not None:
        region = places.find(value)
        if region is None or (not region.is_province and value not in draft.choices):
            return Answer(draft, replies=(hint("hint_use_buttons", ctx.language),))
        if region.is_province:
            return Answer(_set_province(draft, region), advance=True)
        return Answer(_set_regency_first(draft, region, ctx), advance=True)
    if isinstance(event, Location):
        return _place_at(draft, event, ctx)
    if not isinstance(event, Text):
        return Answer(draft, replies=(hint("hint_text_expected", ctx.language),))
    answer = province_answer(places, event.text)
    if answer.sure is not None and answer.sure.is_province:
        return Answer(_set_province(draft, answer.sure), advance=True)
    if answer.sure is not None:  # a regency written with its province: "kota serang banten"
        return Answer(_set_regency_first(draft, answer.sure, ctx), advance=True)
    if answer.offer:
        return _offer(draft, answer.offer, guessed=answer.guessed)
    return Answer(
        draft.model_copy(update={"choices": [], "guessed": False}),
        replies=(hint("hint_province", ctx.language, typed=event.text.strip()[:60]),),
    )


def _set_province(draft: Draft, region: Region) -> Draft:
    update: dict[str, object] = {
        "province_code": region.code,
        "choices": [],
        "guessed": False,
        "located": False,
        "regency_preset": False,
    }
    if draft.province_code != region.code:
        update.update(regency_code=None, regency_unknown=False)
    return draft.model_copy(update=update)


def _set_regency_first(draft: Draft, region: Region, ctx: Context) -> Draft:
    """The regency (and so its province) given at the province question."""
    province = ctx.jurisdiction.places.get(region.province_code)
    return _set_regency(_set_province(draft, province), region).model_copy(
        update={"regency_preset": True}
    )


def _located(draft: Draft, event: Location, ctx: Context) -> Answer:
    updated = draft.model_copy(update={"latitude": event.latitude, "longitude": event.longitude})
    return Answer(updated, replies=(hint("location_saved", ctx.language),))


def _place_at(draft: Draft, event: Location, ctx: Context) -> Answer:
    """A location shared where the place is asked: the regency it lies in, offered to confirm
    ("📍 Kota Serang, Banten — benar?"), or the regencies it may be in at a border or offshore;
    kept as the exact place either way."""
    kept = draft.model_copy(update={"latitude": event.latitude, "longitude": event.longitude})
    places = ctx.jurisdiction.places
    found = shipped_boundaries().locate(event.latitude, event.longitude)
    regions = [places.get(code) for code in found.candidates if places.find(code) is not None]
    if not regions:
        cleared = kept.model_copy(update={"choices": [], "guessed": False, "located": False})
        return Answer(cleared, replies=(hint("location_no_regency", ctx.language),))
    return _offer(kept, regions, guessed=False, located=True)


def _regency_asked(draft: Draft, ctx: Context) -> bool:
    return not draft.regency_preset


def _regency_prompt(draft: Draft, ctx: Context) -> Reply:
    places = ctx.jurisdiction.places
    province = places.get(draft.province_code or "")
    regencies = places.regencies_of(province.code)
    # the example is a place of the chosen province: its first city, else its first regency
    example = next((r for r in regencies if r.level == "city"), regencies[0]).name
    body = text_of("q_regency", ctx.language, province=province.name, example=example)
    unknown = Button(f"rg:{UNKNOWN}", "btn_unknown")
    if draft.choices:
        hint_text, rows = _place_choices("rg", draft, ctx)
        return ask("regency", draft, ctx, f"{body}\n\n{hint_text}", [*rows, (unknown,)])
    return ask("regency", draft, ctx, body, [(Button(f"rg:{LIST}", "btn_list_regencies"), unknown)])


def _regency(draft: Draft, event: Event, ctx: Context) -> Answer:
    places = ctx.jurisdiction.places
    province = places.get(draft.province_code or "")
    value = _press_value(event, "rg")
    if value == LIST:
        return _offer(draft, places.regencies_of(province.code), guessed=False)
    if value == NO:
        retyped = draft.model_copy(update={"choices": [], "guessed": False, "located": False})
        return Answer(retyped, replies=(hint("place_retype", ctx.language),))
    if value == UNKNOWN or (isinstance(event, Text) and is_word(event.text, _UNSURE)):
        return Answer(
            draft.model_copy(
                update={
                    "regency_code": None,
                    "regency_unknown": True,
                    "choices": [],
                    "guessed": False,
                }
            ),
            advance=True,
        )
    if value is not None:
        region = places.find(value)
        offered = value in draft.choices
        if (
            region is None
            or region.is_province
            or (region.province_code != province.code and not offered)
        ):
            return Answer(draft, replies=(hint("hint_use_buttons", ctx.language),))
        return _regency_chosen(draft, region, ctx)
    if isinstance(event, Location):
        return _place_at(draft, event, ctx)
    if not isinstance(event, Text):
        return Answer(draft, replies=(hint("hint_text_expected", ctx.language),))
    answer = regency_answer(places, event.text, province.code)
    if answer.sure is not None:
        return _regency_chosen(draft, answer.sure, ctx)
    if answer.offer:
        return _offer(draft, answer.offer, guessed=answer.guessed)
    return Answer(
        draft.model_copy(update={"choices": [], "guessed": False}),
        replies=(
            hint(
                "hint_regency", ctx.language, typed=event.text.strip()[:60], province=province.name
            ),
        ),
    )


def _regency_chosen(draft: Draft, region: Region, ctx: Context) -> Answer:
    """A regency chosen at the regency question; in another province, that province is taken
    and the reporter told in one line."""
    if region.province_code == draft.province_code:
        return Answer(_set_regency(draft, region), advance=True)
    province = ctx.jurisdiction.places.get(region.province_code)
    moved = _set_regency(_set_province(draft, province), region)
    note = hint("place_moved", ctx.language, regency=region.name, province=province.name)
    return Answer(moved, replies=(note,), advance=True)


def _set_regency(draft: Draft, region: Region) -> Draft:
    return draft.model_copy(
        update={
            "regency_code": region.code,
            "regency_unknown": False,
            "choices": [],
            "guessed": False,
            "located": False,
        }
    )


def _place_detail_prompt(draft: Draft, ctx: Context) -> Reply:
    return ask("place_detail", draft, ctx, text_of("q_place_detail", ctx.language), [])


def _place_detail(draft: Draft, event: Event, ctx: Context) -> Answer:
    if isinstance(event, Location):
        located = _located(draft, event, ctx)
        sure = shipped_boundaries().locate(event.latitude, event.longitude).sure
        region = ctx.jurisdiction.places.find(sure) if sure else None
        if draft.regency_code is None and region and region.province_code == draft.province_code:
            # the regency was not known: the location tells it
            return replace(located, draft=_set_regency(located.draft, region), advance=True)
        return replace(located, advance=True)
    return _short_text("place_detail")(draft, event, ctx)


# ------------------------------------------------------------------ when
APPROXIMATE_DAYS_BACK = {"week": 3, "month": 15, "earlier": 60}
_DATE_RANGES = ("week", "month", "earlier")


def _valid_day(day: dt.date, ctx: Context) -> Reply | None:
    if day > ctx.today:
        return hint("hint_date_future", ctx.language)
    if day < EARLIEST_DATE:
        return hint("hint_date_too_old", ctx.language)
    return None


def _read_day(event: Event, code: str, draft: Draft, ctx: Context) -> DateReading | Reply:
    """A button or a typed date at a date question, as a reading (or a hint when unreadable)."""
    value = _press_value(event, code)
    if value == "today":
        return DateReading(ctx.today)
    if value == "yesterday":
        return DateReading(ctx.today - dt.timedelta(days=1))
    if value == "same" and draft.event_date is not None:
        return DateReading(draft.event_date)
    if value == UNKNOWN:
        return DateReading(unknown=True)
    if value is not None:
        try:
            chosen = dt.date.fromisoformat(value)
        except ValueError:
            return hint("hint_use_buttons", ctx.language)
        if chosen not in draft.date_options:
            return hint("hint_use_buttons", ctx.language)
        return DateReading(chosen)
    if not isinstance(event, Text):
        return hint("hint_date", ctx.language)
    reading = read_date(event.text, ctx.today, day_first=ctx.language == "id")
    if reading.no_such_day is not None:
        return _no_such_day(*reading.no_such_day, ctx.language)
    if reading.date is None and not reading.options and not reading.unknown:
        return hint("hint_date", ctx.language)
    return reading


def _no_such_day(day: int, month: int, year: int, language: Language) -> Reply:
    """What is wrong with a date that cannot be: no such month, or the month is shorter."""
    if not 1 <= month <= 12:
        return hint("hint_date_no_such_month", language, month=month)
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    last = (next_month - dt.timedelta(days=1)).day
    name = MONTHS[language][month - 1]
    return hint("hint_date_no_such_day", language, day=day, month=name, year=year, last=last)


def _echo(event: Event, day: dt.date, ctx: Context) -> tuple[Reply, ...]:
    """A typed date is said back in full ("Senin, 5 Februari 2024") so a misreading shows."""
    if isinstance(event, Text):
        return (hint("date_echo", ctx.language, date=weekday_date(day, ctx.language)),)
    return ()


def _date_prompt(
    question: str, draft: Draft, ctx: Context, body: str, rows: Sequence[tuple[Button, ...]]
) -> Reply:
    code = QUESTIONS[question].code
    if draft.date_range:
        text = f"{body}\n\n{text_of('date_range_ask', ctx.language)}"
        ranges = [Button(f"{code}:^{r}", f"btn_date_{r}") for r in _DATE_RANGES]
        return ask(question, draft, ctx, text, [tuple(ranges)])
    if draft.date_options:
        text = f"{body}\n\n{text_of('date_which_day', ctx.language)}"
        days = [
            Button(f"{code}:{day.isoformat()}", text=weekday_date(day, ctx.language))
            for day in draft.date_options
        ]
        return ask(question, draft, ctx, text, _rows(days, 2))
    return ask(question, draft, ctx, body, rows)


def _event_date_prompt(draft: Draft, ctx: Context) -> Reply:
    rows = [
        (Button("ed:today", "btn_today"), Button("ed:yesterday", "btn_yesterday")),
        (Button(f"ed:{UNKNOWN}", "btn_date_unknown"),),
    ]
    return _date_prompt("event_date", draft, ctx, text_of("q_event_date", ctx.language), rows)


def _event_date(draft: Draft, event: Event, ctx: Context) -> Answer:
    value = _press_value(event, "ed")
    if draft.date_range and value in {f"^{r}" for r in _DATE_RANGES}:
        rough = value[1:]
        day = ctx.today - dt.timedelta(days=APPROXIMATE_DAYS_BACK[rough])
        update = {
            "event_date": day, "event_date_approx": rough, "learned_date": None,
            "learned_unknown": False, "date_range": False, "date_options": [],
        }  # fmt: skip
        return Answer(draft.model_copy(update=update), advance=True)
    reading = _read_day(event, "ed", draft, ctx)
    if isinstance(reading, Reply):
        return Answer(draft, replies=(reading,))
    if reading.unknown:
        return Answer(draft.model_copy(update={"date_range": True, "date_options": []}))
    if reading.options:
        valid = [d for d in reading.options if _valid_day(d, ctx) is None]
        if len(valid) > 1:
            return Answer(draft.model_copy(update={"date_options": valid, "date_range": False}))
        if not valid:
            return Answer(draft, replies=(hint("hint_date_future", ctx.language),))
        reading = DateReading(valid[0])
    assert reading.date is not None
    day = reading.date
    problem = _valid_day(day, ctx)
    if problem is not None:
        return Answer(draft, replies=(problem,))
    learned = draft.learned_date if draft.learned_date and draft.learned_date >= day else None
    update = {
        "event_date": day, "learned_date": learned, "event_date_approx": None,
        "date_range": False, "date_options": [],
    }  # fmt: skip
    return Answer(draft.model_copy(update=update), replies=_echo(event, day, ctx), advance=True)


def needs_learned_date(draft: Draft, ctx: Context) -> bool:
    """The learned date is asked only when the event is more than 3 days old (and its date is
    known: after "I don't remember" the limits are not counted), and a limit counted from it
    can matter at the place (Bawaslu's 7 days, while an election stage runs there)."""
    return (
        draft.event_date is not None
        and draft.event_date_approx is None
        and (ctx.today - draft.event_date).days > LEARNED_ASKED_AFTER_DAYS
        and draft.province_code is not None
        and ctx.jurisdiction.learning_counts(ctx.today, draft.province_code, draft.regency_code)
    )


def _learned_date_prompt(draft: Draft, ctx: Context) -> Reply:
    rows = [
        (Button("ld:today", "btn_today"), Button("ld:yesterday", "btn_yesterday")),
        (Button("ld:same", "btn_same_day"), Button(f"ld:{UNKNOWN}", "btn_date_unknown")),
    ]
    return _date_prompt("learned_date", draft, ctx, text_of("q_learned_date", ctx.language), rows)


def _learned_date(draft: Draft, event: Event, ctx: Context) -> Answer:
    reading = _read_day(event, "ld", draft, ctx)
    if isinstance(reading, Reply):
        return Answer(draft, replies=(reading,))
    if reading.unknown:
        unknown: dict[str, object] = {
            "learned_date": None,
            "learned_unknown": True,
            "date_options": [],
        }
        return Answer(draft.model_copy(update=unknown), advance=True)
    assert draft.event_date is not None
    options = [d for d in reading.options if _valid_day(d, ctx) is None and d >= draft.event_date]
    if len(options) > 1:
        return Answer(draft.model_copy(update={"date_options": options}))
    day = options[0] if options else reading.date
    if day is None:
        return Answer(draft, replies=(hint("hint_date", ctx.language),))
    problem = _valid_day(day, ctx)
    if problem is not None:
        return Answer(draft, replies=(problem,))
    if day < draft.event_date:
        return Answer(
            draft,
            replies=(
                hint(
                    "hint_learned_before_event",
                    ctx.language,
                    event=long_date(draft.event_date, ctx.language),
                ),
            ),
        )
    known: dict[str, object] = {"learned_date": day, "learned_unknown": False, "date_options": []}
    return Answer(draft.model_copy(update=known), replies=_echo(event, day, ctx), advance=True)


# ------------------------------------------------------------------ public service
def _three_way(event: Event, code: str, yes: str, no: str, unsure: str) -> str | None:
    value = _press_value(event, code)
    if value in {yes, no, unsure}:
        return value
    if isinstance(event, Text):
        if is_word(event.text, _UNSURE):
            return unsure
        if is_word(event.text, _YES):
            return yes
        if is_word(event.text, _NO):
            return no
    return None


def _public_service_prompt(draft: Draft, ctx: Context) -> Reply:
    rows = [
        (Button("ps:yes", "btn_yes"), Button("ps:no", "btn_no"), Button("ps:unsure", "btn_unsure"))
    ]
    return ask("public_service", draft, ctx, text_of("q_public_service", ctx.language), rows)


def _public_service(draft: Draft, event: Event, ctx: Context) -> Answer:
    chosen = _three_way(event, "ps", "yes", "no", "unsure")
    if chosen is None:
        return Answer(draft, replies=(hint("hint_use_buttons", ctx.language),))
    update: dict[str, object] = {"public_service": chosen}
    if chosen != "yes":
        update.update(service_name=None, complained=None)
    return Answer(draft.model_copy(update=update), advance=True)


def _service_name_prompt(draft: Draft, ctx: Context) -> Reply:
    return ask("service_name", draft, ctx, text_of("q_service_name", ctx.language), [])


def _complained_prompt(draft: Draft, ctx: Context) -> Reply:
    rows = [
        (
            Button("cp:yes", "btn_complained_yes"),
            Button("cp:no", "btn_complained_no"),
            Button("cp:unknown", "btn_unknown"),
        )
    ]
    return ask("complained", draft, ctx, text_of("q_complained", ctx.language), rows)


def _complained(draft: Draft, event: Event, ctx: Context) -> Answer:
    chosen = _three_way(event, "cp", "yes", "no", "unknown")
    if chosen is None:
        return Answer(draft, replies=(hint("hint_use_buttons", ctx.language),))
    return Answer(draft.model_copy(update={"complained": chosen}), advance=True)


def _service_applies(draft: Draft, ctx: Context) -> bool:
    return draft.public_service == "yes"


# ------------------------------------------------------------------ evidence
def _evidence_prompt(draft: Draft, ctx: Context) -> Reply:
    limits = ctx.limits
    if draft.evidence:
        body = text_of("q_evidence_more", ctx.language, count=len(draft.evidence))
        rows = [(Button("ev:done", "btn_evidence_done"),)]
    else:
        body = text_of(
            "q_evidence",
            ctx.language,
            max_items=limits.max_evidence_items,
            max_mb=limits.max_evidence_bytes // (1024 * 1024),
        )
        rows = [(Button("ev:none", "btn_no_evidence"),)]
    return ask("evidence", draft, ctx, body, rows)


def _evidence(draft: Draft, event: Event, ctx: Context) -> Answer:
    limits = ctx.limits
    language = ctx.language
    value = _press_value(event, "ev")
    if value in {"done", "none"} or (
        isinstance(event, Text)
        and is_word(event.text, {"selesai", "done", "tidak ada", "none", "sudah"})
    ):
        return Answer(draft.model_copy(update={"evidence_done": True}), advance=True)
    if value is not None and value.startswith("drop:"):
        dropped = value.removeprefix("drop:")
        kept = [e for e in draft.evidence if (e.file_unique_id or "")[:40] != dropped]
        if len(kept) == len(draft.evidence):
            return Answer(draft, replies=(hint("hint_stale_button", language),))
        return Answer(
            draft.model_copy(update={"evidence": kept}),
            replies=(hint("evidence_dropped", language),),
            drop=dropped,
        )
    if isinstance(event, Attachment):
        if len(draft.evidence) >= limits.max_evidence_items:
            return Answer(
                draft,
                replies=(hint("evidence_too_many", language, max_items=limits.max_evidence_items),),
            )
        used = sum(item.size_bytes for item in draft.evidence)
        budget = min(limits.max_evidence_bytes, limits.max_case_evidence_bytes - used)
        if budget <= 0:
            total_mb = limits.max_case_evidence_bytes // (1024 * 1024)
            return Answer(
                draft, replies=(hint("evidence_total_reached", language, max_mb=total_mb),)
            )
        if event.size_bytes > budget:
            return Answer(
                draft,
                replies=(
                    hint(
                        "evidence_too_big",
                        language,
                        size=human_size(event.size_bytes),
                        max_mb=max(1, budget // (1024 * 1024)),
                    ),
                ),
            )
        if any(item.file_unique_id == event.file_unique_id for item in draft.evidence):
            return Answer(draft, replies=(hint("evidence_duplicate", language),))
        return Answer(draft, reask=False, fetch=FetchEvidence(event, budget))
    if isinstance(event, EvidenceStored):
        return _add_evidence(draft, [event.item], ctx)
    if isinstance(event, EvidenceFailed):
        if event.reason == "too_big":
            max_mb = limits.max_evidence_bytes // (1024 * 1024)
            size = human_size(event.size)
            return Answer(
                draft, replies=(hint("evidence_too_big", language, size=size, max_mb=max_mb),)
            )
        if event.reason in REFUSAL_HINTS:
            return Answer(draft, replies=(hint(REFUSAL_HINTS[event.reason], language),))
        return Answer(draft, replies=(hint("evidence_failed", language),))
    if isinstance(event, Text):
        links = _URL.findall(event.text)
        if links:
            items = [EvidenceItem(kind="link", label=link[:500]) for link in links]
            room = limits.max_evidence_items - len(draft.evidence)
            if room <= 0:
                return Answer(
                    draft,
                    replies=(
                        hint("evidence_too_many", language, max_items=limits.max_evidence_items),
                    ),
                )
            return _add_evidence(draft, items[:room], ctx)
    return Answer(draft, replies=(hint("hint_evidence_text", language),))


def _add_evidence(draft: Draft, items: list[EvidenceItem], ctx: Context) -> Answer:
    evidence = [*draft.evidence, *items]
    replies = []
    for n, item in enumerate(items, start=len(draft.evidence) + 1):
        size = human_size(item.size_bytes) if item.size_bytes else "—"
        kind = text_of(f"kind_{item.kind}", ctx.language)
        text = text_of(
            "evidence_received", ctx.language, n=n, kind=kind, label=item.label[:80], size=size
        )
        if item.metadata_removed:
            text += "\n" + text_of("evidence_metadata_removed", ctx.language)
        buttons: tuple[tuple[Button, ...], ...] = ()
        if item.metadata_may_remain and item.file_unique_id:
            # told before filing, with the choice to drop it
            text += "\n" + text_of("evidence_metadata_may_remain", ctx.language)
            drop = Button(f"ev:drop:{item.file_unique_id[:40]}", "btn_evidence_drop")
            buttons = ((drop,),)
        replies.append(Reply(html=Safe(text), buttons=buttons))
    return Answer(draft.model_copy(update={"evidence": evidence}), replies=tuple(replies))


# ------------------------------------------------------------------ identity
def _identity_prompt(draft: Draft, ctx: Context) -> Reply:
    rows = [
        (Button("id:anonymous", "btn_identity_anonymous"),),
        (Button("id:confidential", "btn_identity_confidential"),),
        (Button("id:open", "btn_identity_open"),),
    ]
    text = text_of("q_identity", ctx.language)
    if ctx.channel == "whatsapp":  # the chat's address is the person's number
        text += "\n\n" + text_of("q_identity_whatsapp", ctx.language)
    return ask("identity", draft, ctx, text, rows)


def _identity(draft: Draft, event: Event, ctx: Context) -> Answer:
    chosen = _press_value(event, "id")
    if isinstance(event, Text):
        words = {
            "anonymous": {"anonim", "anonymous", "anon"},
            "confidential": {"rahasia", "confidential", "dirahasiakan"},
            "open": {"terbuka", "open"},
        }
        chosen = next((k for k, v in words.items() if is_word(event.text, v)), None)
    if chosen not in {"anonymous", "confidential", "open"}:
        return Answer(draft, replies=(hint("hint_use_buttons", ctx.language),))
    update: dict[str, object] = {"identity": chosen}
    if chosen == "anonymous":
        update.update(reporter_name=None, reporter_phone=None)
    return Answer(draft.model_copy(update=update), advance=True)


def _identified(draft: Draft, ctx: Context) -> bool:
    return draft.identity in {"confidential", "open"}


def _reporter_name_prompt(draft: Draft, ctx: Context) -> Reply:
    return ask("reporter_name", draft, ctx, text_of("q_reporter_name", ctx.language), [])


def _reporter_name(draft: Draft, event: Event, ctx: Context) -> Answer:
    if not isinstance(event, Text):
        return Answer(draft, replies=(hint("hint_text_expected", ctx.language),))
    name = " ".join(event.text.split())
    if not 2 <= len(name) <= 100:
        return Answer(draft, replies=(hint("hint_name", ctx.language),))
    return Answer(draft.model_copy(update={"reporter_name": name}), advance=True)


def _reporter_phone_prompt(draft: Draft, ctx: Context) -> Reply:
    q = QUESTIONS["reporter_phone"]
    header = text_of("step_header", ctx.language, n=q.step, total=TOTAL_STEPS)
    return Reply(
        html=Safe(f"{header}\n{text_of('q_reporter_phone', ctx.language)}"),
        request_contact=catalogue().raw("btn_share_phone", ctx.language),
        keyboard_texts=(
            catalogue().raw("btn_back", ctx.language),
            catalogue().raw("btn_cancel", ctx.language),
        ),
    )


def _reporter_phone(draft: Draft, event: Event, ctx: Context) -> Answer:
    if isinstance(event, Contact):
        if event.user_id is not None and event.user_id != ctx.user_id:
            return Answer(draft, replies=(hint("hint_contact_not_own", ctx.language),))
        phone = normalize_phone(event.phone)
    elif isinstance(event, Text):
        phone = normalize_phone(event.text)
    else:
        return Answer(draft, replies=(hint("hint_contact_not_own", ctx.language),))
    if phone is None:
        return Answer(draft, replies=(hint("hint_phone", ctx.language),))
    saved = Reply(
        html=Safe(text_of("phone_saved", ctx.language, phone=phone)), remove_keyboard=True
    )
    return Answer(
        draft.model_copy(update={"reporter_phone": phone}), advance=True, replies=(saved,)
    )


# ------------------------------------------------------------------ review
SECTIONS = ("what", "who", "where", "when", "service", "evidence", "identity")


def _review_prompt(draft: Draft, ctx: Context) -> Reply:
    from conversations.review import summary

    language = ctx.language
    rows = [
        (Button(f"rv:send:{draft.draft_id}", "btn_send"),),
        *_rows([Button(f"rv:edit:{s}", f"btn_edit_{s}") for s in SECTIONS], 2),
    ]
    body = text_of("review", language, summary=summary(draft, ctx))
    return ask("review", draft, ctx, body, rows)


def _review(draft: Draft, event: Event, ctx: Context) -> Answer:
    # Sending and editing are handled by the flow (they leave the question); anything else:
    return Answer(draft, replies=(hint("hint_use_buttons", ctx.language),))


QUESTIONS: dict[str, Question] = {
    q.id: q
    for q in (
        Question("consent", "c", 1, "consent", _consent_prompt, _consent, back=False),
        Question("category", "k", 2, "what", _category_prompt, _category),
        Question("description", "d", 2, "what", _description_prompt, _description),
        Question("person", "p", 3, "who", _person_prompt, _person),
        Question(
            "person_details",
            "pd",
            3,
            "who",
            _person_details_prompt,
            _short_text("person_details"),
            skippable=True,
        ),
        Question("province", "pv", 4, "where", _province_prompt, _province),
        Question("regency", "rg", 4, "where", _regency_prompt, _regency, applies=_regency_asked),
        Question(
            "place_detail", "pl", 4, "where", _place_detail_prompt, _place_detail, skippable=True
        ),
        Question("event_date", "ed", 5, "when", _event_date_prompt, _event_date),
        Question(
            "learned_date",
            "ld",
            5,
            "when",
            _learned_date_prompt,
            _learned_date,
            applies=needs_learned_date,
        ),
        Question("public_service", "ps", 6, "service", _public_service_prompt, _public_service),
        Question(
            "service_name",
            "sn",
            6,
            "service",
            _service_name_prompt,
            _short_text("service_name"),
            applies=_service_applies,
            skippable=True,
        ),
        Question(
            "complained",
            "cp",
            6,
            "service",
            _complained_prompt,
            _complained,
            applies=_service_applies,
        ),
        Question("evidence", "ev", 7, "evidence", _evidence_prompt, _evidence),
        Question("identity", "id", 8, "identity", _identity_prompt, _identity),
        Question(
            "reporter_name",
            "rn",
            8,
            "identity",
            _reporter_name_prompt,
            _reporter_name,
            applies=_identified,
        ),
        Question(
            "reporter_phone",
            "ph",
            8,
            "identity",
            _reporter_phone_prompt,
            _reporter_phone,
            applies=_identified,
        ),
        Question("review", "rv", 9, "review", _review_prompt, _review),
    )
}
ORDER = list(QUESTIONS)
BY_CODE = {q.code: q for q in QUESTIONS.values()}
QUESTION_PREFIXES = tuple(
    CALLBACKS.declare(q.code, "citizen", f"answer to question {q.id}") for q in QUESTIONS.values()
)
