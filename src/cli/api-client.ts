import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { OPERATOR_TOKEN_FILE } from '../config/index.js';
import { CliExit, type CliIo } from './cli-io.js';

/** A problem+json answer (or another non-2xx answer) from the gateway. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: { type?: string; title?: string; detail?: string; reason?: string; errors?: Array<{ pointer: string; message: string }> },
  ) {
    super(`${status} ${problem.title ?? 'request failed'}${problem.detail ? `: ${problem.detail}` : ''}`);
    this.name = 'ApiError';
  }
}

export interface ApiClient {
  readonly baseUrl: string;
  get<T = unknown>(path: string): Promise<T>;
  post<T = unknown>(path: string, body?: unknown): Promise<T>;
  put<T = unknown>(path: string, body: unknown): Promise<T>;
}

export interface ConnectionOptions {
  url?: string;
  token?: string;
}

/**
 * The operator API client the convenience commands use. Where: --url, else OMADM_URL, else http://HOST:PORT (the
 * gateway's own defaults). Token: --token, else OMADM_TOKEN, else OPERATOR_TOKEN, else the token file the gateway
 * generated in DATA_DIR (./data by default).
 */
export function connect(options: ConnectionOptions, io: CliIo): ApiClient {
  const baseUrl = (options.url ?? io.env.OMADM_URL ?? `http://${io.env.HOST ?? '127.0.0.1'}:${io.env.PORT ?? '8080'}`).replace(/\/+$/, '');
  const token = options.token ?? io.env.OMADM_TOKEN ?? io.env.OPERATOR_TOKEN ?? tokenFromFile(io);
  if (!token) {
    throw new CliExit(2, `no operator token: pass --token, set OMADM_TOKEN, or run where ${join(io.env.DATA_DIR ?? './data', OPERATOR_TOKEN_FILE)} exists`);
  }
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json, application/problem+json',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw new CliExit(1, `cannot reach the gateway at ${baseUrl}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`);
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = { title: text.slice(0, 200) };
    }
    if (!response.ok) throw new ApiError(response.status, (parsed ?? {}) as ApiError['problem']);
    return parsed as T;
  };
  return {
    baseUrl,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    put: (path, body) => call('PUT', path, body),
  };
}

function tokenFromFile(io: CliIo): string | undefined {
  try {
    return readFileSync(resolve(io.cwd, io.env.DATA_DIR ?? './data', OPERATOR_TOKEN_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Path segment for an id (DeviceIDs may hold characters that need escaping). */
export function seg(id: string): string {
  return encodeURIComponent(id);
}
