import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { uid2SubscriptionApprovalInputSchema } from '../../schemas/uid2-subscription-approval';
import { ConfigError, loadConfigFile } from '../../starters/lib/load-config';

const dir = mkdtempSync(join(tmpdir(), 'load-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function writeConfig(text: string): string {
  const path = join(dir, `config-${++files}.json`);
  writeFileSync(path, text);
  return path;
}

function load(path: string) {
  return loadConfigFile(path, uid2SubscriptionApprovalInputSchema);
}

/** The ConfigError message for `value` written as JSON; also checks it starts with the file path. */
function errorFor(value: unknown): string {
  const path = writeConfig(JSON.stringify(value));
  const message = configError(path);
  expect(message.startsWith(`${path}: invalid config`)).toBe(true);
  return message;
}

function configError(path: string): string {
  try {
    load(path);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfigFile', () => {
  it('names the file and the reason when it cannot be read', () => {
    const path = join(dir, 'does-not-exist.json');
    const message = configError(path);
    expect(message.startsWith(`${path}: cannot read the config file`)).toBe(true);
    expect(message).toContain('ENOENT');
  });

  it('names the file when it is not valid JSON', () => {
    const path = writeConfig('{ "providerName": "UID2", }');
    const message = configError(path);
    expect(message.startsWith(`${path}: not valid JSON`)).toBe(true);
  });

  it('names an unknown field', () => {
    const message = errorFor({ deadlin: '45 days' });
    expect(message).toContain('field "(top level)"');
    expect(message).toContain('unknown field(s) "deadlin"');
  });

  it('names an unknown field inside poll by its path', () => {
    const message = errorFor({ poll: { initialInterval: '10 minutes', maxInterval: '1 hour' } });
    expect(message).toContain('field "poll": unknown field(s) "maxInterval"');
  });

  it('names a bad account id', () => {
    const message = errorFor({ account: '1234-5678-9012' });
    expect(message).toContain('field "account": must be a 12-digit AWS account id');
  });

  it('names a bad duration and says what is expected', () => {
    const message = errorFor({ deadline: 'six weeks-ish' });
    expect(message).toContain('field "deadline"');
    expect(message).toContain('expected a duration such as "10 minutes", "6h" or "45 days", got "six weeks-ish"');
  });

  it('names a value of the wrong type by its dotted path', () => {
    const message = errorFor({ poll: { backoffCoefficient: 'x' } });
    expect(message).toContain('field "poll.backoffCoefficient": expected number, got string');
  });

  it('lists every bad field, one per line', () => {
    const message = errorFor({ account: 'abc', deadline: 'soon', maxHistoryEvents: 5 });
    const lines = message.split('\n').slice(1);
    expect(lines).toHaveLength(3);
    expect(lines.map((line) => /field "([^"]+)"/.exec(line)?.[1]).sort()).toEqual(['account', 'deadline', 'maxHistoryEvents']);
  });

  it('returns a valid file with the defaults filled in', () => {
    const config = load(writeConfig(JSON.stringify({ account: '123456789012' })));
    expect(config).toEqual({
      account: '123456789012',
      providerName: 'UID2',
      deadline: '45 days',
      poll: { initialInterval: '10 minutes', maximumInterval: '1 hour', backoffCoefficient: 1.5 },
      maxHistoryEvents: 10_000,
    });
  });

  it('fills nested poll defaults when poll is given partly', () => {
    const config = load(writeConfig(JSON.stringify({ poll: { backoffCoefficient: 2 } })));
    expect(config.poll).toEqual({ initialInterval: '10 minutes', maximumInterval: '1 hour', backoffCoefficient: 2 });
    expect(config.account).toBeUndefined();
  });

  it('loads examples/uid2-subscription.json', () => {
    const config = load('examples/uid2-subscription.json');
    expect(config).toMatchObject({ account: '123456789012', providerName: 'UID2', deadline: '45 days' });
    expect(config.poll.backoffCoefficient).toBeGreaterThanOrEqual(1);
  });
});
