"""Look-alike news: daily templated reports (the same background paragraphs, a new date, new
figures and one new sentence) keep each near-duplicate lookup bounded, counted by the daemon."""

from __future__ import annotations

import random
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

from rasid.dedup import CANDIDATES
from support import clean_env, free_port, wait_until

BACKGROUND = [
    "تشهد الأسواق في العاصمة السورية دمشق تقلبات مستمرة في أسعار صرف العملات الأجنبية مقابل الليرة السورية منذ سنوات،"
    " وسط تراجع القدرة الشرائية للمواطنين وارتفاع أسعار المواد الأساسية في الأسواق المحلية.",
    "ويعتمد كثير من التجار والمستوردين على سعر السوق الموازية في تسعير بضائعهم، في حين يحدد مصرف سوريا المركزي نشرة"
    " رسمية بأسعار تختلف عن الأسعار المتداولة بين الصرافين في الأحياء التجارية.",
    "ويرى اقتصاديون أن استقرار سعر الصرف يرتبط بعوامل عدة، منها حجم الحوالات الخارجية وحركة التجارة مع دول الجوار"
    " والسياسات النقدية التي تتبعها الحكومة في ضبط السيولة ومنع المضاربة.",
    "وتنشر مواقع محلية متخصصة يوميا أسعار الدولار واليورو والذهب في دمشق وحلب وحمص، ويتابعها المواطنون لمعرفة قيمة"
    " مدخراتهم وتقدير تكاليف المعيشة في ظل الظروف الاقتصادية الصعبة.",
]
NEWS = ["أعلن المصرف عن إجراءات جديدة", "شهدت السوق حركة ضعيفة", "تراجع الطلب على الدولار", "ارتفع سعر غرام الذهب",
        "أغلقت محلات الصرافة مبكرا", "قال تجار إن الأسعار مستقرة", "صدرت نشرة رسمية معدلة", "ازداد الإقبال على الشراء"]  # fmt: skip
REPORTS = 1_500


def templated(day: int, rnd: random.Random) -> str:
    rate = 13_000 + rnd.randint(0, 2_000)
    head = f"أسعار صرف الدولار في دمشق اليوم {day}\nسجل سعر صرف الدولار {rate} ليرة للشراء و{rate + 50} ليرة للمبيع."
    news = f"{rnd.choice(NEWS)} في اليوم {day} بحسب مصادر محلية، وبلغ سعر اليورو {rate + rnd.randint(900, 1_200)} ليرة."
    return "\n\n".join([head, *BACKGROUND, news])


def test_templated_reports_are_compared_with_a_bounded_shortlist(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    rnd = random.Random(3)
    for day in range(REPORTS):
        (inbox / f"{day:05d}.txt").write_text(templated(day, rnd), encoding="utf-8")
    port = free_port()
    (tmp_path / "config.yaml").write_text(
        "sources: {folders: [{name: inbox, path: ./inbox, interval: 1h, settle: 50ms}]}\n"
        "watchlists: [{name: زلازل, keywords: [زلزال]}]\n"
        "notifiers: [{name: log, type: console}]\n"
        f'http: {{listen: "127.0.0.1:{port}"}}\n',
        encoding="utf-8",
    )
    proc = subprocess.Popen([sys.executable, "-m", "rasid", "run", "-c", "config.yaml"], cwd=tmp_path, env=clean_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip

    def histogram() -> dict[str, float]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
                text = r.read().decode()
        except OSError:
            return {}
        return {m[0]: float(m[1]) for m in re.findall(r'rasid_dedup_candidates_bucket\{le="([^"]+)"\} (\S+)', text)}

    try:
        assert wait_until(lambda: histogram().get("+Inf", 0) >= REPORTS, 240), histogram()
        buckets = histogram()
    finally:
        proc.terminate()
        proc.wait(30)
    assert buckets["+Inf"] == REPORTS  # every report looked for its story
    assert buckets[f"{float(CANDIDATES)}"] == REPORTS  # none was compared with more than the shortlist
    assert buckets["0.0"] <= 1 and buckets[f"{float(CANDIDATES // 2)}"] < REPORTS / 2  # and they did compare
