/**
 * A tiny HTTP server on 127.0.0.1 that records every request and answers through a
 * replaceable handler. `await startServer()` → `{ url, requests, setHandler, close }`.
 */
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
	method: string;
	/** Path and query as sent, e.g. `/waInstance1/getStateInstance/tok?x=1`. */
	url: string;
	/** Path without the query. */
	path: string;
	query: URLSearchParams;
	headers: IncomingHttpHeaders;
	/** Raw body text ('' if none). */
	body: string;
	/** The body parsed as JSON, if it was JSON. */
	json?: unknown;
	/** Date.now() when the request arrived. */
	at: number;
}

export interface Reply {
	status?: number;
	/** Sent as application/json. */
	json?: unknown;
	/** Sent as is (text/plain unless headers say otherwise). */
	body?: string;
	headers?: Record<string, string>;
	/** Wait this long before answering. */
	delayMs?: number;
}

export type Handler = (req: RecordedRequest) => Reply | Promise<Reply>;

export interface TestServer {
	/** e.g. `http://127.0.0.1:41234` (no trailing slash). */
	readonly url: string;
	readonly requests: RecordedRequest[];
	setHandler(handler: Handler): void;
	/** Forget recorded requests. */
	reset(): void;
	close(): Promise<void>;
}

const defaultHandler: Handler = () => ({ status: 200, json: {} });

export async function startServer(handler: Handler = defaultHandler): Promise<TestServer> {
	let current = handler;
	const requests: RecordedRequest[] = [];
	const server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (chunk: Buffer) => chunks.push(chunk));
		req.on('end', () => {
			void (async () => {
				const body = Buffer.concat(chunks).toString('utf8');
				const parsed = new URL(req.url ?? '/', 'http://127.0.0.1');
				let json: unknown;
				try {
					json = body ? JSON.parse(body) : undefined;
				} catch {
					json = undefined;
				}
				const recorded: RecordedRequest = {
					method: req.method ?? 'GET',
					url: req.url ?? '/',
					path: parsed.pathname,
					query: parsed.searchParams,
					headers: req.headers,
					body,
					json,
					at: Date.now(),
				};
				requests.push(recorded);
				let reply: Reply;
				try {
					reply = await current(recorded);
				} catch (error) {
					reply = { status: 599, body: `handler failed: ${(error as Error).message}` };
				}
				if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
				const isJson = reply.json !== undefined;
				const payload = isJson ? JSON.stringify(reply.json) : (reply.body ?? '');
				res.writeHead(reply.status ?? 200, {
					'content-type': isJson ? 'application/json' : 'text/plain',
					...reply.headers,
				});
				res.end(payload);
			})();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}`,
		requests,
		setHandler(h) {
			current = h;
		},
		reset() {
			requests.length = 0;
		},
		async close() {
			server.closeAllConnections();
			await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
		},
	};
}
