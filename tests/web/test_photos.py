"""Photos of the missing person (issue 13): re-encoded without EXIF, seen only where the policy allows."""

from __future__ import annotations

import io

from fastapi import FastAPI
from PIL import Image
from tests.web.conftest import CASEWORKER
from tests.web.test_pages import SAME_ORIGIN, csrf, file_case, sign_in, sign_up

GPS_IFD = 0x8825


def _phone_photo(width: int = 2400, height: int = 1800) -> bytes:
    """A JPEG as a phone writes it: with EXIF holding where it was taken."""
    image = Image.new("RGB", (width, height), (180, 120, 90))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif.get_ifd(GPS_IFD)[2] = (48.0, 35.0, 0.0)  # GPSLatitude
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _send(browser, url: str, data: bytes, name: str = "me.jpg", caption: str = "Summer 2023"):  # type: ignore[no-untyped-def]
    return browser.post(
        url,
        data={"csrf_token": csrf(browser), "caption": caption},
        files={"photo": (name, data, "image/jpeg")},
        headers=SAME_ORIGIN,
    )


def test_a_familys_photo_is_kept_without_its_location_and_shown_to_staff(web_app: FastAPI) -> None:
    family = sign_up(web_app, "photo-mother")
    case_id = file_case(family)
    original = _phone_photo()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)
    sent = _send(family, f"/my/cases/{case_id}/photos", original)
    assert sent.status_code == 303 and sent.headers["location"].endswith("#photos")
    page = family.get(f"/my/cases/{case_id}").text
    photo_url = page.split('<img src="')[1].split('"')[0]
    assert "Summer 2023" in page
    stored = family.get(photo_url)
    assert stored.status_code == 200 and stored.headers["content-type"] == "image/jpeg"
    assert "private" in stored.headers["cache-control"]
    kept = Image.open(io.BytesIO(stored.content))
    assert max(kept.size) == 1600 and not kept.getexif()  # smaller, and no EXIF at all
    desk = sign_in(web_app, *CASEWORKER)
    assert photo_url in desk.get(f"/desk/cases/{case_id}").text
    assert desk.get(photo_url).status_code == 200

    stranger = sign_up(web_app, "photo-stranger")
    assert stranger.get(photo_url).status_code == 404
    refused = stranger.post(photo_url + "/delete", data={"csrf_token": csrf(stranger)}, headers=SAME_ORIGIN)
    assert refused.status_code == 404 and family.get(photo_url).status_code == 200


def test_a_file_that_is_not_a_picture_is_refused_by_name_in_the_readers_language(web_app: FastAPI) -> None:
    family = sign_up(web_app, "photo-brother")
    family.cookies.set("kintrace_lang", "uk")
    case_id = file_case(family)
    bad = _send(family, f"/my/cases/{case_id}/photos", b"%PDF-1.4 not a picture", name="x.jpg")
    assert bad.status_code == 422
    assert "Фото" in bad.text and "це не зображення" in bad.text
    assert 'src="/photos/' not in bad.text


def test_the_family_removes_its_own_photo_and_staff_photos_are_seen_by_the_family(web_app: FastAPI) -> None:
    family = sign_up(web_app, "photo-wife")
    case_id = file_case(family)
    desk = sign_in(web_app, *CASEWORKER)
    desk.post(f"/desk/cases/{case_id}/verify", data={"csrf_token": csrf(desk)}, headers=SAME_ORIGIN)
    assert (
        _send(
            desk, f"/desk/cases/{case_id}/photos", _phone_photo(800, 600), caption="From the unit"
        ).status_code
        == 303
    )
    assert (
        _send(family, f"/my/cases/{case_id}/photos", _phone_photo(640, 480), caption="Mine").status_code
        == 303
    )
    page = family.get(f"/my/cases/{case_id}").text
    assert "From the unit" in page and "Mine" in page
    mine = page.split("Mine")[0].rsplit('<img src="', 1)[1].split('"')[0]
    gone = family.post(mine + "/delete", data={"csrf_token": csrf(family)}, headers=SAME_ORIGIN)
    assert gone.status_code == 303
    page = family.get(f"/my/cases/{case_id}").text
    assert "Mine" not in page and "From the unit" in page
