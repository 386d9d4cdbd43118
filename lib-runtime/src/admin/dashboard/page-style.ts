/** The dashboard's stylesheet (served as /dashboard/dashboard.css; the CSP allows no inline style). */
export const DASHBOARD_CSS = `
:root { --ink: #1f2933; --muted: #52606d; --line: #d9e2ec; --bg: #f5f7fa; --ok: #2e8540; --warn: #a66a00; --bad: #c62828; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: var(--ink); background: var(--bg); }
header { display: flex; flex-wrap: wrap; align-items: center; justify-content: space-between; gap: 12px; padding: 12px 24px; background: #fff; border-bottom: 1px solid var(--line); }
h1 { font-size: 20px; margin: 0; }
h2 { font-size: 16px; margin: 0 0 6px; }
main { padding: 16px 24px 32px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 14px 16px; margin-bottom: 16px; }
.columns { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
.columns > section { margin-bottom: 0; }
.columns + section { margin-top: 16px; }
.muted { color: var(--muted); }
p.muted { margin: 0 0 10px; font-size: 13px; }
.facts { display: flex; flex-wrap: wrap; gap: 20px; margin: 0; }
.facts div { min-width: 80px; }
.facts dt { font-size: 11px; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); }
.facts dd { margin: 0; font-weight: 600; font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
.live-on { color: var(--ok); }
.live-off { color: var(--warn); }
.graph { overflow: auto; }
.graph svg { max-width: 100%; height: auto; }
.graph g.node.oam-connected rect { stroke-width: 3; }
.graph g.node.oam-nacked rect { stroke: var(--bad); stroke-width: 3; }
.graph text.oam-badge { font-size: 11px; font-weight: 700; fill: var(--ok); }
.graph text.oam-badge.oam-badge-nack { fill: var(--bad); }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-size: 11px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); font-weight: 600; }
td.mono, span.mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; }
tr.node-row td { background: #f0f4f8; font-weight: 600; }
.state { display: inline-block; padding: 0 7px; border-radius: 9px; font-size: 12px; font-weight: 600; }
.state-acked, .state-applied { background: #e5f5e8; color: var(--ok); }
.state-pending { background: #fff4d6; color: var(--warn); }
.state-nacked, .state-rejected { background: #fdecec; color: var(--bad); }
.state-none { background: #eef1f4; color: var(--muted); }
.types { display: flex; flex-wrap: wrap; gap: 6px; }
.type { border: 1px solid var(--line); border-radius: 6px; padding: 2px 6px; font-size: 12px; }
.type.type-nacked { border-color: var(--bad); }
.type b { font-weight: 600; }
.nack-message, .errors { margin: 4px 0 0; padding: 6px 8px; background: #fdecec; color: #7f1d1d; border-radius: 6px; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px; white-space: pre-wrap; word-break: break-word; }
.errors { list-style: none; }
.latency-chart { width: 100%; height: auto; }
.latency-chart rect.bar { fill: #1f6fb8; }
.latency-chart text { font-size: 10px; fill: var(--muted); }
.latency-chart text.count { fill: var(--ink); font-weight: 600; }
.sign-in { max-width: 420px; margin: 60px auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 24px; }
.sign-in form { display: grid; gap: 8px; margin: 16px 0; }
.sign-in input { font: inherit; padding: 6px 8px; }
.sign-in button { font: inherit; padding: 6px 12px; cursor: pointer; }
`;
