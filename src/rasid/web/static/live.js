// Live: says on the alerts page when new alerts have arrived, and when the daemon or its
// database is unhealthy, by asking the console's own API every few seconds. No framework.
(function () {
  "use strict";
  var page = document.querySelector("main[data-newest]");
  if (!page) return;
  var newest = page.getAttribute("data-newest");
  var query = page.getAttribute("data-query") || "";
  var banner = document.getElementById("live");
  var every = Number(page.getAttribute("data-every") || 10000);
  function show(kind, text) {
    banner.hidden = false;
    banner.className = kind;
    banner.textContent = text;
  }
  function check() {
    fetch("/api/alerts?limit=1" + query, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        var first = body.alerts[0];
        if (first && first.id !== newest) {
          show("new", banner.getAttribute("data-new"));
          banner.onclick = function () { location.reload(); };
        }
      })
      .catch(function () {});
    fetch("/healthz", { cache: "no-store" })
      .then(function (r) {
        if (!r.ok) show("unhealthy", banner.getAttribute("data-unhealthy"));
      })
      .catch(function () { show("unhealthy", banner.getAttribute("data-down")); });
  }
  setInterval(check, every);
})();
