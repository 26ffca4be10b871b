"""内容安全: the detectors, the word lists and the checks at submit and approval."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from newsroom.models import (
    Article,
    PersonalPattern,
    ReviewConfirmation,
    Transition,
    WordEntry,
    WordList,
)
from newsroom.services import moderation, revisions, safety
from newsroom.services.safety import lists
from newsroom.services.safety.mask import article_mask_personal
from newsroom.services.safety.matcher import Matcher, matcher_for
from newsroom.services.safety.personal import (
    find_personal,
    id_card_valid,
    luhn_valid,
)
from newsroom.services.safety.text import body_parts, html_text
from tests.factories import ArticleFactory, CategoryFactory, DepartmentFactory, member, seen_now

S = Article.Status


def with_check_digit(first17):
    """A 身份证号 completed with its GB 11643 check digit."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return (
        first17 + "10X98765432"[sum(int(d) * w for d, w in zip(first17, weights, strict=True)) % 11]
    )


def with_luhn_digit(digits):
    """A card number completed with its Luhn check digit."""
    return next(digits + d for d in "0123456789" if luhn_valid(digits + d))


def kinds(text):
    return [(found.kind, found.text) for found in find_personal(text)]


# --- personal information -------------------------------------------------------


@pytest.mark.parametrize(
    "number",
    [
        "11010519491231002X",
        "11010519491231002x",
        with_check_digit("44052419800101001"),
        with_check_digit("51010020000229123"),
    ],
)
def test_id_card_with_valid_check_digit_and_date_is_found(number):
    """An 18-digit 身份证号 with its GB 11643 check digit (X included) is found."""
    assert id_card_valid(number)
    assert kinds(f"身份证号：{number}。") == [("id_card", number)]


@pytest.mark.parametrize(
    "number",
    [
        "110105194912310021",  # wrong check digit
        with_check_digit("11010519491231002")[:17] + "5",
        "110105194913310028",  # month 13
        "110105190002300024",  # 30 February
        "990105194912310020",  # no such province
        "110105299912310022",  # born in the future
    ],
)
def test_id_card_failing_a_check_is_not_found(number):
    """A wrong check digit, an impossible date or province is no 身份证号."""
    assert not id_card_valid(number)
    assert [k for k, _ in kinds(number)] != ["id_card"]


def test_fifteen_digit_id_card_needs_a_real_date():
    """Old 15-digit numbers are found only with a real birth date."""
    assert kinds("旧号码110105491231002") == [("id_card", "110105491231002")]
    assert kinds("旧号码110105491331002") == []


def test_id_card_inside_a_longer_digit_run_is_not_found():
    """A valid number that is a piece of a longer run of digits is not one."""
    assert kinds("流水号911010519491231002X") == []
    assert kinds("1101051949123100211") == []
    assert kinds("编号2023-11010519491231002X") == []


@pytest.mark.parametrize(
    "text,expected",
    [
        ("联系电话13812345678。", "13812345678"),
        ("手机：138 1234 5678", "138 1234 5678"),
        ("手机：138-1234-5678", "138-1234-5678"),
        ("请拨+86 138 1234 5678", "+86 138 1234 5678"),
        ("请拨+8613812345678", "+8613812345678"),
        ("手机19912345678", "19912345678"),
    ],
)
def test_mobile_numbers_are_found_as_written(text, expected):
    """Mobiles with spaces, dashes or +86 are found."""
    assert kinds(text) == [("mobile", expected)]


@pytest.mark.parametrize(
    "text",
    [
        "订单号202305121381234567890",  # a piece of a longer run
        "12812345678",  # 12 is no mobile prefix
        "138123456789",  # twelve digits
        "座机010-62751234",
        "电话0571-88886666",
        "日期2023-05-12",
        "文号教高〔2023〕15号",
        "编号2023-13812345678",
        "138-1234 5678",  # mixed separators
    ],
)
def test_numbers_that_are_not_mobiles_are_not_found(text):
    """Landlines, dates, 文号, order numbers and runs are not mobiles."""
    assert kinds(text) == []


