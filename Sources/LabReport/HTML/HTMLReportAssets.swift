/// The report's style sheet and script, inline so the page needs nothing else. The colours of
/// the packet list are Wireshark's default colouring rules; every pair of text and background
/// colour has a contrast of at least 4.5:1 (WCAG AA).
enum HTMLReportAssets {
    static let style = #"""
    :root { --fg: #12272e; --muted: #4a5a60; --line: #c8d0d4; --select: #1c5bb8; }
    * { box-sizing: border-box; }
    body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: #fff; }
    header, main { padding: 0 1.25rem; }
    h1 { font-size: 1.5rem; margin: 1rem 0 .25rem; }
    h2 { font-size: 1.1rem; margin: 1.25rem 0 .5rem; }
    .lab { max-width: 70rem; margin: .25rem 0; }
    .facts { display: flex; flex-wrap: wrap; gap: .25rem 2rem; margin: .5rem 0; }
    .facts dt { font-weight: 600; display: inline; } .facts dt::after { content: ": "; }
    .facts dd { display: inline; margin: 0; }
    .held { color: #1b5e20; } .failed { color: #b00020; }
    .hint { color: var(--muted); margin: .25rem 0; font-size: .9em; }
    table { border-collapse: collapse; width: 100%; }
    caption { text-align: left; color: var(--muted); padding: .25rem 0; }
    th, td { padding: 1px 6px; text-align: left; vertical-align: top; }
    thead th { position: sticky; top: 0; background: #eef1f3; border-bottom: 1px solid var(--line); }
    .list { max-height: 22rem; overflow: auto; border: 1px solid var(--line); }
    #packet-list { font: 12.5px/1.35 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; }
    #packet-list td { white-space: nowrap; }
    #packet-list td.why { max-width: 34rem; overflow: hidden; text-overflow: ellipsis; font-family: system-ui, sans-serif; }
    #packet-list td.num { text-align: right; }
    #packet-list tbody tr { cursor: pointer; }
    .c-tcp { background: #e7e6ff; } .c-http { background: #e4ffc7; } .c-synfin { background: #a0a0a0; }
    .c-udp { background: #daeeff; } .c-arp { background: #faf0d7; } .c-icmp { background: #fce0ff; }
    .c-rst { background: #a40000; color: #fffc9c; } .c-bad { background: #12272e; color: #f78787; }
    .c-other { background: #ffffff; }
    #packet-list tbody tr[aria-selected="true"] { background: var(--select); color: #fff; outline: 2px solid #0b2f66; }
    #packet-list tbody tr:focus { outline: 2px dashed #0b2f66; outline-offset: -2px; }
    .panes { display: grid; grid-template-columns: minmax(20rem, 1fr) max-content; gap: .75rem; margin-top: .75rem; }
    #explanation-pane { grid-column: 1 / -1; }
    #explanation-pane p { margin: .2rem 0; max-width: 70rem; }
    .pane { border: 1px solid var(--line); padding: .25rem .6rem .6rem; min-width: 0; }
    .pane h2 { margin: .25rem 0 .4rem; font-size: 1rem; }
    #details { font: 12.5px/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; max-height: 26rem; overflow: auto; }
    #details ul { list-style: none; margin: 0; padding-left: 1.1rem; }
    #details > ul { padding-left: 0; }
    #details li > span.field { cursor: pointer; padding: 0 2px; white-space: pre-wrap; }
    #details li > span.field:focus { outline: 2px dashed #0b2f66; }
    #details li > span.field.selected { background: var(--select); color: #fff; }
    #details .toggle { display: inline-block; width: 1rem; cursor: pointer; color: var(--muted); user-select: none; }
    #details li[aria-expanded="false"] > ul { display: none; }
    #bytes { font: 12.5px/1.4 ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; margin: 0; overflow: auto; max-height: 26rem; }
    #bytes .hl { background: var(--select); color: #fff; }
    #bytes .offset { color: var(--muted); }
    .explanation li { margin: .2rem 0; }
    #verdicts tr.failed td:first-child { color: #b00020; font-weight: 600; }
    #verdicts tr.held td:first-child { color: #1b5e20; }
    #verdicts td { border-bottom: 1px solid #e3e7ea; }
    .ladder { overflow: auto; border: 1px solid var(--line); max-height: 40rem; }
    .ladder svg g.arrow, .ladder svg g.elided { cursor: pointer; }
    .ladder svg g.arrow.selected line, .ladder svg g.arrow.selected polygon { stroke: #000; stroke-width: 3; }
    .ladder svg g.arrow.selected text { font-weight: 700; }
    #script-errors:empty { display: none; }
    #script-errors { background: #b00020; color: #fff; padding: .5rem 1rem; }
    @media print {
      body { font-size: 11px; }
      .hint { display: none; }
      .list, #details, #bytes, .ladder { max-height: none; overflow: visible; }
      thead th { position: static; }
      .panes { grid-template-columns: 1fr auto; break-inside: avoid; }
      #packet-list td.why { white-space: normal; max-width: none; }
      #packet-list tbody tr[aria-selected="true"] { outline: 2px solid #000; }
      * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
    }
    """#

    static let script = #"""
    (function () {
      "use strict";
      var errors = document.getElementById("script-errors");
      window.addEventListener("error", function (e) { errors.textContent += "Script error: " + e.message + "\n"; });
      var packets = JSON.parse(document.getElementById("packet-data").textContent);
      var byNumber = {};
      packets.forEach(function (p) { byNumber[p.n] = p; });
      var rows = Array.prototype.slice.call(document.querySelectorAll("#packet-list tbody tr"));
      var details = document.getElementById("details");
      var bytes = document.getElementById("bytes");
      var said = document.getElementById("selected-explanation");
      var current = null;

      function hexDump(hex) {
        var count = hex.length / 2, html = [];
        for (var line = 0; line < count; line += 16) {
          var offset = line.toString(16);
          var parts = ['<span class="offset">' + "0000".slice(offset.length) + offset + "</span>  "], ascii = [];
          for (var i = line; i < line + 16; i++) {
            if (i < count) {
              var pair = hex.substr(i * 2, 2), value = parseInt(pair, 16);
              parts.push('<span data-i="' + i + '">' + pair + "</span>" + (i % 16 === 7 ? "  " : " "));
              var ch = value >= 0x20 && value < 0x7f ? String.fromCharCode(value) : ".";
              ch = ch === "<" ? "&lt;" : ch === ">" ? "&gt;" : ch === "&" ? "&amp;" : ch;
              ascii.push('<span data-i="' + i + '">' + ch + "</span>");
            } else {
              parts.push("   " + (i % 16 === 7 ? " " : ""));
            }
          }
          html.push(parts.join("") + " " + ascii.join(""));
        }
        bytes.innerHTML = html.join("\n");
      }

      function highlight(start, end) {
        Array.prototype.forEach.call(bytes.querySelectorAll("span[data-i]"), function (s) {
          var i = +s.getAttribute("data-i");
          s.classList.toggle("hl", i >= start && i < end);
        });
      }

      function selectField(span) {
        Array.prototype.forEach.call(details.querySelectorAll("span.field.selected"), function (s) { s.classList.remove("selected"); s.setAttribute("aria-selected", "false"); });
        span.classList.add("selected");
        span.setAttribute("aria-selected", "true");
        if (span.scrollIntoView) span.scrollIntoView({ block: "nearest" });
        highlight(+span.getAttribute("data-start"), +span.getAttribute("data-end"));
      }

      function tree(nodes) {
        var ul = document.createElement("ul");
        ul.setAttribute("role", "group");
        nodes.forEach(function (node) {
          var li = document.createElement("li");
          li.setAttribute("role", "treeitem");
          var toggle = document.createElement("span");
          toggle.className = "toggle";
          toggle.setAttribute("aria-hidden", "true");
          var field = document.createElement("span");
          field.className = "field";
          field.tabIndex = 0;
          field.textContent = node[0];
          field.setAttribute("data-start", node[1]);
          field.setAttribute("data-end", node[2]);
          if (node[3].length) {
            li.setAttribute("aria-expanded", "true");
            toggle.textContent = "▾";
            toggle.addEventListener("click", function () { flip(li, toggle); });
          }
          li.appendChild(toggle);
          li.appendChild(field);
          if (node[3].length) li.appendChild(tree(node[3]));
          ul.appendChild(li);
        });
        return ul;
      }

      function flip(li, toggle, open) {
        var expanded = open === undefined ? li.getAttribute("aria-expanded") !== "true" : open;
        li.setAttribute("aria-expanded", expanded ? "true" : "false");
        toggle.textContent = expanded ? "▾" : "▸";
      }

      details.addEventListener("click", function (e) { if (e.target.classList.contains("field")) selectField(e.target); });
      details.addEventListener("keydown", function (e) {
        var span = e.target;
        if (!span.classList || !span.classList.contains("field")) return;
        var fields = Array.prototype.slice.call(details.querySelectorAll("span.field")).filter(function (f) { return f.offsetParent !== null; });
        var at = fields.indexOf(span), li = span.parentNode, toggle = li.firstChild;
        if (e.key === "Enter" || e.key === " ") selectField(span);
        else if (e.key === "ArrowDown" && at + 1 < fields.length) fields[at + 1].focus();
        else if (e.key === "ArrowUp" && at > 0) fields[at - 1].focus();
        else if (e.key === "ArrowRight" && li.hasAttribute("aria-expanded")) flip(li, toggle, true);
        else if (e.key === "ArrowLeft" && li.hasAttribute("aria-expanded")) flip(li, toggle, false);
        else return;
        e.preventDefault();
      });

      function select(n, focus) {
        var row = document.getElementById("p" + n), data = byNumber[n];
        if (!row || !data) return;
        if (current) { current.setAttribute("aria-selected", "false"); current.tabIndex = -1; }
        current = row;
        row.setAttribute("aria-selected", "true");
        row.tabIndex = 0;
        if (focus) row.focus();
        if (row.scrollIntoView) row.scrollIntoView({ block: "nearest" });
        said.textContent = "Packet " + n + ": " + (row.querySelector("td.why").textContent || row.querySelector("td.info").textContent);
        details.innerHTML = "";
        details.appendChild(tree(data.tree));
        details.setAttribute("data-packet", n);
        hexDump(data.hex);
        bytes.setAttribute("data-packet", n);
        Array.prototype.forEach.call(document.querySelectorAll(".ladder g.arrow"), function (g) {
          g.classList.toggle("selected", g.getAttribute("data-packet") === String(n));
        });
        try { history.replaceState(null, "", "#packet=" + n); } catch (ignored) {}
      }

      document.getElementById("packet-list").addEventListener("click", function (e) {
        var row = e.target.closest("tbody tr");
        if (row) select(+row.getAttribute("data-packet"), true);
      });
      document.getElementById("packet-list").addEventListener("keydown", function (e) {
        if (!current) return;
        var at = rows.indexOf(current), to = at;
        if (e.key === "ArrowDown") to = at + 1;
        else if (e.key === "ArrowUp") to = at - 1;
        else if (e.key === "PageDown") to = at + 10;
        else if (e.key === "PageUp") to = at - 10;
        else if (e.key === "Home") to = 0;
        else if (e.key === "End") to = rows.length - 1;
        else return;
        e.preventDefault();
        to = Math.max(0, Math.min(rows.length - 1, to));
        select(+rows[to].getAttribute("data-packet"), true);
      });
      document.addEventListener("click", function (e) {
        var link = e.target.closest("a[data-packet]");
        if (link) { e.preventDefault(); select(+link.getAttribute("data-packet"), true); return; }
        var arrow = e.target.closest(".ladder g.arrow, .ladder g.elided");
        if (arrow) select(+(arrow.getAttribute("data-packet") || arrow.getAttribute("data-first")), true);
      });

      // #packet=6, and optionally &field=Flags: the packet, and the first field whose text starts so.
      var hash = {};
      location.hash.replace(/^#/, "").split("&").forEach(function (part) {
        var kv = part.split("=");
        if (kv.length === 2) hash[kv[0]] = decodeURIComponent(kv[1]);
      });
      select(hash.packet ? +hash.packet : rows.length ? +rows[0].getAttribute("data-packet") : 0, false);
      if (hash.field) {
        var match = Array.prototype.slice.call(details.querySelectorAll("span.field")).filter(function (f) {
          return f.textContent.trim().indexOf(hash.field) === 0;
        })[0];
        if (match) selectField(match);
      }
    })();
    """#
}
