// A short, seeded run of the raw-request mutation fuzzer (tests/fuzz/rawhttp.mjs)
// against the sanitizer build: the server answers /api/health after every
// batch and stops cleanly with nothing reported. `make fuzz` runs it longer
// with a fresh seed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { fuzz } from '../fuzz/rawhttp.mjs';
import { BUILD, SUITE, copyFixture, startServer, tmpdir } from './lib.mjs';

describe('raw HTTP mutation fuzzing', SUITE, () => {
  let work, srv;
  before(async () => {
    work = tmpdir();
    // Batches of cases from 127.0.0.1 while earlier ones close: no
    // per-client cap (tests/http/slow.test.mjs covers it).
    srv = await startServer(['--root', copyFixture('normal', path.join(work, 'rec')),
      '--max-client-conns', '0']);
  });
  after(async () => {
    await srv?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  async function run(server, seed, cases) {
    const alive = () => server.proc.exitCode === null && server.proc.signalCode === null;
    const res = await fuzz({
      port: server.port, seed, cases, seconds: 120, day: '2025-01-24',
      chunk: '2025-01-24/00001/chunk_00000.ts', saveDir: path.join(BUILD, 'fuzz'), alive,
    });
    assert.equal(res.failure, null, `the server stopped answering; cases saved in ${res.failure}`);
    assert.ok(res.cases >= 200, `only ${res.cases} cases ran`);
    const st = await server.stop();
    assert.doesNotMatch(server.log, /ERROR: AddressSanitizer|runtime error:/);
    assert.deepEqual(st, { code: 0, signal: null });
  }

  test('3,000 mutated requests (seed 1): the server keeps answering, then stops cleanly', async () => {
    await run(srv, 1, 3000);
  });

  // With authentication on, every case goes through the digest parser (and
  // the failed-login count: no limit, or the cases after the tenth failure
  // would get 429 without reaching the parser).
  test('2,000 more with auth_file set (seed 2)', async (t) => {
    const authFile = path.join(work, 'users.htdigest');
    const p = spawnSync(path.join(BUILD, 'camcat'), ['passwd', authFile, 'admin'], { input: 'secret\n' });
    assert.equal(p.status, 0, String(p.stderr));
    const authed = await startServer(['--root', path.join(work, 'rec'), '--auth-file', authFile,
      '--auth-max-failures', '0', '--max-client-conns', '0'],
      { readyStatus: 401 });
    t.after(() => authed.stop());
    await run(authed, 2, 2000);
  });
});
