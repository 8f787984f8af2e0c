// The checkout page: pay or cancel as the simulated customer, then go back to the merchant.
// Pay is a POST with Content-Type: application/json to the control API on this origin.
(function () {
  "use strict";
  var card = document.getElementById("checkout");
  var message = document.getElementById("message");
  var payButton = document.getElementById("pay");
  var cancelButton = document.getElementById("cancel");
  var prepayId = card.dataset.prepayId;
  var expire = Number(card.dataset.expireTime);
  if (expire > 0) {
    document.getElementById("expiry").textContent = new Date(expire).toLocaleString();
  }
  function say(text, isError) {
    message.textContent = text;
    message.className = isError ? "error" : "";
  }
  function leave(url, fallback) {
    if (url) {
      say(fallback + " Returning to the merchant…", false);
      window.location.assign(url);
    } else {
      say(fallback + " (The order names no URL to return to.)", false);
    }
  }
  payButton.addEventListener("click", function () {
    payButton.disabled = true;
    cancelButton.disabled = true;
    say("Paying…", false);
    fetch("/sandbox/orders/" + encodeURIComponent(prepayId) + "/pay", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        if (!answer.ok) {
          throw new Error(answer.body && answer.body.error ? answer.body.error : "refused");
        }
        var status = document.getElementById("status");
        status.textContent = answer.body.status;
        status.className = "status s-" + answer.body.status;
        leave(card.dataset.returnUrl, "Paid.");
      })
      .catch(function (error) {
        say("Payment failed: " + error.message, true);
        payButton.disabled = false;
        cancelButton.disabled = false;
      });
  });
  cancelButton.addEventListener("click", function () {
    // Cancelling leaves the order unpaid: it expires or the merchant closes it, as on Binance.
    payButton.disabled = true;
    cancelButton.disabled = true;
    leave(card.dataset.cancelUrl, "Payment cancelled; the order stays unpaid.");
  });
})();
