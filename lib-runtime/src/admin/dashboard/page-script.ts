/**
 * The dashboard's browser script (served as /dashboard/dashboard.js): reads /dashboard/state once,
 * then follows /dashboard/events (server-sent events), redrawing from each snapshot. It builds
 * every element with textContent (server data is never parsed as HTML); the graph is the
 * control plane's own SVG (graph.svg), parsed as SVG and refetched when the spec version changes.
 * Plain ES2017 with no dependencies: kept as text here so it ships inside the compiled package.
 */
export const DASHBOARD_JS = String.raw`'use strict';
(function () {
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var shownGraphVersion = null;
  var graphRequest = 0;
  var latest = null;

  function $(id) { return document.getElementById(id); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svgEl(tag, attrs, text) {
    var node = document.createElementNS(SVG_NS, tag);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, String(attrs[k])); });
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function time(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? String(iso) : d.toLocaleTimeString();
  }

  function shortVersion(v) { return v === null || v === undefined ? '–' : String(v); }

  function seconds(s) {
    return s < 1 ? (Math.round(s * 10000) / 10) + ' ms' : s + ' s';
  }

  /** A bucket's upper bound, compact: 2.5ms, 1s; the last bucket is everything above the one before. */
  function bucketLabel(buckets, i) {
    var le = buckets[i].le;
    if (le === null) return '>' + (i > 0 ? bucketLabel(buckets, i - 1) : '0');
    return seconds(le).replace(' ', '');
  }

  function render(snapshot) {
    latest = snapshot;
    $('mesh-name').textContent = snapshot.spec ? snapshot.spec.meshName : '–';
    $('spec-version').textContent = snapshot.spec ? snapshot.spec.version : 'none served';
    var proxies = snapshot.nodes.reduce(function (n, node) { return n + node.proxies.length; }, 0);
    $('proxy-count').textContent = String(proxies);
    $('updated').textContent = time(snapshot.at);
    renderProxies(snapshot.nodes);
    renderNacks(snapshot.recentNacks);
    renderLatency(snapshot.pushLatency);
    renderHistory(snapshot.history);
    var version = snapshot.spec ? snapshot.spec.version : null;
    if (version !== shownGraphVersion) loadGraph(version);
    else decorateGraph();
  }

  function loadGraph(version) {
    var request = ++graphRequest;
    if (version === null) {
      shownGraphVersion = null;
      clear($('graph'));
      $('graph').appendChild(el('p', 'muted', 'no spec served yet'));
      return;
    }
    fetch('graph.svg?v=' + encodeURIComponent(version), { credentials: 'same-origin', cache: 'no-store' })
      .then(function (res) {
        if (!res.ok) throw new Error('graph.svg: HTTP ' + res.status);
        return res.text();
      })
      .then(function (text) {
        if (request !== graphRequest) return;
        var parsed = new DOMParser().parseFromString(text, 'image/svg+xml');
        var svg = parsed.documentElement;
        if (!svg || svg.nodeName !== 'svg') throw new Error('graph.svg is not an SVG document');
        var box = $('graph');
        clear(box);
        box.appendChild(document.importNode(svg, true));
        box.setAttribute('data-version', version);
        shownGraphVersion = version;
        decorateGraph();
      })
      .catch(function (error) {
        if (request !== graphRequest) return;
        clear($('graph'));
        $('graph').appendChild(el('p', 'muted', String(error && error.message || error)));
      });
  }

  /** Marks each node box of the graph with its proxy count and NACK state. */
  function decorateGraph() {
    var box = $('graph');
    if (!latest) return;
    Array.prototype.forEach.call(box.querySelectorAll('.oam-badge'), function (b) { b.parentNode.removeChild(b); });
    Array.prototype.forEach.call(box.querySelectorAll('g.node'), function (g) {
      g.classList.remove('oam-connected', 'oam-nacked');
    });
    latest.nodes.forEach(function (node) {
      if (!node.graphId || node.proxies.length === 0) return;
      var g = box.querySelector('g.node[data-id="' + CSS.escape(node.graphId) + '"]');
      var rect = g && g.querySelector('rect');
      if (!rect) return;
      var nacked = node.proxies.some(function (p) { return p.state === 'nacked'; });
      g.classList.add(nacked ? 'oam-nacked' : 'oam-connected');
      // Under the box, right-aligned: inside it the widest line already spans the box.
      var x = Number(rect.getAttribute('x')) + Number(rect.getAttribute('width'));
      var y = Number(rect.getAttribute('y')) + Number(rect.getAttribute('height')) + 13;
      var label = node.proxies.length + (node.proxies.length === 1 ? ' proxy' : ' proxies') + (nacked ? ' · NACK' : '');
      g.appendChild(svgEl('text', { x: x, y: y, 'text-anchor': 'end', 'class': 'oam-badge' + (nacked ? ' oam-badge-nack' : '') }, label));
    });
  }

  function stateBadge(state, label) { return el('span', 'state state-' + state, label || state); }

  var STATE_LABELS = { acked: 'ACKed', pending: 'awaiting ACK', nacked: 'NACKed' };

  function renderProxies(nodes) {
    var box = $('proxies');
    clear(box);
    if (nodes.length === 0) { box.appendChild(el('p', 'muted', 'no nodes')); return; }
    var table = el('table');
    var head = el('tr');
    ['Node / stream', 'Peer', 'Client', 'State', 'Per type: sent / ACKed version'].forEach(function (h) { head.appendChild(el('th', null, h)); });
    table.appendChild(el('thead')).appendChild(head);
    var body = table.appendChild(el('tbody'));
    nodes.forEach(function (node) {
      var row = el('tr', 'node-row');
      row.setAttribute('data-node', node.nodeId);
      row.appendChild(el('td', 'mono', node.nodeId + (node.inSpec ? '' : ' (not in the spec)')));
      var summary = el('td');
      summary.colSpan = 4;
      summary.appendChild(node.proxies.length === 0 ? stateBadge('none', 'no proxy connected')
        : document.createTextNode(node.proxies.length + (node.proxies.length === 1 ? ' proxy' : ' proxies')));
      row.appendChild(summary);
      body.appendChild(row);
      node.proxies.forEach(function (proxy) {
        var tr = el('tr', 'proxy-row');
        tr.setAttribute('data-node', node.nodeId);
        tr.setAttribute('data-stream', String(proxy.streamId));
        tr.setAttribute('data-state', proxy.state);
        tr.appendChild(el('td', 'mono', '#' + proxy.streamId + ' ' + proxy.protocol + ' since ' + time(proxy.openedAt)));
        tr.appendChild(el('td', 'mono', proxy.peer));
        tr.appendChild(el('td', null, proxy.userAgent || '–'));
        tr.appendChild(el('td')).appendChild(stateBadge(proxy.state, STATE_LABELS[proxy.state]));
        var cell = el('td');
        var types = cell.appendChild(el('div', 'types'));
        proxy.types.forEach(function (t) {
          var chip = el('span', 'type' + (t.lastNack && t.acked !== t.sent ? ' type-nacked' : ''));
          chip.appendChild(el('b', null, t.type));
          chip.appendChild(document.createTextNode(' ' + shortVersion(t.sent) + ' / ' + shortVersion(t.acked) + (t.awaitingAck ? ' (waiting)' : '')));
          chip.title = t.resources + ' resources';
          types.appendChild(chip);
        });
        proxy.types.forEach(function (t) {
          if (t.lastNack && t.acked !== t.sent) {
            var message = cell.appendChild(el('div', 'nack-message', t.type + ' ' + t.lastNack.rejectedVersion + ' rejected: ' + t.lastNack.message));
            message.setAttribute('data-nack', t.type);
          }
        });
        tr.appendChild(cell);
        body.appendChild(tr);
      });
    });
    box.appendChild(table);
  }

  function renderNacks(nacks) {
    var box = $('nacks');
    clear(box);
    if (nacks.length === 0) { box.appendChild(el('p', 'muted', 'none')); return; }
    nacks.forEach(function (nack) {
      var item = el('div', 'nack');
      item.appendChild(el('div', 'mono', time(nack.at) + ' ' + nack.nodeId + ' rejected ' + nack.type + ' ' + nack.rejectedVersion + ' (keeps ' + (nack.acceptedVersion || 'nothing') + ')'));
      item.appendChild(el('div', 'nack-message', nack.message));
      box.appendChild(item);
    });
  }

  function renderLatency(histogram) {
    var box = $('latency');
    clear(box);
    if (histogram.count === 0) { box.appendChild(el('p', 'muted', 'no ACK yet')); return; }
    var buckets = histogram.buckets;
    var max = buckets.reduce(function (m, b) { return Math.max(m, b.count); }, 1);
    var width = 640, height = 170, left = 8, bottom = 34, top = 18;
    var step = (width - left * 2) / buckets.length;
    var svg = svgEl('svg', { viewBox: '0 0 ' + width + ' ' + height, 'class': 'latency-chart', role: 'img', 'aria-label': 'push latency histogram' });
    buckets.forEach(function (b, i) {
      var h = Math.round((height - bottom - top) * b.count / max);
      var x = left + i * step;
      svg.appendChild(svgEl('rect', { 'class': 'bar', x: x + 2, y: height - bottom - h, width: Math.max(step - 4, 1), height: h }));
      if (b.count > 0) svg.appendChild(svgEl('text', { 'class': 'count', x: x + step / 2, y: height - bottom - h - 4, 'text-anchor': 'middle' }, b.count));
      svg.appendChild(svgEl('text', { x: x + step / 2, y: height - bottom + 14, 'text-anchor': 'middle' }, bucketLabel(buckets, i)));
    });
    box.appendChild(svg);
    var mean = histogram.sum / histogram.count;
    box.appendChild(el('p', 'muted', 'ACKs per bucket (upper bound of each): ' + histogram.count + ' ACKs, mean ' + seconds(Math.round(mean * 10000) / 10000)));
  }

  function renderHistory(history) {
    var box = $('history');
    clear(box);
    if (history.length === 0) { box.appendChild(el('p', 'muted', 'none yet')); return; }
    var table = el('table');
    var head = el('tr');
    ['Time', 'Outcome', 'Version', 'Source', 'Errors'].forEach(function (h) { head.appendChild(el('th', null, h)); });
    table.appendChild(el('thead')).appendChild(head);
    var body = table.appendChild(el('tbody'));
    history.forEach(function (entry) {
      var tr = el('tr', 'history-row');
      tr.setAttribute('data-outcome', entry.outcome);
      tr.appendChild(el('td', 'mono', time(entry.at)));
      tr.appendChild(el('td')).appendChild(stateBadge(entry.outcome));
      tr.appendChild(el('td', 'mono', shortVersion(entry.version)));
      tr.appendChild(el('td', 'mono', entry.origin));
      var errors = el('td');
      if (entry.errors.length > 0) {
        var list = errors.appendChild(el('ul', 'errors'));
        entry.errors.forEach(function (e) { list.appendChild(el('li', null, e)); });
      }
      tr.appendChild(errors);
      body.appendChild(tr);
    });
    box.appendChild(table);
  }

  function setLive(on, text) {
    var live = $('live');
    live.textContent = text;
    live.className = on ? 'live-on' : 'live-off';
  }

  function connect() {
    var events = new EventSource('events');
    events.addEventListener('open', function () { setLive(true, 'live'); });
    events.addEventListener('state', function (e) {
      setLive(true, 'live');
      render(JSON.parse(e.data));
    });
    // EventSource reconnects by itself (retry: 3000); a refused stream (401, 503) is closed for good.
    events.addEventListener('error', function () {
      setLive(false, events.readyState === EventSource.CLOSED ? 'disconnected (reload to retry)' : 'reconnecting');
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    fetch('state', { credentials: 'same-origin', cache: 'no-store' })
      .then(function (res) { return res.ok ? res.json() : null; })
      .then(function (snapshot) { if (snapshot) render(snapshot); })
      .catch(function () { /* the event stream brings the state too */ })
      .then(connect);
  });
})();
`;
