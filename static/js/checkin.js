/* The check-in desk: scan an admission ticket's QR code with the phone's camera and send it as
   if typed. The browser's BarcodeDetector when it has one, else jsQR (static/js/vendor). The
   text read goes into the ticket field and the form is posted: the server decides. */
(function () {
  "use strict";
  var form = document.getElementById("check-in-form");
  if (!form) { return; }
  var field = form.querySelector("#code");
  var scanButton = document.getElementById("scan");
  var stopButton = document.getElementById("scan-stop");
  var box = document.getElementById("scanner");
  var video = document.getElementById("scanner-video");
  var canvas = document.createElement("canvas");
  var stream = null, detector = null, sent = false;

  function cameraPossible() {
    return !!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia) &&
      ("BarcodeDetector" in window || typeof window.jsQR === "function");
  }

  function send(text) {
    if (sent || !text) { return; }
    sent = true;
    field.value = text;
    stop();
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  }

  function readWithJsQR() {
    var w = video.videoWidth, h = video.videoHeight;
    if (!w || !h) { return null; }
    canvas.width = w; canvas.height = h;
    var context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, w, h);
    var found = window.jsQR(context.getImageData(0, 0, w, h).data, w, h, { inversionAttempts: "dontInvert" });
    return found ? found.data : null;
  }

  function tick() {
    if (!stream) { return; }
    if (detector) {
      detector.detect(video).then(function (codes) {
        if (codes.length) { send(codes[0].rawValue); } else { requestAnimationFrame(tick); }
      }).catch(function () { requestAnimationFrame(tick); });
      return;
    }
    var text = readWithJsQR();
    if (text) { send(text); } else { requestAnimationFrame(tick); }
  }

  function start() {
    if ("BarcodeDetector" in window) {
      try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); } catch (e) { detector = null; }
    }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s;
        video.srcObject = s;
        box.hidden = false;
        scanButton.hidden = true;
        return video.play();
      })
      .then(function () { requestAnimationFrame(tick); })
      .catch(function () {
        stop();
        document.getElementById("scan-unavailable").hidden = false;
      });
  }

  function stop() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null;
    box.hidden = true;
    scanButton.hidden = !cameraPossible();
  }

  if (cameraPossible()) {
    scanButton.hidden = false;
    scanButton.addEventListener("click", start);
    stopButton.addEventListener("click", stop);
  }
  form.addEventListener("submit", function () { sent = true; });
})();
