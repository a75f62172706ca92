import { once } from 'node:events';
import { createServer, type AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { SEARCH_ATTRIBUTES } from '../../schemas/search-attributes';
import { checkTemporalAnswers, devServerArgs } from '../../toolchain/temporal-dev-server';

const value = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('devServerArgs', () => {
  it('serves the Web UI with the codec endpoint when given a UI port, on 127.0.0.1 with the SQLite file given', () => {
    const args = devServerArgs({ port: 7233, uiPort: 8233, dbFile: '/data/temporal.db', codecEndpoint: 'http://127.0.0.1:8234' });
    expect(args.slice(0, 2)).toEqual(['server', 'start-dev']);
    expect([value(args, '--ip'), value(args, '--port'), value(args, '--ui-port'), value(args, '--db-filename')]).toEqual(['127.0.0.1', '7233', '8233', '/data/temporal.db']);
    expect(value(args, '--ui-codec-endpoint')).toBe('http://127.0.0.1:8234');
    expect(args).not.toContain('--headless');
  });

  it('runs headless without a UI port', () => {
    const args = devServerArgs({ port: 17233, dbFile: 'soak.db' });
    expect(args).toContain('--headless');
    expect(args).not.toContain('--ui-port');
    expect(args).not.toContain('--ui-codec-endpoint');
  });

  it("registers every search attribute the workflows upsert, as name=type", () => {
    const args = devServerArgs({ port: 7233, dbFile: 'x.db' });
    const registered = args.flatMap((arg, i) => (args[i - 1] === '--search-attribute' ? [arg] : []));
    expect(registered).toEqual(Object.values(SEARCH_ATTRIBUTES).map((a) => `${a.name}=${a.type}`));
    expect(registered.length).toBeGreaterThan(0);
  });
});

describe('checkTemporalAnswers', () => {
  it('rejects when nothing answers at the address', async () => {
    const server = createServer().listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    await expect(checkTemporalAnswers(`127.0.0.1:${port}`)).rejects.toThrow();
  });
});
