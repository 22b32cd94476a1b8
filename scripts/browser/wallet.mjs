// End-to-end test of the earner's wallet pages in real headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core; no browser is downloaded).
//
// Two real nodes from target/debug/badgemesh (issuer A, earner B; both --no-p2p) in temporary
// data directories. A awards two badges to B's DID; in the browser the earner signs in to B's
// wallet, imports both credentials and the 1EdTech validator's simple-jwt.png in one upload,
// accepts one and refuses the other with the keyboard, searches, downloads the baked PNG,
// signs a presentation bound to a challenge; Node checks each result against B's VC-API, that
// a form without the CSRF token is refused and changes nothing, and axe-core finds no serious
// or critical accessibility violation on any page. SCREENSHOTS=1 also writes docs/wallet/*.png.
//
// Usage: node scripts/browser/wallet.mjs   (BADGEMESH_BIN, CHROMIUM override the paths)
// Exits non-zero with a one-line reason on the first failure; both nodes are killed either way.

import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN =
  process.env.BADGEMESH_BIN ?? join(process.env.CARGO_TARGET_DIR ?? join(ROOT, 'target'), 'debug/badgemesh');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SAMPLE = join(ROOT, 'vc-schemas/tests/specs/openbadges-3.0/validator-samples/simple-jwt.png');
const SHOTS = process.env.SCREENSHOTS === '1' ? join(ROOT, 'docs/wallet') : null;
const DEADLINE_MS = 90_000;

const started = Date.now();
const nodes = [];
const temps = [];
let browser = null;
let passed = 0;

class Failure extends Error {}

function check(ok, reason) {
  if (!ok) throw new Failure(reason);
}

/** One named step: counted when it passes, and its name leads the failure's reason. */
async function step(name, fn) {
  const t = Date.now();
  try {
    await fn();
  } catch (e) {
    const why = e instanceof Failure ? e.message : (e?.message ?? String(e)).split('\n')[0];
    throw new Failure(`${name}: ${why}`);
  }
  passed += 1;
  console.log(`ok ${passed} - ${name} (${Date.now() - t} ms)`);
}

function temp(prefix) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

async function sleep(ms) {
  await new Promise((r) => setTimeout(r, ms));
}

