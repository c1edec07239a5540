import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** What `replyWithFile` serves: the files under `root`, each with the Cache-Control `cacheControlOf` gives. */
export interface StaticFileOptions {
  /** An absolute directory. */
  root: string;
  /** The Cache-Control of the file at this absolute path. */
  cacheControlOf: (path: string) => string;
}

/** The file a directory's path serves. */
const INDEX_FILE = 'index.html';

/** Content-Type by extension: what the dashboard's build holds, text in UTF-8. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'application/javascript; charset=utf-8',
  '.mjs': 'application/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/vnd.microsoft.icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};
const OTHER_TYPE = 'application/octet-stream';

/**
 * Answers a `GET`/`HEAD` of a file under `options.root`: Content-Type, a weak ETag and Last-Modified
 * (304 to a matching If-None-Match, else If-Modified-Since), one byte range (206, 416 when none of it
 * exists, honouring If-Range), and a directory's index.html. A path that is not served goes to the
 * app's 404: a segment starting with a dot (dotfiles, `.`, `..`, encoded or not), an encoded `/` or
 * `\`, anything outside `root`. A NUL byte or a malformed escape is a 400.
 */
export async function replyWithFile(
  request: FastifyRequest,
  reply: FastifyReply,
  options: StaticFileOptions,
): Promise<unknown> {
  const named = fileOfUrl(options.root, request.url);
  if (named === 'bad') throw badRequest(`malformed path ${request.url.split('?')[0]}`);
  if (named === null) return reply.callNotFound();
  let { path } = named;
  let found = await statOf(path);
  if (found?.isDirectory()) {
    path = join(path, INDEX_FILE);
    found = await statOf(path);
  } else if (named.isDirectory) {
    // `/index.html/`: a file asked as a directory
    found = undefined;
  }
  if (!found?.isFile()) return reply.callNotFound();
  const etag = `W/"${found.size.toString(16)}-${found.mtime.getTime().toString(16)}"`;
  const lastModified = found.mtime.toUTCString();
  reply.header('cache-control', options.cacheControlOf(path));
  reply.header('accept-ranges', 'bytes');
  reply.header('last-modified', lastModified);
  reply.header('etag', etag);
  if (isFresh(request.headers, etag, found.mtime)) return reply.code(304).send();
  reply.header('content-type', CONTENT_TYPES[extname(path).toLowerCase()] ?? OTHER_TYPE);
  const range = rangeOf(request.headers, found.size, etag, found.mtime);
  if (range === 'unsatisfiable') {
    return reply.code(416).header('content-range', `bytes */${found.size}`).send();
  }
  const { start, end } = range ?? { start: 0, end: found.size - 1 };
  if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${found.size}`);
  reply.header('content-length', String(end - start + 1));
  if (request.method === 'HEAD' || found.size === 0) return reply.send();
  return reply.send(createReadStream(path, { start, end }));
}

/**
 * The path under `root` a request URL names (`isDirectory` when it ends in `/`), `null` for one that is
 * not served, `'bad'` for a NUL byte or a malformed escape. Each segment is decoded alone, so `%2f`
 * never becomes a separator.
 */
export function fileOfUrl(root: string, url: string): { path: string; isDirectory: boolean } | null | 'bad' {
  const query = url.indexOf('?');
  const segments = (query === -1 ? url : url.slice(0, query)).split('/');
  const names: string[] = [];
  for (const segment of segments) {
    if (segment === '') continue;
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      return 'bad';
    }
    if (name.includes('\0')) return 'bad';
    if (name.startsWith('.') || name.includes('/') || name.includes('\\')) return null;
    names.push(name);
  }
  const path = join(root, ...names);
  // a Windows drive or device name in a segment: whatever `join` made of it, it stays under `root`
  if (path !== root && !path.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  return { path, isDirectory: url.slice(0, query === -1 ? undefined : query).endsWith('/') };
}

/** Whether the client's copy is current: If-None-Match names the ETag (or `*`), else If-Modified-Since is not older. */
function isFresh(headers: FastifyRequest['headers'], etag: string, mtime: Date): boolean {
  const noneMatch = headers['if-none-match'];
  if (noneMatch !== undefined) {
    if (noneMatch.trim() === '*') return true;
    // a weak comparison, as If-None-Match takes
    const bare = etag.replace(/^W\//, '');
    return noneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === bare);
  }
  const modifiedSince = Date.parse(headers['if-modified-since'] ?? '');
  // HTTP dates have whole seconds
  return !Number.isNaN(modifiedSince) && Math.floor(mtime.getTime() / 1000) * 1000 <= modifiedSince;
}

/**
 * The one byte range of a Range header (`bytes=0-6`, `bytes=7-`, `bytes=-4`), `undefined` for the whole
 * file (no header, several ranges, another unit, a syntax it does not take, an If-Range that does not
 * name this version), `'unsatisfiable'` when it starts past the end.
 */
function rangeOf(
  headers: FastifyRequest['headers'],
  size: number,
  etag: string,
  mtime: Date,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(headers.range?.trim() ?? '');
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  // node joins a repeated If-Range with ', ' (no header of the kind may repeat): it then names no version
  const ifRange = headers['if-range'] as string | undefined;
  if (ifRange !== undefined) {
    const isTag = ifRange.startsWith('"') || ifRange.startsWith('W/');
    const isCurrent = isTag
      ? ifRange === etag
      : Math.floor(mtime.getTime() / 1000) * 1000 <= Date.parse(ifRange);
    if (!isCurrent) return undefined;
  }
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  return start > end ? undefined : { start, end };
}

async function statOf(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG' || code === 'EACCES')
      return undefined;
    throw error;
  }
}

function badRequest(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 400 });
}
