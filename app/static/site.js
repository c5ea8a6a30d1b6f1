// Keep the reader on the same section when they switch language: the server never sees the
// #fragment, so add it to the language links (a redirect keeps a fragment it is given).
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a[data-keep-fragment]");
  if (link && window.location.hash) {
    link.href = link.href.split("#")[0] + window.location.hash;
  }
});
