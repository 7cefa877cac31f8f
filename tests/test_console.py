"""The console in a real browser (Debian's headless Chromium through Selenium): alerts that
arrived through `rasid run` from a feed on 127.0.0.1 and a folder, the map, a highlighted Arabic passage right to left, its story, triaged as
a false positive with a note, the verdict stored; no secret on the page; a forged form refused."""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from support import ROOT, FeedServer, Response, free_port, rss
from test_web import get, start, stop, wait_for_alerts

CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
ARTIFACTS = Path(os.environ.get("RASID_SCREENSHOTS", ROOT / "test-artifacts"))

if os.environ.get("RASID_REQUIRE_BROWSER") and not (CHROMIUM and CHROMEDRIVER):
    raise RuntimeError("RASID_REQUIRE_BROWSER is set but chromium or chromedriver is missing")
pytestmark = pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER), reason="chromium and chromedriver are not installed (.ci/run installs them)")


def browser() -> object:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM or ""
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=900,1400", "--lang=ar"):  # fmt: skip
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "ar,en"})  # an Arabic-speaking reader
    return webdriver.Chrome(service=Service(CHROMEDRIVER or ""), options=options)


def test_an_alert_is_read_and_triaged_in_the_console(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    secret = "whsec_c2VjcmV0LW5ldmVyLW9uLWEtcGFnZQ=="
    wire = FeedServer()  # a news agency's feed on 127.0.0.1
    item = {"title": "غارة على قارب صيد قبالة ساحل تعز", "link": "http://127.0.0.1:9/taiz-2", "guid": "taiz-2",
            "description": "أصيب ثلاثة صيادين حين استهدفت غارة جوية قاربهم قبالة الساحل الغربي لمحافظة تعز."}  # fmt: skip
    copy = {"title": "غارة ثانية على تعز", "link": "http://127.0.0.1:9/taiz-copy", "guid": "taiz-copy",
            "description": "شنت طائرات غارة ثانية على مواقع في مدينة تعز فجر اليوم."}  # the folder's story, again  # fmt: skip
    wire.routes["/feed"] = Response(200, rss([item, copy]), {"Content-Type": "application/rss+xml"})
    proc = start(tmp_path, f"127.0.0.1:{port}", extra_notifier=f'{{name: ops, type: webhook, url: "", secret: "{secret}"}}',
                 feed=wire.url + "/feed")  # fmt: skip
    driver = browser()
    try:
        wait_for_alerts(base, 4)
        driver.get(base + "/")
        from_feed = next(a for a in driver.find_elements(By.CSS_SELECTOR, "article.alert") if "غارة على قارب صيد" in a.text)
        assert from_feed.find_element(By.CSS_SELECTOR, "h2 a").get_attribute("href") == "http://127.0.0.1:9/taiz-2"
        assert "wire" in from_feed.find_element(By.CSS_SELECTOR, ".meta").text

        def outlets_of_taiz_story(d: object) -> list[str]:
            d.get(base + "/?watchlist=yemen")  # type: ignore[attr-defined]
            return [o.text for o in d.find_elements(By.CSS_SELECTOR, ".outlets") if "،" in o.text]  # type: ignore[attr-defined]

        (both,) = WebDriverWait(driver, 20).until(outlets_of_taiz_story)  # one alert, carried by two outlets
        assert sorted(both.split("، ")) == ["inbox", "wire"]
        driver.get(base + "/")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("dir") == "rtl"
        article = next(a for a in driver.find_elements(By.CSS_SELECTOR, "article.alert") if "قصف على درعا" in a.text)
        passage = article.find_element(By.CSS_SELECTOR, ".passage")
        assert passage.get_attribute("dir") == "rtl"
        assert {m.text for m in passage.find_elements(By.TAG_NAME, "mark")} >= {"قصف", "درعا"}
        assert "story_" in article.text and "درعا" in article.find_element(By.TAG_NAME, "dl").text
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        driver.save_screenshot(str(ARTIFACTS / "console-alerts.png"))
        assert secret not in driver.page_source
        alert_id = article.get_attribute("id")
        article.find_element(By.NAME, "note").send_keys("قصف قديم أعيد نشره")
        article.find_element(By.CSS_SELECTOR, "button[value=false_positive]").click()
        # the form posts, and the page offers the changes that would have prevented it, checked on the archive
        fixes = WebDriverWait(driver, 20).until(lambda d: d.find_elements(By.CSS_SELECTOR, "section.fix"))
        kinds = {f.get_attribute("data-kind") for f in fixes}
        assert "exclude_near" in kinds and "context" in kinds, kinds
        assert all(f.get_attribute("data-prevents") in ("yes", "no") for f in fixes)
        assert "exclude_near: [قصف على]" in driver.page_source or "exclude_near: [درعا البلد]" in driver.page_source
        driver.save_screenshot(str(ARTIFACTS / "console-fixes.png"))
        driver.get(base + "/")
        judged = WebDriverWait(driver, 10).until(
            lambda d: next(iter(d.find_elements(By.CSS_SELECTOR, f'article[id="{alert_id}"][data-verdict="false_positive"]')), None)
        )
        assert "إنذار كاذب: قصف قديم أعيد نشره" in judged.text
        driver.save_screenshot(str(ARTIFACTS / "console-triaged.png"))
        judged.find_element(By.CSS_SELECTOR, "a.story").click()
        WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, "table.copies"))
        assert driver.find_element(By.TAG_NAME, "h1").text == "قصف على درعا"
        (copy,) = driver.find_elements(By.CSS_SELECTOR, "table.copies tbody tr")
        assert "inbox" in copy.text and "قصف على درعا" in copy.text and "south" in driver.find_element(By.CSS_SELECTOR, ".meta").text
        driver.get(base + "/")
        (tmp_path / "inbox" / "d.txt").write_text("قصف جديد على درعا\nقصف مدفعي جديد على أحياء درعا.", encoding="utf-8")
        live = WebDriverWait(driver, 30).until(  # the page checks every 10 s, without a reload
            lambda d: next(iter(d.find_elements(By.CSS_SELECTOR, "#live.new")), None)
        )
        assert "تنبيهات جديدة" in live.text
        live.click()
        WebDriverWait(driver, 10).until(lambda d: "قصف جديد على درعا" in d.find_element(By.TAG_NAME, "main").text)
        driver.get(base + "/map")
        places = {c.find_element(By.TAG_NAME, "title").get_attribute("textContent") for c in driver.find_elements(By.CSS_SELECTOR, "svg.map a.place")}
        assert any(p.startswith("درعا") for p in places) and "تعز: 2" in places, places  # the folder's report and the feed's
        driver.save_screenshot(str(ARTIFACTS / "console-map.png"))
        driver.find_element(By.CSS_SELECTOR, "table.map-places a").click()  # the busiest place: its alerts
        WebDriverWait(driver, 10).until(lambda d: "place=" in d.current_url and d.find_elements(By.CSS_SELECTOR, "article.alert"))
        driver.get(base + "/sources")
        row = driver.find_element(By.CSS_SELECTOR, 'tr[data-source="inbox"]')
        assert row.find_element(By.CSS_SELECTOR, "svg.per-day").get_attribute("aria-label").split()[-1] == "4"  # today
        assert "ok" in row.text  # its last scan's status
        driver.get(base + "/?lang=en")
        assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en" and "False positive" in driver.page_source
        status, body, _ = get(f"{base}/api/verdicts")
        assert status == 200
        assert json.loads(body)["verdicts"] == [
            {"alert": alert_id, "verdict": "false_positive", "note": "قصف قديم أعيد نشره", "at": json.loads(body)["verdicts"][0]["at"]}
        ]
        driver.get(base + "/try")
        driver.find_element(By.NAME, "text").send_keys("اندلعت اشتباكات في مدينة جاسم، وقال جاسم العلي إن الوضع هادئ")
        driver.find_element(By.CSS_SELECTOR, "form.try button").click()
        WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".verdict-of"))
        results = {s.find_element(By.TAG_NAME, "h2").text.split(":")[0]: s for s in driver.find_elements(By.CSS_SELECTOR, ".verdict-of")}
        assert results["south"].get_attribute("data-fired") == "yes" and results["yemen"].get_attribute("data-fired") == "no"
        assert {m.text for m in results["south"].find_elements(By.TAG_NAME, "mark")} == {"اشتباكات", "جاسم"}
        assert "اشتباك" in results["south"].text and "suffix ات" in results["south"].text
        driver.save_screenshot(str(ARTIFACTS / "console-try.png"))
        forged = urllib.request.Request(f"{base}/alerts/{alert_id}/verdict", data=b"verdict=useful&csrf=guess", method="POST",
                                        headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged, timeout=10)
        assert refused.value.code == 403
        assert json.loads(get(f"{base}/api/verdicts")[1])["verdicts"][0]["verdict"] == "false_positive"
    finally:
        driver.quit()
        stop(proc)
        wire.close()