def test_bank_cards_pass_luhn_with_or_without_separators():
    """16–19 digits passing Luhn are found, grouped by spaces or dashes or not."""
    valid = "4111111111111111"
    assert luhn_valid(valid)
    assert kinds(f"卡号{valid}") == [("bank_card", valid)]
    assert kinds("卡号4111 1111 1111 1111") == [("bank_card", "4111 1111 1111 1111")]
    assert kinds("卡号4111-1111-1111-1111") == [("bank_card", "4111-1111-1111-1111")]
    card19 = with_luhn_digit("621226120200000000")
    assert len(card19) == 19
    assert kinds(f"工资卡{card19}") == [("bank_card", card19)]


def test_bank_card_numbers_failing_luhn_or_in_a_run_are_not_found():
    """A wrong Luhn digit, a run of 20 digits or an order number is no card."""
    assert kinds("卡号4111111111111112") == []
    assert kinds("流水41111111111111110000") == []
    assert kinds("订单2023051212345678") == []  # starts with 2: no issuer
    assert kinds("4111 1111-1111 1111") == []


def test_masking_keeps_the_ends():
    """Masks look like 110101********1234 and 138****5678."""
    found = find_personal("11010519491231002X 13812345678 4111111111111111")
    assert [f.masked for f in found] == ["110105********002X", "138****5678", "4111********1111"]


# --- words ----------------------------------------------------------------------


def test_matcher_finds_words_at_their_strictest_level():
    """A word in two lists counts at its strictest level; Latin words match whole words."""
    matcher = Matcher(
        [
            ("最佳", "caution", "广告法", "改为客观表述"),
            ("最佳", "blocked", "", ""),
            ("AD", "blocked", "", ""),
            ("再接再励", "correction", "易错词", "再接再厉"),
        ],
        [],
    )
    found = [
        (text, rule.level)
        for text, rule in (
            (r.word, r) for _s, _e, r in matcher.words("我们要再接再励，争创最佳。ADMIN 与 ad")
        )
    ]
    assert found == [("再接再励", "correction"), ("最佳", "blocked"), ("AD", "blocked")]


def test_full_width_letters_match_their_plain_form():
    """Ｗｏｒｄ typed full width is the listed word."""
    matcher = Matcher([("vpn", "blocked", "", "")], [])
    assert [(s, e) for s, e, _r in matcher.words("使用ＶＰＮ翻墙")] == [(2, 5)]


def test_body_text_leaves_out_markup_and_keeps_captions_and_alt_apart():
    """Inline tags do not split a word; captions and alt texts are fields of their own."""
    parts = body_parts(
        '<p>再接<strong>再励</strong></p><figure><img src="/a.jpg" alt="张三 13812345678">'
        "<figcaption>图为最佳团队</figcaption></figure><p>第二段&nbsp;文字</p>"
    )
    assert parts["body"] == "再接再励\n第二段\xa0文字"
    assert parts["caption"] == "图为最佳团队"
    assert parts["alt"] == "张三 13812345678"
    assert html_text("<p>a</p><p>b</p>") == "a\nb"


@pytest.mark.django_db
def test_starter_lists_are_loaded():
    """The migration ships ≥200 misspellings and the 广告法 words as 慎用, no political list."""
    corrections = WordEntry.objects.filter(level="correction")
    assert corrections.count() >= 200
    assert corrections.filter(word="再接再励", suggestion="再接再厉").exists()
    assert corrections.filter(word="既使", suggestion="即使").exists()
    assert WordEntry.objects.filter(word="最佳", level="caution").exists()
    assert WordEntry.objects.filter(word="国家级", level="caution").exists()
    assert not WordEntry.objects.filter(level="blocked").exists()


@pytest.mark.django_db
def test_department_lists_apply_to_their_department_only():
    """A department's list checks its articles, not another department's."""
    mine, other = DepartmentFactory(), DepartmentFactory()
    word_list = WordList.objects.create(name="本院禁用", department=mine)
    WordEntry.objects.create(word_list=word_list, word="内部代号", level="blocked")
    assert [r.word for _s, _e, r in matcher_for(mine.pk).words("内部代号")] == ["内部代号"]
    assert matcher_for(other.pk).words("内部代号") == []
    assert matcher_for(None).words("内部代号") == []


@pytest.mark.django_db
def test_matcher_is_built_once_per_rules_version():
    """The same rules give the same matcher object; a change builds a new one."""
    first = matcher_for(None)
    assert matcher_for(None) is first
    word_list = WordList.objects.create(name="新增")
    assert matcher_for(None) is not first
    WordEntry.objects.create(word_list=word_list, word="新词", level="caution")
    assert [r.word for _s, _e, r in matcher_for(None).words("一个新词")] == ["新词"]


