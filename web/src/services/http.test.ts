import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiError, configureHttp, prefetch, request } from './http';

// A real server on loopback that counts what it is asked: 401 for the token "bad", else the
// request's own URL and Authorization header back as JSON.
let server: Server;
let base = '';
let asked: string[] = [];
let token = 'one';
let unauthorized = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    asked.push(req.url ?? '');
    const status = req.headers.authorization === 'Bearer bad' ? 401 : 200;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ url: req.url, authorization: req.headers.authorization }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  configureHttp({ token: () => token, onUnauthorized: () => (unauthorized += 1) });
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  asked = [];
  token = 'one';
  unauthorized = 0;
});

describe('prefetch', () => {
  it('is answered once: the first request for the same URL and token takes the answer over', async () => {
    const early = await prefetch(`${base}/list`, { page: 1, sort: '-created_at' }, 'one');
    expect(early).toEqual({ url: '/list?page=1&sort=-created_at', authorization: 'Bearer one' });
    const taken = await request(`${base}/list`, { query: { page: 1, sort: '-created_at' } });
    expect(taken).toEqual(early);
    expect(asked).toEqual(['/list?page=1&sort=-created_at']);
    // Taken once: the next request asks the server.
    await request(`${base}/list`, { query: { page: 1, sort: '-created_at' } });
    expect(asked).toHaveLength(2);
  });

  it('is dropped by a request to the same path with another query or token, which asks the server', async () => {
    await prefetch(`${base}/list`, { page: 1 }, 'one');
    await request(`${base}/list`, { query: { page: 2 } });
    await request(`${base}/list`, { query: { page: 1 } });
    expect(asked).toEqual(['/list?page=1', '/list?page=2', '/list?page=1']);

    await prefetch(`${base}/list`, { page: 1 }, 'one');
    token = 'two';
    expect(await request(`${base}/list`, { query: { page: 1 } })).toMatchObject({ authorization: 'Bearer two' });
    expect(asked).toHaveLength(5);
  });

  it('is left alone by requests to other paths', async () => {
    await prefetch(`${base}/list`, {}, 'one');
    await request(`${base}/other`);
    await request(`${base}/list`);
    expect(asked).toEqual(['/list', '/other']);
  });

  it('hands a refused answer to the request as an error, 401 included', async () => {
    token = 'bad';
    await expect(prefetch(`${base}/list`, {}, 'bad')).rejects.toThrow();
    const failed = request(`${base}/list`);
    await expect(failed).rejects.toBeInstanceOf(ApiError);
    await expect(failed).rejects.toMatchObject({ status: 401 });
    expect(unauthorized).toBe(1);
    expect(asked).toEqual(['/list']);
  });
});
