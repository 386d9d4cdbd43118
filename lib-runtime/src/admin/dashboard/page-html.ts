/**
 * The dashboard page. Static markup only: the script (dashboard.js) fills it from /dashboard/state
 * and the event stream, and the stylesheet is dashboard.css; the page's CSP allows nothing inline.
 * Served at /dashboard/ so every URL in it is relative and the page also works behind a path prefix.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
<title>open-app-mesh dashboard</title>
<link rel="stylesheet" href="dashboard.css">
<link rel="icon" href="favicon.svg" type="image/svg+xml">
<script src="dashboard.js" defer></script>
</head>
<body>
<header>
  <h1>open-app-mesh <span class="muted">control plane</span></h1>
  <dl class="facts">
    <div><dt>Mesh</dt><dd id="mesh-name">–</dd></div>
    <div><dt>Spec version</dt><dd id="spec-version">–</dd></div>
    <div><dt>Proxies</dt><dd id="proxy-count">–</dd></div>
    <div><dt>Updated</dt><dd id="updated">–</dd></div>
    <div><dt>Live</dt><dd id="live" class="live-off">connecting</dd></div>
  </dl>
</header>
<main>
  <section id="mesh-section">
    <h2>Mesh</h2>
    <div id="graph" class="graph"><p class="muted">no spec served yet</p></div>
  </section>
  <section id="proxies-section">
    <h2>Connected proxies</h2>
    <p class="muted">Per node: each xDS stream, and per resource type the version sent and the version the proxy acknowledged.</p>
    <div id="proxies"></div>
  </section>
  <div class="columns">
    <section id="nacks-section">
      <h2>Rejected configuration (NACK)</h2>
      <div id="nacks"><p class="muted">none</p></div>
    </section>
    <section id="latency-section">
      <h2>Push latency</h2>
      <p class="muted">Time from sending a response to its ACK, all resource types.</p>
      <div id="latency"></div>
    </section>
  </div>
  <section id="history-section">
    <h2>Spec history</h2>
    <p class="muted">Specs offered to the control plane, newest first (the last 50).</p>
    <div id="history"><p class="muted">none yet</p></div>
  </section>
</main>
</body>
</html>
`;

/** Shown at /dashboard/ when a token is required and none was given: a form that trades it for a session cookie. */
export const SIGN_IN_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="referrer" content="same-origin">
<title>open-app-mesh dashboard: sign in</title>
<link rel="stylesheet" href="dashboard.css">
</head>
<body>
<main class="sign-in">
  <h1>open-app-mesh dashboard</h1>
  <p>This control plane's admin server requires its token (the contents of <code>--admin-token-file</code>).</p>
  <form method="post" action="session">
    <label for="token">Admin token</label>
    <input id="token" name="token" type="password" autocomplete="off" required>
    <button type="submit">Open the dashboard</button>
  </form>
  <p class="muted">The token is exchanged for a session cookie (HttpOnly, SameSite=Strict, 12 hours) that opens only the dashboard.</p>
</main>
</body>
</html>
`;

/** The tab icon: three linked nodes (a browser asks for one; without it, /favicon.ico is a 404). */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<path d="M8 22 L16 9 L24 22 Z" fill="none" stroke="#1f6fb8" stroke-width="2.5"/>
<circle cx="16" cy="9" r="5" fill="#e3f0fc" stroke="#1f6fb8" stroke-width="2.5"/>
<circle cx="8" cy="22" r="5" fill="#e5f5e8" stroke="#2e8540" stroke-width="2.5"/>
<circle cx="24" cy="22" r="5" fill="#e5f5e8" stroke="#2e8540" stroke-width="2.5"/>
</svg>
`;