@pytest.mark.django_db
def test_site_patterns_are_found_and_bad_patterns_are_form_errors(admin_client):
    """A site pattern (学号) is found; an invalid expression is a form error, not a 500."""
    PersonalPattern.objects.create(name="学号", pattern=r"(?<!\d)20\d{8}(?!\d)")
    hits = [(f.kind, f.text) for f in matcher_for(None).personal("学号2021123456的同学")]
    assert hits == [("学号", "2021123456")]
    response = admin_client.post(
        reverse("admin:newsroom_personalpattern_add"),
        {"name": "坏", "pattern": "(unclosed", "is_active": "on"},
    )
    assert response.status_code == 200
    assert "regular expression" in response.text or "正则表达式" in response.text
    assert not PersonalPattern.objects.filter(name="坏").exists()


# --- import and export ----------------------------------------------------------


@pytest.mark.django_db
def test_word_list_import_and_export_round_trip():
    """Lines 词语<TAB>类别<TAB>级别<TAB>建议 import, and export the same way."""
    word_list = WordList.objects.create(name="学校词表")
    result = lists.wordlist_import(
        word_list=word_list,
        text="\ufeff# 注释\n禁语\t政治\t禁用\n慎词\n错词\t易错词\t易错\t对词\n",
    )
    assert (result.created, result.errors) == (3, [])
    assert word_list.entries.get(word="慎词").level == "caution"
    exported = lists.wordlist_export(word_list)
    assert exported == "慎词\t\t慎用\n禁语\t政治\t禁用\n错词\t易错词\t易错\t对词\n"
    other = WordList.objects.create(name="副本")
    assert lists.wordlist_import(word_list=other, text=exported).created == 3
    assert lists.wordlist_export(other) == exported


@pytest.mark.django_db
def test_word_list_import_with_a_bad_line_changes_nothing():
    """An unknown level or an 易错 entry without its right form names the line."""
    word_list = WordList.objects.create(name="学校词表")
    result = lists.wordlist_import(word_list=word_list, text="好词\n坏词\t\t未知\n错词\t\t易错\n")
    assert [number for number, _message in result.errors] == [2, 3]
    assert not word_list.entries.exists()


