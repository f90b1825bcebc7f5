// The report page's behaviour (inlined into report.html): the filters, one open cell at a
// time, and the self-test that runs when the address ends in #selftest.
(function () {
  "use strict";
  var table = document.getElementById("matrix");
  var rows = Array.prototype.slice.call(table.querySelectorAll("tr.item"));
  var sections = Array.prototype.slice.call(table.querySelectorAll("tbody.section"));
  var runBoxes = Array.prototype.slice.call(document.querySelectorAll("#f-runs input"));
  var outcome = document.getElementById("f-outcome");
  var disagree = document.getElementById("f-disagree");
  var search = document.getElementById("f-item");
  var level = document.getElementById("f-level");
  var count = document.getElementById("f-count");
  var hideStyle = document.createElement("style");
  document.head.appendChild(hideStyle);
  var nRuns = Number(table.dataset.runs);

  function hiddenRuns() {
    return runBoxes.filter(function (b) { return !b.checked; }).map(function (b) { return b.dataset.run; });
  }

  function apply() {
    var hidden = hiddenRuns();
    hideStyle.textContent = hidden.map(function (r) {
      return '#matrix [data-run="' + r + '"]{display:none}';
    }).join("\n");
    var want = outcome.value;
    var only = disagree.checked;
    var q = search.value.trim().toLowerCase();
    var shown = 0;
    rows.forEach(function (tr) {
      var classes = [];
      tr.querySelectorAll("td.cell").forEach(function (td) {
        if (hidden.indexOf(td.dataset.run) < 0) classes.push(td.dataset.o);
      });
      var show = true;
      if (q && tr.dataset.item.toLowerCase().indexOf(q) < 0) show = false;
      if (want === "nocase") show = show && tr.classList.contains("nocase");
      else if (want) show = show && classes.indexOf(want) >= 0;
      if (only) {
        var ran = {};
        classes.forEach(function (c) { if (c === "pass" || c === "differs" || c === "fail") ran[c] = 1; });
        show = show && Object.keys(ran).length > 1;
      }
      tr.hidden = !show;
      if (show) shown++;
    });
    sections.forEach(function (s) {
      s.hidden = !s.querySelector("tr.item:not([hidden])");
    });
    document.body.classList.toggle("only-b", level.value === "b");
    document.body.classList.toggle("only-c", level.value === "c");
    count.textContent = shown + " of " + rows.length + " items shown";
  }

  function reset() {
    runBoxes.forEach(function (b) { b.checked = true; });
    outcome.value = "";
    disagree.checked = false;
    search.value = "";
    level.value = "both";
    apply();
  }

  runBoxes.forEach(function (b) { b.addEventListener("change", apply); });
  [outcome, disagree, level].forEach(function (el) { el.addEventListener("change", apply); });
  search.addEventListener("input", apply);
  document.getElementById("f-reset").addEventListener("click", reset);

  // An open cell's cases unfold to its right, or to its left when there is more room there,
  // never wider than the room on that side.
  function place(d) {
    var td = d.closest("td");
    var pop = d.querySelector(".pop");
    if (!td || !pop) return;
    var wrap = table.parentNode.getBoundingClientRect();
    var cell = td.getBoundingClientRect();
    var right = wrap.right - cell.left - 12;
    var left = cell.right - wrap.left - 12;
    pop.style.maxWidth = "";
    var toLeft = pop.offsetWidth > right && left > right;
    td.classList.toggle("right", toLeft);
    pop.style.maxWidth = Math.max(toLeft ? left : right, 240) + "px";
  }

  // One cell open at a time; Escape closes it.
  table.addEventListener("toggle", function (e) {
    var d = e.target;
    if (d.open) {
      table.querySelectorAll("td.cell details[open]").forEach(function (o) { if (o !== d) o.open = false; });
      place(d);
    }
  }, true);
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape") table.querySelectorAll("td.cell details[open]").forEach(function (o) { o.open = false; });
  });

  apply();

  function visible() {
    return rows.filter(function (tr) { return !tr.hidden && tr.getClientRects().length > 0; });
  }

  function selftest() {
    var passed = [];
    var failed = [];
    function check(name, ok, info) {
      if (ok) passed.push(name);
      else failed.push(name + (info ? " (" + info + ")" : ""));
    }
    var specRows = rows.filter(function (tr) { return tr.hasAttribute("data-spec"); });
    var want = Number(table.dataset.specItems);
    check("one row per documented item", specRows.length === want, specRows.length + " rows for " + want + " items");
    var names = {};
    specRows.forEach(function (tr) { names[tr.dataset.item] = 1; });
    check("no item has two rows", Object.keys(names).length === specRows.length);
    var all = visible().length;
    check("every row shows at first", all === rows.length, all + " of " + rows.length);

    // The outcome filter: rows without such a cell hide, the others show.
    var pick = ["fail", "differs", "nocase", "none", "pass"].filter(function (o) {
      var n = rows.filter(function (tr) {
        return o === "nocase" ? tr.classList.contains("nocase") : !!tr.querySelector('td.cell[data-o="' + o + '"]');
      }).length;
      return n > 0 && n < rows.length;
    })[0];
    if (pick) {
      outcome.value = pick;
      outcome.dispatchEvent(new Event("change"));
      var left = visible();
      check("the outcome filter (" + pick + ") hides rows", left.length > 0 && left.length < all, left.length + " of " + all);
      check("the rows it leaves have such a cell", left.every(function (tr) {
        return pick === "nocase" ? tr.classList.contains("nocase") : !!tr.querySelector('td.cell[data-o="' + pick + '"]');
      }));
      reset();
      check("reset shows every row again", visible().length === all);
    } else {
      check("an outcome to filter by", false, "every row has the same outcomes");
    }

    // Only where implementations disagree.
    disagree.checked = true;
    disagree.dispatchEvent(new Event("change"));
    var dis = visible().length;
    check("the disagreement filter hides rows", dis < all, dis + " of " + all);
    reset();

    // Hiding an implementation hides its column.
    if (runBoxes.length > 0) {
      runBoxes[0].checked = false;
      runBoxes[0].dispatchEvent(new Event("change"));
      var th = table.querySelector('thead th[data-run="0"]');
      check("an implementation can be hidden", getComputedStyle(th).display === "none" &&
        getComputedStyle(runBoxes[0]).display !== "none");
      reset();
      check("and shown again", getComputedStyle(th).display !== "none");
    }

    // The item search.
    if (rows.length > 1) {
      search.value = rows[0].dataset.item;
      search.dispatchEvent(new Event("input"));
      var found = visible();
      check("the item search finds the item", found.indexOf(rows[0]) >= 0 && found.length < all, found.length + " rows");
      reset();
    }

    // A failing cell opens to its cases' expected and observed values.
    var cell = table.querySelector('td.cell[data-o="fail"] details') ||
      table.querySelector('td.cell[data-o="differs"] details');
    if (cell) {
      cell.querySelector("summary").click();
      var pop = cell.querySelector(".pop");
      var box = pop.getBoundingClientRect();
      check("a failing cell opens", cell.open && box.width > 0 && box.height > 0);
      var text = pop.textContent;
      check("it shows the expected and observed values", /expected/.test(text) && /observed/.test(text) && !!pop.querySelector(".case"));
      // Leave it open in view, for a screenshot.
      var wrap = table.parentNode;
      wrap.scrollIntoView();
      wrap.scrollTop = cell.closest("tr").offsetTop - table.tHead.offsetHeight - 40;
    } else {
      check("a failing cell", false, "no cell failed or differs");
    }

    var errors = window.reportErrors || [];
    check("no console errors", errors.length === 0, errors.join(" | "));
    return (failed.length ? "FAIL " : "PASS ") + passed.length + " checks passed" +
      (failed.length ? "; failed: " + failed.join("; ") : "") + "\nrows: " + rows.length +
      ", documented items: " + want;
  }

  if (location.hash === "#selftest") {
    var verdict;
    try {
      verdict = selftest();
    } catch (e) {
      verdict = "FAIL the self-test threw: " + e + (e && e.stack ? "\n" + e.stack : "");
    }
    var out = document.createElement("pre");
    out.id = "selftest";
    out.textContent = verdict;
    document.body.insertBefore(out, document.body.firstChild);
  }
})();