/** A node in a fresh data directory: its URL, token, DID and an admin API client. */
async function startNode(label) {
  const dir = temp(`badgemesh-${label}-`);
  const env = { ...process.env, BADGEMESH_DATA_DIR: dir, RUST_LOG: process.env.RUST_LOG ?? 'warn' };
  execFileSync(BIN, ['init'], { env, stdio: 'ignore' });
  const log = [];
  const child = spawn(BIN, ['run', '--http', '127.0.0.1:0', '--no-p2p'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk) => {
    log.push(chunk.toString());
    if (log.length > 200) log.shift();
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const node = { label, dir, child, log, exited: null };
  child.on('exit', (code, signal) => {
    node.exited = signal ?? code;
  });
  nodes.push(node);
  const urlFile = join(dir, 'node.url');
  for (let i = 0; i < 300 && !existsSync(urlFile); i++) {
    check(node.exited === null, `node ${label} exited (${node.exited}): ${log.join('').trim().split('\n').pop()}`);
    await sleep(50);
  }
  check(existsSync(urlFile), `node ${label} wrote no node.url within 15 s`);
  node.url = readFileSync(urlFile, 'utf8').trim();
  node.token = execFileSync(BIN, ['token'], { env, encoding: 'utf8' }).trim().split(/\s+/).pop();
  node.api = async (method, path, body) => {
    const response = await fetch(node.url + path, {
      method,
      headers: {
        authorization: `Bearer ${node.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    check(response.ok, `${method} ${path} on ${label}: ${response.status} ${text.slice(0, 200)}`);
    return text ? JSON.parse(text) : null;
  };
  node.did = (await node.api('GET', '/api/v1/node')).did;
  check(node.did?.startsWith('did:'), `node ${label} has no DID`);
  return node;
}

async function stopNodes() {
  for (const n of nodes) {
    if (n.exited === null) n.child.kill('SIGTERM');
  }
  for (let i = 0; i < 60 && nodes.some((n) => n.exited === null); i++) await sleep(50);
  for (const n of nodes) {
    if (n.exited === null) n.child.kill('SIGKILL');
  }
}

/** POSTs JSON (or raw bytes) to an open VC-API route of `node`. */
async function open(node, path, body, contentType = 'application/json') {
  const response = await fetch(node.url + path, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: contentType === 'application/json' ? JSON.stringify(body) : body,
  });
  const text = await response.text();
  let json = null;
  try {
    json = JSON.parse(text);
  } catch {
    // reported below
  }
  check(json !== null, `POST ${path}: ${response.status}, not JSON: ${text.slice(0, 200)}`);
  return { status: response.status, json };
}

const failedChecks = (answer) =>
  (answer?.report?.checks ?? []).filter((c) => c.status === 'failed').map((c) => c.name);

/** axe-core on the page as it is now: serious and critical violations fail the test. */
const axeFindings = [];
const axeRuns = [];
async function axe(page, name) {
  const results = await new AxeBuilder({ page }).analyze();
  check(results.passes.length > 0, `axe ran no rule on ${name}`);
  axeRuns.push(`${name}: ${results.passes.length} rules passed, ${results.violations.length} violated`);
  for (const v of results.violations) {
    axeFindings.push(`${name}: ${v.id} (${v.impact}, ${v.nodes.length} node(s))`);
  }
  const bad = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  check(
    bad.length === 0,
    `axe on ${name}: ${bad
      .map((v) => `${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
      .join('; ')}`,
  );
}

async function shot(page, name) {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

/** Presses Tab until the focused element is the button named `label`; then Enter. */
async function pressByKeyboard(page, label) {
  await page.locator('body').focus();
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.getAttribute('aria-label'));
    if (focused === label) {
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      return;
    }
  }
  throw new Failure(`no button "${label}" within 60 Tab presses`);
}

async function main() {
  check(existsSync(BIN), `${BIN} is missing: cargo build -p badgemesh-node --bin badgemesh`);
  check(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install chromium`);
  const work = temp('badgemesh-browser-');
  let a, b, welding, firstAid;

  await step('two nodes start; A awards Welding and First aid to B', async () => {
    [a, b] = await Promise.all([startNode('A'), startNode('B')]);
    await a.api('PUT', '/api/v1/profile', { name: 'Riverside Trade School' });
    const award = async (name, description, narrative) => {
      const { uuid } = await a.api('POST', '/api/v1/achievements', {
        name,
        description,
        criteria: { narrative },
      });
      const record = await a.api('POST', '/api/v1/awards', { achievement: uuid, recipient: b.did });
      check(record?.credential?.id, `the ${name} award has no credential`);
      return record.credential;
    };
    welding = await award('Welding', 'Joins steel plates with MIG and TIG welds.', 'Passed the practical weld test.');
    firstAid = await award('First aid', 'Gives first aid at work.', 'Completed the one-day course.');
    writeFileSync(join(work, 'welding.json'), JSON.stringify(welding, null, 2));
    writeFileSync(join(work, 'first-aid.json'), JSON.stringify(firstAid, null, 2));
  });

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // No background traffic: this machine's network is closed beyond loopback.
    args: [
      ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const wallet = `${b.url}/wallet`;

  await step('an anonymous visit is sent to sign in; the token signs in', async () => {
    await page.goto(wallet);
    check(new URL(page.url()).pathname === '/wallet/signin', `landed on ${page.url()}`);
    await axe(page, 'sign-in');
    await shot(page, 'signin');
    await page.getByLabel('Node token').fill('not-the-token');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
    check((await page.getByRole('alert').textContent()).includes('not this node'), 'a wrong token said nothing');
    await page.getByLabel('Node token').fill(b.token);
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
    check(new URL(page.url()).pathname === '/wallet', `signed in to ${page.url()}`);
    await page.getByRole('heading', { name: 'Your badges' }).waitFor();
    const cookie = (await context.cookies()).find((c) => c.name === 'badgemesh_wallet');
    check(cookie?.httpOnly && cookie.sameSite === 'Strict', `the session cookie: ${JSON.stringify(cookie)}`);
  });

  await step('one upload imports two JSON credentials and simple-jwt.png', async () => {
    await page.getByRole('link', { name: 'Import', exact: true }).click();
    await page.getByRole('heading', { name: 'Import badges' }).waitFor();
    await axe(page, 'import');
    await shot(page, 'import');
    await page.locator('#files').setInputFiles([join(work, 'welding.json'), join(work, 'first-aid.json'), SAMPLE]);
    await page.getByRole('button', { name: 'Import' }).click();
    const done = await page.locator('#import-log p', { hasText: 'Done:' }).innerText();
    check(done.startsWith('Done: 3 added'), `the import says "${done}"`);
    check((await page.locator('#progress').getAttribute('value')) === '3', 'the progress bar is not full');
    check((await page.locator('#import-log p.error').count()) === 0, 'the import page shows an error');
    const pending = (await b.api('GET', '/api/v1/inbox')).items.map((i) => i.id);
    for (const c of [welding, firstAid]) check(pending.includes(c.id), `${c.id} was not added`);
    check(pending.length === 3, `${pending.length} items in the inbox, not 3`);
  });

  await step('the inbox lists all three; Welding is accepted and First aid refused by keyboard', async () => {
    await page.getByRole('link', { name: /^Inbox/ }).click();
    await page.getByRole('heading', { name: 'Inbox' }).waitFor();
    const names = await page.locator('.card h2').allTextContents();
    check(names.length === 3, `the inbox lists ${names.length}: ${names.join(', ')}`);
    check(names.includes('Welding') && names.includes('First aid'), `the inbox lists ${names.join(', ')}`);
    check((await page.getByRole('link', { name: /^Inbox \(3\)/ }).count()) === 1, 'the nav does not count 3 pending');
    await axe(page, 'inbox');
    await shot(page, 'inbox');
    await pressByKeyboard(page, 'Accept Welding');
    check(page.url().includes('done=accepted'), `accepting went to ${page.url()}`);
    await page.getByRole('status').filter({ hasText: 'Accepted' }).waitFor();
    await page.goto(`${wallet}/inbox`);
    await pressByKeyboard(page, 'Refuse First aid');
    check(page.url().includes('done=refused'), `refusing went to ${page.url()}`);
    const left = await page.locator('.card h2').allTextContents();
    check(left.length === 1 && !left.includes('Welding') && !left.includes('First aid'), `left in the inbox: ${left}`);
    const states = Object.fromEntries((await b.api('GET', '/api/v1/inbox')).items.map((i) => [i.id, i.state]));
    check(states[welding.id] === 'accepted' && states[firstAid.id] === 'refused', `states: ${JSON.stringify(states)}`);
  });

  await step('the gallery shows Welding, not First aid, and q=weld finds it', async () => {
    await page.getByRole('link', { name: 'Badges', exact: true }).click();
    const names = await page.locator('.card h2').allTextContents();
    check(names.includes('Welding') && !names.includes('First aid'), `the gallery shows ${names.join(', ')}`);
    await axe(page, 'gallery');
    await shot(page, 'gallery');
    await page.getByRole('searchbox', { name: /Search your badges/ }).fill('weld');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    check(new URL(page.url()).searchParams.get('q') === 'weld', `searched at ${page.url()}`);
    const found = await page.locator('.card h2').allTextContents();
    check(found.length === 1 && found[0] === 'Welding', `q=weld found ${found.join(', ') || 'nothing'}`);
    await page.goto(`${wallet}?q=plumbing`);
    check((await page.locator('.card').count()) === 0, 'q=plumbing found a badge');
  });

  await step("Welding's baked PNG downloads and verifies at B", async () => {
    await page.goto(`${wallet}?q=weld`);
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: 'Welding' }).click()]);
    await page.getByRole('heading', { name: 'Welding', level: 1 }).waitFor();
    await shot(page, 'badge');
    const facts = Object.fromEntries(
      await page.locator('dl.facts dt').evaluateAll((dts) =>
        dts.map((dt) => [dt.textContent.trim(), dt.nextElementSibling?.textContent.trim()]),
      ),
    );
    check(facts.Issuer?.startsWith('Riverside Trade School'), `the Issuer fact: ${JSON.stringify(facts.Issuer)}`);
    check(facts['Valid from'] === welding.validFrom, `the Valid from fact: ${JSON.stringify(facts['Valid from'])}`);
    check(facts['Awarded to'] === b.did, `the Awarded to fact: ${JSON.stringify(facts['Awarded to'])}`);
    const by = await page.locator('.detail p.muted').first().textContent();
    check(by.includes('Issued by Riverside Trade School'), `the byline: ${JSON.stringify(by)}`);
    const rows = await page.locator('table.checks tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.cells].map((td) => td.textContent.trim())),
    );
    const proofRow = rows.find((r) => r[0] === 'proof');
    check(proofRow?.[1] === 'ok', `the checks table's proof row: ${JSON.stringify(proofRow ?? rows)}`);
    const failedRows = rows.filter((r) => r[1] === 'failed');
    check(failedRows.length === 0, `failed rows: ${JSON.stringify(failedRows)}`);
    // With --no-p2p, B holds no copy of A's status list (lists travel over gossip): the status
    // check is skipped and the verdict is "could not be checked fully", nothing worse.
    const notOk = rows.filter((r) => r[1] !== 'ok');
    const outcome = await page.locator('#outcome').textContent();
    check(
      outcome.startsWith('valid') ||
        (outcome.startsWith('could not be checked') && notOk.every((r) => r[0] === 'status' && r[1] === 'skipped')),
      `the page says "${outcome}"; checks not ok: ${JSON.stringify(notOk)}`,
    );
    await axe(page, 'badge');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-png').click()]);
    check(download.suggestedFilename() === 'welding.png', `the download is named ${download.suggestedFilename()}`);
    const png = readFileSync(await download.path());
    check(png.subarray(1, 4).toString() === 'PNG', 'the download is not a PNG');
    const { status, json } = await open(b, '/credentials/verify', png, 'image/png');
    const checks = json.report?.checks ?? [];
    const proofCheck = checks.find((c) => c.name === 'proof');
    check(proofCheck?.status === 'ok', `at B the proof check: ${JSON.stringify(proofCheck ?? json).slice(0, 300)}`);
    check(failedChecks(json).length === 0, `at B failed checks: ${failedChecks(json)}`);
    // B cannot check A's status list (not held, see above): verified only where the list is.
    const unknown = (json.errors ?? []).map((e) => e.check);
    check(
      status === 200 || (status === 422 && unknown.every((c) => c === 'status')),
      `at B /credentials/verify answered ${status} with errors ${JSON.stringify(json.errors)}`,
    );
    const atIssuer = await open(a, '/credentials/verify', png, 'image/png');
    check(
      atIssuer.status === 200 && atIssuer.json.verified === true,
      `at A the baked PNG answered ${atIssuer.status}: ${JSON.stringify(atIssuer.json.errors)}`,
    );
  });

  await step('a presentation of Welding verifies with its challenge only', async () => {
    await page.getByRole('link', { name: 'Present', exact: true }).click();
    await page.getByRole('heading', { name: /Present badges/ }).waitFor();
    await axe(page, 'present');
    await page.getByRole('checkbox', { name: /Welding/ }).check();
    await page.getByLabel(/^Challenge/).fill('nonce-123');
    await page.getByLabel(/^Domain/).fill('verifier.example');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign presentation' }).click()]);
    const vp = JSON.parse(await page.locator('textarea#presentation').inputValue());
    check(vp.holder === b.did, `the holder is ${vp.holder}`);
    const inside = [vp.verifiableCredential].flat();
    check(inside.length === 1 && JSON.stringify(inside[0]).includes(welding.id), 'the VP does not hold Welding alone');
    await axe(page, 'present result');
    await shot(page, 'present');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#download-vp').click()]);
    const downloaded = JSON.parse(readFileSync(await download.path(), 'utf8'));
    check(downloaded.holder === b.did, 'the downloaded VP has another holder');
    const verify = (vpDoc, challenge, at = b) =>
      open(at, '/presentations/verify', {
        verifiablePresentation: vpDoc,
        options: { challenge, domain: 'verifier.example' },
      });
    const good = await verify(vp, 'nonce-123');
    check(good.json.report?.checks?.length > 0, `no checks: ${JSON.stringify(good.json).slice(0, 200)}`);
    check(failedChecks(good.json).length === 0, `with nonce-123 these failed: ${failedChecks(good.json)}`);
    const atIssuer = await verify(vp, 'nonce-123', a);
    check(atIssuer.json.verified === true, `at A with nonce-123: ${JSON.stringify(atIssuer.json.errors)}`);
    const fromFile = await verify(downloaded, 'nonce-123');
    check(failedChecks(fromFile.json).length === 0, `the download failed: ${failedChecks(fromFile.json)}`);
    const other = await verify(vp, 'other-nonce');
    check(failedChecks(other.json).length > 0, 'with other-nonce no check failed');
    check(other.json.verified !== true, 'with other-nonce it is verified');
  });

  await step('a form without the CSRF token is refused with 403 and changes nothing', async () => {
    const before = await b.api('GET', '/api/v1/inbox');
    const pending = before.items.find((i) => i.state === 'pending');
    check(pending, 'nothing pending to try');
    for (const action of ['accept', 'refuse']) {
      const response = await page.request.post(`${wallet}/badge/${action}`, {
        form: { id: pending.id },
        headers: { accept: 'text/html' },
        maxRedirects: 0,
      });
      check(response.status() === 403, `${action} without csrf answered ${response.status()}`);
      check((await response.text()).includes('Nothing was changed'), `${action}: the 403 page does not say so`);
    }
    const forged = await page.request.post(`${wallet}/badge/accept`, {
      form: { id: pending.id, csrf: 'forged' },
      maxRedirects: 0,
    });
    check(forged.status() === 403, `a wrong csrf answered ${forged.status()}`);
    const after = await b.api('GET', '/api/v1/inbox');
    check(JSON.stringify(after) === JSON.stringify(before), 'the inbox changed');
  });

  await step('a self-issued badge verifies and says so', async () => {
    await page.goto(`${wallet}/selfie`);
    await axe(page, 'self-issue');
    await page.fill('#name', 'Community garden');
    await page.fill('#description', 'Keeps a shared vegetable garden going.');
    await page.fill('#criteria', 'Ran the garden for a season.');
    await page.fill('#evidence', 'https://example.org/garden');
    await shot(page, 'selfie');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Issue the badge' }).click()]);
    const text = await page.content();
    check(text.includes('self-issued'), 'the badge page does not say self-issued');
    check((await page.locator('#outcome').innerText()).startsWith('valid'), 'the self-issued badge is not valid');
  });

  await step('40 files import in two batches with a progress bar, a dropped file too; without JavaScript the form still works', async () => {
    const files = [];
    const { uuid } = await a.api('POST', '/api/v1/achievements', {
      name: 'Practice weld', description: 'One practice seam.', criteria: { narrative: 'Weld a seam.' },
    });
    for (let i = 0; i < 40; i++) {
      const { credential } = await a.api('POST', '/api/v1/awards', { achievement: uuid, recipient: b.did });
      const file = join(work, `practice-${i}.json`);
      writeFileSync(file, JSON.stringify(credential));
      files.push(file);
    }
    await page.goto(`${wallet}/import`);
    await page.locator('#files').setInputFiles(files);
    check((await page.locator('#chosen').innerText()) === '40 files chosen', 'the form does not count the files');
    const batches = [];
    page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/wallet/import')) batches.push(r); });
    await page.getByRole('button', { name: 'Import' }).click();
    const done = await page.locator('#import-log p', { hasText: 'Done:' }).innerText();
    check(done.startsWith('Done: 40 added'), `the import says "${done}"`);
    check(batches.length === 2, `${batches.length} uploads, not 2 batches of 25`);
    check((await page.locator('#progress').getAttribute('value')) === '40', 'the progress bar is not full');
    check((await page.locator('#import-status').innerText()).startsWith('40 of 40 files read'), 'no progress text');
    await shot(page, 'import-progress');
    await axe(page, 'import progress');

    // A file dropped on the form (a synthetic drop: the browser's own DataTransfer and File).
    const dropped = readFileSync(files[1], 'utf8');
    await page.goto(`${wallet}/import`);
    const transfer = await page.evaluateHandle((text) => {
      const t = new DataTransfer();
      t.items.add(new File([text], 'dropped.json', { type: 'application/json' }));
      return t;
    }, dropped);
    await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer: transfer });
    check((await page.locator('#chosen').innerText()) === '1 file chosen', 'the drop was not taken');
    await page.getByRole('button', { name: 'Import' }).click();
    const afterDrop = await page.locator('#import-log p', { hasText: 'Done:' }).innerText();
    check(afterDrop.includes('1 held already'), `the dropped file: "${afterDrop}"`);

    const plain = await browser.newContext({ javaScriptEnabled: false, storageState: await context.storageState() });
    const noScript = await plain.newPage();
    await noScript.goto(`${wallet}/import`);
    const corrupt = join(work, 'corrupt.png');
    writeFileSync(corrupt, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    await noScript.locator('#files').setInputFiles([corrupt]);
    const [answer] = await Promise.all([noScript.waitForNavigation(), noScript.getByRole('button', { name: 'Import' }).click()]);
    check(answer.status() === 422, `a corrupt image answered ${answer.status()}`);
    check((await noScript.content()).includes('corrupt.png'), 'the page does not name the bad file');
    await noScript.goto(`${wallet}/import`);
    await noScript.locator('#files').setInputFiles([files[0]]);
    const [again] = await Promise.all([noScript.waitForNavigation(), noScript.getByRole('button', { name: 'Import' }).click()]);
    check(again.status() === 200, `a plain re-import answered ${again.status()}`);
    check((await noScript.locator('p.notice').innerText()).includes('in your wallet already'), 'the plain form says nothing');
    await plain.close();
  });

  let publicUrl;
  await step("Welding made public prints cards whose QR code opens its public page", async () => {
    await page.goto(`${wallet}/badge?id=${encodeURIComponent(welding.id)}`);
    await Promise.all([page.waitForNavigation(), page.locator('#make-public').click()]);
    publicUrl = (await page.locator('#public-url').innerText()).trim();
    const title = await page.title();
    check(title === 'Welding · Badgemesh wallet', `the badge page's title is ${JSON.stringify(title)}`);
    check(publicUrl.startsWith(`${b.url}/b/`), `the public address is ${publicUrl}`);
    const linkedin = new URL(await page.locator('#linkedin').getAttribute('href'));
    check(linkedin.searchParams.get('certUrl') === publicUrl, `LinkedIn's certUrl is ${linkedin.searchParams.get('certUrl')}`);
    check(linkedin.searchParams.get('name') === 'Welding', `LinkedIn's name is ${linkedin.searchParams.get('name')}`);
    await axe(page, 'badge (public)');
    await page.locator('#share').scrollIntoViewIfNeeded();
    await shot(page, 'share');
    const decode = (png) => {
      try {
        return execFileSync('zbarimg', ['--raw', '-q', png], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      } catch (e) {
        throw new Failure(`zbarimg found no QR code in ${png} (${e.message.split('\n')[0]}); apt-get install zbar-tools`);
      }
    };
    const [svgDownload] = await Promise.all([page.waitForEvent('download'), page.locator('#card-svg').click()]);
    const svgPath = join(work, 'card.svg');
    await svgDownload.saveAs(svgPath);
    const viewer = await browser.newContext({ deviceScaleFactor: 2, viewport: { width: 600, height: 420 } });
    const cardPage = await viewer.newPage();
    await cardPage.goto(`file://${svgPath}`);
    await cardPage.screenshot({ path: join(work, 'card-svg.png') });
    if (SHOTS) await cardPage.screenshot({ path: join(SHOTS, 'card.png') });
    await viewer.close();
    const fromSvg = decode(join(work, 'card-svg.png'));
    check(fromSvg === publicUrl, `the SVG card's QR code reads ${fromSvg}`);
    const [pdfDownload] = await Promise.all([page.waitForEvent('download'), page.locator('#card-pdf').click()]);
    const pdfPath = join(work, 'card.pdf');
    await pdfDownload.saveAs(pdfPath);
    check(readFileSync(pdfPath).subarray(0, 5).toString() === '%PDF-', 'the PDF card is no PDF');
    try {
      execFileSync('pdftoppm', ['-png', '-r', '200', '-singlefile', pdfPath, join(work, 'card-pdf')]);
    } catch (e) {
      throw new Failure(`pdftoppm could not render the PDF card (${e.message.split('\n')[0]}); apt-get install poppler-utils`);
    }
    const fromPdf = decode(join(work, 'card-pdf.png'));
    check(fromPdf === publicUrl, `the PDF card's QR code reads ${fromPdf}`);
  });

  await step('signed out, anyone opens the public badge and a portfolio page; private, both are 404', async () => {
    const anonymous = await browser.newContext();
    const visitor = await anonymous.newPage();
    const seen = await visitor.goto(publicUrl);
    check(seen.status() === 200, `the public badge answered ${seen.status()}`);
    await visitor.getByRole('heading', { name: 'Welding', level: 1 }).waitFor();
    check((await visitor.title()) === 'Welding · Badgemesh', `the public page's title is ${await visitor.title()}`);
    const ogTitle = await visitor.locator('meta[property="og:title"]').getAttribute('content');
    check(ogTitle === 'Welding', `og:title is ${ogTitle}`);
    const ogImage = await visitor.locator('meta[property="og:image"]').getAttribute('content');
    const image = await fetch(ogImage);
    check(image.ok && image.headers.get('content-type') === 'image/png', `og:image ${ogImage} answered ${image.status}`);
    check((await visitor.locator('form').count()) === 0, 'the public page has forms');
    await axe(visitor, 'public badge');
    await shot(visitor, 'public-badge');

    await page.getByRole('link', { name: 'Pages', exact: true }).click();
    await page.getByRole('heading', { name: 'Portfolio pages' }).waitFor();
    await axe(page, 'pages');
    await page.fill('#title', 'Trade skills');
    await page.fill('#text', 'What I learned at Riverside Trade School.');
    await page.getByRole('checkbox', { name: /Welding/ }).check();
    await Promise.all([page.waitForNavigation(), page.locator('#create-page').click()]);
    const pageUrl = (await page.locator('a.page-url').first().innerText()).trim();
    check(pageUrl.startsWith(`${b.url}/p/`), `the page's address is ${pageUrl}`);
    await shot(page, 'pages');
    const portfolio = await visitor.goto(pageUrl);
    check(portfolio.status() === 200, `the portfolio page answered ${portfolio.status()}`);
    await visitor.getByRole('heading', { name: 'Trade skills', level: 1 }).waitFor();
    const listed = await visitor.locator('ol.portfolio h2').allTextContents();
    check(listed.length === 1 && listed[0] === 'Welding', `the portfolio lists ${listed.join(', ')}`);
    await axe(visitor, 'portfolio');
    await shot(visitor, 'portfolio');

    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Make Trade skills private' }).click()]);
    const hiddenPage = await visitor.goto(pageUrl);
    check(hiddenPage.status() === 404, `the private portfolio answered ${hiddenPage.status()}`);
    await page.goto(`${wallet}/badge?id=${encodeURIComponent(welding.id)}`);
    await Promise.all([page.waitForNavigation(), page.locator('#make-private').click()]);
    const hiddenBadge = await visitor.goto(publicUrl);
    check(hiddenBadge.status() === 404, `the private badge answered ${hiddenBadge.status()}`);
    check((await visitor.content()).includes('Not found'), 'the 404 is not a page saying so');
    await anonymous.close();
  });

  await step('sign-out ends the session', async () => {
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign out' }).click()]);
    check(new URL(page.url()).pathname === '/wallet/signin', `signed out to ${page.url()}`);
    await page.goto(wallet);
    check(new URL(page.url()).pathname === '/wallet/signin', 'the wallet opens after sign-out');
  });

  await step("anyone verifies A's badge on A's public page, in plain words", async () => {
    await page.goto(`${a.url}/verify`);
    await axe(page, 'verify');
    await page.setInputFiles('#file', join(work, 'welding.json'));
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Verify' }).click()]);
    const verdict = await page.locator('#verdict').innerText();
    check(verdict.startsWith('Valid'), `A's own badge reads "${verdict}"`);
    check((await page.content()).includes('Riverside Trade School'), 'the issuer is not named');
    await axe(page, 'verify result');
    await shot(page, 'verify');
    await page.goto(`${a.url}/verify`);
    await page.fill('#text', JSON.stringify({ ...welding, name: 'Altered' }));
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Verify' }).click()]);
    const altered = await page.locator('#verdict').innerText();
    check(altered.startsWith('Not valid'), `an altered badge reads "${altered}"`);
  });

  await step("A asks for a badge by OpenID4VP; the page shows the QR code, then B's answer, verified", async () => {
    const made = await a.api('POST', '/api/v1/verifications', { type: 'OpenBadgeCredential', issuer: a.did });
    check(made?.openid4vpUrl?.startsWith('openid4vp://'), `no request URL: ${JSON.stringify(made)}`);
    await page.goto(made.pageUrl);
    await page.getByRole('heading', { name: 'Show your OpenBadgeCredential' }).waitFor();
    check((await page.locator('svg').count()) > 0, 'the pending page has no QR code');
    const link = await page.locator('#request-link').getAttribute('href');
    check(link === made.openid4vpUrl, 'the page links another request');
    await axe(page, 'verification pending');
    await shot(page, 'verification-pending');
    const answered = await b.api('POST', '/api/v1/wallet/respond', { url: made.openid4vpUrl, ids: [welding.id] });
    check(answered?.query === 'badge_ldp_vc', `B answered ${JSON.stringify(answered)}`);
    await page.goto(made.pageUrl);
    const verdict = await page.locator('#verdict').innerText();
    check(verdict === 'Verified', `the page reads "${verdict}"`);
    check((await page.content()).includes('Welding'), 'the page does not name the badge');
    await axe(page, 'verification result');
    await shot(page, 'verification-verified');
  });

  await step("A offers a badge; its page has a QR code for OpenID4VCI wallets and, a keypress away, one for the Learner Credential Wallet", async () => {
    const { uuid } = await a.api('POST', '/api/v1/achievements', {
      name: 'Crane Signalling', description: 'Signals crane lifts clearly.',
      criteria: { narrative: 'Signalled ten lifts under supervision.' },
    });
    const made = await a.api('POST', '/api/v1/offers', { achievement: uuid });
    check(made?.vcapi?.includes('/workflows/claim/exchanges/'), `no exchange: ${JSON.stringify(made)}`);
    await page.goto(made.interactionUrl);
    await page.getByRole('heading', { name: 'Crane Signalling' }).waitFor();
    const lcw = page.locator('#lcw-link');
    check(!(await lcw.isVisible()), 'the LCW code shows before it is asked for');
    await page.locator('summary').focus();
    await page.keyboard.press('Enter');
    await lcw.waitFor({ state: 'visible' });
    check((await lcw.getAttribute('href')) === made.lcwUrl, 'the page links another LCW request');
    check((await page.locator('svg').count()) === 2, 'the page does not show both QR codes');
    await axe(page, 'offer page');
    await shot(page, 'offer-interaction');
  });

  await step('An offer with a transaction code tells the earner to have the code ready and offers no LCW code', async () => {
    const { uuid } = await a.api('POST', '/api/v1/achievements', {
      name: 'Forklift Safety', description: 'Operates a forklift safely.',
      criteria: { narrative: 'Passed the practical forklift test.' },
    });
    const made = await a.api('POST', '/api/v1/offers', { achievement: uuid, txCode: true });
    check(/^\d{6}$/.test(made?.txCode ?? ''), `no transaction code: ${JSON.stringify(made)}`);
    await page.goto(made.interactionUrl);
    await page.getByRole('heading', { name: 'Forklift Safety' }).waitFor();
    const note = await page.locator('#tx-code-note').innerText();
    check(note.includes('6-digit code'), `the page reads "${note}"`);
    check((await page.locator('#lcw-link').count()) === 0, 'a tx_code offer links the LCW');
    await axe(page, 'offer page with a transaction code');
    await shot(page, 'offer-interaction-tx-code');
  });
}

let code = 0;
let cleaned = null;
/** Closes the browser, stops both nodes and removes the temporary directories (once). */
function cleanup() {
  cleaned ??= (async () => {
    await browser?.close().catch(() => {});
    await stopNodes();
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
  })();
  return cleaned;
}
let aborted = false;
function abort(reason) {
  aborted = true;
  console.error(`browser: wallet: FAILED: ${reason}`);
  console.log(`browser: ${passed} passed, 1 failed`);
  cleanup().finally(() => process.exit(1));
}
const timer = setTimeout(() => abort(`over ${DEADLINE_MS / 1000} s`), DEADLINE_MS);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => abort(`stopped by ${signal}`));
try {
  await main();
} catch (e) {
  code = 1;
  if (aborted) await new Promise(() => {}); // abort() reports and exits
  const why = (e?.message ?? String(e)).split('\n')[0];
  console.error(`browser: wallet: FAILED: ${why}`);
  for (const n of nodes) {
    const tail = n.log.join('').trim().split('\n').slice(-5).join('\n  ');
    if (tail) console.error(`node ${n.label} log (last lines):\n  ${tail}`);
  }
} finally {
  clearTimeout(timer);
  await cleanup();
}
if (axeRuns.length) console.log(`axe: ${axeRuns.join('; ')}`);
if (axeFindings.length) console.log(`axe findings: ${axeFindings.join('; ')}`);
console.log(`${SHOTS ? `screenshots in ${SHOTS}\n` : ''}browser: ${passed} passed, ${code} failed (${((Date.now() - started) / 1000).toFixed(1)} s)`);
process.exit(code);
