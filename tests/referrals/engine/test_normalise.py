"""SPEC §3.3: every URL form of a subject normalises to the same (platform, account)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from referrals.engine.normalise import (
    MAX_PART_LENGTH,
    MAX_URL_LENGTH,
    Target,
    TargetError,
    normalise_target,
    subject_key,
)


def _norm(url: str) -> tuple[str, str, str]:
    t = normalise_target({"url": url})
    return t.platform, t.account, t.content_id


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # X / Twitter: every host, case, "@", trailing slash, query and fragment
        ("https://twitter.com/SomeOne", ("x", "someone", "")),
        ("https://www.twitter.com/someone", ("x", "someone", "")),
        ("https://mobile.twitter.com/someone", ("x", "someone", "")),
        ("https://x.com/someone", ("x", "someone", "")),
        ("https://www.x.com/someone", ("x", "someone", "")),
        ("https://mobile.x.com/someone", ("x", "someone", "")),
        ("HTTPS://X.COM/SomeOne/", ("x", "someone", "")),
        ("http://x.com/someone", ("x", "someone", "")),
        ("  https://x.com/someone  ", ("x", "someone", "")),
        ("https://x.com/@SomeOne", ("x", "someone", "")),
        ("https://x.com/someone?lang=en#top", ("x", "someone", "")),
        ("https://x.com/someone/likes", ("x", "someone", "")),
        ("https://twitter.com/SomeOne/status/1?s=20", ("x", "someone", "1")),
        ("https://x.com/someone/status/1876/photo/1", ("x", "someone", "1876")),
        ("https://twitter.com/someone/statuses/42", ("x", "someone", "42")),
        ("https://x.com//someone//status//9//", ("x", "someone", "9")),
        ("https://x.com./someone", ("x", "someone", "")),
        ("https://x.com:443/someone", ("x", "someone", "")),
        ("https://x.com/i/web/status/55", ("x", "", "55")),
        ("https://x.com/i/status/56", ("x", "", "56")),
        # Facebook
        ("https://facebook.com/SomePage", ("facebook", "somepage", "")),
        ("https://www.facebook.com/somepage/", ("facebook", "somepage", "")),
        ("https://m.facebook.com/somepage", ("facebook", "somepage", "")),
        ("https://fb.com/somepage", ("facebook", "somepage", "")),
        ("https://www.facebook.com/profile.php?id=100012345", ("facebook", "100012345", "")),
        (
            "https://m.facebook.com/profile.php?id=100012345&ref=xyz#a",
            ("facebook", "100012345", ""),
        ),
        ("https://www.facebook.com/somepage/posts/987", ("facebook", "somepage", "987")),
        ("https://www.facebook.com/somepage/videos/654", ("facebook", "somepage", "654")),
        ("https://www.facebook.com/story.php?story_fbid=11&id=22", ("facebook", "22", "11")),
        ("https://www.facebook.com/permalink.php?story_fbid=11&id=22", ("facebook", "22", "11")),
        ("https://www.facebook.com/watch?v=333", ("facebook", "", "333")),
        ("https://www.facebook.com/photo.php?fbid=444", ("facebook", "", "444")),
        # Telegram
        ("https://t.me/SomeChannel", ("telegram", "somechannel", "")),
        ("https://telegram.me/somechannel/", ("telegram", "somechannel", "")),
        ("https://t.me/somechannel/123", ("telegram", "somechannel", "123")),
        ("https://t.me/s/SomeChannel", ("telegram", "somechannel", "")),
        ("https://t.me/s/somechannel/123?before=1", ("telegram", "somechannel", "123")),
        ("https://t.me/c/1234567/89", ("telegram", "1234567", "89")),
        # YouTube
        ("https://www.youtube.com/@SomeHandle", ("youtube", "somehandle", "")),
        ("https://m.youtube.com/@somehandle/videos", ("youtube", "somehandle", "")),
        (
            "https://youtube.com/channel/UCabcdefghijklmnopqrstuv",
            ("youtube", "UCabcdefghijklmnopqrstuv", ""),
        ),
        ("https://www.youtube.com/c/SomeName", ("youtube", "somename", "")),
        ("https://www.youtube.com/user/SomeName/", ("youtube", "somename", "")),
        ("https://youtu.be/dQw4w9WgXcQ?t=42", ("youtube", "", "dQw4w9WgXcQ")),
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=x", ("youtube", "", "dQw4w9WgXcQ")),
        ("https://m.youtube.com/watch?v=dQw4w9WgXcQ", ("youtube", "", "dQw4w9WgXcQ")),
        ("https://www.youtube.com/shorts/abcDEF123", ("youtube", "", "abcDEF123")),
        # Instagram
        ("https://www.instagram.com/Some.Handle/", ("instagram", "some.handle", "")),
        ("https://instagram.com/some_handle?igshid=abc", ("instagram", "some_handle", "")),
        ("https://www.instagram.com/p/CxYz123/", ("instagram", "", "CxYz123")),
        ("https://www.instagram.com/reel/CxYz456/", ("instagram", "", "CxYz456")),
        ("https://www.instagram.com/somehandle/p/CxYz789/", ("instagram", "somehandle", "CxYz789")),
        ("https://www.instagram.com/stories/somehandle/31/", ("instagram", "somehandle", "31")),
        # TikTok
        ("https://www.tiktok.com/@SomeOne", ("tiktok", "someone", "")),
        (
            "https://tiktok.com/@someone/video/7123456789?lang=en",
            ("tiktok", "someone", "7123456789"),
        ),
        ("https://m.tiktok.com/@someone/", ("tiktok", "someone", "")),
        # Any other host: the host without "www.", the first path segment
        ("https://www.Example.org/SomeUser/posts/1", ("example.org", "someuser", "")),
        ("https://forum.example.org/u/", ("forum.example.org", "u", "")),
        ("https://mastodon.social/@Someone", ("mastodon.social", "someone", "")),
        ("http://example.com:8080/a/b", ("example.com", "a", "")),
        ("https://example.com/%40Someone", ("example.com", "someone", "")),
        ("https://vk.com/id123", ("vk.com", "id123", "")),
    ],
)
def test_url_normalises_to_platform_account_and_content(url, expected):
    assert _norm(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        # IDN hosts are stored in their ASCII (punycode) form, whichever spelling is sent
        "https://bücher.de/Someone",
        "https://BÜCHER.de/someone/",
        "https://xn--bcher-kva.de/someone",
        "https://www.bücher.de/someone",
    ],
)
def test_idn_hosts_become_punycode(url):
    assert _norm(url) == ("xn--bcher-kva.de", "someone", "")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"platform": "x", "account": "@SomeOne"}, ("x", "someone", "")),
        ({"platform": "X", "account": "someone"}, ("x", "someone", "")),
        ({"platform": "twitter", "account": "someone"}, ("x", "someone", "")),
        ({"platform": "Twitter", "account": " @SomeOne "}, ("x", "someone", "")),
        ({"platform": "twitter.com", "account": "someone"}, ("x", "someone", "")),
        ({"platform": "fb", "account": "100012345"}, ("facebook", "100012345", "")),
        ({"platform": "facebook", "account": 100012345}, ("facebook", "100012345", "")),
        ({"platform": "tg", "account": "@SomeChannel"}, ("telegram", "somechannel", "")),
        ({"platform": "youtube", "account": "@SomeHandle"}, ("youtube", "somehandle", "")),
        (
            {"platform": "youtube", "account": "UCabcdefghijklmnopqrstuv"},
            ("youtube", "UCabcdefghijklmnopqrstuv", ""),
        ),
        ({"platform": "Instagram", "account": "Some.Handle"}, ("instagram", "some.handle", "")),
        ({"platform": "tiktok", "account": "@SomeOne"}, ("tiktok", "someone", "")),
        ({"platform": "www.Example.org", "account": "Foo"}, ("example.org", "foo", "")),
        ({"platform": "bücher.de", "account": "foo"}, ("xn--bcher-kva.de", "foo", "")),
        ({"platform": "x", "account": "someone", "content_id": "77"}, ("x", "someone", "77")),
        ({"platform": "x", "account": "someone", "content_id": 77}, ("x", "someone", "77")),
    ],
)
def test_platform_form_normalises(raw, expected):
    t = normalise_target(raw)
    assert (t.platform, t.account, t.content_id) == expected
    assert t.url == ""


def test_three_forms_name_the_same_subject():
    forms = [
        {"url": "https://twitter.com/SomeOne/status/1?s=20"},
        {"url": "https://mobile.x.com/someone"},
        {"platform": "x", "account": "@SomeOne"},
    ]
    keys = {subject_key(normalise_target(raw)) for raw in forms}
    assert keys == {("x", "someone")}


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("https://twitter.com/SomeOne/status/1?s=20", "https://twitter.com/SomeOne/status/1"),
        ("HTTPS://X.COM/SomeOne/#frag", "https://x.com/SomeOne"),
        ("https://x.com:443/someone", "https://x.com/someone"),
        ("http://example.com:8080/a/", "http://example.com:8080/a"),
        (
            "https://m.facebook.com/profile.php?ref=x&id=100012345#z",
            "https://m.facebook.com/profile.php?id=100012345",
        ),
        (
            "https://www.youtube.com/watch?t=5&v=dQw4w9WgXcQ",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        ),
        ("https://bücher.de/someone", "https://xn--bcher-kva.de/someone"),
    ],
)
def test_url_is_cleaned(url, clean):
    assert normalise_target({"url": url}).url == clean


@pytest.mark.parametrize(
    "url",
    [
        "https://x.com/home",
        "https://x.com/search?q=someone",
        "https://x.com/hashtag/Something",
        "https://twitter.com/intent/tweet?text=hi",
        "https://x.com/i/flow/login",
        "https://x.com/explore",
        "https://x.com/settings/profile",
        "https://x.com/messages",
        "https://x.com/notifications",
        "https://x.com/",
        "https://x.com",
        "https://www.facebook.com/profile.php",
        "https://www.facebook.com/groups/12345",
        "https://www.facebook.com/hashtag/thing",
        "https://t.me/joinchat/AbCdEf",
        "https://t.me/+AbCdEf",
        "https://www.youtube.com/",
        "https://www.youtube.com/results?search_query=x",
        "https://www.youtube.com/watch",
        "https://youtu.be/",
        "https://www.instagram.com/explore/tags/x/",
        "https://www.tiktok.com/tag/something",
        "https://www.tiktok.com/@",
        "https://example.org/",
    ],
)
def test_reserved_or_empty_paths_name_nothing(url):
    with pytest.raises(TargetError, match="does not name an account or a post"):
        normalise_target({"url": url})


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"url": "javascript:alert(1)"}, "Only http"),
        ({"url": "JAVASCRIPT:alert(1)"}, "Only http"),
        ({"url": "ftp://example.org/someone"}, "Only http"),
        ({"url": "data:text/html,<b>x</b>"}, "Only http"),
        ({"url": "file:///etc/passwd"}, "Only http"),
        ({"url": "x.com/someone"}, "Only http"),
        ({"url": "//x.com/someone"}, "Only http"),
        ({"url": "https://user:pass@x.com/someone"}, "user name or password"),
        ({"url": "https://user@x.com/someone"}, "user name or password"),
        ({"url": "https://evil.example\\@x.com/someone"}, "user name or password"),
        ({"url": "https:///someone"}, "no host name"),
        ({"url": "https://"}, "no host name"),
        ({"url": "https://:443/someone"}, "no host name"),
        ({"url": "https://x.com/" + "a" * MAX_URL_LENGTH}, "longer than"),
        ({"url": "https://x.com/some one"}, "spaces or control"),
        ({"url": "https://x.com/some\tone"}, "spaces or control"),
        ({"url": "https://x.com/some\none"}, "spaces or control"),
        ({"url": "https://x.com/some\x00one"}, "spaces or control"),
        ({"url": "https://x.com/some\u200bone"}, "spaces or control"),
        ({"url": "https://x.com/some%20one"}, "spaces or control"),
        ({"url": "https://x.com/some%2Fone"}, "'/'"),
        ({"url": "https://x.com/" + "a" * (MAX_PART_LENGTH + 1)}, "longer than"),
        ({"url": "https://[::1/someone"}, "could not be read"),
        ({"url": "https://x.com:99999/someone"}, "could not be read"),
        ({"url": "https://x.com:port/someone"}, "could not be read"),
        ({"url": "https://a..b/someone"}, "not a valid domain"),
        ({"url": "https://exa!mple.com/someone"}, "not a valid domain"),
        ({"url": "https://" + "é" * 70 + ".com/someone"}, "not a valid domain"),
        ({}, "needs a url"),
        ({"url": ""}, "needs a url"),
        ({"url": "   "}, "needs a url"),
        ({"platform": "x"}, "needs a url"),
        ({"account": "someone"}, "needs a url"),
        ({"platform": "x", "account": "@"}, "account is empty"),
        ({"platform": "x", "account": "@@"}, "account is empty"),
        ({"platform": "x", "account": "some/one"}, "'/'"),
        ({"platform": "x", "account": "some one"}, "spaces"),
        ({"platform": "x", "account": "https://x.com/someone"}, "'/'"),
        ({"platform": "my platform", "account": "someone"}, "platform must not"),
        ({"platform": "exa!mple", "account": "someone"}, "neither a known platform"),
        ({"platform": "x", "account": ["someone"]}, "must be text"),
        ({"url": 42}, "Only http"),
        ({"url": True}, "must be text"),
        ({"platform": "x", "account": "someone", "content_id": "1 2"}, "content id"),
        ({"url": "https://x.com/someone", "platform": "facebook"}, "platform does not match"),
        ({"url": "https://x.com/someone", "account": "other"}, "account does not match"),
        ({"url": "https://x.com/someone/status/1", "content_id": "2"}, "content id does not"),
    ],
)
def test_bad_targets_are_refused(raw, message):
    with pytest.raises(TargetError, match=message):
        normalise_target(raw)


@pytest.mark.parametrize("raw", [None, "https://x.com/someone", ["https://x.com/someone"]])
def test_a_target_that_is_not_an_object_is_refused(raw):
    with pytest.raises(TargetError, match="must be an object"):
        normalise_target(raw)


def test_url_of_exactly_the_maximum_length_is_accepted():
    url = "https://example.org/someone/" + "a" * (MAX_URL_LENGTH - 28)
    assert len(url) == MAX_URL_LENGTH
    assert _norm(url) == ("example.org", "someone", "")


def test_matching_url_and_platform_forms_together_are_accepted():
    t = normalise_target({"url": "https://twitter.com/SomeOne", "platform": "Twitter", "account": "@someone"})
    assert (t.platform, t.account) == ("x", "someone")


def test_explicit_content_id_fills_in_a_url_without_one():
    t = normalise_target({"url": "https://x.com/someone", "content_id": " 99 "})
    assert t == Target("x", "someone", "99", "https://x.com/someone")


def test_explicit_content_id_equal_to_the_urls_is_accepted():
    t = normalise_target({"url": "https://x.com/someone/status/5", "content_id": "5"})
    assert t.content_id == "5"


def test_explicit_content_id_does_not_rescue_a_url_that_names_nothing():
    # the id would be a post of nobody in particular; the submitter should send its URL
    with pytest.raises(TargetError, match="does not name"):
        normalise_target({"url": "https://x.com/home", "content_id": "5"})


@pytest.mark.parametrize(
    ("target", "key"),
    [
        (Target("x", "someone", "", ""), ("x", "someone")),
        (Target("x", "someone", "1", "https://x.com/someone/status/1"), ("x", "someone")),
        (Target("youtube", "", "dQw4w9WgXcQ", "https://youtu.be/dQw4w9WgXcQ"), None),
    ],
)
def test_subject_key(target, key):
    assert subject_key(target) == key


def _never_fails_otherwise(raw) -> None:
    try:
        result = normalise_target(raw)
    except TargetError:
        return
    assert isinstance(result, Target)
    assert result.platform
    assert result.account or result.content_id


@given(st.text())
def test_arbitrary_url_text_gives_a_target_or_a_target_error(text):
    _never_fails_otherwise({"url": text})


@given(
    scheme=st.sampled_from(["http", "https", "HTTPS", "ftp", "javascript", ""]),
    host=st.text(max_size=30),
    path=st.text(max_size=60),
)
def test_arbitrary_url_like_text_gives_a_target_or_a_target_error(scheme, host, path):
    _never_fails_otherwise({"url": f"{scheme}://{host}/{path}"})


@given(st.dictionaries(st.sampled_from(["url", "platform", "account", "content_id"]), st.text()))
def test_arbitrary_target_objects_give_a_target_or_a_target_error(raw):
    _never_fails_otherwise(raw)
