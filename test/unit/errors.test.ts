import type { INode } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { failureOfHttpError, failureOf, GreenApiError, howItPasses, localItemError, readAnswer } from '../../nodes/client/errors';

const node: INode = {
	id: '1',
	name: 'GREEN-API',
	type: 'n8n-nodes-green-api.greenApi',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

function failure(answer: Parameters<typeof readAnswer>[0]) {
	const result = readAnswer(answer);
	if (result.ok) throw new Error('expected a failure');
	return result.failure;
}

describe('readAnswer', () => {
	it('returns the JSON of a good answer, parsed from text if needed', () => {
		expect(readAnswer({ statusCode: 200, body: { stateInstance: 'authorized' } })).toEqual({ ok: true, value: { stateInstance: 'authorized' } });
		expect(readAnswer({ statusCode: 200, body: '{"existsWhatsapp":false}' })).toEqual({ ok: true, value: { existsWhatsapp: false } });
	});

	it.each([
		[{ statusCode: 200, body: null }, 'empty'],
		[{ statusCode: 200, body: 'null' }, 'empty'],
		[{ statusCode: 200, body: '' }, 'empty'],
		[{ statusCode: 200, body: undefined }, 'empty'],
		[{ statusCode: 200, body: '<html><title>Login</title></html>' }, 'notJson'],
	])('%p is a %s failure', (answer, kind) => {
		expect(failure(answer).kind).toBe(kind);
	});

	it('reads GREEN-API\'s text from JSON and from plain-text bodies', () => {
		expect(failure({ statusCode: 400, body: { message: 'bad phone number, valid from 11 to 16 digits' } }).text).toBe(
			'bad phone number, valid from 11 to 16 digits',
		);
		expect(failure({ statusCode: 400, body: 'instance in starting process try later' }).text).toBe(
			'instance in starting process try later',
		);
	});

	it('keeps only the title of an HTML error page', () => {
		const info = failure({
			statusCode: 502,
			body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>',
		});
		expect(info).toMatchObject({ kind: 'status', status: 502, text: '502 Bad Gateway' });
		expect(howItPasses(info)).toBe('soon');
	});

	it('reads the 466 quota details', () => {
		const info = failure({
			statusCode: 466,
			body: { invokeStatus: { method: 'checkwhatsapp', used: 100, total: 100, status: 'QUOTE_EXCEEDED', description: 'Monthly quota has been exceeded.' } },
		});
		expect(info.quota).toEqual({ used: 100, total: 100, description: 'Monthly quota has been exceeded.' });
		expect(howItPasses(info)).toBe('never');
	});

	it('honours Retry-After in seconds', () => {
		expect(failure({ statusCode: 429, body: 'Too Many Requests', headers: { 'retry-after': '2' } }).retryAfterMs).toBe(2000);
	});
});

describe('failureOfHttpError', () => {
	it.each([
		[{ code: 'ECONNREFUSED' }, 'refused'],
		[{ message: 'wrapped', cause: { code: 'ECONNABORTED' } }, 'timeout'],
		[{ message: 'timeout of 1000ms exceeded' }, 'timeout'],
		[{ message: 'socket hang up' }, 'dropped'],
		[{ cause: { code: 'ENOTFOUND' } }, 'dns'],
		[new Error('something else'), 'network'],
	])('%p is %s', (error, kind) => {
		expect(failureOfHttpError(error).kind).toBe(kind);
	});
});

describe('GreenApiError', () => {
	it.each([
		[{ kind: 'status', status: 401 } as const, /refused the API token/, /API Token/],
		[{ kind: 'status', status: 403 } as const, /refused access to this instance/, /Instance ID and the API URL/],
		[{ kind: 'status', status: 404 } as const, /does not offer checkWhatsapp/, /API URL/],
		[{ kind: 'status', status: 429 } as const, /Too many requests/, /Max Requests Per Second/],
		[{ kind: 'status', status: 466, quota: { used: 100, total: 100, description: 'Monthly quota has been exceeded.' } } as const, /quota for checkWhatsapp is used up \(100 of 100 used\)/, /Monthly quota has been exceeded\. Upgrade/],
		[{ kind: 'status', status: 499 } as const, /closed the request/, /Timeout/],
		[{ kind: 'status', status: 500, text: 'boom' } as const, /server error \(500\): boom/, /try again/],
		// Also what a yellowCard instance answers: the advice says how to tell, not "scan a QR code".
		[{ kind: 'status', status: 400, text: 'instance account not authorized' } as const, /rejected the request: instance account not authorized/, /yellowCard.*Get State: notAuthorized -> link.*yellowCard -> do not re-link: reboot/],
		[{ kind: 'timeout' } as const, /did not answer within 5 s/, /Timeout/],
		[{ kind: 'refused' } as const, /Could not connect to GREEN-API at 127.0.0.1:9/, /API URL/],
		[{ kind: 'notJson', status: 200, text: 'Login' } as const, /not JSON: "Login"/, /API URL/],
	])('%p', (info, message, description) => {
		const error = new GreenApiError(node, info, { method: 'checkWhatsapp', itemIndex: 3, host: '127.0.0.1:9', timeoutMs: 5000 });
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toMatch(message);
		expect(error.message).toMatch(/\[item 3\]$/);
		expect(error.description).toMatch(description);
		// The error carries its classification itself; n8n stores it without it, as before.
		expect(failureOf(error)).toEqual(info);
		expect(Object.keys(error)).not.toContain('greenApiFailure');
	});

	it('redacts a token that GREEN-API echoed in its text', () => {
		const error = new GreenApiError(
			node,
			{ kind: 'status', status: 500, text: 'failed /waInstance1/checkWhatsapp/SECRETTOKEN123' },
			{ method: 'checkWhatsapp', secrets: ['SECRETTOKEN123'] },
		);
		expect(JSON.stringify({ m: error.message, d: error.description })).not.toContain('SECRETTOKEN123');
		expect(JSON.stringify(failureOf(error))).not.toContain('SECRETTOKEN123');
	});

	it('is the only error failureOf classifies: any other error is not a GREEN-API failure', () => {
		expect(failureOf(new Error('a bug in an output step'))).toBeUndefined();
		expect(failureOf(new NodeApiError(node, { message: 'x' }))).toBeUndefined();
	});
});

describe('localItemError', () => {
	it('has what the editor needs to show it without "From GREEN-API, Error code": no status, no raw messages', () => {
		const error = localItemError(node, 'Phone Number in item 2: "x" is not a phone number', { itemIndex: 2, description: 'Use +44...' });
		// RoutingNode passes a NodeApiError through instead of re-wrapping it with httpCode "none".
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.httpCode).toBeNull();
		expect(error.messages).toEqual([]);
		expect(error.context).toEqual({ itemIndex: 2 });
		expect(error.extra).toBeUndefined();
		expect(error.message).toBe('Phone Number in item 2: "x" is not a phone number');
		expect(error.description).toBe('Use +44...');
		expect(failureOf(error)).toBeUndefined();
	});
});
