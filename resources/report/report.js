// Every time in the report is <a href="VIDEO#t=SECONDS" data-t="SECONDS">: a click seeks the embedded player
// (without JavaScript the link opens the video at that time). The page URL's own #t=SECONDS is honoured too.
(function () {
  "use strict";
  var player = document.getElementById("player");
  function seek(t) {
    if (!player || !isFinite(t)) { return false; }
    player.currentTime = t;
    var p = player.play();
    if (p && p.catch) { p.catch(function () {}); }
    return true;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-t]") : null;
    if (!link || !player) { return; }
    event.preventDefault();
    var t = parseFloat(link.getAttribute("data-t"));
    if (seek(t) && history.replaceState) { history.replaceState(null, "", "#t=" + t); }
  });
  var m = /^#t=([0-9]+(?:\.[0-9]+)?)$/.exec(location.hash);
  if (m && player) {
    player.addEventListener("loadedmetadata", function () { player.currentTime = parseFloat(m[1]); },
                            { once: true });
  }
})();
