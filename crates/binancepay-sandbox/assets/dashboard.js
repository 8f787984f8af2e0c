// The sandbox dashboard: lists what the sandbox holds and drives the control API.
// Reads GET /sandbox/{orders,refunds,payouts,webhooks}; every action is a POST with
// Content-Type: application/json to the same origin.
(function () {
  "use strict";
  var LIMIT = 200;
  var openDeliveries = {};
  var busy = false;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "class") node.className = attrs[key];
      else if (key.slice(0, 5) === "data-") node.setAttribute(key, attrs[key]);
      else node[key] = attrs[key];
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) {
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      }
    });
    return node;
  }
  function time(ms) {
    if (ms === null || ms === undefined) return "";
    var d = new Date(Number(ms));
    return isNaN(d.getTime()) ? String(ms) : d.toLocaleTimeString();
  }
  function dateTime(ms) {
    var d = new Date(Number(ms));
    return isNaN(d.getTime()) ? String(ms) : d.toLocaleString();
  }
  function status(text) {
    return el("span", { class: "status s-" + text, text: text });
  }
  function notice(text, isError) {
    var node = document.getElementById("notice");
    node.textContent = text;
    node.className = isError ? "error" : "";
  }
  function post(path, label) {
    notice(label + "…", false);
    return fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (!response.ok) throw new Error(body && body.error ? body.error : "HTTP " + response.status);
          notice(label + ": done.", false);
        });
      })
      .catch(function (error) { notice(label + " failed: " + error.message, true); })
      .then(refresh);
  }
  function action(text, path, label, enabled, primary) {
    var button = el("button", { text: text, type: "button", class: primary ? "primary" : "" });
    button.disabled = !enabled;
    button.addEventListener("click", function () {
      button.disabled = true;
      post(path, label);
    });
    return button;
  }
  var shown = {};
  // Rows are rebuilt only when what they show changed, so buttons stay put between refreshes.
  function changed(id, data) {
    var text = JSON.stringify(data);
    if (shown[id] === text) return false;
    shown[id] = text;
    return true;
  }
  function fill(id, rows, total) {
    var table = document.getElementById(id);
    var body = table.tBodies[0];
    body.replaceChildren.apply(body, rows);
    table.classList.toggle("has-rows", rows.length > 0);
    document.getElementById(id + "-empty").hidden = rows.length > 0;
    document.getElementById(id + "-count").textContent = String(total);
  }

  function orderRows(list) {
    return list.map(function (o) {
      var unpaid = o.status === "INITIAL" || o.status === "PENDING";
      var path = "/sandbox/orders/" + encodeURIComponent(o.prepayId);
      var amount = o.orderAmount + " " + o.currency + (o.fiatCurrency ? " (" + o.fiatAmount + " " + o.fiatCurrency + ")" : "");
      if (o.refundedAmount && o.refundedAmount !== "0") amount += " · refunded " + o.refundedAmount;
      return el("tr", { "data-prepay-id": o.prepayId, class: "order" }, [
        el("td", { class: "num", text: time(o.createTime) }),
        el("td", {}, [el("strong", { text: o.merchantTradeNo }), el("br"), el("span", { class: "muted", text: o.prepayId })]),
        el("td", { class: "num", text: amount }),
        el("td", { text: o.productName }),
        el("td", {}, [status(o.status)]),
        el("td", { class: "num", text: unpaid ? dateTime(o.expireTime) : "" }),
        el("td", {}, [
          action("Pay", path + "/pay", "Pay order " + o.merchantTradeNo, unpaid, true),
          action("Fail", path + "/fail", "Fail order " + o.merchantTradeNo, unpaid),
          action("Expire", path + "/expire", "Expire order " + o.merchantTradeNo, unpaid),
          el("a", { href: o.checkoutUrl, text: "checkout", target: "_blank" }),
        ]),
      ]);
    });
  }
  function refundRows(list) {
    return list.map(function (r) {
      // Pending only in manual mode (POST /sandbox/settings {"manualRefunds": true}).
      var pending = r.status === "REFUND_PENDING";
      return el("tr", { class: "refund" }, [
        el("td", {}, [el("strong", { text: r.refundRequestId }), el("br"), el("span", { class: "muted", text: r.refundId })]),
        el("td", { class: "num", text: r.prepayId }),
        el("td", { class: "num", text: r.refundAmount + " of " + r.orderAmount }),
        el("td", { class: "num", text: r.refundedAmount }),
        el("td", {}, [status(r.status)]),
        el("td", {}, [
          action("Complete", "/sandbox/refunds/" + encodeURIComponent(r.refundRequestId) + "/complete", "Complete refund " + r.refundRequestId, pending, true),
          action("Reject", "/sandbox/refunds/" + encodeURIComponent(r.refundRequestId) + "/reject", "Reject refund " + r.refundRequestId, pending),
        ]),
      ]);
    });
  }
  function payoutRows(list) {
    return list.map(function (p) {
      var open = p.status === "ACCEPTED" || p.status === "PROCESSING";
      var transfers = p.details.map(function (d) {
        return d.amount + " " + p.currency + " → " + d.receiver + " (" + d.status + ")";
      }).join("; ");
      return el("tr", { class: "payout" }, [
        el("td", { class: "num", text: time(p.createTime) }),
        el("td", {}, [el("strong", { text: p.requestId }), el("br"), el("span", { class: "muted", text: p.batchId })]),
        el("td", { class: "num", text: p.totalAmount + " " + p.currency }),
        el("td", { text: transfers }),
        el("td", {}, [status(p.status)]),
        el("td", {}, [action("Complete", "/sandbox/payouts/" + encodeURIComponent(p.requestId) + "/complete", "Complete payout " + p.requestId, open, true)]),
      ]);
    });
  }
  function attemptTable(d) {
    if (!d.attemptLog || d.attemptLog.length === 0) return el("p", { class: "muted", text: d.url ? "No attempt yet." : "Not sent: no webhook URL." });
    return el("table", { class: "attempts has-rows" }, [
      el("thead", {}, [el("tr", {}, [el("th", { text: "Attempt" }), el("th", { text: "At" }), el("th", { text: "Took" }), el("th", { text: "HTTP" }), el("th", { text: "Answer" }), el("th", { text: "Error" })])]),
      el("tbody", {}, d.attemptLog.map(function (a, i) {
        return el("tr", { class: "attempt" }, [
          el("td", { text: String(i + 1) }),
          el("td", { class: "num", text: time(a.startedAt) }),
          el("td", { class: "num", text: a.durationMs + " ms" }),
          el("td", { class: "num", text: a.httpStatus === null ? "—" : String(a.httpStatus) }),
          el("td", {}, [el("code", { text: a.answer || "" })]),
          el("td", { text: a.error || "" }),
        ]);
      })),
    ]);
  }
  function webhookRows(list) {
    return list.map(function (d) {
      var details = el("details", { "data-id": String(d.id) }, [
        el("summary", { text: d.attempts + (d.attempts === 1 ? " attempt" : " attempts") + (d.deliveredAt ? ", acknowledged " + time(d.deliveredAt) : "") }),
        attemptTable(d),
        el("pre", { text: d.body }),
      ]);
      details.open = !!openDeliveries[d.id];
      details.addEventListener("toggle", function () { openDeliveries[d.id] = details.open; });
      var again = d.url && d.status !== "PENDING";
      return el("tr", { class: "delivery", "data-id": String(d.id), "data-status": d.status }, [
        el("td", { class: "num", text: String(d.id) }),
        el("td", { class: "num", text: time(d.createdAt) }),
        el("td", {}, [el("strong", { text: d.bizType }), " ", status(d.bizStatus)]),
        el("td", { class: "num", text: d.bizId }),
        el("td", { text: d.url || "—" }),
        el("td", {}, [status(d.status), d.lastError ? el("div", { class: "muted", text: d.lastError }) : null]),
        el("td", {}, [details]),
        el("td", {}, [action("Deliver again", "/sandbox/webhooks/" + d.id + "/redeliver", "Deliver notification #" + d.id + " again", again)]),
      ]);
    });
  }

  // Both certificates: the one every webhook is signed with (BinancePay-Signature) and, after a
  // rotation, the new platform certificate's keys (BinancePay-Signature-New), newest first.
  function certificateRows(c) {
    function row(kind, cert, signs) {
      var details = el("details", {}, [el("summary", { text: "PEM" }), el("pre", { text: cert.certPublic })]);
      return el("tr", { class: "certificate", "data-serial": cert.certSerial }, [
        el("td", { text: kind }),
        el("td", {}, [el("code", { text: cert.certSerial })]),
        el("td", { text: signs }),
        el("td", {}, [details]),
      ]);
    }
    var rows = c.certificates.map(function (cert) {
      return row("certificates", cert, "BinancePay-Signature");
    });
    return rows.concat(c.newCertificates.map(function (cert) {
      var signing = cert.certSerial === c.signingSerialNew;
      return row("certificates/new", cert, signing ? "BinancePay-Signature-New" : "(replaced)");
    }));
  }
  document.getElementById("rotate").addEventListener("click", function () {
    post("/sandbox/certificates/rotate", "Rotate the new certificate");
  });

  function getJson(path) {
    return fetch(path, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (response) {
      if (!response.ok) throw new Error(path + ": HTTP " + response.status);
      return response.json();
    });
  }
  function refresh() {
    if (busy) return Promise.resolve();
    busy = true;
    return Promise.all([
      getJson("/sandbox/orders"),
      getJson("/sandbox/refunds"),
      getJson("/sandbox/payouts"),
      getJson("/sandbox/webhooks"),
      getJson("/sandbox/certificates"),
    ])
      .then(function (all) {
        if (changed("orders", all[0])) fill("orders", orderRows(all[0].orders.slice(0, LIMIT)), all[0].total);
        if (changed("refunds", all[1])) fill("refunds", refundRows(all[1].refunds.slice(0, LIMIT)), all[1].total);
        if (changed("payouts", all[2])) fill("payouts", payoutRows(all[2].payouts.slice(0, LIMIT)), all[2].total);
        var hooks = all[3];
        if (changed("webhooks", hooks)) {
          var newest = hooks.deliveries.slice().reverse().slice(0, LIMIT);
          fill("webhooks", webhookRows(newest), hooks.deliveries.length);
        }
        var certs = all[4];
        if (changed("certificates", certs)) {
          var certRows = certificateRows(certs);
          fill("certificates", certRows, certRows.length);
        }
        document.getElementById("webhooks-summary").textContent =
          hooks.delivered + " delivered, " + hooks.pending + " pending, " + hooks.failed + " failed, " + hooks.noUrl + " without URL";
        document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
        document.body.dataset.loaded = "true";
      })
      .catch(function (error) { notice("Could not read the sandbox: " + error.message, true); })
      .then(function () { busy = false; });
  }
  refresh();
  setInterval(function () {
    if (document.getElementById("auto").checked) refresh();
  }, 1000);
})();
