// End-to-end test of the web console in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core). It starts a real node:
// a bounded run in approval mode leaves content pending, then `herald run`
// serves the console; the test opens it, waits for the analyzer actors,
// kills one (chaos) and sees its restart count rise, approves a pending
// piece and sees it published, and saves a screenshot.
// Env: HERALD_BINARY, HERALD_SOURCE_DIR, HERALD_ARTIFACTS (screenshot dir).
// Exit 77 (skipped) when Chromium or playwright-core is missing.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawn, spawnSync } = require('child_process');

const chromium_path = process.env.HERALD_CHROMIUM || '/usr/bin/chromium';
let playwright;
try {
  playwright = require('playwright-core');
} catch (e) {
  console.log('SKIPPED: playwright-core is not installed (' + e.message + ')');
  process.exit(77);
}
if (!fs.existsSync(chromium_path)) {
  console.log('SKIPPED: ' + chromium_path + ' not found (apt-get install chromium)');
  process.exit(77);
}

const bin = process.env.HERALD_BINARY;
const conf = path.join(process.env.HERALD_SOURCE_DIR, 'config', 'caf-application.conf');
const artifacts = process.env.HERALD_ARTIFACTS || os.tmpdir();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-browser-'));
const token = 'browser-operator-token-0123456789';
fs.writeFileSync(path.join(dir, 'secrets.env'), 'HERALD_API_TOKENS=ops:operator:' + token + '\n');
const common = [
  'run', '--config', conf, '--http.port=0', '--inspector.port=0',
  '--scanner.start-time=1700000000000',
  '--secrets.env-file=' + path.join(dir, 'secrets.env'),
  '--db.url=sqlite://' + path.join(dir, 'h.db'),
  '--publish.articles.dir=' + path.join(dir, 'site'),
  '--content.chart-dir=' + path.join(dir, 'charts'),
  '--publish.articles.mode=approval',
];

function fail(msg) {
  console.error('FAILED: ' + msg);
  process.exitCode = 1;
  throw new Error(msg);
}

