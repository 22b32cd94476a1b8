// The import page, enhanced: drop files on the form, and many files go up in batches with a
// progress bar instead of one long silent upload. Without this script the form posts as it is.
'use strict';
(() => {
  const form = document.getElementById('import-form');
  if (!form || !window.fetch || !window.FormData) return;
  const input = document.getElementById('files');
  const text = document.getElementById('text');
  const zone = document.getElementById('drop-zone');
  const chosen = document.getElementById('chosen');
  const progress = document.getElementById('progress');
  const status = document.getElementById('import-status');
  const log = document.getElementById('import-log');
  const csrf = form.querySelector('input[name="csrf"]').value;
  const BATCH = 25;
  let dropped = null;

  const files = () => Array.from(dropped ?? input.files ?? []);
  const say = (message) => { status.textContent = message; };
  const show = () => {
    const n = files().length;
    chosen.textContent = n ? `${n} file${n === 1 ? '' : 's'} chosen` : '';
  };
  input.addEventListener('change', () => { dropped = null; show(); });
  for (const type of ['dragenter', 'dragover']) {
    zone.addEventListener(type, (e) => { e.preventDefault(); zone.classList.add('dragging'); });
  }
  for (const type of ['dragleave', 'drop']) {
    zone.addEventListener(type, () => zone.classList.remove('dragging'));
  }
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    dropped = e.dataTransfer.files;
    show();
  });

  const line = (cls, message) => {
    const p = document.createElement('p');
    p.className = cls;
    p.textContent = message;
    log.appendChild(p);
  };

  form.addEventListener('submit', async (e) => {
    const all = files();
    if (all.length === 0) return; // pasted text only: the plain form post
    e.preventDefault();
    log.textContent = '';
    progress.hidden = false;
    progress.max = all.length;
    progress.value = 0;
    let added = 0, held = 0, failed = 0;
    for (let start = 0; start < all.length; start += BATCH) {
      const body = new FormData();
      body.append('csrf', csrf);
      if (start === 0 && text.value.trim()) body.append('text', text.value);
      for (const f of all.slice(start, start + BATCH)) body.append('files', f, f.name);
      let answer;
      try {
        const response = await fetch(form.action, { method: 'POST', body, headers: { accept: 'application/json' } });
        answer = await response.json();
        if (!response.ok) throw new Error(answer.message ?? `the node answered ${response.status}`);
      } catch (err) {
        line('error', `Stopped after ${start} of ${all.length} files: ${err.message}`);
        say(`Stopped: ${err.message}`);
        return;
      }
      for (const o of answer.outcomes) {
        added += o.added.length;
        held += o.held.length;
        for (const why of o.errors) { failed += 1; line('error', `${o.file}: ${why}`); }
      }
      progress.value = Math.min(start + BATCH, all.length);
      say(`${progress.value} of ${all.length} files read: ${added} added, ${held} held already, ${failed} refused.`);
    }
    line(added ? 'success' : 'notice', `Done: ${added} added to your inbox, ${held} held already, ${failed} refused.`);
    const inbox = document.createElement('a');
    inbox.href = form.action.replace(/\/import$/, '/inbox');
    inbox.textContent = 'Open your inbox';
    log.lastChild.append(' ', inbox);
  });
})();
