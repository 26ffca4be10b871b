// Image news strip: the slides scroll natively (touch, keyboard, mouse);
// this adds previous/next buttons. Without JavaScript the strip still scrolls.
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll(".carousel"), function (carousel) {
    var track = carousel.querySelector(".carousel__track");
    var controls = carousel.querySelector(".carousel__controls");
    if (!track || !controls) {
      return;
    }
    controls.hidden = false;
    controls.addEventListener("click", function (event) {
      var button = event.target.closest("[data-carousel-step]");
      if (!button) {
        return;
      }
      var step = parseInt(button.getAttribute("data-carousel-step"), 10);
      var width = track.clientWidth;
      var max = track.scrollWidth - width;
      var target = track.scrollLeft + step * width;
      if (target > max + 1) {
        target = 0;
      } else if (target < -1) {
        target = max;
      }
      track.scrollTo({ left: target, behavior: "smooth" });
    });
  });
})();
