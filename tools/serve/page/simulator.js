// tools/serve/page/simulator.js: the simulator of the page at / of `casex serve`.
// Vanilla JavaScript, no library, no request but to this server: the form is
// generated from the vocabulary (embedded in the page as JSON), kept in sync
// with a raw JSON editor, and sent to POST /v1/eval and /v1/explain; Explain
// marks the rows of the tables; the findings of lint get "Try it"; the change
// is kept in the URL fragment (#try=...); GET /v1/scenarios lists --tests.
(function () {
  'use strict';

  var V = JSON.parse(document.getElementById('casex-vocabulary').textContent);
  var LINT = JSON.parse(document.getElementById('casex-lint').textContent);
  // The record's name (the vocabulary's `record:`): the key of a change's id,
  // of an incoming operation's snapshot and of its result.
  var R = V.record;
  var RECORD = R.charAt(0).toUpperCase() + R.slice(1);
  var $ = function (id) { return document.getElementById(id); };
  var kind = 'change';
  var lastExplain = null;

  // ---- DOM helpers --------------------------------------------------------
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'className') e.className = attrs[k];
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      if (c !== null && c !== undefined) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return e;
  }
  function cssq(s) { return '"' + String(s).replace(/["\\]/g, '\\$&') + '"'; }
  function show(v) { return v === null || v === undefined ? 'null' : typeof v === 'string' ? '"' + v + '"' : JSON.stringify(v); }
  var uid = 0;
  function labelled(text, control) {
    if (!control.id) control.id = 'sim-c' + (++uid);
    return el('div', { className: 'sim-field' }, [el('label', { for: control.id, text: text }), control]);
  }

  // ---- the form, from the vocabulary -------------------------------------
  function phaseSelect(id) {
    var s = el('select', { id: id });
    V.metaphases.forEach(function (m) {
      var g = el('optgroup', { label: m });
      V.phases.forEach(function (p) { if (p.metaphase === m) g.appendChild(el('option', { value: p.name, text: p.name })); });
      s.appendChild(g);
    });
    return s;
  }
  function fieldControl(f, id) {
    if (f.type === 'phase') return phaseSelect(id);
    if (f.values.length || f.type === 'boolean') {
      var s = el('select', { id: id, 'data-type': f.type }, [el('option', { value: '', text: '(no value)' })]);
      (f.type === 'boolean' ? ['true', 'false'] : f.values).forEach(function (v) { s.appendChild(el('option', { value: v, text: v })); });
      return s;
    }
    return el('input', { type: 'text', id: id, 'data-type': f.type, placeholder: f.type === 'number' ? 'a number, or empty: no value' : 'empty: no value' });
  }
  function snapshot(prefix, legend) {
    var fs = el('fieldset', { id: prefix }, [el('legend', { text: legend })]);
    V.fields.forEach(function (f) { fs.appendChild(labelled(f.name, fieldControl(f, prefix + '-' + f.name))); });
    return fs;
  }
  function refFields(prefix) {
    return el('fieldset', { id: prefix }, [el('legend', { text: 'External reference' }),
      el('div', { className: 'sim-pair' }, [
        labelled('system', el('input', { type: 'text', id: prefix + '-system', placeholder: 'empty: no record' })),
        labelled('id', el('input', { type: 'text', id: prefix + '-id' }))])]);
  }
  function groupRow(name, system) {
    var n = el('input', { type: 'text', className: 'sim-group-name', value: name || '' });
    var s = el('input', { type: 'text', className: 'sim-group-system', value: system || '' });
    var row = el('div', { className: 'sim-row' }, [labelled('group', n), labelled('external system', s)]);
    var rm = el('button', { type: 'button', className: 'quiet sim-remove-group', text: 'Remove', 'aria-label': 'Remove this group' });
    rm.addEventListener('click', function () { row.remove(); formChanged(); });
    row.appendChild(rm);
    return row;
  }
  function buildForm() {
    var c = $('sim-change');
    c.appendChild(labelled(R, el('input', { type: 'text', id: 'sim-record', placeholder: 'its id' })));
    c.appendChild(el('div', { className: 'sim-pair' }, [snapshot('sim-before', 'Before'), snapshot('sim-after', 'After')]));
    var ev = el('fieldset', { id: 'sim-events' }, [el('legend', { text: 'Events of the save' })]);
    V.events.forEach(function (e) {
      ev.appendChild(el('label', { className: 'sim-check' }, [el('input', { type: 'checkbox', id: 'sim-event-' + e }), ' ' + e]));
    });
    c.appendChild(ev);
    c.appendChild(refFields('sim-ref'));
    var gr = el('fieldset', { id: 'sim-groups-box' }, [el('legend', { text: 'Groups \u2192 external system' }), el('div', { id: 'sim-groups' })]);
    var add = el('button', { type: 'button', className: 'quiet', id: 'sim-add-group', text: 'Add a group' });
    add.addEventListener('click', function () { $('sim-groups').appendChild(groupRow()); formChanged(); $('sim-groups').lastChild.querySelector('input').focus(); });
    gr.appendChild(add);
    c.appendChild(gr);
    c.appendChild(labelled('origin (the system the change came from)', el('input', { type: 'text', id: 'sim-origin', placeholder: 'empty: none' })));

    var i = $('sim-incoming');
    var op = el('select', { id: 'sim-in-operation' });
    V.operations.incoming.forEach(function (o) { op.appendChild(el('option', { value: o, text: o })); });
    i.appendChild(labelled('incoming operation', op));
    i.appendChild(el('div', { className: 'sim-pair' }, [
      labelled('from system', el('input', { type: 'text', id: 'sim-in-system' })),
      labelled('message id', el('input', { type: 'text', id: 'sim-in-id' }))]));
    i.appendChild(snapshot('sim-in', RECORD + ' snapshot'));
    i.appendChild(refFields('sim-in-ref'));
  }

  // ---- form <-> document -------------------------------------------------
  function readValue(control, f) {
    var v = control.value;
    if (v === '') return null;
    if (f.type === 'boolean') return v === 'true';
    if (f.type === 'number' && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(v.trim())) return Number(v);
    return v;
  }
  function writeValue(control, v) {
    var s = v === null || v === undefined ? '' : String(v);
    if (control.tagName === 'SELECT' && s !== '' && !Array.prototype.some.call(control.options, function (o) { return o.value === s; }))
      control.appendChild(el('option', { value: s, text: s + ' (not in the vocabulary)' }));
    control.value = s;
  }
  function readSnapshot(prefix) {
    var o = {};
    V.fields.forEach(function (f) { o[f.name] = readValue($(prefix + '-' + f.name), f); });
    return o;
  }
  function readRef(prefix) {
    var s = $(prefix + '-system').value, i = $(prefix + '-id').value;
    return s === '' && i === '' ? null : { system: s, id: i };
  }
  function formToDoc() {
    var d = {};
    if (kind === 'incoming') {
      d.incoming = $('sim-in-operation').value;
      d.system = $('sim-in-system').value || null;
      d.id = $('sim-in-id').value || null;
      d[R] = readSnapshot('sim-in');
      d.external_reference = readRef('sim-in-ref');
      return d;
    }
    d[R] = $('sim-record').value || null;
    d.before = readSnapshot('sim-before');
    d.after = readSnapshot('sim-after');
    V.events.forEach(function (e) { d[e] = $('sim-event-' + e).checked; });
    d.external_reference = readRef('sim-ref');
    d.groups = {};
    Array.prototype.forEach.call($('sim-groups').children, function (row) {
      var n = row.querySelector('.sim-group-name').value;
      if (n !== '') d.groups[n] = row.querySelector('.sim-group-system').value || null;
    });
    d.origin = $('sim-origin').value || null;
    return d;
  }
  function writeSnapshot(prefix, snap) {
    snap = snap && typeof snap === 'object' ? snap : {};
    V.fields.forEach(function (f) { writeValue($(prefix + '-' + f.name), snap[f.name]); });
  }
  function writeRef(prefix, r) {
    r = r && typeof r === 'object' ? r : {};
    $(prefix + '-system').value = r.system || '';
    $(prefix + '-id').value = r.id || '';
  }
  function setKind(k) {
    kind = k;
    $('sim-kind-' + k).checked = true;
    $('sim-change').hidden = k !== 'change';
    $('sim-incoming').hidden = k !== 'incoming';
  }
  function docToForm(d) {
    if (!d || typeof d !== 'object' || Array.isArray(d)) throw new Error('the document must be a JSON object');
    if ('incoming' in d) {
      setKind('incoming');
      writeValue($('sim-in-operation'), d.incoming);
      $('sim-in-system').value = d.system || '';
      $('sim-in-id').value = d.id || '';
      writeSnapshot('sim-in', d[R]);
      writeRef('sim-in-ref', d.external_reference);
      return;
    }
    setKind('change');
    $('sim-record').value = d[R] || '';
    writeSnapshot('sim-before', d.before);
    writeSnapshot('sim-after', d.after);
    V.events.forEach(function (e) { $('sim-event-' + e).checked = d[e] === true; });
    writeRef('sim-ref', d.external_reference);
    var g = $('sim-groups');
    g.textContent = '';
    var groups = d.groups && typeof d.groups === 'object' ? d.groups : {};
    Object.keys(groups).forEach(function (n) { g.appendChild(groupRow(n, groups[n])); });
    $('sim-origin').value = d.origin || '';
  }

  // ---- the JSON editor and the link --------------------------------------
  function b64encode(s) {
    var bytes = new TextEncoder().encode(s), bin = '';
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  }
  function b64decode(s) {
    var bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new TextDecoder().decode(bytes);
  }
  var shareTimer = null;
  function setShare(text) {
    var compact = JSON.stringify(JSON.parse(text));
    var hash = '#try=' + b64encode(compact);
    $('sim-share').href = hash;
    // The address bar follows once typing pauses (browsers throttle history updates).
    clearTimeout(shareTimer);
    shareTimer = setTimeout(function () { if (location.hash !== hash) history.replaceState(null, '', hash); }, 250);
  }
  function jsonError(message) {
    $('sim-json-error').textContent = message;
    $('sim-json').classList.toggle('invalid', message !== '');
    $('sim-json').setAttribute('aria-invalid', message !== '' ? 'true' : 'false');
  }
  function formChanged() {
    var text = JSON.stringify(formToDoc(), null, 2);
    $('sim-json').value = text;
    jsonError('');
    setShare(text);
  }
  function jsonChanged() {
    var text = $('sim-json').value, d;
    try {
      d = JSON.parse(text);
      docToForm(d);
    } catch (e) {
      jsonError('Invalid JSON, not sent: ' + e.message);
      return;
    }
    jsonError('');
    setShare(text);
  }
  function loadDoc(d) {
    docToForm(d);
    var text = JSON.stringify(d, null, 2);
    $('sim-json').value = text;
    jsonError('');
    setShare(text);
  }
  // The document to send: the editor's, or null (with the error shown) when it is not JSON.
  function currentText() {
    var text = $('sim-json').value;
    try { JSON.parse(text); } catch (e) {
      jsonError('Invalid JSON, not sent: ' + e.message);
      $('sim-json-box').open = true;
      return null;
    }
    return text;
  }

  // ---- requests ----------------------------------------------------------
  function post(path, body) {
    return fetch(path, { method: 'POST', body: body, headers: { 'Content-Type': 'application/json' } })
      .then(function (r) { return r.json().then(function (j) { return { ok: r.ok, status: r.status, body: j }; }); });
  }
  function resultBox() { var r = $('sim-result'); r.textContent = ''; return r; }
  function problem(box, message) { box.appendChild(el('p', { className: 'sim-error', id: 'sim-error', role: 'alert', text: message })); }

  function opsTable(id, caption, ops, cls) {
    var t = el('table', { id: id, className: 'sim-ops' }, [el('caption', { className: 'meta', text: caption }),
      el('thead', null, [el('tr', null, ['Operation', 'System', 'Phase', 'Rule'].map(function (h) { return el('th', { text: h }); }))])]);
    var tb = el('tbody');
    ops.forEach(function (o) {
      tb.appendChild(el('tr', { className: cls, 'data-operation': o.operation, 'data-system': o.system === null ? '' : o.system, 'data-phase': o.phase, 'data-rule': o.rule },
        [el('td', null, [el('b', { text: o.operation })]), el('td', { text: o.system === null || o.system === undefined ? '\u2014' : o.system }), el('td', { text: o.phase }), el('td', null, [el('code', { text: o.rule })])]));
    });
    if (!ops.length) tb.appendChild(el('tr', null, [el('td', { colspan: '4', className: 'meta', text: 'none' })]));
    t.appendChild(tb);
    return el('div', { className: 'wrap' }, [t]);
  }
  function showChange(box, r) {
    box.appendChild(el('p', null, ['Phase after the workflow: ', el('b', { id: 'sim-phase', text: r.phase })]));
    box.appendChild(opsTable('sim-sent', 'Operations sent', r.operations || [], 'sim-op'));
    box.appendChild(opsTable('sim-suppressed', 'Operations suppressed (sent to the change\u2019s origin)', r.suppressed || [], 'sim-sup'));
  }
  function showIncoming(box, r, input) {
    var before = (input && input[R]) || {};
    box.appendChild(el('p', null, ['Rule: ', el('code', { id: 'sim-in-rule', text: r.rule || '\u2014' })]));
    var tb = el('tbody');
    var after = r[R] || {};
    Object.keys(after).forEach(function (k) {
      var changed = JSON.stringify(before[k] === undefined ? null : before[k]) !== JSON.stringify(after[k]);
      tb.appendChild(el('tr', { 'data-field': k, className: changed ? 'changed' : null },
        [el('td', null, [el('code', { text: k })]), el('td', { text: show(before[k] === undefined ? null : before[k]) }), el('td', { text: show(after[k]) + (changed ? '  (changed)' : '') })]));
    });
    box.appendChild(el('div', { className: 'wrap' }, [el('table', { id: 'sim-snapshot' }, [el('caption', { className: 'meta', text: 'The ' + R + ' after the operation (changed fields highlighted)' }),
      el('thead', null, [el('tr', null, [el('th', { text: 'Field' }), el('th', { text: 'Before' }), el('th', { text: 'After' })])]), tb])]));
    var cl = el('ul', { id: 'sim-comments' });
    (r.comments || []).forEach(function (c) { cl.appendChild(el('li', { text: c })); });
    box.appendChild(el('h3', { text: 'Comments' }));
    box.appendChild((r.comments || []).length ? cl : el('p', { className: 'meta', text: 'none' }));
    box.appendChild(el('p', null, ['External reference: ', el('code', { id: 'sim-in-ref-out', text: show(r.external_reference) })]));
  }
  function evaluate() {
    var text = currentText();
    if (text === null) return Promise.resolve(null);
    var box = resultBox();
    box.appendChild(el('p', { className: 'meta', text: 'Evaluating\u2026' }));
    return post('/v1/eval', text).then(function (res) {
      box = resultBox();
      box.setAttribute('data-state', res.ok ? 'ok' : 'error');
      if (!res.ok) { problem(box, res.body.error || ('HTTP ' + res.status)); return res; }
      box.appendChild(el('h3', { text: 'Result' }));
      if ('operations' in res.body) showChange(box, res.body);
      else showIncoming(box, res.body, JSON.parse(text));
      return res;
    }).catch(function (e) { problem(resultBox(), 'The server did not answer: ' + e.message); return null; });
  }

  // ---- Explain: marks on the tables --------------------------------------
  function clearMarks() {
    document.querySelectorAll('.sim-mark, .sim-why').forEach(function (e) { e.remove(); });
    ['sim-hit', 'sim-nomatch', 'sim-notreached', 'sim-matched', 'sim-dim', 'sim-consulted', 'sim-taken', 'sim-from', 'sim-to'].forEach(function (c) {
      document.querySelectorAll('.' + c).forEach(function (e) { e.classList.remove(c); });
    });
    document.querySelectorAll('[data-sim]').forEach(function (e) { e.removeAttribute('data-sim'); });
    document.querySelectorAll('#sim-explained').forEach(function (e) { e.remove(); });
  }
  var LABELS = { hit: 'HIT', nomatch: 'no match', notreached: 'not reached', matched: 'matches, not chosen' };
  function mark(row, outcome, because) {
    if (!row) return;
    row.classList.add('sim-' + outcome);
    row.setAttribute('data-sim', outcome);
    var cell = row.children[1] || row.children[0];
    cell.insertBefore(el('span', { className: 'sim-mark ' + outcome, text: LABELS[outcome] }), cell.firstChild);
    if (outcome === 'nomatch' && because) {
      var why = el('div', { className: 'sim-why' });
      because.filter(function (b) { return b.is === false; }).forEach(function (b) {
        var reads = Object.keys(b.reads || {}).map(function (k) { return k + ' = ' + show(b.reads[k]); }).join(', ');
        why.appendChild(el('div', null, [el('code', { text: b.expr }), ' is false' + (reads ? '   [' + reads + ']' : '')]));
      });
      cell.appendChild(why);
    }
  }
  function applyExplain(x) {
    clearMarks();
    var tables = document.querySelectorAll('section.table[data-table]');
    if (x.kind === 'incoming') {
      tables.forEach(function (s) { s.classList.add('sim-dim'); });
      mark(document.querySelector('#incoming tr[data-rule=' + cssq(x.rule) + ']'), 'hit');
      return;
    }
    $('incoming') && $('incoming').classList.add('sim-dim');
    var consulted = {};
    (x.steps || []).forEach(function (step) {
      consulted[step.table] = true;
      var sec = document.querySelector('section.table[data-table=' + cssq(step.table) + ']');
      if (!sec) return;
      sec.classList.add('sim-consulted');
      var first = -1;
      step.rules.forEach(function (r, i) { if (r.outcome === 'hit' && first < 0) first = i; });
      step.rules.forEach(function (r, i) {
        var row = sec.querySelector('tr[data-rule=' + cssq(r.id) + ']');
        var o = r.outcome === 'hit' ? 'hit' : (step.hit_policy === 'first' && first >= 0 && i > first) ? 'notreached'
          : r.outcome === 'no-match' ? 'nomatch' : 'matched';
        mark(row, o, r.because);
      });
      document.querySelectorAll('svg path.tr[data-transition-table=' + cssq(step.table) + ']').forEach(function (p) { p.classList.add('sim-taken'); });
    });
    tables.forEach(function (s) { if (!consulted[s.getAttribute('data-table')]) s.classList.add('sim-dim'); });
    var wf = x.workflow || {};
    var moved = false;
    (wf.moves || []).forEach(function (m) {
      var row = document.querySelector('tr[data-move=' + cssq(m.id) + ']');
      if (m.id === wf.move) { moved = true; mark(row, 'hit'); } else mark(row, moved ? 'notreached' : 'nomatch', m.because);
    });
    if (wf.move) document.querySelectorAll('svg path.move[data-move=' + cssq(wf.move) + '][data-from=' + cssq(x.after_phase) + ']')
      .forEach(function (p) { p.classList.add('sim-taken'); });
    var from = document.querySelector('svg rect.ph[data-phase=' + cssq(x.before_phase) + ']');
    if (from) from.classList.add('sim-from');
    var to = document.querySelector('svg rect.ph[data-phase=' + cssq(wf.to || x.after_phase) + ']');
    if (to) to.classList.add('sim-to');
  }
  function explainSummary(x) {
    var p = el('div', { id: 'sim-explained' });
    if (x.kind === 'incoming') {
      p.appendChild(el('h3', { text: 'Actions of ' + x.rule }));
      var ol = el('ol');
      (x.actions || []).forEach(function (a) { ol.appendChild(el('li', { text: a.action + (a.ran ? ': ' + (a.did || 'done') : ': not run (its condition is false)') })); });
      p.appendChild(ol);
      return p;
    }
    var wf = x.workflow || {};
    p.appendChild(el('p', null, [wf.move ? 'Workflow: move ' : 'Workflow: no move holds', wf.move ? el('code', { text: wf.move }) : null, wf.move ? ' takes the ' + R + ' to ' + wf.to : '']));
    if (x.plan) p.appendChild(el('p', { className: 'meta', text: x.plan.why }));
    var ul = el('ul');
    (x.steps || []).forEach(function (s, i) {
      ul.appendChild(el('li', null, ['Step ' + (i + 1) + ': ', el('a', { href: '#table-' + s.table, text: 'table ' + s.table }), ' \u2014 ' + (s.hit.length ? 'HIT ' + s.hit.join(', ') : 'no rule hits')]));
    });
    p.appendChild(ul);
    if (x.error) problem(p, 'Error: ' + (x.error.message || JSON.stringify(x.error)));
    return p;
  }
  function explain() {
    var text = currentText();
    if (text === null) return Promise.resolve(null);
    return evaluate().then(function () {
      return post('/v1/explain', text);
    }).then(function (res) {
      if (!res || !res.ok) { clearMarks(); return res; }
      lastExplain = res.body;
      applyExplain(res.body);
      $('sim-result').appendChild(explainSummary(res.body));
      $('sim-result').setAttribute('data-explained', 'yes');
      return res;
    });
  }

  // ---- lint: "Try it" on each finding with a witness ----------------------
  function tryButtons() {
    var diags = (LINT && LINT.diagnostics) || [];
    document.querySelectorAll('.finding[data-code]').forEach(function (f) {
      var d = diags.filter(function (x) {
        return x.code === f.getAttribute('data-code') && x.file === f.getAttribute('data-file') &&
          String(x.line) === f.getAttribute('data-line') && String(x.column) === f.getAttribute('data-column') && x.witness;
      })[0];
      if (!d) return;
      var witness = typeof d.witness === 'string' ? JSON.parse(d.witness) : d.witness;
      var b = el('button', { type: 'button', className: 'sim-try', text: 'Try it', 'aria-label': 'Try it: load the witness of this ' + d.code + ' finding and explain it' });
      b.addEventListener('click', function () { loadDoc(witness); explain(); $('sim').scrollIntoView && window.innerWidth < 1100 && $('sim').scrollIntoView(); });
      f.appendChild(b);
    });
  }

  // ---- scenarios (--tests) -----------------------------------------------
  function scenarios() {
    fetch('/v1/scenarios').then(function (r) { return r.json(); }).then(function (s) {
      if (!s.dir) return;
      $('sim-scenarios').hidden = false;
      (s.errors || []).forEach(function (e) { $('sim-scenario-errors').appendChild(el('li', { text: e })); });
      $('sim-scenarios-dir').textContent = 'The rule tests of ' + s.dir + ': click one to load its input and check it against its expectation.';
      var ul = $('sim-scenario-list');
      s.cases.forEach(function (c, i) {
        if (!c.input) return;
        var b = el('button', { type: 'button', className: 'quiet sim-scenario', 'data-index': String(i), text: c.name });
        b.addEventListener('click', function () { runScenario(c, i); });
        ul.appendChild(el('li', null, [b, ' ', el('span', { className: 'meta', text: c.file.replace(/^.*\//, '') + ':' + c.line })]));
      });
    }).catch(function () {});
  }
  function runScenario(c, i) {
    loadDoc(c.input);
    // The verdict of the rules in effect now (they may have been reloaded since the list).
    Promise.all([evaluate(), fetch('/v1/scenarios').then(function (r) { return r.json(); })]).then(function (all) {
      var now = all[1].cases[i] && all[1].cases[i].name === c.name ? all[1].cases[i] : c;
      var v = el('div', { id: 'sim-verdict' }, [el('p', null, ['Scenario ', el('b', { text: c.name }), ': ',
        el('span', { className: 'verdict ' + (now.passed ? 'pass' : 'fail'), text: now.passed ? 'PASS' : 'FAIL' })])]);
      if (!now.passed) {
        var ul = el('ul');
        now.differences.forEach(function (d) { ul.appendChild(el('li', { text: d })); });
        v.appendChild(ul);
      }
      v.appendChild(el('p', { className: 'meta', text: 'Expected: ' + JSON.stringify(now.expect) }));
      $('sim-result').insertBefore(v, $('sim-result').firstChild);
    });
  }

  // ---- start ---------------------------------------------------------------
  function restoreFromHash() {
    if (location.hash.indexOf('#try=') !== 0) return false;
    try {
      loadDoc(JSON.parse(b64decode(location.hash.slice(5))));
    } catch (e) {
      jsonError('The link holds no valid change: ' + e.message);
      return false;
    }
    explain();
    return true;
  }
  function start() {
    buildForm();
    document.body.classList.add('sim-on');
    $('sim-body').hidden = false;
    $('sim-form').addEventListener('input', formChanged);
    $('sim-form').addEventListener('change', formChanged);
    $('sim-form').addEventListener('submit', function (e) { e.preventDefault(); evaluate(); });
    document.querySelectorAll('input[name=sim-kind]').forEach(function (r) {
      r.addEventListener('change', function () { setKind(r.value); formChanged(); });
    });
    $('sim-json').addEventListener('input', jsonChanged);
    $('sim-evaluate').addEventListener('click', evaluate);
    $('sim-explain').addEventListener('click', explain);
    $('sim-clear').addEventListener('click', function () { clearMarks(); });
    $('sim-share').addEventListener('click', function (e) {
      e.preventDefault();
      if (navigator.clipboard) navigator.clipboard.writeText($('sim-share').href).catch(function () {});
    });
    window.addEventListener('hashchange', restoreFromHash);
    tryButtons();
    scenarios();
    if (!restoreFromHash()) formChanged();
    document.body.setAttribute('data-sim-ready', 'yes');
  }
  start();
})();
