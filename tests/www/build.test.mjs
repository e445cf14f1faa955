// www.mk ships the scripts without comment lines and indentation (the page
// and the style sheet without indentation). That is
// safe only while no string spans lines: this checks it, and that what make
// ships still parses.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const JS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../www/js');
const files = fs.readdirSync(JS).filter((f) => f.endsWith('.js'));

// The transformation www.mk's sed does.
const strip = (src) => src.split('\n').filter((l) => !/^\s*\/\//.test(l)).map((l) => l.replace(/^\s+/, '')).join('\n');

test('no template literal spans lines', () => {
  for (const f of files) {
    fs.readFileSync(path.join(JS, f), 'utf8').split('\n').forEach((line, i) => {
      assert.equal((line.match(/`/g) || []).length % 2, 0, `${f}:${i + 1}: a template literal spans lines`);
    });
  }
});

test('the stripped scripts still parse', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'camcat-www-'));
  try {
    for (const f of files) {
      const out = path.join(dir, f.replace(/\.js$/, '.mjs'));
      fs.writeFileSync(out, strip(fs.readFileSync(path.join(JS, f), 'utf8')));
      const r = spawnSync(process.execPath, ['--check', out], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${f}: ${r.stderr}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

// The page and the style sheet ship without indentation: safe while no quoted
// value spans lines and the page's <pre> and <textarea> elements are empty.
test('no quoted value in the page or the style sheet spans lines; no <pre> has text', () => {
  for (const f of ['../index.html', '../css/app.css']) {
    const src = fs.readFileSync(path.join(JS, f), 'utf8');
    src.split('\n').forEach((line, i) => {
      assert.equal((line.match(/"/g) || []).length % 2, 0, `${f}:${i + 1}: a quoted value spans lines`);
    });
    assert.doesNotMatch(src, /<(pre|textarea)\b[^>]*>[^<]/, `${f}: a <pre> or <textarea> has text`);
  }
});
