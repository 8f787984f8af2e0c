#!/usr/bin/env python3
"""Drives the sandbox's dashboard and checkout page in a real headless Chromium (WebDriver).

Scenario: open the dashboard; create an order through the CLI (the SDK); click its Pay button;
see the PAY webhook delivery appear, delivered on the second attempt (the receiver refuses the
first); deliver it again from the dashboard. Then the checkout page: the QR code decodes to the
checkout URL (pyzbar), Pay returns to the order's returnUrl with the order PAID, Cancel returns
to its cancelUrl with the order still unpaid. Screenshots go to $BROWSER_OUT.

Standard library only, plus pyzbar + Pillow for the QR code. Needs /usr/bin/chromium and
/usr/bin/chromedriver (Debian's chromium and chromium-driver), and the built CLI.
Usage: python3 tests/browser/dashboard_test.py  (from the workspace root)
"""

import base64
import http.server
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
BIN = os.path.join(TARGET, "debug", "binancepay")
OUT = os.environ.get("BROWSER_OUT", os.path.join(TARGET, "browser"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"
RESULTS = {"passed": 0, "failed": 0}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_json(method, url, body=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raise AssertionError(f"{method} {url}: HTTP {error.code}: {error.read()[:500]!r}") from None


def wait_for(what, predicate, timeout=20.0, interval=0.1):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except (AssertionError, KeyError, IndexError, urllib.error.URLError) as error:
            last = error
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


class Receiver(http.server.BaseHTTPRequestHandler):
    """The merchant: a webhook endpoint refusing the first notification, and the shop's pages."""

    calls = 0
    bodies = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        Receiver.calls += 1
        if Receiver.calls == 1:
            self._send(500, "text/plain", b"busy, try later")
            return
        Receiver.bodies.append(body)
        self._send(200, "application/json", b'{"returnCode":"SUCCESS","returnMessage":null}')

    def do_GET(self):
        if self.path.startswith("/shop?to="):
            # The merchant's page sends the customer to the checkoutUrl (another site).
            target = urllib.parse.unquote(self.path.split("=", 1)[1])
            page = (f"<!DOCTYPE html><html><body><img id='qr' src='{target}/qr' alt='QR'>"
                    f"<a id='go' href='{target}'>Pay with Binance Pay</a></body></html>")
            self._send(200, "text/html; charset=utf-8", page.encode())
            return
        page = f"<!DOCTYPE html><html><body><h1 id='shop'>Back at the shop: {self.path}</h1></body></html>"
        self._send(200, "text/html; charset=utf-8", page.encode())

    def _send(self, status, content_type, body):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Browser:
    """A WebDriver session on chromedriver."""

    def __init__(self, driver_url, profile):
        self.driver = driver_url
        capabilities = {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-quic",
                    "--no-first-run",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--disable-dev-shm-usage",
                    f"--user-data-dir={profile}",
                    "--window-size=1400,1000",
                ],
            },
        }
        answer = http_json("POST", f"{driver_url}/session", {"capabilities": {"alwaysMatch": capabilities}}, 120)
        self.session = f"{driver_url}/session/{answer['value']['sessionId']}"

    def call(self, method, path, body=None):
        return http_json(method, self.session + path, body)["value"]

    def go(self, url):
        self.call("POST", "/url", {"url": url})

    def url(self):
        return self.call("GET", "/url")

    def run(self, script, *args):
        return self.call("POST", "/execute/sync", {"script": script, "args": list(args)})

    def find(self, css):
        found = self.call("POST", "/element", {"using": "css selector", "value": css})
        if ELEMENT not in found:
            raise AssertionError(f"{css}: {found}")
        return found[ELEMENT]

    def click(self, css):
        # The dashboard rebuilds rows when their data change: retry on a stale element.
        wait_for(f"a click on {css}", lambda: self.call("POST", f"/element/{self.find(css)}/click", {}) or True, 10)

    def text(self, css):
        return wait_for(f"the text of {css}", lambda: self.call("GET", f"/element/{self.find(css)}/text"), 10)

    def screenshot(self, name):
        png = base64.b64decode(self.call("GET", "/screenshot"))
        path = os.path.join(OUT, name)
        with open(path, "wb") as file:
            file.write(png)
        print(f"  screenshot {path}")
        return png

    def quit(self):
        try:
            http_json("DELETE", self.session)
        except Exception:  # noqa: BLE001 - closing is best effort
            pass


def cli(env, *args):
    done = subprocess.run([BIN, *args], env=env, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise AssertionError(f"binancepay {' '.join(args)}: {done.stderr}")
    return done.stdout


def create_order(env, base_url, trade_no, amount, return_url=None, cancel_url=None):
    """A v3 order through the CLI: `order create`, or `request` with a body for the URLs."""
    if return_url is None:
        cli(env, "order", "create", "--trade-no", trade_no, "--amount", amount, "--currency", "USDT",
            "--description", "100 gems", "--goods-name", "100 gems for the browser test")
    else:
        body = {
            "env": {"terminalType": "WEB"},
            "merchantTradeNo": trade_no,
            "orderAmount": float(amount) if "." in amount else int(amount),
            "currency": "USDT",
            "description": "A sandbox T-shirt",
            "goodsDetails": [{"goodsType": "01", "goodsCategory": "1000", "referenceGoodsId": "tee1",
                              "goodsName": "Sandbox T-shirt"}],
            "returnUrl": return_url,
            "cancelUrl": cancel_url,
        }
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as file:
            json.dump(body, file)
        out = cli(env, "request", "/binancepay/openapi/v3/order", "--body-file", file.name)
        os.unlink(file.name)
        assert json.loads(out)["status"] == "SUCCESS", out
    orders = http_json("GET", f"{base_url}/sandbox/orders")["orders"]
    return next(o for o in orders if o["merchantTradeNo"] == trade_no)


def check(name, test, *args):
    print(f"test {name} ...")
    try:
        test(*args)
        RESULTS["passed"] += 1
        print(f"test {name} ... ok")
    except Exception as error:  # noqa: BLE001 - reported and counted
        RESULTS["failed"] += 1
        print(f"test {name} ... FAILED: {error}")


def dashboard_pay_and_webhook(browser, env, base_url):
    browser.go(f"{base_url}/sandbox/")
    wait_for("the dashboard to load", lambda: browser.run("return document.body.dataset.loaded === 'true';"))
    browser.screenshot("01-dashboard-empty.png")

    order = create_order(env, base_url, "WEB1", "25.17")
    prepay = order["prepayId"]
    row = f"tr.order[data-prepay-id='{prepay}']"
    wait_for("the order to appear", lambda: browser.run(f"return !!document.querySelector(\"{row}\");"))
    assert "INITIAL" in browser.text(row), browser.text(row)
    browser.screenshot("02-dashboard-order.png")
    browser.click(f"{row} button.primary")
    wait_for("the order to read PAID", lambda: "PAID" in browser.text(row))

    delivered = "tr.delivery[data-status='DELIVERED']"
    wait_for("the PAY delivery to be acknowledged",
             lambda: browser.run(f"return !!document.querySelector(\"{delivered}\");"), timeout=30)
    text = browser.text(delivered)
    assert "PAY" in text and "PAY_SUCCESS" in text and prepay in text and "2 attempts" in text, text
    browser.run(f"document.querySelector(\"{delivered} details\").open = true;")
    time.sleep(0.3)
    attempts = browser.text(f"{delivered} table.attempts")
    assert "500" in attempts and "busy, try later" in attempts and "200" in attempts, attempts
    browser.screenshot("03-dashboard-paid-webhook-delivered.png")

    # Deliver it again from the dashboard: a third attempt, acknowledged.
    browser.click(f"{delivered} td:last-child button")
    wait_for("the third attempt", lambda: "3 attempts" in browser.text("tr.delivery[data-id='1']"), timeout=30)
    wait_for("the redelivery to be acknowledged", lambda: len(Receiver.bodies) == 2)
    assert Receiver.bodies[0] == Receiver.bodies[1]
    browser.screenshot("04-dashboard-delivered-again.png")


def dashboard_refund_and_payout(browser, env, base_url):
    """The refund and payout buttons: a pending refund completed, a payout batch completed."""
    http_json("POST", f"{base_url}/sandbox/settings", {"manualRefunds": True})
    order = create_order(env, base_url, "WEB2", "8")
    http_json("POST", f"{base_url}/sandbox/orders/{order['prepayId']}/pay", {})
    cli(env, "refund", "create", "--request-id", "REFUND1", "--prepay-id", order["prepayId"],
        "--amount", "3", "--reason", "damaged")
    cli(env, "payout", "create", "--request-id", "BATCH1", "--batch-name", "May", "--currency", "USDT",
        "--receiver", "PAY_ID:35000001:0.25", "--receiver", "EMAIL:ann@example.com:1.5")
    browser.go(f"{base_url}/sandbox/")
    refund, payout = "tr.refund", "tr.payout"
    wait_for("the pending refund", lambda: "REFUND_PENDING" in browser.text(refund))
    wait_for("the accepted payout", lambda: "ACCEPTED" in browser.text(payout))
    browser.screenshot("05-dashboard-refund-pending-payout-accepted.png")
    browser.click(f"{refund} button.primary")
    wait_for("the refund to succeed", lambda: "REFUND_SUCCESS" in browser.text(refund))
    browser.click(f"{payout} button.primary")
    wait_for("the payout to succeed", lambda: "SUCCESS" in browser.text(payout) and "ACCEPTED" not in browser.text(payout))
    # PAY, PAY, PAY_REFUND, PAYOUT, PAYOUT_NON_BN: every one acknowledged.
    wait_for("every delivery to be acknowledged", lambda: browser.run(
        "const rows = Array.from(document.querySelectorAll('tr.delivery'));"
        "return rows.length === 5 && rows.every(r => r.dataset.status === 'DELIVERED');"), timeout=30)
    kinds = browser.run("return Array.from(document.querySelectorAll('tr.delivery td:nth-child(3)')).map(c => c.innerText);")
    assert any("PAY_REFUND" in k for k in kinds) and any("PAYOUT_NON_BN" in k for k in kinds), kinds
    browser.screenshot("06-dashboard-refund-and-payout-completed.png")


def decode_qr(png):
    from PIL import Image
    from pyzbar.pyzbar import decode

    return [symbol.data.decode() for symbol in decode(Image.open(io.BytesIO(png)))]


def checkout_pay(browser, env, base_url, shop):
    order = create_order(env, base_url, "SHIRT1", "19.99", f"{shop}/returned", f"{shop}/cancelled")
    checkout = f"{base_url}{order['checkoutUrl']}"
    # As a customer gets there: a link on the merchant's site (localhost: another site).
    shop_site = shop.replace("127.0.0.1", "localhost")
    browser.go(f"{shop_site}/shop?to={urllib.parse.quote(checkout, safe='')}")
    # The order's qrcodeLink shows on the merchant's page too.
    wait_for("the QR image on the merchant's page",
             lambda: browser.run("const i = document.getElementById('qr'); return i.complete && i.naturalWidth > 0;"))
    browser.click("#go")
    wait_for("the checkout page", lambda: browser.run("return !!document.getElementById('pay');"))
    assert browser.text("#amount") == "19.99" and browser.text("#currency") == "USDT"
    assert "Sandbox T-shirt" in browser.text("#goods")
    png = browser.screenshot("07-checkout.png")
    codes = decode_qr(png)
    assert codes == [checkout], f"the QR code reads {codes}, expected {checkout}"
    browser.click("#pay")
    wait_for("the return to the shop", lambda: browser.url() == f"{shop}/returned")
    browser.screenshot("08-checkout-returned.png")
    state = http_json("GET", f"{base_url}/sandbox/orders/{order['prepayId']}")
    assert state["status"] == "PAID", state


def checkout_cancel(browser, env, base_url, shop):
    order = create_order(env, base_url, "SHIRT2", "5", f"{shop}/returned", f"{shop}/cancelled")
    browser.go(f"{base_url}{order['checkoutUrl']}")
    wait_for("the checkout page", lambda: browser.run("return !!document.getElementById('cancel');"))
    browser.click("#cancel")
    wait_for("the cancel page", lambda: browser.url() == f"{shop}/cancelled")
    state = http_json("GET", f"{base_url}/sandbox/orders/{order['prepayId']}")
    assert state["status"] == "INITIAL", state
    # The dashboard shows all three orders with their states.
    browser.go(f"{base_url}/sandbox/")
    wait_for("the dashboard", lambda: browser.run("return document.body.dataset.loaded === 'true';"))
    rows = browser.run("return Array.from(document.querySelectorAll('tr.order')).map(r => r.innerText);")
    assert len(rows) == 4 and "INITIAL" in rows[0] and "PAID" in rows[1] and "REFUNDED" in rows[2], rows
    assert "PAID" in rows[3], rows
    browser.screenshot("09-dashboard-orders.png")


def main():
    for path in (CHROMIUM, CHROMEDRIVER, BIN):
        if not os.path.exists(path):
            print(f"browser test: {path} is missing")
            return 2
    os.makedirs(OUT, exist_ok=True)
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    shop = f"http://127.0.0.1:{receiver.server_address[1]}"

    env = {k: v for k, v in os.environ.items() if not k.startswith("BINANCEPAY_")}
    sandbox_out = open(os.path.join(OUT, "sandbox.out"), "w+")
    sandbox = subprocess.Popen(
        [BIN, "sandbox", "--listen", "127.0.0.1:0", "--webhook-url", f"{shop}/webhook",
         "--key-file", os.path.join(ROOT, "crates/binancepay-sandbox/tests/data/webhook-key.pem")],
        stdout=sandbox_out, stderr=open(os.path.join(OUT, "sandbox.err"), "w"), env=env)
    driver_port = free_port()
    driver = subprocess.Popen([CHROMEDRIVER, f"--port={driver_port}"], stdout=subprocess.DEVNULL,
                              stderr=open(os.path.join(OUT, "chromedriver.err"), "w"))
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    browser = None
    try:
        def started():
            sandbox_out.seek(0)
            lines = dict(line.strip().split("=", 1) for line in sandbox_out if "=" in line)
            sandbox_out.seek(0)
            listening = [line for line in sandbox_out if line.startswith("listening on ")]
            return (lines, listening[0].split()[-1]) if listening else None

        lines, base_url = wait_for("the sandbox", started)
        env.update(lines)
        env["BINANCEPAY_BASE_URL"] = base_url
        wait_for("chromedriver", lambda: http_json("GET", f"http://127.0.0.1:{driver_port}/status")["value"]["ready"])
        browser = Browser(f"http://127.0.0.1:{driver_port}", profile)
        check("dashboard: create through the SDK, pay, see the webhook delivery", dashboard_pay_and_webhook,
              browser, env, base_url)
        check("dashboard: complete a pending refund and a payout", dashboard_refund_and_payout,
              browser, env, base_url)
        check("checkout: QR code, pay, back to returnUrl", checkout_pay, browser, env, base_url, shop)
        check("checkout: cancel, back to cancelUrl, order unpaid", checkout_cancel, browser, env, base_url, shop)
    finally:
        if browser is not None:
            browser.quit()
        for process in (driver, sandbox):
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
        receiver.shutdown()
        shutil.rmtree(profile, ignore_errors=True)
    print(f"browser: {RESULTS['passed']} passed, {RESULTS['failed']} failed")
    return 0 if RESULTS["failed"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
