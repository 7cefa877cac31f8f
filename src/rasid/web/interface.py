"""The console's interface text in Arabic and English, and which one a request gets."""

from __future__ import annotations

from typing import Literal

from starlette.requests import Request

Language = Literal["ar", "en"]

TEXT: dict[str, dict[Language, str]] = {
    "alerts": {"ar": "التنبيهات", "en": "Alerts"},
    "all watchlists": {"ar": "كل القوائم", "en": "Every watch-list"},
    "all sources": {"ar": "كل المصادر", "en": "Every source"},
    "filter": {"ar": "تصفية", "en": "Filter"},
    "any place": {"ar": "أي مكان (أو محافظة أو بلد)", "en": "Any place (or governorate, country)"},
    "any keyword": {"ar": "أي كلمة", "en": "Any keyword"},
    "any state": {"ar": "أي حالة إرسال", "en": "Any delivery state"},
    "any time": {"ar": "أي وقت", "en": "Any time"},
    "last 24h": {"ar": "آخر ٢٤ ساعة", "en": "Last 24 hours"},
    "last 7d": {"ar": "آخر ٧ أيام", "en": "Last 7 days"},
    "last 30d": {"ar": "آخر ٣٠ يومًا", "en": "Last 30 days"},
    "deliveries": {"ar": "الإرسال", "en": "Delivery"},
    "silenced": {"ar": "مكتوم", "en": "silenced"},
    "silenced until": {"ar": "لم يُرسل: مكتوم حتى", "en": "not sent: silenced until"},
    "map": {"ar": "الخريطة", "en": "Map"},
    "fixes": {"ar": "ما كان سيمنع هذا الإنذار الكاذب", "en": "What would have prevented this false positive"},
    "not archived": {"ar": "نص الخبر غير محفوظ في الأرشيف، فلا يمكن اختبار التعديلات.", "en": "The report's text is not in the archive, so no change can be checked."},
    "list gone": {"ar": "لم تعد هذه القائمة في الإعدادات.", "en": "This watch-list is no longer in the config."},
    "no fix": {"ar": "القائمة لا تُنبّه على هذا الخبر بإعداداتها الحالية.", "en": "The watch-list as it is now does not fire on this report."},
    "prevents it": {"ar": "يمنعه", "en": "Prevents it"},
    "does not prevent it": {"ar": "لا يمنعه وحده", "en": "Does not prevent it alone"},
    "also stops": {"ar": "ويوقف أيضًا من تنبيهات الأيام السبعة الماضية:", "en": "Also stops, of the last 7 days' reports it fired on:"},
    "sign in": {"ar": "تسجيل الدخول", "en": "Sign in"},
    "sign out": {"ar": "خروج", "en": "Sign out"},
    "user name": {"ar": "اسم المستخدم", "en": "User name"},
    "password": {"ar": "كلمة المرور", "en": "Password"},
    "wrong password": {"ar": "الاسم أو كلمة المرور غير صحيحة.", "en": "Wrong name or password."},
    "read only": {"ar": "قراءة فقط", "en": "read only"},
    "none on the map": {"ar": "لا أماكن في التنبيهات المختارة.", "en": "The alerts chosen name no place."},
    "places": {"ar": "الأماكن", "en": "Places"},
    "keywords": {"ar": "الكلمات", "en": "Keywords"},
    "story": {"ar": "القصة", "en": "Story"},
    "useful": {"ar": "مفيد", "en": "Useful"},
    "false_positive": {"ar": "إنذار كاذب", "en": "False positive"},
    "note": {"ar": "ملاحظة", "en": "Note"},
    "judged": {"ar": "الحكم", "en": "Verdict"},
    "older": {"ar": "الأقدم", "en": "Older"},
    "none": {"ar": "لا تنبيهات بعد.", "en": "No alerts yet."},
    "switch": {"ar": "English", "en": "العربية"},
    "try": {"ar": "جرّب القوائم", "en": "Try the watch-lists"},
    "paste": {"ar": "الصق نص خبر هنا", "en": "Paste a report here"},
    "match": {"ar": "طابِق", "en": "Match"},
    "fires": {"ar": "تُنبّه", "en": "fires"},
    "does not fire": {"ar": "لا تُنبّه", "en": "does not fire"},
    "place": {"ar": "مكان", "en": "place"},
    "keyword": {"ar": "كلمة", "en": "keyword"},
    "exclude": {"ar": "استثناء", "en": "exclude"},
    "alerted": {"ar": "نبّهت له", "en": "alerted"},
    "seen": {"ar": "رُصد", "en": "Seen"},
    "outlet": {"ar": "المصدر", "en": "Outlet"},
    "report": {"ar": "الخبر", "en": "Report"},
    "similarity": {"ar": "التشابه", "en": "Similarity"},
    "sources page": {"ar": "المصادر", "en": "Sources"},
    "source": {"ar": "المصدر", "en": "Source"},
    "last_success": {"ar": "آخر نجاح", "en": "Last success"},
    "status": {"ar": "الحالة", "en": "Status"},
    "errors": {"ar": "الأخطاء", "en": "Errors"},
    "next_poll": {"ar": "الجلب التالي", "en": "Next poll"},
    "per_day": {"ar": "الأخبار يوميًا (١٤ يومًا)", "en": "Reports a day (14 days)"},
    "disabled": {"ar": "معطّل", "en": "disabled"},
    "unhealthy": {"ar": "متعثّر", "en": "unhealthy"},
    "new alerts": {"ar": "وصلت تنبيهات جديدة: اضغط للتحديث", "en": "New alerts have arrived: click to show them"},
    "unhealthy_daemon": {"ar": "راصد متعثّر: قاعدة البيانات أو الإرسال", "en": "rasid is unhealthy: its database or delivery"},
    "down": {"ar": "لا يجيب راصد", "en": "rasid does not answer"},
    "outbox": {"ar": "صندوق الإرسال", "en": "Outbox"},
    "notifier": {"ar": "قناة التنبيه", "en": "Notifier"},
    "pending": {"ar": "بانتظار الإرسال", "en": "pending"},
    "delivered": {"ar": "أُرسل", "en": "delivered"},
    "dead": {"ar": "متعذّر", "en": "dead"},
    "attempts": {"ar": "المحاولات", "en": "Attempts"},
    "error": {"ar": "الخطأ", "en": "Error"},
    "retry": {"ar": "أعد إرسال المتعذّر", "en": "Requeue dead ones"},
    "hasten": {"ar": "أرسل المنتظر الآن", "en": "Send waiting ones now"},
    "purge": {"ar": "احذف ما مضى عليه ٣٠ يومًا", "en": "Purge rows older than 30 days"},
}


def language(request: Request) -> Language:
    """`?lang=`, else the `lang` cookie a switch left, else the browser's first of ar and en;
    Arabic by default."""
    chosen = request.query_params.get("lang") or request.cookies.get("lang")
    if chosen in ("ar", "en"):
        return chosen  # type: ignore[return-value]
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in ("ar", "en"):
            return tag  # type: ignore[return-value]
    return "ar"


def words(lang: Language) -> dict[str, str]:
    return {key: both[lang] for key, both in TEXT.items()}