@pytest.mark.django_db
def test_word_list_import_and_export_in_the_admin(admin_client):
    """The admin imports a UTF-8 file and exports the list as text."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    word_list = WordList.objects.create(name="学校词表")
    upload = SimpleUploadedFile("词表.txt", "禁语\t\t禁用\n".encode())
    response = admin_client.post(
        reverse("admin:newsroom_wordlist_import", args=[word_list.pk]), {"file": upload}
    )
    assert response.status_code == 302
    assert word_list.entries.get().level == "blocked"
    bad = admin_client.post(
        reverse("admin:newsroom_wordlist_import", args=[word_list.pk]),
        {"file": SimpleUploadedFile("x.txt", "词\t\t怪\n".encode("gbk"))},
    )
    assert bad.status_code == 400
    export = admin_client.get(reverse("admin:newsroom_wordlist_export", args=[word_list.pk]))
    assert export.content.decode() == "禁语\t\t禁用\n"


# --- the workflow ---------------------------------------------------------------


@pytest.fixture
def site(db):
    column = CategoryFactory(slug="news", department__slug="info", department__name="信息学院")
    blocked = WordList.objects.create(name="禁用词")
    WordEntry.objects.create(word_list=blocked, word="禁用示例词", level="blocked")
    return {
        "column": column,
        "editor": member(column.department, "editor", username="zhang-editor"),
        "reviewer": member(column.department, "reviewer", username="li-reviewer"),
    }


def login(user):
    client = Client()
    client.force_login(user)
    return client


def draft(site, body, **fields):
    article = Article(category=site["column"], title="奖学金公示", body=body, **fields)
    revisions.article_save(article=article, user=site["editor"])
    return Article.objects.get(pk=article.pk)


def test_submit_is_blocked_by_blocked_words_and_personal_information(site):
    """禁用 words and unmasked personal data refuse the submission, naming each hit."""
    article = draft(site, "<p>禁用示例词；王同学 身份证号11010519491231002X，电话13812345678</p>")
    with pytest.raises(safety.ContentBlocked) as refused:
        moderation.article_submit(article=article, user=site["editor"])
    message = refused.value.message
    assert "禁用示例词" in message
    assert "110105********002X" in message and "138****5678" in message
    assert "11010519491231002X" not in message
    article.refresh_from_db()
    assert article.status == S.DRAFT
    assert not Transition.objects.filter(article=article).exists()


def test_submit_button_shows_the_hits_and_keeps_the_text(site):
    """Through the admin, a refused submission says why and the draft is untouched."""
    body = "<p>联系电话13812345678</p>"
    article = draft(site, body)
    response = login(site["editor"]).post(
        reverse("admin:newsroom_article_moderate", args=[article.pk]),
        {"move": "submit"},
        follow=True,
    )
    assert "138****5678" in response.text
    article.refresh_from_db()
    assert (article.status, article.body) == (S.DRAFT, body)


def test_masked_personal_information_no_longer_blocks(site):
    """One click masks the numbers; the article can then be submitted."""
    article = draft(site, "<p>身份证号11010519491231002X，电话138 1234 5678</p>")
    client = login(site["editor"])
    page = client.get(reverse("admin:newsroom_article_change", args=[article.pk]))
    assert "110105********002X" in page.text
    response = client.post(
        reverse("admin:newsroom_article_safety_mask", args=[article.pk]),
        {"all": "1", "version": article.version},
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "<p>身份证号110105********002X，电话138****5678</p>"
    assert article.revisions.count() == 2
    moderation.article_submit(article=article, user=site["editor"])
    assert Article.objects.get(pk=article.pk).status == S.PENDING


def test_mask_one_hit_by_its_key(site):
    """The per-hit button masks that hit only."""
    article = draft(site, "<p>13812345678 与 13987654321</p>")
    hit = safety.article_check(article=article).maskable[1]
    article_mask_personal(article=article, user=site["editor"], keys=[hit.key])
    article.refresh_from_db()
    assert article.body == "<p>13812345678 与 139****4321</p>"


def submitted(site, body):
    article = draft(site, body)
    moderation.article_submit(article=article, user=site["editor"])
    return Article.objects.get(pk=article.pk)


def test_approval_needs_each_remaining_hit_ticked_and_records_the_ticks(site):
    """慎用 and 易错词 hits must each be confirmed; the ticks are kept with the transition."""
    article = submitted(site, "<p>我们要再接再励，打造最佳团队。</p>")
    report = safety.article_check(article=article)
    keys = [hit.key for hit in report.to_confirm]
    assert len(keys) == 2
    with pytest.raises(safety.ConfirmationNeeded) as refused:
        moderation.article_approve(
            article=article, user=site["reviewer"], seen=seen_now(article), confirmed=keys[:1]
        )
    assert "最佳" in refused.value.message
    assert Article.objects.get(pk=article.pk).status == S.PENDING

    moderation.article_approve(
        article=article, user=site["reviewer"], seen=seen_now(article), confirmed=keys
    )
    assert Article.objects.get(pk=article.pk).status == S.PUBLISHED
    record = ReviewConfirmation.objects.get()
    assert record.kind == "content_safety"
    assert record.user == site["reviewer"]
    assert record.transition.to_status == S.PUBLISHED
    assert sorted(item["matched"] for item in record.items) == ["再接再励", "最佳"]


def test_change_form_ticks_travel_with_the_approve_button(site):
    """The reviewer's page lists the hits to tick in the approve form."""
    article = submitted(site, "<p>我们要再接再励。</p>")
    reviewer = login(site["reviewer"])
    page = reviewer.get(reverse("admin:newsroom_article_change", args=[article.pk]))
    assert "再接再厉" in page.text  # the suggestion
    boxes = re.findall(r'name="confirm" value="(\w+)"', page.text)
    assert len(boxes) == 1
    fields = {"move": "approve", **{k: v for k, v in _moderation_fields(article).items()}}
    url = reverse("admin:newsroom_article_moderate", args=[article.pk])
    reviewer.post(url, fields)
    assert Article.objects.get(pk=article.pk).status == S.PENDING
    reviewer.post(url, {**fields, "confirm": boxes})
    assert Article.objects.get(pk=article.pk).status == S.PUBLISHED


def _moderation_fields(article):
    seen = seen_now(article)
    return {"version": seen.version, "revision": "" if seen.revision is None else seen.revision}