async function main() {
  const pre = spawnSync(bin, common.concat(['--candles', '3000']), { encoding: 'utf8', timeout: 120000 });
  if (pre.status !== 0) fail('bounded approval run exited ' + pre.status + ':\n' + pre.stderr);
  // A held reply with hostile text (markup, script, control characters,
  // other scripts, 10 KB) and a metrics reading, as the community agents
  // would have stored them.
  const q = (x) => "'" + x.replace(/'/g, "''") + "'";
  const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>' +
    ' \u202Eevil \u0645\u0631\u062D\u0628\u0627 \u4F60\u597D ' + 'A'.repeat(10240);
  const now = Date.now();
  const sql = 'INSERT INTO community_replies (id, platform, conversation_id, in_reply_to, author_id, ' +
    'intent, state, rule, "text", created_at, updated_at) VALUES (' +
    [q('x:999'), q('x'), q('c1'), q('999'), q('55'), q('symbol'), q('pending_approval'), q('')].join(', ') +
    ', ' + q(hostile) + " || char(7) || char(27) || '[31m', " + now + ', ' + now + ');' +
    'INSERT INTO post_metrics (post_id, channel, offset_ms, due_at, taken_at, status, impressions, ' +
    "engagements, rate, formula, counts, kind, published_at) VALUES ('alert:BTCUSDT:1m:1', 'x', " +
    '3600000, ' + now + ', ' + now + ", 'ok', 400, 8, 0.02, 'engagements / impressions', '{}', " +
    "'alert', " + (now - 3600000) + ');';
  const ins = spawnSync('sqlite3', [path.join(dir, 'h.db'), sql], { encoding: 'utf8' });
  if (ins.status !== 0) fail('sqlite3: ' + ins.stderr);

  const node = spawn(bin, common.concat(['--content.approval-poll=200ms']), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  node.stdout.on('data', (d) => { out += d; });
  node.stderr.on('data', (d) => { out += d; });
  const port = await new Promise((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error('herald did not start:\n' + out)), 60000);
    const timer = setInterval(() => {
      const m = out.match(/http: listening on http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m && out.includes('herald running')) { clearInterval(timer); clearTimeout(deadline); resolve(Number(m[1])); }
    }, 50);
  });

  const browser = await playwright.chromium.launch({
    executablePath: chromium_path, headless: true, args: ['--no-sandbox', '--disable-gpu'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => d.accept());
    await page.goto('http://127.0.0.1:' + port + '/#token=' + token);

    // The analyzer actors appear in the live tree.
    const victim = 'analysis.series.BTCUSDT_1m.momentum';
    const row = page.locator('tr[data-path="' + victim + '"]');
    await row.waitFor({ timeout: 30000 });
    for (const kind of ['market_structure', 'order_flow', 'volatility_regime', 'pattern_recognition']) {
      await page.locator('tr[data-path="analysis.series.BTCUSDT_1m.' + kind + '"]').waitFor({ timeout: 10000 });
    }
    const before = Number(await row.locator('td.restarts').textContent());

    // Chaos kill from the console; the supervisor restarts it and the count rises.
    await row.locator('button[data-action="kill"]').click();
    await page.waitForFunction(([p, n]) => {
      const r = document.querySelector('tr[data-path="' + p + '"]');
      return r && Number(r.querySelector('td.restarts').textContent) > n &&
        r.querySelector('td:nth-child(6)').textContent === 'running';
    }, [victim, before], { timeout: 30000 });

    // The search box shows the actors of one series (from the API), busiest
    // first, and clearing it brings the whole tree back.
    await page.fill('#actor-find', 'ETHUSDT_1m.');
    await page.waitForFunction(() => {
      const rows = [...document.querySelectorAll('#tree-body tr')];
      return rows.length >= 7 && rows.every((r) => r.dataset.path.includes('ETHUSDT_1m.'))
        && document.querySelector('#actor-count').textContent.includes('found of');
    }, null, { timeout: 30000 });
    await page.fill('#actor-find', '');
    await row.waitFor({ timeout: 30000 });

    // Approve the first pending piece and see it published.
    const first = page.locator('#queue li[data-id]').first();
    await first.waitFor({ timeout: 30000 });
    const id = await first.getAttribute('data-id');
    await first.locator('button[data-act="approve"]').click();
    const link = page.locator('#published li[data-plan="' + id + '"] a');
    await link.waitFor({ timeout: 30000 });
    // Named by its title, not its id.
    const shown = (await link.textContent()).trim();
    if (!shown || shown === id || shown.includes('@')) fail('published panel shows "' + shown + '", not a title');

    // The hostile reply is shown as text: no element, no script ran.
    await page.selectOption('#reply-state', 'pending_approval');
    const held = page.locator('#replies li[data-id="x:999"]');
    await held.waitFor({ timeout: 30000 });
    const shownText = await held.locator('.text').textContent();
    if (!shownText.includes('<img src=x onerror=')) fail('the hostile reply is not shown as text');
    if (await page.locator('#replies img, #replies script').count()) fail('the reply text became markup');
    if (await page.evaluate(() => window.__pwned)) fail('a script in a reply ran');
    // The analytics panel shows the reading.
    await page.waitForFunction(() => [...document.querySelectorAll('#analytics tr')]
      .some((r) => r.textContent.includes('2.00%')), null, { timeout: 30000 });

    // The learning panel shows each feedback loop's last run and next run.
    await page.waitForFunction(() => ['ab', 'tuning', 'expiry'].every((l) =>
      [...document.querySelectorAll('#learning-loops tr')].some((r) =>
        r.cells.length === 5 && r.cells[0].textContent === l && r.cells[2].textContent !== ''
        && r.cells[4].textContent !== '')), null, { timeout: 30000 });

    // The tree shows its levels; every panel says which clock it shows.
    const levels = await page.$$eval('#tree-body .level', (xs) => [...new Set(xs.map((x) => x.textContent))]);
    for (const l of ['root', 'domain', 'pool', 'series', 'analyzer', 'agent']) {
      if (!levels.includes(l)) fail('tree level "' + l + '" missing: ' + levels.join(', '));
    }
    const unlabelled = await page.$$eval('main .panel', (ps) => ps.filter((p) => !p.querySelector('.clock')).length);
    if (unlabelled) fail(unlabelled + ' panels do not say which clock they show');

    // The other panels are alive too.
    await page.waitForFunction(() => document.querySelector('#ready').textContent === 'ready', null, { timeout: 30000 });
    await page.waitForFunction(() => document.querySelector('#stream').textContent === 'live', null, { timeout: 30000 });
    await page.waitForFunction(() => document.querySelectorAll('#symbol option').length > 0, null, { timeout: 30000 });
    await page.waitForFunction(() => document.querySelectorAll('#feed li').length > 0, null, { timeout: 30000 });
    // The cluster panel lists this node (herald run: one node, up).
    await page.waitForFunction(() => [...document.querySelectorAll('#cluster-body tr')]
      .some((r) => r.querySelector('.status-up')), null, { timeout: 30000 });

    fs.mkdirSync(artifacts, { recursive: true });
    const shot = path.join(artifacts, 'console.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log('screenshot: ' + shot);
    if (errors.length) fail('page errors: ' + errors.join('; '));
    console.log('PASSED: tree (levels), chaos kill -> restart count, approve -> published (title), hostile reply as text, analytics, learning loops, clocks, health, stream, chart, feed, cluster');
  } finally {
    await browser.close();
    node.kill('SIGTERM');
    await new Promise((r) => node.on('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
