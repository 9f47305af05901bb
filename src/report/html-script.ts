/**
 * The HTML report's script, inlined into the page (the CSP admits exactly this text by hash). The
 * page is complete without it; it adds sorting and filtering of the findings table, filtering of
 * the packages, opening a package when a finding links to it, and opening everything for print.
 * The build's report (`build/report-html.ts`) shares the parts exported here.
 */

/**
 * A link to a `<details>` (`#${prefix}…`), or to an element holding one marked `data-reveal`, or
 * the page opened at one, opens it and scrolls there: a finding's package, a timeline's stage.
 * Script text; `prefix` is ours, never outside text.
 */
export function revealLinkedDetails(prefix: string): string {
  return `  var reveal = function (id) {
    var target = id ? document.getElementById(id) : null;
    var details = !target ? null : target.tagName === 'DETAILS' ? target : target.querySelector('details[data-reveal]');
    if (!details) return;
    target.hidden = false;
    details.open = true;
    target.scrollIntoView({ block: 'start' });
  };
  document.addEventListener('click', function (event) {
    var link = event.target instanceof Element ? event.target.closest('a[href^="#${prefix}"]') : null;
    if (link) reveal(link.getAttribute('href').slice(1));
  });
  var fromHash = function () {
    try {
      reveal(decodeURIComponent(location.hash.slice(1)));
    } catch (error) {
      // A hand-edited fragment that is not valid percent-encoding names nothing.
    }
  };
  window.addEventListener('hashchange', fromHash);
  if (location.hash) fromHash();

`;
}

/** Printing opens every closed `<details>`, and closes them again afterwards. Script text. */
export const OPEN_DETAILS_FOR_PRINT = `  var closedForPrint = [];
  window.addEventListener('beforeprint', function () {
    closedForPrint = Array.prototype.slice.call(document.querySelectorAll('details:not([open])'));
    closedForPrint.forEach(function (details) { details.open = true; });
  });
  window.addEventListener('afterprint', function () {
    closedForPrint.forEach(function (details) { details.open = false; });
    closedForPrint = [];
  });
`;

/** The gate's report. */
export const REPORT_SCRIPT = `
(function () {
  'use strict';
  document.documentElement.classList.add('js');

  function byId(id) { return document.getElementById(id); }
  function words(text) { return text.trim().toLowerCase().split(/\\s+/).filter(Boolean); }
  function plural(count, noun) { return count + ' ' + noun + (count === 1 ? '' : 's'); }
  function matches(haystack, terms) {
    for (var i = 0; i < terms.length; i++) if (haystack.indexOf(terms[i]) < 0) return false;
    return true;
  }

  var table = byId('findings-table');
  if (table) {
    var body = table.tBodies[0];
    var empty = byId('findings-empty');
    var rows = Array.prototype.slice.call(body.querySelectorAll('tr.finding-row'));
    rows.forEach(function (row, i) { row.setAttribute('data-order', String(i)); });
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var search = byId('finding-filter');
    var severity = byId('severity-filter');
    var check = byId('check-filter');
    var count = byId('finding-count');

    var sortKey = function (row, column, type) {
      var cell = row.cells[column];
      var value = cell.hasAttribute('data-sort') ? cell.getAttribute('data-sort') : cell.textContent.trim();
      return type === 'text' ? value.toLowerCase() : Number(value);
    };

    headers.forEach(function (th, column) {
      var type = th.getAttribute('data-sort-type');
      var button = th.querySelector('button');
      if (!type || !button) return;
      button.addEventListener('click', function () {
        var current = th.getAttribute('aria-sort');
        var direction = current ? (current === 'ascending' ? 'descending' : 'ascending') : type === 'text' ? 'ascending' : 'descending';
        headers.forEach(function (other) { other.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', direction);
        var sign = direction === 'ascending' ? 1 : -1;
        rows.sort(function (a, b) {
          var x = sortKey(a, column, type);
          var y = sortKey(b, column, type);
          var order = type === 'text' ? x.localeCompare(y, 'en', { numeric: true }) : x - y;
          return sign * order || Number(a.getAttribute('data-order')) - Number(b.getAttribute('data-order'));
        });
        var sorted = document.createDocumentFragment();
        rows.forEach(function (row) { sorted.appendChild(row); });
        body.insertBefore(sorted, empty);
      });
    });

    var filter = function () {
      var terms = words(search.value);
      var wantSeverity = severity.value;
      var wantCheck = check.value;
      var shown = 0;
      rows.forEach(function (row) {
        var visible =
          (!wantSeverity || row.getAttribute('data-severity') === wantSeverity) &&
          (!wantCheck || row.getAttribute('data-check') === wantCheck) &&
          matches(row.getAttribute('data-text'), terms);
        row.hidden = !visible;
        if (visible) shown++;
      });
      empty.hidden = shown > 0;
      count.textContent = shown === rows.length ? plural(rows.length, 'finding') : 'Showing ' + shown + ' of ' + rows.length;
    };
    search.addEventListener('input', filter);
    severity.addEventListener('change', filter);
    check.addEventListener('change', filter);
    filter();
  }

  var list = byId('package-list');
  if (list) {
    var packages = Array.prototype.slice.call(list.querySelectorAll('details.pkg'));
    var haystacks = packages.map(function (pkg) {
      return (pkg.querySelector('summary').textContent + ' ' + pkg.getAttribute('data-text')).toLowerCase();
    });
    var packageSearch = byId('package-filter');
    var onlyFindings = byId('package-only-findings');
    var packageCount = byId('package-count');
    var filterPackages = function () {
      var terms = words(packageSearch.value);
      var shown = 0;
      packages.forEach(function (pkg, i) {
        var visible = (!onlyFindings.checked || pkg.getAttribute('data-findings') !== '0') && matches(haystacks[i], terms);
        pkg.hidden = !visible;
        if (visible) shown++;
      });
      packageCount.textContent = shown === packages.length ? plural(packages.length, 'package') : 'Showing ' + shown + ' of ' + packages.length;
    };
    packageSearch.addEventListener('input', filterPackages);
    onlyFindings.addEventListener('change', filterPackages);
    byId('packages-expand').addEventListener('click', function () {
      packages.forEach(function (pkg) { if (!pkg.hidden) pkg.open = true; });
    });
    byId('packages-collapse').addEventListener('click', function () {
      packages.forEach(function (pkg) { pkg.open = false; });
    });
    filterPackages();
  }

${revealLinkedDetails('pkg-')}${OPEN_DETAILS_FOR_PRINT}})();
`;
