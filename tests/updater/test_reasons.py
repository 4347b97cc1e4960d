"""Reasons as data: the core decides a ``Reason``; its words are written in one place and
read the same everywhere (CLI, ``--json``, the app, the history)."""

from __future__ import annotations

from glass_updater.reasons import Reason, Why, words

# Every kind of answer with the exact words the core wrote before reasons were data.
SENTENCES = {
    Reason(Why.AVAILABLE, "1.4.0"): "1.4.0 is available",
    Reason(Why.AVAILABLE, "1.4.0", critical=True): "1.4.0 is available (critical update)",
    Reason(Why.NEWEST, "2.0.0"): "you are on the newest version (2.0.0)",
    Reason(Why.SKIPPED, "1.4.0"): "1.4.0 was skipped by you",
    Reason(Why.NEEDS_OS, "1.4.0", os_name="macos", minimum="13"):
        "1.4.0 needs macos 13 or newer",
    Reason(Why.NEEDS_OS_UNKNOWN, "1.4.0", os_name="macos", minimum="13"):
        "1.4.0 needs macos 13 or newer (this OS version is unknown)",
    Reason(Why.NOT_FOR_PLATFORM, "1.4.0", platform="linux-arm64"):
        "1.4.0 is not available for linux-arm64",
    Reason(Why.NO_KIND, "1.4.0", platform="linux-x86_64", kinds=("deb", "tar.gz"),
           offered=("appimage", "rpm")):
        "1.4.0 has no deb or tar.gz download for linux-x86_64 (the feed offers appimage, rpm)",
    Reason(Why.REPLACES_WITHDRAWN, "1.1.0", withdrawn_version="1.2.0",
           withdrawn_reason="data loss"):
        "1.2.0 was withdrawn by the publisher: data loss; 1.1.0 is the newest good release",
    Reason(Why.WITHDRAWN_NO_OTHER, platform="linux-x86_64", withdrawn_version="1.2.0",
           withdrawn_reason="data loss"):
        "1.2.0 was withdrawn by the publisher: data loss; no other release is available "
        "for linux-x86_64 yet",
}


def test_every_kind_of_answer_has_its_words() -> None:
    assert {reason.why for reason in SENTENCES} == set(Why)
    for reason, sentence in SENTENCES.items():
        assert words(reason) == sentence


def test_the_facades_notes_follow_in_their_order() -> None:
    offered = Reason(Why.AVAILABLE, "1.4.0", skipped=True, installed_withdrawn=("1.2.0", "bad"))
    assert words(offered) == (
        "1.4.0 is available; you skipped this version; your version 1.2.0 was withdrawn by "
        "the publisher: bad"
    )
    pinned = Reason(Why.NEWEST, "1.1.0", pinned_to="1.1")
    assert words(pinned) == (
        "you are on the newest version (1.1.0) (your administrator allows versions up to 1.1)"
    )