def test_the_outbox_page_shows_a_failing_notifier_and_its_actions_need_the_page_s_token(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start(tmp_path, f"127.0.0.1:{port}", extra_notifier='{name: down, type: webhook, url: "http://127.0.0.1:9/hook"}')
    driver = browser()
    try:
        wait_for_alerts(base, 3)
        deadline = time.monotonic() + 30
        while "connection refused" not in get(f"{base}/outbox")[1].decode():  # each alert tried once
            assert time.monotonic() < deadline
            time.sleep(0.2)
        driver.get(base + "/outbox")
        assert driver.find_element(By.CSS_SELECTOR, 'tr[data-notifier="down"]').text.split()[1] == "3"  # pending
        rows = driver.find_elements(By.CSS_SELECTOR, "table.rows tbody tr")
        assert len(rows) == 3 and "connection refused 127.0.0.1:9" in rows[0].text  # the head, in order; the rest wait behind it
        driver.save_screenshot(str(ARTIFACTS / "console-outbox.png"))
        driver.find_element(By.CSS_SELECTOR, "button[value=hasten]").click()
        WebDriverWait(driver, 10).until(lambda d: d.current_url.endswith("/outbox") and d.find_elements(By.CSS_SELECTOR, "table.rows"))
        assert len(driver.find_elements(By.CSS_SELECTOR, "table.rows tbody tr")) == 3  # still undelivered, none lost
        forged = urllib.request.Request(f"{base}/outbox/purge", data=b"csrf=guess", method="POST",
                                        headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(forged, timeout=10)
        assert refused.value.code == 403
    finally:
        driver.quit()
        stop(proc)


def test_a_read_only_person_signs_in_reads_and_is_refused_a_retry(tmp_path: Path) -> None:
    from argon2 import PasswordHasher
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    hashed = PasswordHasher(time_cost=1, memory_cost=8192).hash("قراءة فقط 2026")
    users = f", users: [{{name: field, password_hash: '{hashed}', read_only: true}}]"
    proc = start(tmp_path, f"0.0.0.0:{port}", extra_notifier='{name: down, type: webhook, url: "http://127.0.0.1:9/hook"}', http=users)
    driver = browser()
    try:
        deadline = time.monotonic() + 30
        while get(f"{base}/healthz")[0] != 200:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        driver.get(base + "/outbox")
        WebDriverWait(driver, 10).until(lambda d: "/login" in d.current_url)  # asked who they are first
        driver.find_element(By.NAME, "name").send_keys("field")
        driver.find_element(By.NAME, "password").send_keys("قراءة فقط 2026")
        driver.save_screenshot(str(ARTIFACTS / "console-login.png"))
        driver.find_element(By.CSS_SELECTOR, "form.login button").click()
        WebDriverWait(driver, 10).until(lambda d: d.current_url.endswith("/outbox") and d.find_elements(By.CSS_SELECTOR, "table.notifiers"))
        assert "field" in driver.find_element(By.CSS_SELECTOR, "form.person").text
        assert not driver.find_elements(By.CSS_SELECTOR, "button[value=retry]")  # no button to press
        # and pressing one anyway, with the page's own token, is refused
        status = driver.execute_async_script(
            """const done = arguments[arguments.length - 1];
            const token = document.querySelector("form.person input[name=csrf]").value;
            fetch("/outbox/retry", {method: "POST", headers: {"content-type": "application/x-www-form-urlencoded"},
                                    body: "do=retry&csrf=" + encodeURIComponent(token)}).then(r => done(r.status));"""
        )
        assert status == 403
        driver.get(base + "/")
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, "article.alert"))
        assert not driver.find_elements(By.CSS_SELECTOR, "form.triage")
        assert get(f"{base}/api/alerts")[0] == 401  # no sign-in, no alerts
    finally:
        driver.quit()
        stop(proc)