def test_bulk_and_scheduled_approvals_run_the_same_checks(site):
    """The queue's bulk approval and a scheduled approval refuse unconfirmed hits too."""
    from django.utils import timezone

    article = submitted(site, "<p>国家级一流专业</p>")
    reviewer = login(site["reviewer"])
    response = reviewer.post(
        reverse("admin:newsroom_reviewitem_changelist"),
        {
            "action": "approve_selected",
            "_selected_action": [article.pk],
            "seen": [f"{article.pk}:{article.version}"],
        },
        follow=True,
    )
    assert "国家级" in response.text
    assert Article.objects.get(pk=article.pk).status == S.PENDING
    with pytest.raises(safety.ConfirmationNeeded):
        moderation.transition(
            article=article,
            user=site["reviewer"],
            move="approve",
            seen=seen_now(article),
            publish_at=timezone.now() + timezone.timedelta(days=1),
        )
    assert Article.objects.get(pk=article.pk).status == S.PENDING


def test_approval_of_a_pending_edit_checks_the_edit(site):
    """On a live article, the edit waiting for review is what the check reads."""
    article = ArticleFactory(category=site["column"], body="<p>干净的正文</p>")
    edit = Article.objects.get(pk=article.pk)
    edit.body = "<p>新增禁用示例词</p>"
    revisions.article_save(article=edit, user=site["editor"], base_version=edit.version)
    live = Article.objects.get(pk=article.pk)
    with pytest.raises(safety.ContentBlocked):
        moderation.article_approve(article=live, user=site["reviewer"], seen=seen_now(live))
    assert Article.objects.get(pk=article.pk).body == "<p>干净的正文</p>"
    assert moderation.pending_revision(live).body == "<p>新增禁用示例词</p>"


def test_clean_articles_pass_without_ticks(site):
    """An article without hits is submitted and approved as before."""
    article = submitted(site, "<p>学院召开新学期教学工作会议，电话010-62751234。</p>")
    moderation.article_approve(article=article, user=site["reviewer"], seen=seen_now(article))
    assert Article.objects.get(pk=article.pk).status == S.PUBLISHED
    assert not ReviewConfirmation.objects.exists()


def test_checked_fields_include_title_credits_captions_and_alt(site):
    """Title, summary, credits, captions and alt texts are checked, each named."""
    article = draft(
        site,
        '<figure><img src="/x.jpg" alt="电话13812345678">'
        "<figcaption>最佳瞬间</figcaption></figure>",
        summary="再接再励",
        photographer="最佳摄影",
    )
    article.title = "国家级奖学金公示"
    fields = sorted({hit.field for hit in safety.article_check(article=article).hits})
    assert fields == ["alt", "caption", "photographer", "summary", "title"]


def test_saving_lists_the_hits_and_the_page_marks_them_in_the_body(site):
    """A save says what the check found; the page marks each hit in the body's text."""
    from tests.factories import article_change_data

    article = draft(site, "<p>旧正文</p>")
    client = login(site["editor"])
    response = client.post(
        reverse("admin:newsroom_article_change", args=[article.pk]),
        article_change_data(article, body="<p>我们要再接再励，电话13812345678</p>"),
        follow=True,
    )
    assert "再接再励" in response.text and "138****5678" in response.text
    page = client.get(reverse("admin:newsroom_article_change", args=[article.pk]))
    assert re.search(r'<mark class="safety-correction"[^>]*>再接再励</mark>', page.text)
    assert re.search(r'<mark class="safety-personal"[^>]*>13812345678</mark>', page.text)


def test_preview_page_carries_the_ticks_of_the_approval(site):
    """The preview's approve form lists the hits to tick; ticked, it publishes."""
    article = submitted(site, "<p>我们要再接再励。</p>")
    reviewer = login(site["reviewer"])
    page = reviewer.get(reverse("newsroom:article-preview", args=[article.pk]))
    boxes = re.findall(r'name="confirm" value="(\w+)" required', page.text)
    assert len(boxes) == 1 and "再接再厉" in page.text
    url = reverse("admin:newsroom_article_moderate", args=[article.pk])
    reviewer.post(url, {"move": "approve", **_moderation_fields(article), "confirm": boxes})
    assert Article.objects.get(pk=article.pk).status == S.PUBLISHED
