// Check-in by QR code on the organizer's phone: where the browser has BarcodeDetector, the camera reads the
// participant's code and opens its check-in page (only links to this site's check-in pages are followed).
(function () {
  "use strict";
  var box = document.getElementById("scanner");
  if (!box || !("BarcodeDetector" in window) || !navigator.mediaDevices) return;
  box.hidden = false;
  var prefix = box.dataset.checkinPrefix;
  var video = document.getElementById("scan-video");
  document.getElementById("scan-start").addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      var tick = function () {
        detector.detect(video).then(function (codes) {
          for (var i = 0; i < codes.length; i++) {
            try {
              var url = new URL(codes[i].rawValue, window.location.href);
              if (url.pathname.indexOf(prefix) === 0) {
                stream.getTracks().forEach(function (t) { t.stop(); });
                window.location.assign(url.pathname);
                return;
              }
            } catch (e) { /* not a link */ }
          }
          window.setTimeout(tick, 300);
        }, function () { window.setTimeout(tick, 500); });
      };
      tick();
    });
  });
})();
